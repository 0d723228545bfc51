// The analytics side panel (CONTRACT §5), recomputed on every change: coverage, conflicts,
// responsibilities without an accountable or too thin, bus factor per responsibility and per skill,
// and the what-if toggles that leave people out of the figures without touching the map.
import { html, nothing, type TemplateResult } from 'lit-html'
import type { Risk, StatusChange } from '../../shared/analytics.js'
import { STATUS_TEXT } from './raci.js'
import { SKILL_STATUS_TEXT } from './skills.js'
import type { ViewContext } from './types.js'
import { percent as asPercent, STATUS_WORDS } from './words.js'

export function insightsView(ctx: ViewContext): TemplateResult {
  const { model, actions } = ctx
  const { analysis } = model
  const titles = new Map(model.responsibilities.map((r) => [r.id, r.title]))
  const skillNames = new Map(model.skills.map((s) => [s.id, s.name]))
  const name = (id: string): string => model.peopleById.get(id)?.name ?? id
  // Lists by risk (CONTRACT §5 v2), so their counts are the headline's.
  const byRisk = (risk: Risk) => analysis.responsibilities.filter((r) => r.risks.includes(risk))
  const conflicts = byRisk('multiple-accountable')
  const noOwner = byRisk('no-accountable')
  const thin = byRisk('thin')
  const ok = analysis.responsibilities.filter((r) => r.status === 'ok').length
  const total = analysis.responsibilities.length
  const percent = Math.round(analysis.coverage * 100)
  const gaps = analysis.skills.filter((s) => s.status === 'gap')
  const risks = analysis.skills.filter((s) => s.status === 'risk')
  const busFactors = [...analysis.responsibilities].sort((a, b) => a.busFactor - b.busFactor || (titles.get(a.id) ?? '').localeCompare(titles.get(b.id) ?? ''))
  const maxBf = Math.max(2, ...analysis.responsibilities.map((r) => r.busFactor))
  const active = model.people.filter((p) => p.active)
  const row = (id: string) => () => actions.reveal('raci', `row:${id}`)
  const skill = (id: string) => () => actions.reveal('skills', `skill:${id}`)

  return html`<aside class="insights" aria-labelledby="insights-heading">
    <h2 id="insights-heading" class="section-title">Insights ${model.without.length ? html`<span class="whatif-flag">what-if</span>` : nothing}</h2>

    <section class="coverage" aria-label="Coverage" data-coverage=${percent}>
      <div class="coverage-figure"><strong>${percent}%</strong> fully covered</div>
      <div class="bar" role="img" aria-label=${`${ok} of ${total} responsibilities OK`}><span style=${`width: ${percent}%`}></span></div>
      <p class="hint">${ok} of ${total} responsibilities have one accountable and, when critical, two people on them.</p>
    </section>

    ${issueList('Conflicts', 'conflicts', 'Two or more accountables: exactly one person should hold the A.', conflicts, (r) =>
      html`<button class="link" @click=${row(r.id)}>${titles.get(r.id) ?? r.id}</button> <span class="who">${r.accountable.map(name).join(' · ')}</span>`,
    )}
    ${issueList('No accountable', 'no-accountable', 'Nobody holds the A.', noOwner, (r) =>
      html`<button class="link" @click=${row(r.id)}>${titles.get(r.id) ?? r.id}</button>`,
    )}
    ${issueList('Thin', 'thin', 'Critical, with fewer than two people holding A or R.', thin, (r) =>
      html`<button class="link" @click=${row(r.id)}>${titles.get(r.id) ?? r.id}</button> <span class="who">bus factor ${r.busFactor}</span>`,
    )}

    <section class="whatif" aria-labelledby="whatif-heading">
      <h3 id="whatif-heading">What if… someone leaves?</h3>
      ${active.length === 0
        ? html`<p class="hint">Add people to simulate turnover.</p>`
        : html`<p class="hint">Leave people out of the figures. The map itself does not change.</p>
            <ul class="toggles">
              ${active.map(
                (p) => html`<li>
                  <label class="switch">
                    <input
                      type="checkbox"
                      data-whatif=${p.id}
                      .checked=${model.without.includes(p.id)}
                      @change=${() => actions.toggleWithout(p.id)}
                    />
                    <span>Without ${p.name}</span>
                  </label>
                </li>`,
              )}
            </ul>`}
      ${analysis.whatIf
        ? html`<div class="whatif-result" role="status">
            <p class="whatif-coverage" data-from=${Math.round(analysis.whatIf.coverage.from * 100)} data-to=${Math.round(analysis.whatIf.coverage.to * 100)}>
              Fully covered responsibilities: <strong>${asPercent(analysis.whatIf.coverage.from)}</strong> now,
              <strong>${asPercent(analysis.whatIf.coverage.to)}</strong> without ${analysis.whatIf.without.map(name).join(' and ')}
              ${coverageDelta(analysis.whatIf.coverage.from, analysis.whatIf.coverage.to)}.
            </p>
            ${analysis.whatIf.changed.length === 0
              ? html`<p>Nothing changes status without ${analysis.whatIf.without.map(name).join(', ')}.</p>`
              : html`<p>Without ${analysis.whatIf.without.map(name).join(', ')}, ${analysis.whatIf.changed.length} change${analysis.whatIf.changed.length === 1 ? 's' : ''}:</p>
                  <ul class="changes">
                    ${analysis.whatIf.changed.map((c) => changeItem(c, c.kind === 'responsibility' ? (titles.get(c.id) ?? c.id) : (skillNames.get(c.id) ?? c.id)))}
                  </ul>`}
            <button class="btn small" @click=${actions.clearWithout}>Back to the real map</button>
          </div>`
        : nothing}
    </section>

    <section aria-labelledby="bf-heading">
      <h3 id="bf-heading">Bus factor per responsibility</h3>
      <p class="hint">Active people holding A or R.</p>
      <ol class="bars">
        ${busFactors.map(
          (r) => html`<li class="status-${r.status}" data-bf=${r.id}>
            <button class="link" @click=${row(r.id)}>${titles.get(r.id) ?? r.id}</button>
            <span class="bar small" aria-hidden="true"><span style=${`width: ${(r.busFactor / maxBf) * 100}%`}></span></span>
            <span class="num" title=${STATUS_TEXT[r.status]}>${r.busFactor}</span>
          </li>`,
        )}
      </ol>
    </section>

    <section aria-labelledby="skills-risk-heading">
      <h3 id="skills-risk-heading">Skills: bus factor</h3>
      <p class="hint">${analysis.skills.length - gaps.length - risks.length} of ${analysis.skills.length} skills covered by two or more people.</p>
      ${gaps.length
        ? html`<p class="tag-line"><span class="status status-gap">${SKILL_STATUS_TEXT.gap}</span> nobody covers:</p>
            <ul class="tags">${gaps.map((s) => html`<li><button class="link" @click=${skill(s.id)}>${skillNames.get(s.id) ?? s.id}</button></li>`)}</ul>`
        : nothing}
      ${risks.length
        ? html`<p class="tag-line"><span class="status status-risk">${SKILL_STATUS_TEXT.risk}</span> one person covers:</p>
            <ul class="tags">${risks.map((s) => html`<li><button class="link" @click=${skill(s.id)}>${skillNames.get(s.id) ?? s.id}</button></li>`)}</ul>`
        : nothing}
    </section>

    ${model.problems.length
      ? html`<details class="problems">
          <summary>${model.problems.length} data problem${model.problems.length === 1 ? '' : 's'}</summary>
          <ul>${model.problems.slice(0, 50).map((p) => html`<li><code>${p.path}</code> ${p.message}</li>`)}</ul>
        </details>`
      : nothing}
  </aside>`
}

/** Lists longer than this show their first items and fold the rest. */
const SHOWN = 5

function issueList<T extends { id: string }>(title: string, kind: string, hint: string, items: T[], item: (x: T) => TemplateResult): TemplateResult {
  const entry = (x: T) => html`<li data-id=${x.id}>${item(x)}</li>`
  const rest = items.length > SHOWN + 1 ? items.slice(SHOWN) : []
  const shown = rest.length ? items.slice(0, SHOWN) : items
  return html`<section class="issues issues-${kind}" aria-label=${title} data-issues=${kind} data-count=${items.length}>
    <h3><span class="count">${items.length}</span> ${title}</h3>
    ${items.length
      ? html`<p class="hint">${hint}</p>
          <ul>${shown.map(entry)}</ul>
          ${rest.length ? html`<details><summary>${rest.length} more</summary><ul>${rest.map(entry)}</ul></details>` : nothing}`
      : nothing}
  </section>`
}

function changeItem(change: StatusChange, label: string): TemplateResult {
  return html`<li data-change=${`${change.kind}:${change.id}`}>
    <span class="what">${label}</span> <span class="status status-${change.from}" data-from=${change.from}>${STATUS_WORDS[change.from]}</span> →
    <span class="status status-${change.to}" data-to=${change.to}>${STATUS_WORDS[change.to]}</span>
  </li>`
}

function coverageDelta(from: number, to: number): string {
  const points = Math.round(to * 100) - Math.round(from * 100)
  return points === 0 ? '(no change)' : `(${points > 0 ? 'up' : 'down'} ${Math.abs(points)} points)`
}
