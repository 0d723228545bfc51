// The map as the views read it: one pass over the Y.Doc with the shared readers, indexed for
// rendering, plus the live analytics (CONTRACT §5) with the what-if people left out.
import { analyze, type Analysis, type Problem, type ResponsibilityAnalysis, type SkillAnalysis } from '../shared/analytics.js'
import {
  assignmentKey,
  BACKEND_AREAS,
  readMap,
  ratingKey,
  SKILL_CATEGORY_LABELS,
  type Assignment,
  type Meta,
  type Person,
  type Rating,
  type Responsibility,
  type RoleEntry,
  type Skill,
} from '../shared/schema.js'
import type * as Y from 'yjs'

export interface AreaGroup {
  area: string
  rows: Responsibility[]
}

export interface CategoryGroup {
  category: string
  label: string
  skills: Skill[]
}

export interface MapModel {
  meta: Meta
  roles: RoleEntry[]
  roleLabels: Map<string, string>
  /** active people first, each group by name */
  people: Person[]
  peopleById: Map<string, Person>
  skills: Skill[]
  categories: CategoryGroup[]
  responsibilities: Responsibility[]
  areas: AreaGroup[]
  /** by `<responsibility>/<assignee>` */
  assignments: Map<string, Assignment>
  /** by `<person>/<skill>` */
  ratings: Map<string, Rating>
  /** with the what-if people treated as inactive, when there are any */
  analysis: Analysis
  byResponsibility: Map<string, ResponsibilityAnalysis>
  bySkill: Map<string, SkillAnalysis>
  /** the what-if people that exist and are active */
  without: string[]
  problems: Problem[]
}

export function readModel(doc: Y.Doc, without: ReadonlySet<string>): MapModel {
  // One read of the document (readMap) feeds both the views and the analytics.
  const data = readMap(doc)
  const roles = data.roles
  const people = [...data.people].sort(
    (a, b) => Number(b.active) - Number(a.active) || a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1),
  )
  const peopleById = new Map(people.map((p) => [p.id, p]))
  const simulated = [...without].filter((id) => peopleById.get(id)?.active)
  const analysis = analyze(data, { without: simulated })
  return {
    meta: data.meta,
    roles,
    roleLabels: new Map(roles.map((r) => [r.key, r.label])),
    people,
    peopleById,
    skills: data.skills,
    categories: groupSkills(data.skills),
    responsibilities: data.responsibilities,
    areas: groupAreas(data.responsibilities),
    assignments: new Map(data.assignments.map((a) => [assignmentKey(a.responsibility, a.assignee), a])),
    ratings: new Map(data.ratings.map((r) => [ratingKey(r.person, r.skill), r])),
    analysis,
    byResponsibility: new Map(analysis.responsibilities.map((r) => [r.id, r])),
    bySkill: new Map(analysis.skills.map((s) => [s.id, s])),
    without: simulated,
    problems: data.problems,
  }
}

/** Areas in the order their first responsibility appears; rows keep their order within an area. */
export function groupAreas(rows: Responsibility[]): AreaGroup[] {
  const groups = new Map<string, AreaGroup>()
  for (const row of rows) {
    const group = groups.get(row.area) ?? { area: row.area, rows: [] }
    group.rows.push(row)
    groups.set(row.area, group)
  }
  return [...groups.values()]
}

function groupSkills(skills: Skill[]): CategoryGroup[] {
  const groups = new Map<string, CategoryGroup>()
  for (const skill of skills) {
    const label = (SKILL_CATEGORY_LABELS as Record<string, string>)[skill.category] ?? (skill.category || 'Other')
    const group = groups.get(skill.category) ?? { category: skill.category, label, skills: [] }
    group.skills.push(skill)
    groups.set(skill.category, group)
  }
  return [...groups.values()]
}

/** Areas a new responsibility can go to: the map's own, then the template's. */
export function areaChoices(model: MapModel): string[] {
  return [...new Set([...model.areas.map((a) => a.area).filter(Boolean), ...BACKEND_AREAS])]
}

/**
 * The index for moveResponsibility that puts `id` one place up or down within its area (the
 * grid shows rows by area, so a move across a neighbour of another area would look like nothing).
 */
export function moveTarget(model: MapModel, id: string, direction: -1 | 1): number | null {
  const row = model.responsibilities.find((r) => r.id === id)
  if (!row) return null
  const sameArea = model.responsibilities.filter((r) => r.area === row.area)
  const neighbour = sameArea[sameArea.indexOf(row) + direction]
  if (!neighbour) return null
  const others = model.responsibilities.filter((r) => r.id !== id)
  const at = others.indexOf(neighbour)
  return direction < 0 ? at : at + 1
}
