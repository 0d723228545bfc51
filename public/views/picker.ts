// The level picker that a heatmap cell opens: every level with its name and anchor, N/A, clear.
import { html, type TemplateResult } from 'lit-html'
import { LEVEL_ANCHORS, LEVEL_NAMES, LEVELS, type Level } from '../../shared/schema.js'

export interface PickerState {
  person: string
  skill: string
  personName: string
  skillName: string
  current: Level | null | undefined
  /** viewport position of the menu's top left corner */
  x: number
  y: number
}

const WIDTH = 260

/** Where a picker for `anchor` goes: below it, kept inside the viewport. */
export function placePicker(anchor: HTMLElement): { x: number; y: number } {
  const rect = anchor.getBoundingClientRect()
  const height = 330
  const x = Math.max(8, Math.min(rect.left, window.innerWidth - WIDTH - 8))
  const below = rect.bottom + 4
  const y = below + height > window.innerHeight ? Math.max(8, rect.top - height - 4) : below
  return { x, y }
}

export function pickerView(state: PickerState, choose: (level: Level | null | undefined) => void, close: () => void): TemplateResult {
  const options: Array<{ level: Level | null | undefined; label: string; hint: string }> = [
    ...LEVELS.map((l) => ({ level: l as Level, label: `${l} ${LEVEL_NAMES[l]}`, hint: LEVEL_ANCHORS[l] })),
    { level: null, label: 'N/A', hint: 'Not applicable to this person; never counted' },
    { level: undefined, label: 'Clear', hint: 'Not rated yet' },
  ]
  const keydown = (e: KeyboardEvent): void => {
    const items = [...(e.currentTarget as HTMLElement).querySelectorAll<HTMLButtonElement>('button[role=menuitemradio]')]
    const at = items.indexOf(document.activeElement as HTMLButtonElement)
    if (e.key === 'Escape' || e.key === 'Tab') {
      e.preventDefault()
      close()
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault()
      items[(at + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length]?.focus()
    } else if (/^[0-4]$/.test(e.key)) {
      e.preventDefault()
      choose(Number(e.key) as Level)
    } else if (e.key === 'n' || e.key === 'N') {
      e.preventDefault()
      choose(null)
    }
  }
  return html`<div class="picker-backdrop" @click=${close}></div>
    <div
      class="picker"
      role="menu"
      aria-label=${`Level of ${state.personName} in ${state.skillName}`}
      style=${`left: ${state.x}px; top: ${state.y}px; width: ${WIDTH}px`}
      @keydown=${keydown}
    >
      <p class="picker-title">${state.personName} · ${state.skillName}</p>
      ${options.map(
        (o) => html`<button
          role="menuitemradio"
          aria-checked=${o.level === state.current ? 'true' : 'false'}
          class="picker-item"
          data-level=${o.level === undefined ? 'clear' : o.level === null ? 'na' : String(o.level)}
          @click=${() => choose(o.level)}
        >
          <span class="lvl ${o.level === undefined ? 'lvl-none' : o.level === null ? 'lvl-na' : `lvl-${o.level}`}" aria-hidden="true"
            >${o.level === undefined ? '' : o.level === null ? 'N/A' : o.level}</span
          >
          <span class="picker-label">${o.level === undefined || o.level === null ? o.label : LEVEL_NAMES[o.level]}</span>
          <span class="picker-hint">${o.hint}</span>
        </button>`,
      )}
    </div>`
}
