// Analytics of a skill map (CONTRACT §5) and the list of what in a document breaks its schema.
// Pure functions of a Y.Doc, the same in the browser and on the server.
import * as Y from 'yjs'
import {
  COVERED_LEVEL,
  compareStrings,
  isCriticality,
  isId,
  isLetter,
  isLevel,
  isPlainObject,
  isTimestamp,
  parseAssignmentKey,
  parseRatingKey,
  readAssignments,
  readPeople,
  readRatings,
  readResponsibilities,
  readRoles,
  readRoot,
  readSkills,
  sortedEntries,
  type MapView,
  type RootName,
} from './schema.js'

export type ResponsibilityStatus = 'multiple-accountable' | 'no-accountable' | 'thin' | 'ok'
export type SkillStatus = 'gap' | 'risk' | 'ok'

export interface ResponsibilityAnalysis {
  id: string
  status: ResponsibilityStatus
  busFactor: number
  /** active people holding A, sorted by id */
  accountable: string[]
}

export interface SkillAnalysis {
  id: string
  /** how many active people rate this skill at COVERED_LEVEL or above */
  covered: number
  status: SkillStatus
}

export interface StatusChange {
  kind: 'responsibility' | 'skill'
  id: string
  from: ResponsibilityStatus | SkillStatus
  to: ResponsibilityStatus | SkillStatus
}

export interface Analysis {
  coverage: number
  responsibilities: ResponsibilityAnalysis[]
  skills: SkillAnalysis[]
  whatIf?: { without: string[]; changed: StatusChange[] }
}

export interface AnalyzeOptions {
  /** person ids treated as inactive (turnover simulation) */
  without?: readonly string[]
}

/**
 * With `without`, the figures are those of the map without these people, and `whatIf.changed`
 * lists every responsibility and skill whose status differs from the map as it is.
 */
export function analyze(doc: Y.Doc, options: AnalyzeOptions = {}): Analysis {
  const model = {
    people: readPeople(doc),
    responsibilities: readResponsibilities(doc),
    skills: readSkills(doc),
    assignments: readAssignments(doc),
    ratings: readRatings(doc),
  }
  const without = [...new Set(options.without ?? [])]
  const current = compute(model, new Set())
  if (without.length === 0) return current
  const simulated = compute(model, new Set(without))
  return { ...simulated, whatIf: { without, changed: changes(current, simulated) } }
}

interface Model {
  people: ReturnType<typeof readPeople>
  responsibilities: ReturnType<typeof readResponsibilities>
  skills: ReturnType<typeof readSkills>
  assignments: ReturnType<typeof readAssignments>
  ratings: ReturnType<typeof readRatings>
}

function compute(model: Model, without: ReadonlySet<string>): Analysis {
  const active = new Set(model.people.filter((p) => p.active && !without.has(p.id)).map((p) => p.id))

  const accountable = new Map<string, Set<string>>()
  const doers = new Map<string, Set<string>>()
  for (const cell of model.assignments) {
    // Role columns and people who are gone, inactive or unknown hold nothing.
    if (cell.kind !== 'person' || !active.has(cell.assignee)) continue
    if (cell.letter === 'A') addTo(accountable, cell.responsibility, cell.assignee)
    if (cell.letter === 'A' || cell.letter === 'R') addTo(doers, cell.responsibility, cell.assignee)
  }

  const responsibilities = model.responsibilities.map((r): ResponsibilityAnalysis => {
    const owners = [...(accountable.get(r.id) ?? [])].sort(compareStrings)
    const busFactor = doers.get(r.id)?.size ?? 0
    const status: ResponsibilityStatus =
      owners.length > 1
        ? 'multiple-accountable'
        : owners.length === 0
          ? 'no-accountable'
          : r.criticality === 3 && busFactor < 2
            ? 'thin'
            : 'ok'
    return { id: r.id, status, busFactor, accountable: owners }
  })

  const coveredBy = new Map<string, number>()
  for (const rating of model.ratings) {
    if (active.has(rating.person) && rating.level !== null && rating.level >= COVERED_LEVEL) {
      coveredBy.set(rating.skill, (coveredBy.get(rating.skill) ?? 0) + 1)
    }
  }
  const skills = model.skills.map((s): SkillAnalysis => {
    const covered = coveredBy.get(s.id) ?? 0
    return { id: s.id, covered, status: covered === 0 ? 'gap' : covered === 1 ? 'risk' : 'ok' }
  })

  const ok = responsibilities.filter((r) => r.status === 'ok').length
  // An empty map covers nothing: 0, not 1, so a new map never shows as "100% covered" on a dashboard
  // before anyone has mapped a single responsibility.
  const coverage = responsibilities.length === 0 ? 0 : ok / responsibilities.length
  return { coverage, responsibilities, skills }
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

// ---------------------------------------------------------------------------------------------
// Problems

export interface Problem {
  /** where in the document, e.g. `assignments/api-rest/@frontend` or `people/ana/role` */
  path: string
  message: string
}

/** Everything the document holds that breaks CONTRACT §4, in a stable order (root, then key). */
export function findProblems(doc: Y.Doc): Problem[] {
  const problems: Problem[] = []
  const report = (path: string, message: string) => problems.push({ path, message })
  const known = {
    roles: new Set(readRoles(doc).map((role) => role.key)),
    people: new Map(readPeople(doc).map((person) => [person.id, person.active])),
    skills: new Set(readSkills(doc).map((skill) => skill.id)),
    responsibilities: new Set(readResponsibilities(doc).map((r) => r.id)),
  }

  const meta = root(doc, 'meta', report)
  for (const field of ['title', 'template']) {
    const value = meta.get(field)
    if (value !== undefined && typeof value !== 'string') report(`meta/${field}`, `${field} must be a string, got ${describe(value)}`)
  }

  for (const [path, fields] of entriesOf(doc, 'roles', 'role key', report)) {
    expectString(fields, path, 'label', report)
  }

  for (const [path, fields] of entriesOf(doc, 'people', 'person id', report)) {
    expectString(fields, path, 'name', report)
    const role = fields.get('role')
    if (typeof role !== 'string') report(`${path}/role`, `role must be a role key, got ${describe(role)}`)
    else if (!known.roles.has(role)) report(`${path}/role`, `unknown role ${describe(role)}`)
    const team = fields.get('team')
    if (team !== undefined && typeof team !== 'string') report(`${path}/team`, `team must be a string, got ${describe(team)}`)
    const active = fields.get('active')
    if (typeof active !== 'boolean') report(`${path}/active`, `active must be true or false, got ${describe(active)}; counted as inactive`)
  }

  for (const [path, fields] of entriesOf(doc, 'skills', 'skill id', report)) {
    expectString(fields, path, 'name', report)
    expectString(fields, path, 'category', report)
  }

  for (const [path, fields] of entriesOf(doc, 'responsibilities', 'responsibility id', report)) {
    expectString(fields, path, 'title', report)
    expectString(fields, path, 'description', report)
    expectString(fields, path, 'area', report)
    const criticality = fields.get('criticality')
    if (!isCriticality(criticality)) {
      report(`${path}/criticality`, `criticality must be 1, 2 or 3, got ${describe(criticality)}; read as 2`)
    }
    const order = fields.get('order')
    if (typeof order !== 'number' || !Number.isFinite(order)) {
      report(`${path}/order`, `order must be a number, got ${describe(order)}; sorted last`)
    }
    const skills = fields.get('skills')
    if (!Array.isArray(skills)) {
      report(`${path}/skills`, `skills must be a plain array of skill ids, got ${describe(skills)}`)
      continue
    }
    for (const skill of skills) {
      if (typeof skill !== 'string') report(`${path}/skills`, `skill ids must be strings, got ${describe(skill)}`)
      else if (!known.skills.has(skill)) report(`${path}/skills`, `unknown skill ${describe(skill)}`)
    }
  }

  for (const [key, value] of sortedEntries(root(doc, 'assignments', report))) {
    const path = `assignments/${key}`
    const parsed = parseAssignmentKey(key)
    if (!parsed) {
      report(path, 'malformed key: expected <responsibilityId>/<personId> or <responsibilityId>/@<roleKey>')
      continue
    }
    if (!known.responsibilities.has(parsed.responsibility)) {
      report(path, `unknown responsibility ${describe(parsed.responsibility)}`)
    }
    const { kind, id } = parsed.ref
    if (kind === 'role' && !known.roles.has(id)) report(path, `unknown role ${describe(id)}`)
    if (kind === 'person') {
      const active = known.people.get(id)
      if (active === undefined) report(path, `unknown person ${describe(id)}`)
      else if (!active) report(path, `${id} is inactive; the assignment counts for nothing`)
    }
    if (!isPlainObject(value)) {
      report(path, `must be a plain object { letter, by, at }, got ${describe(value)}`)
      continue
    }
    if (!isLetter(value.letter)) report(path, `letter must be R, A, C or I, got ${describe(value.letter)}`)
    else if (value.letter === 'A' && kind === 'role') {
      report(path, 'an A on a role column counts for nothing: accountability belongs to one named person')
    }
    checkStamp(path, value, report)
  }

  for (const [key, value] of sortedEntries(root(doc, 'ratings', report))) {
    const path = `ratings/${key}`
    const parsed = parseRatingKey(key)
    if (!parsed) {
      report(path, 'malformed key: expected <personId>/<skillId>')
      continue
    }
    if (!known.people.has(parsed.person)) report(path, `unknown person ${describe(parsed.person)}`)
    if (!known.skills.has(parsed.skill)) report(path, `unknown skill ${describe(parsed.skill)}`)
    if (!isPlainObject(value)) {
      report(path, `must be a plain object { level, by, at }, got ${describe(value)}`)
      continue
    }
    if (value.level !== null && !isLevel(value.level)) {
      report(path, `level must be 0..4 or null (not applicable), got ${describe(value.level)}`)
    }
    checkStamp(path, value, report)
  }
  return problems
}

type Report = (path: string, message: string) => void

function root(doc: Y.Doc, name: RootName, report: Report): MapView {
  try {
    return doc.getMap<unknown>(name)
  } catch {
    report(name, 'root type is not a Y.Map')
    return readRoot(doc, name)
  }
}

/** The well-formed entries of a root map whose values must be Y.Maps; reports the others. Paths are prefixed. */
function entriesOf(doc: Y.Doc, name: RootName, what: string, report: Report): Array<[string, Y.Map<unknown>]> {
  const entries: Array<[string, Y.Map<unknown>]> = []
  for (const [key, value] of sortedEntries(root(doc, name, report))) {
    const path = `${name}/${key}`
    if (!isId(key)) report(path, `malformed ${what}: must match ^[A-Za-z0-9_-]{1,64}$`)
    else if (!(value instanceof Y.Map)) report(path, `must be a Y.Map, got ${describe(value)}`)
    else entries.push([path, value as Y.Map<unknown>])
  }
  return entries
}

function expectString(fields: Y.Map<unknown>, path: string, field: string, report: Report): void {
  const value = fields.get(field)
  if (typeof value !== 'string') report(`${path}/${field}`, `${field} must be a string, got ${describe(value)}`)
}

function checkStamp(path: string, value: Record<string, unknown>, report: Report): void {
  if (typeof value.by !== 'string') report(path, `by must be a user id, got ${describe(value.by)}`)
  if (!isTimestamp(value.at)) report(path, `at must be epoch milliseconds, got ${describe(value.at)}`)
}

/** A short, safe rendering of any value for a message: garbage may be huge or not JSON at all. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing'
  // Named by hand: a minified browser bundle renames classes, and messages must match the server's.
  if (value instanceof Y.Map) return 'a Y.Map'
  if (value instanceof Y.Array) return 'a Y.Array'
  if (value instanceof Y.Text) return 'a Y.Text'
  if (value instanceof Y.AbstractType) return 'a Yjs shared type'
  if (value instanceof Y.Doc) return 'a Y.Doc'
  if (value instanceof Uint8Array) return `${value.byteLength} bytes`
  let json: string | undefined
  try {
    json = JSON.stringify(value)
  } catch {
    json = undefined
  }
  const shown = json ?? String(value)
  return shown.length > 40 ? `${shown.slice(0, 37)}...` : shown
}
