// The picker a grid cell opens on a click, a tap, Enter or Space: every value with its name and a
// line that says what it means. A heatmap cell picks a level (0–4, N/A, clear), a RACI cell a letter
// (R, A, C, I, clear; no A on a role column). Opening it never writes: only choosing does, so a
// stray tap on a phone while scrolling changes nothing. Letter and digit keys still work inside it.
import { html, nothing, type TemplateResult } from 'lit-html'
import { LEVEL_ANCHORS, LEVEL_NAMES, LEVELS, type Letter, type Level } from '../../shared/schema.js'

export const LETTER_NAMES: Record<Letter, string> = {
  R: 'Responsible',
  A: 'Accountable',
  C: 'Consulted',
  I: 'Informed',
}

export const LETTER_HINTS: Record<Letter, string> = {
  R: 'does the work',
  A: 'owns the outcome; exactly one person',
  C: 'asked before',
  I: 'told after',
}

interface Placed {
  /** viewport position of the menu's top left corner */
  x: number
  y: number
}

export type PickerState =
  | (Placed & { kind: 'level'; person: string; skill: string; personName: string; skillName: string; current: Level | null | undefined })
  | (Placed & {
      kind: 'letter'
      responsibility: string
      assignee: string
      /** the column's label: a person's name or a role */
      assigneeName: string
      title: string
      /** a role column: no A */
      role: boolean
      current: Letter | null
    })

/** A level (0–4), N/A (null), clear (undefined) — or a letter, or clear (null). */
export type PickerValue = Level | Letter | null | undefined

/** The data-key of the cell a picker belongs to (focus returns there, and it is marked). */
export function pickerCell(state: PickerState): string {
  return state.kind === 'level' ? `s:${state.person}/${state.skill}` : `r:${state.responsibility}/${state.assignee}`
}

const WIDTH = 260
const HEIGHTS = { level: 330, letter: 250 }

/** Where a picker for `anchor` goes: below it, kept inside the viewport. */
export function placePicker(anchor: HTMLElement, kind: PickerState['kind']): Placed {
  const rect = anchor.getBoundingClientRect()
  const height = HEIGHTS[kind]
  const x = Math.max(8, Math.min(rect.left, window.innerWidth - WIDTH - 8))
  const below = rect.bottom + 4
  const y = below + height > window.innerHeight ? Math.max(8, rect.top - height - 4) : below
  return { x, y }
}

interface Option {
  value: PickerValue
  /** data-level / data-letter of the item */
  data: string
  badge: TemplateResult
  label: string
  hint: string
}

function levelOptions(): Option[] {
  return [
    ...LEVELS.map((l) => ({ value: l as Level, data: String(l), badge: html`<span class="lvl lvl-${l}" aria-hidden="true">${l}</span>`, label: LEVEL_NAMES[l], hint: LEVEL_ANCHORS[l] })),
    { value: null, data: 'na', badge: html`<span class="lvl lvl-na" aria-hidden="true">N/A</span>`, label: 'N/A', hint: 'Not applicable to this person; never counted' },
    { value: undefined, data: 'clear', badge: html`<span class="lvl lvl-none" aria-hidden="true"></span>`, label: 'Clear', hint: 'Not rated yet' },
  ]
}

function letterOptions(role: boolean): Option[] {
  const letters = (['R', 'A', 'C', 'I'] as const).filter((l) => !(role && l === 'A'))
  return [
    ...letters.map((l) => ({ value: l, data: l, badge: html`<span class="chip chip-${l}" aria-hidden="true">${l}</span>`, label: LETTER_NAMES[l], hint: LETTER_HINTS[l] })),
    { value: null, data: 'clear', badge: html`<span class="chip chip-none" aria-hidden="true"></span>`, label: 'Clear', hint: 'No letter on this cell' },
  ]
}

export function pickerView(state: PickerState, choose: (value: PickerValue) => void, close: () => void): TemplateResult {
  const options = state.kind === 'level' ? levelOptions() : letterOptions(state.role)
  const current: PickerValue = state.current
  const keydown = (e: KeyboardEvent): void => {
    const items = [...(e.currentTarget as HTMLElement).querySelectorAll<HTMLButtonElement>('button[role=menuitemradio]')]
    const at = items.indexOf(document.activeElement as HTMLButtonElement)
    const key = e.key.length === 1 ? e.key.toUpperCase() : e.key
    if (e.key === 'Escape' || e.key === 'Tab') {
      e.preventDefault()
      close()
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault()
      items[(at + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length]?.focus()
    } else if (state.kind === 'level' && /^[0-4]$/.test(key)) {
      e.preventDefault()
      choose(Number(key) as Level)
    } else if (state.kind === 'level' && key === 'N') {
      e.preventDefault()
      choose(null)
    } else if (state.kind === 'letter' && options.some((o) => o.value === key)) {
      e.preventDefault()
      choose(key as Letter)
    } else if (e.key === 'Delete' || e.key === 'Backspace') {
      e.preventDefault()
      choose(state.kind === 'level' ? undefined : null)
    }
  }
  const title = state.kind === 'level' ? `${state.personName} · ${state.skillName}` : `${state.assigneeName}${state.role ? ' (role)' : ''} · ${state.title}`
  const label = state.kind === 'level' ? `Level of ${state.personName} in ${state.skillName}` : `Letter of ${state.assigneeName} on ${state.title}`
  return html`<div class="picker-backdrop" @click=${close}></div>
    <div class="picker" data-picker=${state.kind} role="menu" aria-label=${label} style=${`left: ${state.x}px; top: ${state.y}px; width: ${WIDTH}px`} @keydown=${keydown}>
      <p class="picker-title">${title}</p>
      ${options.map(
        (o) => html`<button
          role="menuitemradio"
          aria-checked=${o.value === current ? 'true' : 'false'}
          class="picker-item"
          data-level=${state.kind === 'level' ? o.data : nothing}
          data-letter=${state.kind === 'letter' ? o.data : nothing}
          @click=${() => choose(o.value)}
        >
          ${o.badge}
          <span class="picker-label">${o.label}</span>
          <span class="picker-hint">${o.hint}</span>
        </button>`,
      )}
      ${state.kind === 'letter' && state.role ? html`<p class="picker-foot hint">An A belongs to one named person, not to a role.</p>` : nothing}
    </div>`
}
