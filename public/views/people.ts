// People: add, rename, change role or team, deactivate (leavers stay on the map as history but
// count for nothing). Removing a person for good is deliberately not offered here.
import { html, nothing, type TemplateResult } from 'lit-html'
import { classMap } from 'lit-html/directives/class-map.js'
import { repeat } from 'lit-html/directives/repeat.js'
import type { ViewContext } from './types.js'

export function peopleView(ctx: ViewContext): TemplateResult {
  const { model, readOnly, actions } = ctx
  const submit = (e: SubmitEvent): void => {
    e.preventDefault()
    const form = e.currentTarget as HTMLFormElement
    const data = new FormData(form)
    const name = String(data.get('name') ?? '').trim()
    if (!name) return
    actions.addPerson(name, String(data.get('role') ?? ''), String(data.get('team') ?? '').trim())
    form.reset()
    form.querySelector<HTMLInputElement>('input[name=name]')?.focus()
  }
  const text = (id: string, field: 'name' | 'team') => (e: Event) => {
    const value = (e.currentTarget as HTMLInputElement).value.trim()
    if (field === 'name' && !value) {
      ;(e.currentTarget as HTMLInputElement).value = model.peopleById.get(id)?.name ?? ''
      return
    }
    actions.updatePerson(id, field === 'name' ? { name: value } : { team: value || null })
  }
  return html`<section class="panel-body people" aria-labelledby="people-heading">
    <h2 id="people-heading" class="section-title">People</h2>
    ${readOnly
      ? nothing
      : html`<form class="add-person" aria-label="Add a person" @submit=${submit}>
          <label>Name <input name="name" required autocomplete="off" maxlength="80" placeholder="e.g. Ana Silva" /></label>
          <label
            >Role
            <select name="role">
              ${model.roles.map((r) => html`<option value=${r.key}>${r.label}</option>`)}
            </select></label
          >
          <label>Team <input name="team" autocomplete="off" maxlength="80" placeholder="optional" /></label>
          <button class="btn primary" type="submit">Add person</button>
        </form>`}
    ${model.people.length === 0
      ? html`<p class="empty-note">Nobody yet.${readOnly ? '' : ' Add the people who share these responsibilities.'}</p>`
      : html`<div class="table-scroll">
          <table class="people-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Team</th>
                <th scope="col">Active</th>
              </tr>
            </thead>
            <tbody>
              ${repeat(
                model.people,
                (p) => p.id,
                (p) => html`<tr class=${classMap({ inactive: !p.active })} data-person=${p.id} data-key=${`person:${p.id}`}>
                  ${readOnly
                    ? html`<td>${p.name}</td>
                        <td>${model.roleLabels.get(p.role) ?? p.role}</td>
                        <td>${p.team ?? ''}</td>
                        <td>${p.active ? 'yes' : 'no'}</td>`
                    : html`<td>
                          <input
                            class="inline"
                            aria-label="Name"
                            data-field="name"
                            maxlength="80"
                            .value=${p.name}
                            @change=${text(p.id, 'name')}
                            @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && (e.currentTarget as HTMLInputElement).blur()}
                          />
                        </td>
                        <td>
                          <select
                            class="inline"
                            aria-label=${`Role of ${p.name}`}
                            @change=${(e: Event) => actions.updatePerson(p.id, { role: (e.currentTarget as HTMLSelectElement).value })}
                          >
                            ${model.roles.map((r) => html`<option value=${r.key} .selected=${r.key === p.role}>${r.label}</option>`)}
                            ${model.roleLabels.has(p.role) ? nothing : html`<option value=${p.role} .selected=${true}>${p.role} (unknown)</option>`}
                          </select>
                        </td>
                        <td>
                          <input
                            class="inline"
                            aria-label=${`Team of ${p.name}`}
                            placeholder="team"
                            maxlength="80"
                            .value=${p.team ?? ''}
                            @change=${text(p.id, 'team')}
                            @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && (e.currentTarget as HTMLInputElement).blur()}
                          />
                        </td>
                        <td>
                          <label class="switch">
                            <input
                              type="checkbox"
                              data-field="active"
                              .checked=${p.active}
                              @change=${(e: Event) => actions.updatePerson(p.id, { active: (e.currentTarget as HTMLInputElement).checked })}
                            />
                            <span>${p.active ? 'Active' : 'Inactive'}</span>
                          </label>
                        </td>`}
                </tr>`,
              )}
            </tbody>
          </table>
        </div>`}
    <p class="hint">Inactive people stay on the map as history; their letters and levels count for nothing.</p>
  </section>`
}
