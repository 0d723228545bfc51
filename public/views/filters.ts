// The filter bar above the grids: search, person, team, area, status and sort, and a count of
// what is shown. It changes only what this page shows, never the map.
import { html, nothing, type TemplateResult } from 'lit-html'
import { RISKS } from '../../shared/analytics.js'
import { isFiltered, teams, type Filters, type Sort } from '../filter.js'
import type { MapModel } from '../model.js'
import { RISK_WORDS, SKILL_RISK_WORDS } from './words.js'

export interface FilterActions {
  setFilters(changes: Partial<Filters>): void
  clearFilters(): void
  /** phones: show or fold the selects under the search box */
  toggleMore(): void
}

const SORTS: Array<{ value: Sort; label: string }> = [
  { value: 'order', label: 'Map order (by area)' },
  { value: 'bus-factor', label: 'Bus factor, lowest first' },
  { value: 'criticality', label: 'Criticality, highest first' },
]

export function filtersView(
  model: MapModel,
  f: Filters,
  shown: { count: number; total: number; what: string },
  grid: 'raci' | 'skills',
  actions: FilterActions,
  moreOpen: boolean,
): TemplateResult {
  const select = (name: keyof Filters) => (e: Event) => actions.setFilters({ [name]: (e.currentTarget as HTMLSelectElement).value } as Partial<Filters>)
  const areas = model.areas.map((a) => a.area)
  const teamList = teams(model)
  const active = [f.person, f.team, f.area, f.status].filter(Boolean).length + (f.sort === 'order' ? 0 : 1)
  // On a phone the selects fold under one button, so the grid starts on the first screen.
  return html`<form class=${`filters${moreOpen ? ' more-open' : ''}`} role="search" aria-label="Filter the map" @submit=${(e: Event) => e.preventDefault()}>
    <label class="filter-search"
      ><span class="visually-hidden">Search</span>
      <input
        type="search"
        data-filter="query"
        placeholder=${grid === 'raci' ? 'Search responsibilities' : 'Search skills'}
        autocomplete="off"
        .value=${f.query}
        @input=${(e: Event) => actions.setFilters({ query: (e.currentTarget as HTMLInputElement).value })}
    /></label>
    <button type="button" class="btn small filter-more" aria-expanded=${moreOpen ? 'true' : 'false'} @click=${actions.toggleMore}>
      Filters and sort${active ? ` (${active})` : ''}
    </button>
    <label
      ><span class="filter-label">Person</span>
      <select data-filter="person" @change=${select('person')}>
        <option value="" .selected=${f.person === ''}>Everyone</option>
        ${model.people.map((p) => html`<option value=${p.id} .selected=${f.person === p.id}>${p.name}</option>`)}
      </select></label
    >
    ${teamList.length
      ? html`<label
          ><span class="filter-label">Team</span>
          <select data-filter="team" @change=${select('team')}>
            <option value="" .selected=${f.team === ''}>All teams</option>
            ${teamList.map((t) => html`<option value=${t} .selected=${f.team === t}>${t}</option>`)}
          </select></label
        >`
      : nothing}
    ${grid === 'raci'
      ? html`<label
          ><span class="filter-label">Area</span>
          <select data-filter="area" @change=${select('area')}>
            <option value="" .selected=${f.area === ''}>All areas</option>
            ${areas.map((a) => html`<option value=${a} .selected=${f.area === a}>${a || 'No area'}</option>`)}
          </select></label
        >`
      : nothing}
    <label
      ><span class="filter-label">Status</span>
      <select data-filter="status" @change=${select('status')}>
        <option value="" .selected=${f.status === ''}>Any status</option>
        <option value="ok" .selected=${f.status === 'ok'}>OK, no risk</option>
        ${grid === 'raci'
          ? RISKS.map((r) => html`<option value=${r} .selected=${f.status === r}>${RISK_WORDS[r].label}</option>`)
          : (['gap', 'risk'] as const).map((s) => html`<option value=${s} .selected=${f.status === s}>${SKILL_RISK_WORDS[s].label}</option>`)}
      </select></label
    >
    ${grid === 'raci'
      ? html`<label
          ><span class="filter-label">Sort</span>
          <select data-filter="sort" @change=${select('sort')}>
            ${SORTS.map((s) => html`<option value=${s.value} .selected=${f.sort === s.value}>${s.label}</option>`)}
          </select></label
        >`
      : nothing}
    <p class="filter-count hint" role="status" data-shown=${shown.count}>
      ${isFiltered(f) ? html`Showing ${shown.count} of ${shown.total} ${shown.what}` : html`${shown.total} ${shown.what}`}
      ${isFiltered(f) ? html`<button type="button" class="link" data-action-filter="clear" @click=${actions.clearFilters}>Show all</button>` : nothing}
    </p>
  </form>`
}
