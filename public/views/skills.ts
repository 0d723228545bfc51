// The skills heatmap: skills grouped by category (rows) × people (columns), levels 0–4 and N/A.
// A click opens a level picker; on the keyboard 0–4 set a level, N sets N/A, Delete clears.
// The last column counts who covers the skill (level 3 or more) and flags gaps and risks.
import { html, nothing, type TemplateResult } from 'lit-html'
import { classMap } from 'lit-html/directives/class-map.js'
import { repeat } from 'lit-html/directives/repeat.js'
import type { SkillAnalysis } from '../../shared/analytics.js'
import { COVERED_LEVEL, LEVEL_ANCHORS, LEVEL_NAMES, LEVELS, ratingKey, type Level, type Person, type Skill } from '../../shared/schema.js'
import { blameText } from '../history.js'
import { focusCell, navigate } from './grid-nav.js'
import { visiblePeople, visibleSkills } from '../filter.js'
import { emptyState } from './empty.js'
import { peerTags } from './peers.js'
import type { ViewContext } from './types.js'

export const SKILL_STATUS_TEXT: Record<SkillAnalysis['status'], string> = {
  ok: 'OK',
  risk: 'Risk',
  gap: 'Gap',
}

export function levelText(level: Level | null | undefined): string {
  if (level === undefined) return 'not rated'
  if (level === null) return 'N/A (not applicable)'
  return `${level} ${LEVEL_NAMES[level]}`
}

export function skillsView(ctx: ViewContext): TemplateResult {
  const { model, readOnly, filters } = ctx
  const people = visiblePeople(model, filters)
  const shown = new Set(visibleSkills(model, filters).map((s) => s.id))
  const categories = model.categories.map((g) => ({ ...g, skills: g.skills.filter((s) => shown.has(s.id)) })).filter((g) => g.skills.length > 0)
  const without = new Set(model.without)
  let rowIndex = 0
  const first = categories[0]?.skills[0]
  const stop = ctx.active.skills ?? (first ? `skill:${first.id}` : null)
  return html`
    <section class="panel-body" aria-labelledby="skills-heading">
      <div class="toolbar">
        <h2 id="skills-heading" class="visually-hidden">Skills heatmap</h2>
        <ul class="legend levels" aria-label="Levels">
          ${LEVELS.map(
            (l) => html`<li title=${LEVEL_ANCHORS[l]}><span class="lvl lvl-${l}" aria-hidden="true">${l}</span> ${LEVEL_NAMES[l]}</li>`,
          )}
          <li title="Not applicable to this person: never counted, unlike 0"><span class="lvl lvl-na" aria-hidden="true">N/A</span> Not applicable</li>
        </ul>
        <p class="hint">Covered = level ${COVERED_LEVEL}+ (${LEVEL_NAMES[COVERED_LEVEL]}).</p>
        ${readOnly ? nothing : html`<p class="hint keys-hint">Click a cell or type 0–4 · N for N/A · Delete clears</p>`}
      </div>
      ${emptyState(ctx, 'skills')}
      <div class="grid-scroll" tabindex="-1">
        <table
          class="grid heatmap"
          role="grid"
          data-grid="skills"
          aria-labelledby="skills-heading"
          aria-readonly=${readOnly ? 'true' : 'false'}
          @keydown=${(e: KeyboardEvent) => onKeydown(ctx, e)}
          @focusin=${(e: FocusEvent) => onFocus(ctx, e)}
        >
          <thead>
            <tr>
              <th scope="col" class="corner">Skill</th>
              <th scope="col" class="colhead covered-col" title="Active people at level ${COVERED_LEVEL} or more">Covered by</th>
              ${people.map(
                (p) => html`<th
                  scope="col"
                  class=${classMap({ colhead: true, inactive: !p.active, away: without.has(p.id) })}
                  data-key=${`person:${p.id}`}
                  title=${`${p.name} · ${model.roleLabels.get(p.role) ?? p.role}${p.active ? '' : ' · inactive'}`}
                >
                  <span class="colname">${p.name}</span>
                  <span class="colsub">${!p.active ? 'inactive' : without.has(p.id) ? 'what-if: away' : (model.roleLabels.get(p.role) ?? p.role)}</span>
                </th>`,
              )}
            </tr>
          </thead>
          ${repeat(
            categories,
            (group) => group.category,
            (group) => html`<tbody>
              <tr class="area">
                <th scope="rowgroup" colspan=${people.length + 2}><span class="area-name">${group.label}</span></th>
              </tr>
              ${repeat(
                group.skills,
                (skill) => skill.id,
                (skill) => skillRow(ctx, skill, people, rowIndex++, stop),
              )}
            </tbody>`,
          )}
        </table>
        ${shown.size === 0 && model.skills.length > 0
          ? html`<p class="empty-note" data-empty="filtered">No skill matches these filters. <button class="link" @click=${ctx.actions.clearFilters}>Show all</button></p>`
          : nothing}
      </div>
    </section>
  `
}

function skillRow(ctx: ViewContext, skill: Skill, people: Person[], r: number, stop: string | null): TemplateResult {
  const analysis = ctx.model.bySkill.get(skill.id)
  const status = analysis?.status ?? 'gap'
  const rowKey = `skill:${skill.id}`
  return html`<tr data-skill=${skill.id} class="row-${status}">
    <th scope="row" class="rowhead" data-key=${rowKey}>
      <div class="rowhead-inner">
        <span class="row-title" data-r=${r} data-c="0" tabindex=${stop === rowKey ? 0 : -1}>${skill.name}</span>
      </div>
    </th>
    <td class="covered-col">
      <span
        class="status status-${status}"
        data-status=${status}
        title=${status === 'gap' ? 'Nobody covers this skill' : status === 'risk' ? 'Only one person covers this skill: bus factor 1' : `${analysis?.covered} people cover this skill`}
      >
        <span class="bf" aria-label=${`${analysis?.covered ?? 0} covered`}>${analysis?.covered ?? 0}</span>
        ${SKILL_STATUS_TEXT[status]}
      </span>
    </td>
    ${people.map((p, i) => levelCell(ctx, p, skill, r, i + 1, stop))}
  </tr>`
}

function levelCell(ctx: ViewContext, person: Person, skill: Skill, r: number, c: number, stop: string | null): TemplateResult {
  const key = `s:${ratingKey(person.id, skill.id)}`
  const rating = ctx.model.ratings.get(ratingKey(person.id, skill.id))
  const level = rating?.level
  const peers = ctx.peersByCell.get(key) ?? []
  const cls = level === undefined ? 'lvl-none' : level === null ? 'lvl-na' : `lvl-${level}`
  const blame = level === undefined ? '' : blameText(ctx.blame.get(key))
  const label = `${person.name}, ${skill.name}: ${levelText(level)}${peers.length ? `. Here: ${peers.map((p) => p.user.name).join(', ')}` : ''}`
  return html`<td
    role="gridcell"
    class=${classMap({ cell: true, level: true, inactive: !person.active, 'has-peer': peers.length > 0, picking: ctx.picking === key })}
    style=${peers.length ? `--peer: ${peers[0]!.color}` : ''}
    data-key=${key}
    data-r=${r}
    data-c=${c}
    data-level=${level === undefined ? '' : level === null ? 'na' : String(level)}
    tabindex=${stop === key ? 0 : -1}
    aria-label=${label}
    aria-haspopup=${ctx.readOnly ? nothing : 'menu'}
    title=${(level === undefined || level === null ? levelText(level) : `${levelText(level)}: ${LEVEL_ANCHORS[level]}`) + (blame ? `\n${blame}` : '')}
    @click=${ctx.readOnly ? null : (e: Event) => ctx.actions.openPicker(person.id, skill.id, e.currentTarget as HTMLElement)}
  >
    <span class="lvl ${cls}" aria-hidden="true">${level === undefined ? '' : level === null ? 'N/A' : level}</span>
    ${peerTags(peers)}
  </td>`
}

function onKeydown(ctx: ViewContext, e: KeyboardEvent): void {
  if (navigate(e)) return
  if (ctx.readOnly || e.ctrlKey || e.metaKey || e.altKey) return
  const cell = (e.target as HTMLElement).closest<HTMLElement>('td[data-key]')
  const parsed = /^s:([^/]+)\/(.+)$/.exec(cell?.dataset.key ?? '')
  if (!cell || !parsed) return
  const [, person = '', skill = ''] = parsed
  if (/^[0-4]$/.test(e.key)) {
    e.preventDefault()
    ctx.actions.setLevel(person, skill, Number(e.key) as Level)
  } else if (e.key === 'n' || e.key === 'N' || e.key === '/') {
    e.preventDefault()
    ctx.actions.setLevel(person, skill, null)
  } else if (e.key === 'Delete' || e.key === 'Backspace') {
    e.preventDefault()
    ctx.actions.setLevel(person, skill, undefined)
  } else if (e.key === 'Enter' || e.key === ' ') {
    e.preventDefault()
    ctx.actions.openPicker(person, skill, cell)
  }
}

function onFocus(ctx: ViewContext, e: FocusEvent): void {
  const el = (e.target as HTMLElement).closest<HTMLElement>('[data-r][data-c]')
  if (!el) return
  const key = el.dataset.key ?? el.closest<HTMLElement>('[data-key]')?.dataset.key ?? null
  if (el.tabIndex !== 0) focusCell(el)
  ctx.actions.focus('skills', key)
}
