// The notice that someone overwrote a cell you had just set: who, which cell, from what to what,
// and one button that puts your value back. It stays until dealt with (a choice should not time out).
import { html, type TemplateResult } from 'lit-html'
import type { Letter, Level } from '../../shared/schema.js'
import type { MapModel } from '../model.js'
import { cellDataKey, type CellValue, type Overwrite } from '../overwrite.js'
import { LETTER_NAMES } from './picker.js'
import { levelText } from './skills.js'

export interface OverwriteNotice extends Overwrite {
  id: number
  /** `who` is the server-verified author (from blame), not the cell's own `by` */
  verified?: boolean
}

export interface OverwriteActions {
  putBack(notice: OverwriteNotice): void
  dismiss(notice: OverwriteNotice): void
}

export function overwriteNotice(model: MapModel, notice: OverwriteNotice, actions: OverwriteActions): TemplateResult {
  const { root, mine, theirs, who } = notice
  const name = who?.name ?? 'Someone'
  const where = html`<span class="cell-name">${cellName(model, notice)}</span>`
  const change = theirs === undefined ? html`cleared ${where}` : html`changed ${where} to <strong>${valueText(root, theirs)}</strong>`
  return html`<div class="overwrite-notice" role="group" aria-label="Your change was overwritten" data-cell=${cellDataKey(root, notice.key)} data-by=${who?.id ?? ''} data-verified=${notice.verified ? 'true' : 'false'}>
    <p>
      <strong class="who">${name}</strong> ${change} — you had set <strong>${valueText(root, mine)}</strong> a moment ago.
    </p>
    <span class="notice-actions">
      <button class="btn small primary" data-action="put-back" @click=${() => actions.putBack(notice)}>Put my ${shortValue(root, mine)} back</button>
      <button class="btn small" data-action="dismiss" @click=${() => actions.dismiss(notice)}>Keep theirs</button>
    </span>
  </div>`
}

/** "Cache strategy · Ana Silva", "Ana Silva · PostgreSQL": the row, then the column, as the grid shows them. */
function cellName(model: MapModel, { root, key }: Overwrite): string {
  const [a = '', b = ''] = key.split('/')
  if (root === 'ratings') return `${model.peopleById.get(a)?.name ?? a} · ${model.skills.find((s) => s.id === b)?.name ?? b}`
  const row = model.responsibilities.find((r) => r.id === a)?.title ?? a
  const column = b.startsWith('@') ? (model.roleLabels.get(b.slice(1)) ?? b) : (model.peopleById.get(b)?.name ?? b)
  return `${row} · ${column}`
}

function valueText(root: Overwrite['root'], value: CellValue): string {
  return root === 'assignments' ? `${value} (${LETTER_NAMES[value as Letter]})` : levelText(value as Level | null)
}

function shortValue(root: Overwrite['root'], value: CellValue): string {
  return root === 'assignments' ? (value as string) : value === null ? 'N/A' : String(value)
}
