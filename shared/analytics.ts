// Analytics of a skill map (CONTRACT §5, v1 and v2): pure functions of MapData (read.ts), the same
// in the browser and on the server.
import * as Y from 'yjs'
import { readMap, type MapData } from './read.js'
import type {
  Analysis,
  PersonLoad,
  ResponsibilityAnalysis,
  ResponsibilityStatus,
  Risk,
  SkillAnalysis,
  StatusChange,
  Summary,
} from './shapes.js'
import { COVERED_LEVEL, compareStrings, type Letter } from './vocabulary.js'

export { findProblems, type Problem } from './read.js'

// The result types are defined once, with their JSON schemas, in shapes.ts.
export {
  RISKS,
  type Analysis,
  type PersonLoad,
  type ResponsibilityAnalysis,
  type ResponsibilityStatus,
  type Risk,
  type SkillAnalysis,
  type SkillStatus,
  type StatusChange,
  type Summary,
  type WhatIf,
} from './shapes.js'

export interface AnalyzeOptions {
  /** person ids treated as inactive (turnover simulation) */
  without?: readonly string[]
}

/**
 * With `without`, the figures are those of the map without these people, and `whatIf.changed`
 * lists every responsibility and skill whose status differs from the map as it is. Takes the data
 * readMap gives; a Y.Doc is read first (one read either way).
 */
export function analyze(input: MapData | Y.Doc, options: AnalyzeOptions = {}): Analysis {
  const data = input instanceof Y.Doc ? readMap(input) : input
  const without = [...new Set(options.without ?? [])]
  const current = compute(data, new Set())
  if (without.length === 0) return current
  const simulated = compute(data, new Set(without))
  return {
    ...simulated,
    whatIf: { without, changed: changes(current, simulated), coverage: { from: current.coverage, to: simulated.coverage } },
  }
}

const LETTER_COUNTS: Readonly<Record<Letter, 'accountable' | 'responsible' | 'consulted' | 'informed'>> = {
  A: 'accountable',
  R: 'responsible',
  C: 'consulted',
  I: 'informed',
}

function compute(data: MapData, without: ReadonlySet<string>): Analysis {
  const active = new Set(data.people.filter((p) => p.active && !without.has(p.id)).map((p) => p.id))
  const rows = new Set(data.responsibilities.map((r) => r.id))
  const skillIds = new Set(data.skills.map((s) => s.id))

  const loads = new Map<string, PersonLoad>()
  for (const id of active) loads.set(id, { id, accountable: 0, responsible: 0, consulted: 0, informed: 0, covers: 0 })

  const accountable = new Map<string, Set<string>>()
  const doers = new Map<string, Set<string>>()
  for (const cell of data.assignments) {
    // Role columns and people who are gone, inactive or unknown hold nothing.
    if (cell.kind !== 'person' || !active.has(cell.assignee)) continue
    if (cell.letter === 'A') addTo(accountable, cell.responsibility, cell.assignee)
    if (cell.letter === 'A' || cell.letter === 'R') addTo(doers, cell.responsibility, cell.assignee)
    // A cell on a responsibility that does not exist is a problem, not workload.
    const load = loads.get(cell.assignee)
    if (load && rows.has(cell.responsibility)) load[LETTER_COUNTS[cell.letter]]++
  }

  // Who covers what: active people at COVERED_LEVEL or above, on skills that exist.
  const coverers = new Map<string, Set<string>>()
  for (const rating of data.ratings) {
    if (!active.has(rating.person) || !skillIds.has(rating.skill)) continue
    if (rating.level !== null && rating.level >= COVERED_LEVEL) addTo(coverers, rating.skill, rating.person)
  }
  for (const people of coverers.values()) for (const id of people) loads.get(id)!.covers++

  const responsibilities = data.responsibilities.map((r): ResponsibilityAnalysis => {
    const owners = [...(accountable.get(r.id) ?? [])].sort(compareStrings)
    const holders = doers.get(r.id) ?? new Set<string>()
    const busFactor = holders.size
    const status: ResponsibilityStatus =
      owners.length > 1
        ? 'multiple-accountable'
        : owners.length === 0
          ? 'no-accountable'
          : r.criticality === 3 && busFactor < 2
            ? 'thin'
            : 'ok'
    // Unknown skill ids in the list are reported as problems and need nothing here; duplicates count once.
    const needed = [...new Set(r.skills)].filter((skill) => skillIds.has(skill))
    const covers = (person: string, skill: string) => coverers.get(skill)?.has(person) === true
    const uncovered = needed.filter((skill) => ![...holders].some((person) => covers(person, skill)))
    const backups =
      needed.length === 0
        ? []
        : [...active].filter((person) => !holders.has(person) && needed.every((skill) => covers(person, skill))).sort(compareStrings)
    const risks: Risk[] = []
    if (owners.length > 1) risks.push('multiple-accountable')
    if (owners.length === 0) risks.push('no-accountable')
    if (r.criticality === 3 && busFactor < 2) risks.push('thin')
    if (busFactor <= 1) risks.push('single-owner')
    if (uncovered.length > 0) risks.push('skills-uncovered')
    return { id: r.id, status, busFactor, accountable: owners, risks, uncovered, backups }
  })

  const skills = data.skills.map((s): SkillAnalysis => {
    const covered = coverers.get(s.id)?.size ?? 0
    return { id: s.id, covered, status: covered === 0 ? 'gap' : covered === 1 ? 'risk' : 'ok' }
  })

  const ok = responsibilities.filter((r) => r.status === 'ok').length
  // An empty map covers nothing: 0, not 1, so a new map never shows as "100% covered" on a dashboard
  // before anyone has mapped a single responsibility.
  const coverage = responsibilities.length === 0 ? 0 : ok / responsibilities.length
  const withRisk = (risk: Risk) => responsibilities.filter((r) => r.risks.includes(risk)).length
  // Hidden skills are ones the team chose not to track (unused template skills): no alarm for them.
  const hidden = new Set(data.skills.filter((s) => s.hidden).map((s) => s.id))
  const tracked = skills.filter((s) => !hidden.has(s.id))
  const summary: Summary = {
    responsibilities: responsibilities.length,
    ok,
    conflicts: withRisk('multiple-accountable'),
    noAccountable: withRisk('no-accountable'),
    thin: withRisk('thin'),
    singleOwner: withRisk('single-owner'),
    skillsUncovered: withRisk('skills-uncovered'),
    skillGaps: tracked.filter((s) => s.status === 'gap').length,
    skillRisks: tracked.filter((s) => s.status === 'risk').length,
  }
  const people = [...loads.values()].sort((a, b) => compareStrings(a.id, b.id))
  return { coverage, responsibilities, skills, summary, people }
}

function addTo(index: Map<string, Set<string>>, key: string, value: string): void {
  const set = index.get(key)
  if (set) set.add(value)
  else index.set(key, new Set([value]))
}

function changes(before: Analysis, after: Analysis): StatusChange[] {
  const changed: StatusChange[] = []
  const diff = (kind: StatusChange['kind'], from: Array<{ id: string; status: StatusChange['from'] }>, to: typeof from) => {
    const was = new Map(from.map((item) => [item.id, item.status]))
    for (const item of to) {
      const status = was.get(item.id)
      if (status !== undefined && status !== item.status) changed.push({ kind, id: item.id, from: status, to: item.status })
    }
  }
  diff('responsibility', before.responsibilities, after.responsibilities)
  diff('skill', before.skills, after.skills)
  return changed
}
