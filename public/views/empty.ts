// What a map says while it has nothing to show yet: a new map has role columns and template rows but
// no people, so its grid cannot tell a story. Instead of "0 % covered, 16 No A" a newcomer gets the
// three steps that make it useful, each a button to the place where it happens.
import { html, nothing, type TemplateResult } from 'lit-html'
import type { ViewContext } from './types.js'

/** The welcome card for a map without people (and, in the heatmap, a map without skills). */
export function emptyState(ctx: ViewContext, where: 'raci' | 'skills'): TemplateResult | typeof nothing {
  const { model, readOnly, actions } = ctx
  if (where === 'skills' && model.skills.length === 0) {
    return html`<section class="empty-state" data-empty="skills">
      <h3>No skills on this map yet</h3>
      <p>${readOnly ? 'Editors add the skills this team needs; they appear here live.' : 'Add the skills this team needs, then rate each person from 0 (none) to 4 (expert).'}</p>
      ${readOnly ? nothing : html`<button class="btn primary" @click=${() => actions.showTab('structure')}>Add skills</button>`}
    </section>`
  }
  if (model.people.length > 0) return nothing
  if (readOnly) {
    return html`<section class="empty-state" data-empty="people">
      <h3>Nobody is on this map yet</h3>
      <p>Editors add people and their letters; you will see them arrive here live.</p>
    </section>`
  }
  return html`<section class="empty-state" data-empty="people">
    <h3>A new map: three steps make it tell a story</h3>
    <ol class="steps">
      <li><button class="link" @click=${() => actions.showTab('people')}>Add the people</button> who share this work.</li>
      <li>Give every responsibility one <strong>A</strong> (accountable) and the <strong>R</strong>s who do the work: click a cell, or type the letter.</li>
      <li><button class="link" @click=${() => actions.showTab('skills')}>Rate their skills</button> from 0 to 4, so the map shows who can back up whom.</li>
    </ol>
    <p class="hint">
      ${model.skills.length || model.responsibilities.length
        ? html`Responsibilities, skills and role columns you do not need can go in <button class="link" @click=${() => actions.showTab('structure')}>Structure</button>.`
        : html`Start with <button class="link" @click=${() => actions.showTab('structure')}>Structure</button>: add the skills and role columns this team needs.`}
    </p>
  </section>`
}
