// Two charts of the live analytics (CONTRACT §5 v2): the workload per person (how many
// responsibilities they hold each letter on, and how many skills they cover) and the skill coverage
// per category (skills covered by two or more, by one, by nobody). Plain SVG that lit-html renders:
// no chart library (the bundle stays small and the charts repaint with the grid), every bar an
// image with a label that says its numbers, every segment a <title> for pointer users.
import { html, svg, nothing, type TemplateResult } from 'lit-html'
import type { PersonLoad } from '../../shared/analytics.js'
import type { MapModel } from '../model.js'
import { LETTER_NAMES } from './picker.js'
import type { ViewContext } from './types.js'

const LETTER_FIELDS = [
  ['A', 'accountable'],
  ['R', 'responsible'],
  ['C', 'consulted'],
  ['I', 'informed'],
] as const

interface Segment {
  value: number
  cls: string
  title: string
}

/** One horizontal bar of `segments` on a scale of `max`, drawn in a 100 × 10 box stretched to its width. */
function bar(segments: Segment[], max: number, label: string): TemplateResult {
  let x = 0
  const scale = max > 0 ? 100 / max : 0
  return html`<svg class="chart-bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label=${label}>
    <rect class="track" x="0" y="0" width="100" height="10" rx="1.5"></rect>
    ${segments.map((s) => {
      const w = s.value * scale
      const rect = svg`<rect class=${s.cls} x=${x} y="0" width=${w} height="10"><title>${s.title}</title></rect>`
      x += w
      return s.value > 0 ? rect : nothing
    })}
  </svg>`
}

export function chartsView(ctx: ViewContext): TemplateResult {
  const { model } = ctx
  return html`<section class="panel-body charts" aria-labelledby="charts-heading">
    <h2 id="charts-heading" class="section-title">Workload and skill coverage</h2>
    ${model.without.length ? html`<p class="hint"><span class="whatif-flag">what-if</span> Figures without ${model.without.map((id) => model.peopleById.get(id)?.name ?? id).join(', ')}.</p>` : nothing}
    <div class="chart-cols">${workloadChart(model)} ${categoryChart(model)}</div>
  </section>`
}

function workloadChart(model: MapModel): TemplateResult {
  const loads = [...model.analysis.people].sort((a, b) => total(b) - total(a) || name(model, a.id).localeCompare(name(model, b.id)))
  const max = Math.max(1, ...loads.map(total))
  const maxCovers = Math.max(1, ...loads.map((l) => l.covers))
  return html`<section class="card chart" aria-labelledby="workload-heading" data-chart="workload">
    <h3 id="workload-heading">Workload per person</h3>
    <p class="hint">Responsibilities each active person holds a letter on, and the skills they cover (level 3 or more).</p>
    <ul class="chart-legend" aria-hidden="true">
      ${LETTER_FIELDS.map(([l]) => html`<li><span class="swatch seg-${l}"></span>${LETTER_NAMES[l]}</li>`)}
      <li><span class="swatch seg-covers"></span>Skills covered</li>
    </ul>
    ${loads.length === 0
      ? html`<p class="hint">Nobody active on this map yet.</p>`
      : html`<ul class="chart-rows">
          ${loads.map((l) => {
            const words = LETTER_FIELDS.map(([letter, field]) => `${l[field]} ${LETTER_NAMES[letter]}`).join(', ')
            return html`<li data-person=${l.id} data-a=${l.accountable} data-r=${l.responsible}>
              <span class="chart-name">${name(model, l.id)}</span>
              ${bar(
                LETTER_FIELDS.map(([letter, field]) => ({ value: l[field], cls: `seg-${letter}`, title: `${LETTER_NAMES[letter]} on ${l[field]}` })),
                max,
                `${name(model, l.id)}: ${words}`,
              )}
              <span class="chart-num" title="A and R: the work they own or do">${l.accountable}A · ${l.responsible}R</span>
              ${bar([{ value: l.covers, cls: 'seg-covers', title: `Covers ${l.covers} skills` }], maxCovers, `${name(model, l.id)} covers ${l.covers} skills`)}
              <span class="chart-num">${l.covers} skill${l.covers === 1 ? '' : 's'}</span>
            </li>`
          })}
        </ul>`}
  </section>`
}

function categoryChart(model: MapModel): TemplateResult {
  const rows = model.categories
    .map((group) => {
      const skills = group.skills.filter((s) => !s.hidden)
      const count = (status: string) => skills.filter((s) => (model.bySkill.get(s.id)?.status ?? 'gap') === status).length
      return { group, total: skills.length, ok: count('ok'), risk: count('risk'), gap: count('gap') }
    })
    .filter((r) => r.total > 0)
  const max = Math.max(1, ...rows.map((r) => r.total))
  return html`<section class="card chart" aria-labelledby="category-heading" data-chart="categories">
    <h3 id="category-heading">Skill coverage per category</h3>
    <p class="hint">Skills covered by two or more people, by one (a risk), by nobody (a gap).</p>
    <ul class="chart-legend" aria-hidden="true">
      <li><span class="swatch seg-ok"></span>Two or more</li>
      <li><span class="swatch seg-risk"></span>One person</li>
      <li><span class="swatch seg-gap"></span>Nobody</li>
    </ul>
    ${rows.length === 0
      ? html`<p class="hint">No skills on this map yet.</p>`
      : html`<ul class="chart-rows">
          ${rows.map(
            (r) => html`<li data-category=${r.group.category} data-ok=${r.ok} data-gap=${r.gap}>
              <span class="chart-name">${r.group.label}</span>
              ${bar(
                [
                  { value: r.ok, cls: 'seg-ok', title: `${r.ok} covered by two or more` },
                  { value: r.risk, cls: 'seg-risk', title: `${r.risk} covered by one person` },
                  { value: r.gap, cls: 'seg-gap', title: `${r.gap} covered by nobody` },
                ],
                max,
                `${r.group.label}: ${r.ok} of ${r.total} skills covered by two or more, ${r.risk} by one, ${r.gap} by nobody`,
              )}
              <span class="chart-num">${r.ok}/${r.total} safe</span>
            </li>`,
          )}
        </ul>`}
  </section>`
}

const total = (l: PersonLoad): number => l.accountable + l.responsible + l.consulted + l.informed
const name = (model: MapModel, id: string): string => model.peopleById.get(id)?.name ?? id
