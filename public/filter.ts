// What the lead narrows the map to: a search, a person, a team, an area, a risk, "problems only"
// and a sort. Pure functions of the model, so both grids and the headline agree on what is shown.
import type { Risk } from '../shared/analytics.js'
import type { Person, Responsibility, Skill } from '../shared/schema.js'
import type { MapModel } from './model.js'
import type { SkillRisk } from './views/words.js'

export type Sort = 'order' | 'bus-factor' | 'criticality'

export interface Filters {
  query: string
  /** a person id: rows they hold a letter on, skills they are rated on */
  person: string
  /** a team: its people's columns */
  team: string
  area: string
  /** a responsibility risk, `ok`, or a skill status (gap / risk) */
  status: Risk | SkillRisk | 'ok' | ''
  problemsOnly: boolean
  sort: Sort
}

export const NO_FILTERS: Filters = { query: '', person: '', team: '', area: '', status: '', problemsOnly: false, sort: 'order' }

export const SKILL_STATUSES: ReadonlySet<string> = new Set(['gap', 'risk'])

export function isFiltered(f: Filters): boolean {
  return f.query !== '' || f.person !== '' || f.team !== '' || f.area !== '' || f.status !== '' || f.problemsOnly
}

const matches = (text: string, query: string): boolean => text.toLowerCase().includes(query)

/** The responsibilities the RACI grid shows, in the order it shows them. */
export function visibleRows(model: MapModel, f: Filters): Responsibility[] {
  const query = f.query.trim().toLowerCase()
  const held = f.person ? new Set([...model.assignments.values()].filter((a) => a.assignee === f.person).map((a) => a.responsibility)) : null
  const rows = model.responsibilities.filter((r) => {
    const analysis = model.byResponsibility.get(r.id)
    const risks: readonly string[] = analysis?.risks ?? []
    if (query && !matches(`${r.title} ${r.description} ${r.area}`, query)) return false
    if (held && !held.has(r.id)) return false
    if (f.area && r.area !== f.area) return false
    if (f.problemsOnly && risks.length === 0) return false
    if (f.status === 'ok' && risks.length > 0) return false
    if (f.status && f.status !== 'ok' && !SKILL_STATUSES.has(f.status) && !risks.includes(f.status)) return false
    return true
  })
  if (f.sort === 'order') return rows
  const bf = (r: Responsibility) => model.byResponsibility.get(r.id)?.busFactor ?? 0
  return [...rows].sort((a, b) =>
    f.sort === 'bus-factor'
      ? bf(a) - bf(b) || b.criticality - a.criticality || a.order - b.order
      : b.criticality - a.criticality || bf(a) - bf(b) || a.order - b.order,
  )
}

/** The people whose columns the grids show. */
export function visiblePeople(model: MapModel, f: Filters): Person[] {
  return model.people.filter((p) => (!f.team || p.team === f.team) && (!f.person || p.id === f.person))
}

/** The skills the heatmap shows (hidden skills never). */
export function visibleSkills(model: MapModel, f: Filters): Skill[] {
  const query = f.query.trim().toLowerCase()
  const rated = f.person ? new Set([...model.ratings.values()].filter((r) => r.person === f.person).map((r) => r.skill)) : null
  return model.skills.filter((s) => {
    if (s.hidden) return false
    const status = model.bySkill.get(s.id)?.status ?? 'gap'
    if (query && !matches(`${s.name} ${s.category}`, query)) return false
    if (rated && !rated.has(s.id)) return false
    if (f.problemsOnly && status === 'ok') return false
    if (f.status && SKILL_STATUSES.has(f.status) && status !== f.status) return false
    if (f.status === 'ok' && status !== 'ok') return false
    return true
  })
}

export function teams(model: MapModel): string[] {
  return [...new Set(model.people.map((p) => p.team).filter((t): t is string => !!t))].sort((a, b) => a.localeCompare(b))
}
