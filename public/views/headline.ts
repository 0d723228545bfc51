// The lead's headline: what is wrong with this map, in one line of counts (CONTRACT §5 v2
// summary), each count a button that filters the grid to those rows or skills. The coverage is said
// in words — how many responsibilities are fully OK — instead of a bare percentage that hides the
// single owners and the skills nobody has.
import { html, nothing, type TemplateResult } from 'lit-html'
import { RISKS, type Risk } from '../../shared/analytics.js'
import type { Filters } from '../filter.js'
import type { MapModel } from '../model.js'
import { percent, RISK_WORDS, SKILL_RISK_WORDS, SUMMARY_FIELD, type SkillRisk } from './words.js'

export interface HeadlineActions {
  /** toggles a risk filter (the same risk again clears it) */
  toggleStatus(status: Risk | SkillRisk): void
  setProblemsOnly(on: boolean): void
}

/** Chips whose risk is worse than the others (red), then the warnings (amber). */
const SEVERE: ReadonlySet<string> = new Set(['multiple-accountable', 'no-accountable', 'gap'])

export function headlineView(model: MapModel, filters: Filters, actions: HeadlineActions): TemplateResult {
  const { summary } = model.analysis
  const total = summary.responsibilities
  const withRisk = model.analysis.responsibilities.filter((r) => r.risks.length > 0).length
  const chip = (risk: Risk | SkillRisk, label: string, means: string): TemplateResult => {
    const count = summary[SUMMARY_FIELD[risk]]
    const pressed = filters.status === risk
    return html`<li>
      <button
        class=${`risk-chip${count === 0 ? ' zero' : SEVERE.has(risk) ? ' severe' : ' warn'}`}
        data-risk=${risk}
        data-count=${count}
        aria-pressed=${pressed ? 'true' : 'false'}
        title=${`${label}: ${means}. ${pressed ? 'Click to show everything again.' : 'Click to show only these.'}`}
        @click=${() => actions.toggleStatus(risk)}
      >
        <span class="risk-count">${count}</span> <span class="risk-label">${label}</span>
      </button>
    </li>`
  }
  return html`<section class="headline" aria-labelledby="headline-heading" data-ok=${summary.ok} data-total=${total}>
    <div class="headline-top">
      <h2 id="headline-heading" class="headline-figure">
        ${total === 0
          ? 'No responsibilities yet'
          : withRisk === 0
            ? html`All <strong>${total}</strong> responsibilities are covered`
            : html`<strong>${withRisk}</strong> of ${total} responsibilities need attention`}
      </h2>
      <p class="hint headline-coverage" data-coverage=${Math.round(model.analysis.coverage * 100)}>
        ${summary.ok} of ${total} have one accountable and, when critical, two people (${percent(model.analysis.coverage)});
        ${total - withRisk} have no risk at all.
        ${model.without.length ? html`<span class="whatif-flag">what-if</span>` : nothing}
      </p>
      <label class="switch problems-only">
        <input type="checkbox" data-filter="problems" .checked=${filters.problemsOnly} @change=${(e: Event) => actions.setProblemsOnly((e.currentTarget as HTMLInputElement).checked)} />
        <span>Problems only</span>
      </label>
    </div>
    <ul class="risk-chips" aria-label="Risks: each filters the map">
      ${RISKS.map((risk) => chip(risk, RISK_WORDS[risk].label, RISK_WORDS[risk].means))}
      ${(['gap', 'risk'] as const).map((s) => chip(s, SKILL_RISK_WORDS[s].label, SKILL_RISK_WORDS[s].means))}
    </ul>
  </section>`
}
