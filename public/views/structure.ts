// The Structure tab: what a map is made of besides its cells. Editors add, rename, recategorise and
// remove skills, and add, rename, hide and remove role columns. Every change is one of the shared
// mutators (so other clients and the server read it the same way) and reaches the others live.
// Removing asks first, in place, and says what goes with it; removing a role that people hold asks
// which role they move to.
import { html, nothing, type TemplateResult } from 'lit-html'
import { repeat } from 'lit-html/directives/repeat.js'
import { SKILL_CATEGORIES, SKILL_CATEGORY_LABELS } from '../../shared/schema.js'
import type { MapModel } from '../model.js'
import type { ViewContext } from './types.js'

export function structureView(ctx: ViewContext): TemplateResult {
  const { model, readOnly } = ctx
  return html`<section class="panel-body structure" aria-labelledby="structure-heading">
    <h2 id="structure-heading" class="section-title">Structure</h2>
    <p class="hint">
      ${readOnly
        ? 'The skills and role columns of this map. Editors change them here; you see the changes live.'
        : 'Change what this map is made of. Every change reaches everyone on the map at once.'}
    </p>
    <div class="structure-cols">${skillsSection(ctx, model)} ${rolesSection(ctx, model)}</div>
  </section>`
}

/** Categories a skill can go to: the vocabulary's, then any other the map already uses. */
function categoryChoices(model: MapModel): Array<{ value: string; label: string }> {
  const known = SKILL_CATEGORIES.map((c) => ({ value: c as string, label: SKILL_CATEGORY_LABELS[c] }))
  const others = [...new Set(model.skills.map((s) => s.category))].filter((c) => !known.some((k) => k.value === c)).map((c) => ({ value: c, label: c || 'Other' }))
  return [...known, ...others]
}

function skillsSection(ctx: ViewContext, model: MapModel): TemplateResult {
  const { readOnly, actions } = ctx
  const categories = categoryChoices(model)
  const usedBy = new Map<string, number>()
  for (const r of model.responsibilities) for (const s of r.skills) usedBy.set(s, (usedBy.get(s) ?? 0) + 1)
  const ratedBy = new Map<string, number>()
  for (const key of model.ratings.keys()) {
    const skill = key.slice(key.indexOf('/') + 1)
    ratedBy.set(skill, (ratedBy.get(skill) ?? 0) + 1)
  }
  const add = (e: SubmitEvent): void => {
    e.preventDefault()
    const form = e.currentTarget as HTMLFormElement
    const data = new FormData(form)
    const name = String(data.get('name') ?? '').trim()
    if (!name) return
    actions.addSkill(name, String(data.get('category') ?? ''))
    form.reset()
    form.querySelector<HTMLInputElement>('input[name=name]')?.focus()
  }
  return html`<section class="card structure-skills" aria-labelledby="structure-skills-heading">
    <h3 id="structure-skills-heading">Skills <span class="count-pill">${model.skills.length}</span></h3>
    ${readOnly
      ? nothing
      : html`<form class="add-row" data-form="add-skill" aria-label="Add a skill" @submit=${add}>
          <label>Skill <input name="name" required maxlength="80" autocomplete="off" placeholder="e.g. Kafka" /></label>
          <label
            >Category
            <select name="category">
              ${categories.map((c) => html`<option value=${c.value}>${c.label}</option>`)}
            </select></label
          >
          <button class="btn primary" type="submit">Add skill</button>
        </form>
        <p class="hint hide-unused">
          Template skills this team does not use show as permanent gaps.
          <button class="btn small" data-action="hide-unused" @click=${() => actions.hideUnusedSkills()}>Hide unused template skills</button>
        </p>`}
    ${model.skills.length === 0 ? html`<p class="hint" data-empty="skills">No skills yet.</p>` : nothing}
    <ul class="structure-list">
      ${repeat(
        model.skills,
        (s) => s.id,
        (s) => html`<li data-structure-skill=${s.id} data-key=${`skill:${s.id}`} class=${s.hidden ? 'is-hidden' : ''}>
          ${readOnly
            ? html`<span class="item-name">${s.name}</span>
                <span class="hint">${categories.find((c) => c.value === s.category)?.label ?? s.category}</span>`
            : html`<input
                  class="inline item-name"
                  aria-label=${`Name of skill ${s.name}`}
                  data-field="name"
                  maxlength="80"
                  .value=${s.name}
                  @change=${(e: Event) => rename(e, s.name, (name) => actions.renameSkill(s.id, name))}
                  @keydown=${blurOnEnter}
                />
                <select
                  class="inline"
                  aria-label=${`Category of ${s.name}`}
                  data-field="category"
                  @change=${(e: Event) => actions.recategoriseSkill(s.id, (e.currentTarget as HTMLSelectElement).value)}
                >
                  ${categories.map((c) => html`<option value=${c.value} .selected=${c.value === s.category}>${c.label}</option>`)}
                </select>`}
          <span class="hint usage">${usage(usedBy.get(s.id) ?? 0, ratedBy.get(s.id) ?? 0)}${s.hidden ? ' · hidden from the heatmap and the counts' : ''}</span>
          ${readOnly ? nothing : shownSwitch(s.hidden === true, 'In heatmap', (hidden) => actions.setHidden('skills', s.id, hidden))}
          ${readOnly
            ? nothing
            : confirmRemove(
                `Remove ${s.name}`,
                `Its ${ratedBy.get(s.id) ?? 0} rating(s) go, and ${usedBy.get(s.id) ?? 0} responsibilit${(usedBy.get(s.id) ?? 0) === 1 ? 'y no longer needs' : 'ies no longer need'} it.`,
                () => actions.removeSkill(s.id),
              )}
        </li>`,
      )}
    </ul>
  </section>`
}

function rolesSection(ctx: ViewContext, model: MapModel): TemplateResult {
  const { readOnly, actions } = ctx
  const holders = new Map<string, number>()
  for (const p of model.people) holders.set(p.role, (holders.get(p.role) ?? 0) + 1)
  const add = (e: SubmitEvent): void => {
    e.preventDefault()
    const form = e.currentTarget as HTMLFormElement
    const label = String(new FormData(form).get('label') ?? '').trim()
    if (!label) return
    actions.addRole(label)
    form.reset()
    form.querySelector<HTMLInputElement>('input[name=label]')?.focus()
  }
  return html`<section class="card structure-roles" aria-labelledby="structure-roles-heading">
    <h3 id="structure-roles-heading">Role columns <span class="count-pill">${model.roles.length}</span></h3>
    <p class="hint">A role column gives R, C or I to everyone in that role. Hidden columns stay on the map but leave the grid.</p>
    ${readOnly
      ? nothing
      : html`<form class="add-row" data-form="add-role" aria-label="Add a role column" @submit=${add}>
          <label>Role <input name="label" required maxlength="80" autocomplete="off" placeholder="e.g. Data engineer" /></label>
          <button class="btn primary" type="submit">Add role</button>
        </form>`}
    <ul class="structure-list">
      ${repeat(
        model.roles,
        (r) => r.key,
        (r) => {
          const held = holders.get(r.key) ?? 0
          const others = model.roles.filter((o) => o.key !== r.key)
          return html`<li data-structure-role=${r.key} data-key=${`role:@${r.key}`} class=${r.hidden ? 'is-hidden' : ''}>
            ${readOnly
              ? html`<span class="item-name">${r.label}</span>`
              : html`<input
                  class="inline item-name"
                  aria-label=${`Name of role ${r.label}`}
                  data-field="label"
                  maxlength="80"
                  .value=${r.label}
                  @change=${(e: Event) => rename(e, r.label, (label) => actions.renameRole(r.key, label))}
                  @keydown=${blurOnEnter}
                />`}
            <span class="hint usage"
              >${held === 0 ? 'nobody holds it' : `${held} ${held === 1 ? 'person holds' : 'people hold'} it`}${r.hidden ? ' · hidden from the grid' : ''}</span
            >
            ${readOnly ? (r.hidden ? html`<span class="hint">hidden</span>` : nothing) : shownSwitch(r.hidden === true, 'Column shown', (hidden) => actions.setHidden('roles', r.key, hidden))}
            ${readOnly
              ? nothing
              : held > 0
                ? others.length === 0
                  ? nothing
                  : confirmRemove(
                      `Remove ${r.label}`,
                      `Its column and letters go. ${held === 1 ? 'The person' : `The ${held} people`} in this role move to:`,
                      (form) => actions.removeRole(r.key, String(new FormData(form).get('reassign') ?? others[0]!.key)),
                      html`<select name="reassign" aria-label=${`Move the people of ${r.label} to`}>
                        ${others.map((o) => html`<option value=${o.key}>${o.label}</option>`)}
                      </select>`,
                    )
                : confirmRemove(`Remove ${r.label}`, 'Its column and its letters go.', () => actions.removeRole(r.key))}
          </li>`
        },
      )}
    </ul>
  </section>`
}

function shownSwitch(hidden: boolean, label: string, set: (hidden: boolean) => void): TemplateResult {
  return html`<label class="switch shown-switch"
    ><input type="checkbox" data-field="shown" .checked=${!hidden} @change=${(e: Event) => set(!(e.currentTarget as HTMLInputElement).checked)} /><span>${label}</span></label
  >`
}

function usage(needed: number, rated: number): string {
  const parts = [needed ? `needed by ${needed}` : 'needed by none', rated ? `rated for ${rated}` : 'rated for nobody']
  return parts.join(' · ')
}

function rename(e: Event, previous: string, save: (value: string) => void): void {
  const input = e.currentTarget as HTMLInputElement
  const value = input.value.trim()
  // An empty name is not a name: put the old one back rather than write it.
  if (!value) input.value = previous
  else if (value !== previous) save(value)
}

const blurOnEnter = (e: KeyboardEvent): void => {
  if (e.key === 'Enter') (e.currentTarget as HTMLInputElement).blur()
}

/** A Remove button that opens, in place, what goes with it and the button that does it. */
function confirmRemove(label: string, consequence: string, remove: (form: HTMLFormElement) => void, extra?: TemplateResult): TemplateResult {
  const submit = (e: SubmitEvent): void => {
    e.preventDefault()
    remove(e.currentTarget as HTMLFormElement)
  }
  return html`<details class="confirm">
    <summary class="btn small ghost-danger" data-action="remove" aria-label=${label}>Remove</summary>
    <form class="confirm-body" @submit=${submit}>
      <p>${consequence}</p>
      ${extra ?? nothing}
      <button class="btn small danger" type="submit" data-action="confirm-remove">${label}</button>
    </form>
  </details>`
}
