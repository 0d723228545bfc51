// The dialog that adds or edits one responsibility: title, area, criticality, description and the
// skills it needs. Its fields start from a copy taken when it opened, so a remote edit of the same
// row does not overwrite what the user is typing.
import { html, nothing, type TemplateResult } from 'lit-html'
import { CRITICALITIES, type Criticality } from '../../shared/schema.js'
import { areaChoices, type MapModel } from '../model.js'

export interface ResponsibilityFields {
  title: string
  area: string
  criticality: Criticality
  description: string
  skills: string[]
}

export interface DialogState {
  /** null: a new responsibility */
  id: string | null
  initial: ResponsibilityFields
  confirmRemove: boolean
}

export interface DialogActions {
  save(id: string | null, fields: ResponsibilityFields): void
  remove(id: string): void
  askRemove(): void
  close(): void
}

const CRITICALITY_LABELS: Record<Criticality, string> = { 1: '1 · low', 2: '2 · medium', 3: '3 · critical' }

export function dialogFor(model: MapModel, id: string | null): DialogState {
  const row = id === null ? undefined : model.responsibilities.find((r) => r.id === id)
  return {
    id: row ? row.id : null,
    initial: row
      ? { title: row.title, area: row.area, criticality: row.criticality, description: row.description, skills: [...row.skills] }
      : { title: '', area: model.areas[0]?.area ?? '', criticality: 2, description: '', skills: [] },
    confirmRemove: false,
  }
}

export function responsibilityDialog(model: MapModel, state: DialogState, actions: DialogActions): TemplateResult {
  const { initial } = state
  const exists = state.id !== null && model.responsibilities.some((r) => r.id === state.id)
  const submit = (e: SubmitEvent): void => {
    e.preventDefault()
    const data = new FormData(e.currentTarget as HTMLFormElement)
    const title = String(data.get('title') ?? '').trim()
    if (!title) return
    actions.save(state.id, {
      title,
      area: String(data.get('area') ?? '').trim(),
      criticality: Number(data.get('criticality')) as Criticality,
      description: String(data.get('description') ?? '').trim(),
      skills: data.getAll('skills').map(String),
    })
  }
  return html`<dialog class="dialog" aria-labelledby="dialog-title" data-modal @cancel=${(e: Event) => (e.preventDefault(), actions.close())}>
    <form @submit=${submit}>
      <h2 id="dialog-title">${state.id === null ? 'New responsibility' : 'Edit responsibility'}</h2>
      ${state.id !== null && !exists ? html`<p class="notice">Someone removed this responsibility meanwhile. Saving adds it again.</p>` : nothing}
      <label class="field">Title <input name="title" required maxlength="120" .value=${initial.title} autocomplete="off" /></label>
      <label class="field"
        >Area <input name="area" list="area-choices" maxlength="80" .value=${initial.area} autocomplete="off" />
        <datalist id="area-choices">${areaChoices(model).map((a) => html`<option value=${a}></option>`)}</datalist>
      </label>
      <fieldset class="field criticality">
        <legend>Criticality</legend>
        ${CRITICALITIES.map(
          (c) => html`<label class="radio"><input type="radio" name="criticality" value=${c} .checked=${c === initial.criticality} /> ${CRITICALITY_LABELS[c]}</label>`,
        )}
      </fieldset>
      <label class="field">Description <textarea name="description" rows="2" maxlength="500" .value=${initial.description}></textarea></label>
      ${model.skills.length
        ? html`<fieldset class="field skills-needed">
            <legend>Skills it needs</legend>
            <div class="checks">
              ${model.skills.map(
                (s) => html`<label class="check"><input type="checkbox" name="skills" value=${s.id} .checked=${initial.skills.includes(s.id)} /> ${s.name}</label>`,
              )}
            </div>
          </fieldset>`
        : nothing}
      <div class="dialog-actions">
        ${exists
          ? state.confirmRemove
            ? html`<button type="button" class="btn danger" data-action="confirm-remove" @click=${() => actions.remove(state.id!)}>
                Remove it and its letters
              </button>`
            : html`<button type="button" class="btn ghost-danger" data-action="remove" @click=${actions.askRemove}>Remove…</button>`
          : nothing}
        <span class="spacer"></span>
        <button type="button" class="btn" @click=${actions.close}>Cancel</button>
        <button type="submit" class="btn primary" data-action="save">${state.id === null ? 'Add' : 'Save'}</button>
      </div>
    </form>
  </dialog>`
}
