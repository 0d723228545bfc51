// The RACI grid: responsibilities grouped by area (rows) × people and role columns. A cell holds
// one letter; a click, a tap or Enter/Space opens the letter picker, R/A/C/I set it, Delete clears
// it. An A belongs to one named person, so role columns refuse it, and two As on one row are marked
// as a conflict.
import { html, nothing, type TemplateResult } from 'lit-html'
import { classMap } from 'lit-html/directives/class-map.js'
import { guard } from 'lit-html/directives/guard.js'
import { repeat } from 'lit-html/directives/repeat.js'
import type { ResponsibilityAnalysis } from '../../shared/analytics.js'
import { assignmentKey, roleAssignee, type Letter, type Person, type Responsibility } from '../../shared/schema.js'
import { blameText } from '../history.js'
import { focusCell, navigate } from './grid-nav.js'
import { visiblePeople, visibleRows } from '../filter.js'
import { groupAreas } from '../model.js'
import { emptyState } from './empty.js'
import { peerTags } from './peers.js'
import { LETTER_HINTS, LETTER_NAMES } from './picker.js'
import type { ViewContext } from './types.js'
import { people, RISK_WORDS } from './words.js'

export const STATUS_TEXT: Record<ResponsibilityAnalysis['status'], string> = {
  ok: 'OK',
  thin: 'Thin',
  'no-accountable': 'No A',
  'multiple-accountable': 'Conflict',
}

const CRITICALITY_TEXT = { 1: 'low', 2: 'medium', 3: 'critical' } as const

interface Column {
  assignee: string
  kind: 'person' | 'role'
  label: string
  sub: string
  person?: Person
}

export function raciView(ctx: ViewContext): TemplateResult {
  const { model, readOnly, filters } = ctx
  const without = new Set(model.without)
  const shownPeople = visiblePeople(model, filters)
  const rows = visibleRows(model, filters)
  // Sorted by a figure, rows leave their areas: one group, each row naming its area.
  const groups = filters.sort === 'order' ? groupAreas(rows) : [{ area: SORT_TITLES[filters.sort], rows }]
  const columns: Column[] = [
    ...shownPeople.map((p) => ({
      assignee: p.id,
      kind: 'person' as const,
      label: p.name,
      sub: model.roleLabels.get(p.role) ?? p.role,
      person: p,
    })),
    ...model.roles.filter((r) => !r.hidden).map((r) => ({ assignee: roleAssignee(r.key), kind: 'role' as const, label: r.label, sub: '' })),
  ]
  const firstRole = shownPeople.length
  let rowIndex = 0
  // What every row depends on besides its own data; part of each row's signature.
  const shared = [readOnly, filters.sort, [...without].join(','), columns.map((c) => `${c.assignee}:${c.label}:${c.sub}:${c.person?.active ?? ''}:${c.person?.team ?? ''}`).join(',')].join('|')
  const stop = ctx.active.raci ?? (rows[0] ? `row:${rows[0].id}` : null)

  return html`
    <section class="panel-body" aria-labelledby="raci-heading">
      <div class="toolbar">
        <h2 id="raci-heading" class="visually-hidden">RACI grid</h2>
        <ul class="legend" aria-label="Letters">
          ${(['R', 'A', 'C', 'I'] as const).map(
            (l) => html`<li title=${`${LETTER_NAMES[l]}: ${LETTER_HINTS[l]}`}>
              <span class="chip chip-${l}" aria-hidden="true">${l}</span> ${LETTER_NAMES[l]}<span class="visually-hidden">: ${LETTER_HINTS[l]}</span>
            </li>`,
          )}
        </ul>
        ${readOnly ? nothing : html`<p class="hint keys-hint">Click a cell to pick, or type R, A, C, I · Delete clears · arrows move</p>`}
        ${readOnly
          ? nothing
          : html`<button class="btn" data-action="add-responsibility" @click=${() => ctx.actions.openResponsibility(null)}>+ Responsibility</button>`}
      </div>
      ${emptyState(ctx, 'raci')}
      <div class="grid-scroll" tabindex="-1">
        <table
          class="grid raci"
          role="grid"
          data-grid="raci"
          aria-labelledby="raci-heading"
          aria-readonly=${readOnly ? 'true' : 'false'}
          @keydown=${(e: KeyboardEvent) => onKeydown(ctx, e)}
          @focusin=${(e: FocusEvent) => onFocus(ctx, e)}
        >
          ${guard([shared], () => headView(columns, firstRole, without))}
          ${repeat(
            groups,
            (group) => group.area,
            (group) => html`
              <tbody>
                <tr class="area">
                  <th scope="rowgroup" colspan=${columns.length + 1}><span class="area-name">${group.area || 'No area'}</span></th>
                </tr>
                ${repeat(
                  group.rows,
                  (row) => row.id,
                  (row) => {
                    const r = rowIndex++
                    // A remote edit changes one row: the others keep their DOM untouched (200 people ×
                    // 60 rows is 12 000 cells; re-rendering them all made a repaint take ~250 ms).
                    return guard([rowSignature(ctx, row, columns, r, stop, shared)], () => rowView(ctx, row, columns, firstRole, r, stop))
                  },
                )}
              </tbody>
            `,
          )}
        </table>
        ${rows.length === 0 && model.responsibilities.length > 0
          ? html`<p class="empty-note" data-empty="filtered">No responsibility matches these filters. <button class="link" @click=${ctx.actions.clearFilters}>Show all</button></p>`
          : nothing}
      </div>
    </section>
  `
}

function rowView(ctx: ViewContext, row: Responsibility, columns: Column[], firstRole: number, r: number, stop: string | null): TemplateResult {
  const { model, readOnly } = ctx
  const analysis = model.byResponsibility.get(row.id)
  const status = analysis?.status ?? 'ok'
  const conflict = status === 'multiple-accountable'
  const rowKey = `row:${row.id}`
  const accountableNames = (analysis?.accountable ?? []).map((id) => model.peopleById.get(id)?.name ?? id)
  const risks = analysis?.risks ?? []
  const first = risks[0] ?? 'ok'
  return html`
    <tr class=${classMap({ conflict, [`row-${status}`]: true })} data-row=${row.id}>
      <th scope="row" class="rowhead" data-key=${rowKey}>
        <div class="rowhead-inner">
          <div class="row-main">
          ${readOnly
            ? html`<span class="row-title" data-r=${r} data-c="0" tabindex=${stop === rowKey ? 0 : -1} title=${row.description}>${row.title}</span>`
            : html`<button
                class="row-title"
                data-r=${r}
                data-c="0"
                tabindex=${stop === rowKey ? 0 : -1}
                title=${`${row.description ? row.description + '\n' : ''}Edit (Enter) · move (Alt+↑/↓)`}
                aria-label=${`${row.title}: edit`}
                @click=${() => ctx.actions.openResponsibility(row.id)}
              >
                ${row.title}
              </button>`}
          ${rowFacts(ctx, row, analysis)}
          </div>
          <span class="crit crit-${row.criticality}" title=${`Criticality ${row.criticality}: ${CRITICALITY_TEXT[row.criticality]}`}>
            <i></i><i></i><i></i><span class="visually-hidden">criticality ${CRITICALITY_TEXT[row.criticality]}</span>
          </span>
          <span
            class=${`status status-${status} risk-${first}`}
            data-status=${status}
            data-risks=${risks.join(' ')}
            title=${statusTitle(status, analysis, accountableNames)}
          >
            ${first === 'ok' ? 'OK' : RISK_WORDS[first].short}${risks.length > 1 ? html` <span class="more-risks" title=${risks.slice(1).map((x) => RISK_WORDS[x].short).join(', ')}>+${risks.length - 1}</span>` : nothing}
          </span>
          ${readOnly || ctx.filters.sort !== 'order'
            ? nothing
            : html`<span class="row-moves">
                <button class="icon" tabindex="-1" aria-label=${`Move ${row.title} up`} @click=${() => ctx.actions.moveResponsibility(row.id, -1)}>▲</button>
                <button class="icon" tabindex="-1" aria-label=${`Move ${row.title} down`} @click=${() => ctx.actions.moveResponsibility(row.id, 1)}>▼</button>
              </span>`}
        </div>
      </th>
      ${columns.map((col, i) => cellView(ctx, row, col, r, i + 1, i === firstRole, stop, conflict, accountableNames))}
    </tr>
  `
}

/** The column headers: they change only with the columns themselves (part of `shared`). */
function headView(columns: Column[], firstRole: number, without: Set<string>): TemplateResult {
  return html`<thead>
            <tr class="groups">
              <th scope="col" class="corner" rowspan="2">Responsibility</th>
              ${firstRole > 0 ? html`<th scope="colgroup" colspan=${firstRole} class="group">People</th>` : nothing}
              ${columns.length > firstRole
                ? html`<th scope="colgroup" colspan=${columns.length - firstRole} class="group group-start">Role columns</th>`
                : nothing}
            </tr>
            <tr class="cols">
              ${columns.map(
                (col, i) => html`<th
                  scope="col"
                  class=${classMap({
                    colhead: true,
                    role: col.kind === 'role',
                    'group-start': i === firstRole,
                    inactive: col.person !== undefined && !col.person.active,
                    away: col.person !== undefined && without.has(col.person.id),
                  })}
                  data-key=${col.kind === 'person' ? `person:${col.assignee}` : `role:${col.assignee}`}
                  title=${columnTitle(col, without)}
                >
                  <span class="colname">${col.label}</span>
                  ${col.kind === 'role' ? nothing : html`<span class="colsub">${!col.person!.active ? 'inactive' : without.has(col.assignee) ? 'what-if: away' : col.sub}</span>`}
                </th>`,
              )}
            </tr>
          </thead>`
}

/**
 * Everything a row's rendering reads, as one string: when it is unchanged, the row's DOM is too.
 * Building it is a few map lookups per cell, far cheaper than rendering the cells.
 */
function rowSignature(ctx: ViewContext, row: Responsibility, columns: Column[], r: number, stop: string | null, shared: string): string {
  const { model } = ctx
  const a = model.byResponsibility.get(row.id)
  const name = (id: string) => model.peopleById.get(id)?.name ?? id
  const parts = [
    shared,
    r,
    row.title,
    row.description,
    row.area,
    row.criticality,
    a ? `${a.status}:${a.busFactor}:${a.risks.join(',')}:${a.accountable.map(name).join(',')}:${a.backups.map(name).join(',')}` : '',
    (a?.uncovered ?? []).map((id) => model.skills.find((s) => s.id === id)?.name ?? id).join(','),
    stop === `row:${row.id}` || stop?.startsWith(`r:${row.id}/`) ? stop : '',
    ctx.picking?.startsWith(`r:${row.id}/`) ? ctx.picking : '',
  ]
  for (const col of columns) {
    const key = assignmentKey(row.id, col.assignee)
    parts.push(model.assignments.get(key)?.letter ?? '')
    const peers = ctx.peersByCell.get(`r:${key}`)
    if (peers) parts.push(peers.map((p) => `${p.clientId}:${p.user.name}:${p.color}`).join(';'))
    const blame = ctx.blame.get(`r:${key}`)
    if (blame) parts.push(`${blame.seq}`)
  }
  return parts.join('\u0000')
}

/**
 * The row's figures in words: how many people are on it, the skills it needs that none of them
 * covers, and who could back them up (CONTRACT §5 v2 uncovered and backups).
 */
function rowFacts(ctx: ViewContext, row: Responsibility, analysis: ResponsibilityAnalysis | undefined): TemplateResult {
  const { model } = ctx
  const bf = analysis?.busFactor ?? 0
  const skillName = (id: string) => model.skills.find((s) => s.id === id)?.name ?? id
  const uncovered = analysis?.uncovered ?? []
  const backups = (analysis?.backups ?? []).map((id) => model.peopleById.get(id)?.name ?? id)
  return html`<span class="row-facts">
    ${ctx.filters.sort !== 'order' ? html`<span class="fact-area">${row.area || 'No area'} · </span>` : nothing}<span class="fact-bf" data-bf=${bf}
      >${bf === 0 ? 'nobody on it' : `${people(bf)} on it`}</span
    >${uncovered.length
      ? html` · <span class="fact-uncovered" data-uncovered=${uncovered.join(' ')}>needs ${uncovered.map(skillName).join(', ')}</span>`
      : nothing}${backups.length ? html` · <span class="fact-backups" data-backups=${(analysis?.backups ?? []).join(' ')}>backup: ${backups.join(', ')}</span>` : nothing}
  </span>`
}

const SORT_TITLES = { 'bus-factor': 'Sorted by bus factor, lowest first', criticality: 'Sorted by criticality, highest first' } as const


function cellView(
  ctx: ViewContext,
  row: Responsibility,
  col: Column,
  r: number,
  c: number,
  groupStart: boolean,
  stop: string | null,
  rowConflict: boolean,
  accountableNames: string[],
): TemplateResult {
  const key = `r:${assignmentKey(row.id, col.assignee)}`
  const letter = ctx.model.assignments.get(assignmentKey(row.id, col.assignee))?.letter ?? null
  const inactive = col.person !== undefined && !col.person.active
  // An A that counts for nothing: on a role column (written by another client) or an inactive person.
  const void_ = letter === 'A' && (col.kind === 'role' || inactive)
  const conflict = rowConflict && letter === 'A' && !void_ && !ctx.model.without.includes(col.assignee)
  const peers = ctx.peersByCell.get(key) ?? []
  const label =
    `${col.label}${col.kind === 'role' ? ' (role)' : ''}, ${row.title}: ${letter ? LETTER_NAMES[letter] : 'not assigned'}` +
    (conflict ? `. Conflict: ${accountableNames.length} accountable (${accountableNames.join(', ')})` : '') +
    (void_ ? '. Counts for nothing' : '') +
    (peers.length ? `. Here: ${peers.map((p) => p.user.name).join(', ')}` : '')
  const blame = letter ? blameText(ctx.blame.get(key)) : ''
  return html`<td
    role="gridcell"
    class=${classMap({ cell: true, 'group-start': groupStart, role: col.kind === 'role', inactive, conflict, 'has-peer': peers.length > 0, picking: ctx.picking === key })}
    style=${peers.length ? `--peer: ${peers[0]!.color}` : ''}
    data-key=${key}
    data-r=${r}
    data-c=${c}
    data-letter=${letter ?? ''}
    tabindex=${stop === key ? 0 : -1}
    aria-label=${label}
    title=${letter ? `${LETTER_NAMES[letter]}${blame ? `\n${blame}` : ''}` : nothing}
    aria-haspopup=${ctx.readOnly ? nothing : 'menu'}
    @click=${ctx.readOnly ? null : (e: Event) => ctx.actions.openLetterPicker(row.id, col.assignee, e.currentTarget as HTMLElement)}
  >
    ${letter ? html`<span class=${classMap({ chip: true, [`chip-${letter}`]: true, void: void_ })} aria-hidden="true">${letter}</span>` : nothing}
    ${peerTags(peers)}
  </td>`
}

function onKeydown(ctx: ViewContext, e: KeyboardEvent): void {
  const target = e.target as HTMLElement
  if (e.altKey && (e.key === 'ArrowUp' || e.key === 'ArrowDown') && !ctx.readOnly) {
    const id = target.closest<HTMLElement>('tr[data-row]')?.dataset.row
    if (id && target.classList.contains('row-title')) {
      e.preventDefault()
      ctx.actions.moveResponsibility(id, e.key === 'ArrowUp' ? -1 : 1)
      return
    }
  }
  if (navigate(e)) return
  if (ctx.readOnly || e.ctrlKey || e.metaKey || e.altKey) return
  const cell = target.closest<HTMLElement>('td[data-key]')
  if (!cell) return
  const parsed = /^r:([^/]+)\/(.+)$/.exec(cell.dataset.key ?? '')
  if (!parsed) return
  const [, responsibility = '', assignee = ''] = parsed
  const isRole = assignee.startsWith('@')
  const key = e.key.toUpperCase()
  if (key === 'R' || key === 'A' || key === 'C' || key === 'I') {
    e.preventDefault()
    if (key === 'A' && isRole) {
      ctx.actions.notify('An A belongs to one named person, not to a role column.')
      return
    }
    ctx.actions.setLetter(responsibility, assignee, key)
  } else if (e.key === 'Delete' || e.key === 'Backspace') {
    e.preventDefault()
    ctx.actions.setLetter(responsibility, assignee, null)
  } else if (e.key === 'Enter' || e.key === ' ') {
    e.preventDefault()
    ctx.actions.openLetterPicker(responsibility, assignee, cell)
  }
}

function onFocus(ctx: ViewContext, e: FocusEvent): void {
  const el = (e.target as HTMLElement).closest<HTMLElement>('[data-r][data-c]')
  if (!el) return
  const key = el.dataset.key ?? el.closest<HTMLElement>('[data-key]')?.dataset.key ?? null
  if (el.tabIndex !== 0) focusCell(el)
  ctx.actions.focus('raci', key)
}

function columnTitle(col: Column, without: Set<string>): string {
  if (col.kind === 'role') return `${col.label}: role column (R, C or I for everyone in this role)`
  const p = col.person!
  return `${p.name} · ${col.sub}${p.team ? ` · ${p.team}` : ''}${p.active ? '' : ' · inactive'}${without.has(p.id) ? ' · left out in the what-if' : ''}`
}

function statusTitle(status: ResponsibilityAnalysis['status'], analysis: ResponsibilityAnalysis | undefined, accountable: string[]): string {
  const bf = `Bus factor ${analysis?.busFactor ?? 0}: active people holding A or R.`
  switch (status) {
    case 'multiple-accountable':
      return `Conflict: ${accountable.length} accountable (${accountable.join(', ')}). Exactly one person should hold the A. ${bf}`
    case 'no-accountable':
      return `Nobody is accountable: give one person the A. ${bf}`
    case 'thin':
      return `Critical, but fewer than two people hold A or R. ${bf}`
    default:
      return `One accountable (${accountable.join(', ')}). ${bf}`
  }
}
