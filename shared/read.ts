// Reading a skill-map document into plain data (CONTRACT §4), once. Any Yjs client may write
// anything, so reading never throws and never trusts a type: entries that cannot be read are
// skipped, fields of the wrong type fall back to a neutral value, and every one of those cases is
// reported as a problem by the same pass that reads the value, so what is read and what is reported
// can never disagree. Imports nothing from Node or the DOM: browser and server share it.
import * as Y from 'yjs'
import { parseAssignmentKey, parseRatingKey } from './keys.js'
import type { Problem } from './shapes.js'
import { DEFAULT_ROLES } from './templates.js'
import {
  compareStrings,
  isCriticality,
  isId,
  isLetter,
  isLevel,
  isPlainObject,
  isTimestamp,
  SKILL_CATEGORIES,
  type Criticality,
  type Letter,
  type Level,
  type RootName,
} from './vocabulary.js'

export interface Meta {
  title: string
  template: string
}

export interface RoleEntry {
  key: string
  label: string
  /** present (true) when the column is hidden in the app; absent otherwise */
  hidden?: true
}

export interface Person {
  id: string
  name: string
  /** a role key */
  role: string
  team?: string
  active: boolean
}

export interface Skill {
  id: string
  name: string
  category: string
  /** present (true) when the skill is hidden in the app and left out of the summary's gaps and risks */
  hidden?: true
}

export interface Responsibility {
  id: string
  title: string
  description: string
  area: string
  criticality: Criticality
  order: number
  skills: string[]
}

export interface Assignment {
  responsibility: string
  /** a person id, or `@roleKey` */
  assignee: string
  kind: 'person' | 'role'
  letter: Letter
  by: string
  at: number
}

export interface Rating {
  person: string
  skill: string
  /** null: not applicable, which never counts (unlike 0) */
  level: Level | null
  by: string
  at: number
}

export type { Problem } from './shapes.js'

/** The whole map as plain values, every list in a fixed order; what analyze and the exports work on. */
export interface MapData {
  meta: Meta
  /** template order first, then by key */
  roles: RoleEntry[]
  /** by id */
  people: Person[]
  /** by category (template order), then id */
  skills: Skill[]
  /** by order, then id */
  responsibilities: Responsibility[]
  /** well-formed cells whether or not their ids exist, by key */
  assignments: Assignment[]
  /** well-formed cells whether or not their ids exist, by key */
  ratings: Rating[]
  /** everything the document holds that breaks CONTRACT §4, by root then key */
  problems: Problem[]
}

/** The read side of a map: what the readers need, satisfied by a Y.Map and by a plain Map. */
export interface MapView {
  get(key: string): unknown
  entries(): IterableIterator<[string, unknown]>
}

type Report = (path: string, message: string) => void

const ignore: Report = () => {}

/** Reads every root in one pass (each root once, in root order, so later roots can check ids against earlier ones). */
export function readMap(doc: Y.Doc): MapData {
  const problems: Problem[] = []
  const report: Report = (path, message) => problems.push({ path, message })
  const meta = readMetaRoot(doc, report)
  const roles = readRolesRoot(doc, report)
  const roleKeys = new Set(roles.map((role) => role.key))
  const people = readPeopleRoot(doc, report, roleKeys)
  const skills = readSkillsRoot(doc, report)
  const responsibilities = readResponsibilitiesRoot(doc, report, new Set(skills.map((skill) => skill.id)))
  const known: Known = {
    roles: roleKeys,
    people: new Map(people.map((person) => [person.id, person.active])),
    skills: new Set(skills.map((skill) => skill.id)),
    responsibilities: new Set(responsibilities.map((r) => r.id)),
  }
  const assignments = readAssignmentsRoot(doc, report, known)
  const ratings = readRatingsRoot(doc, report, known)
  return { meta, roles, people, skills, responsibilities, assignments, ratings, problems }
}

/** Everything the document holds that breaks CONTRACT §4, in a stable order (root, then key). */
export function findProblems(doc: Y.Doc): Problem[] {
  return readMap(doc).problems
}

// Single-root readers: for callers that need one list (the room reads the title on every flush).

export function readMeta(doc: Y.Doc): Meta {
  return readMetaRoot(doc, ignore)
}

export function readRoles(doc: Y.Doc): RoleEntry[] {
  return readRolesRoot(doc, ignore)
}

export function readPeople(doc: Y.Doc): Person[] {
  return readPeopleRoot(doc, ignore)
}

export function readSkills(doc: Y.Doc): Skill[] {
  return readSkillsRoot(doc, ignore)
}

/**
 * Sorted by `order`, ties by id. A missing criticality reads as 2 (the middle), so it is neither
 * flagged thin nor ignored; a missing order sorts last. Both are reported as problems.
 */
export function readResponsibilities(doc: Y.Doc): Responsibility[] {
  return readResponsibilitiesRoot(doc, ignore)
}

export function readAssignments(doc: Y.Doc): Assignment[] {
  return readAssignmentsRoot(doc, ignore)
}

/** Ratings with a well-formed key and a level of 0..4 or null, whether or not their ids exist. */
export function readRatings(doc: Y.Doc): Rating[] {
  return readRatingsRoot(doc, ignore)
}

/**
 * A root map for reading. If this Y.Doc already holds the name as another type (Yjs throws on
 * getMap then), reads see an empty map, so that exports still work on such a document.
 */
export function readRoot(doc: Y.Doc, name: RootName, report: Report = ignore): MapView {
  try {
    return doc.getMap<unknown>(name)
  } catch {
    report(name, 'root type is not a Y.Map')
    return new Map<string, unknown>()
  }
}

/** Entries sorted by key: Y.Map iteration order depends on the order updates arrived. */
export function sortedEntries(map: MapView): Array<[string, unknown]> {
  return Array.from(map.entries()).sort(([a], [b]) => compareStrings(a, b))
}

/** The template's role order first (the order a team reads them in), then any other role by key. */
export function compareRoleKeys(a: string, b: string): number {
  const rank = (key: string) => {
    const index = DEFAULT_ROLES.findIndex((role) => role.key === key)
    return index === -1 ? DEFAULT_ROLES.length : index
  }
  return rank(a) - rank(b) || compareStrings(a, b)
}

// ---------------------------------------------------------------------------------------------
// Per-root readers. Each reports in key order, field by field, so problems come out in a stable order.

interface Known {
  roles: ReadonlySet<string>
  /** person id → active */
  people: ReadonlyMap<string, boolean>
  skills: ReadonlySet<string>
  responsibilities: ReadonlySet<string>
}

function text(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback
}

function readMetaRoot(doc: Y.Doc, report: Report): Meta {
  const meta = readRoot(doc, 'meta', report)
  for (const field of ['title', 'template']) {
    const value = meta.get(field)
    if (value !== undefined && typeof value !== 'string') report(`meta/${field}`, `${field} must be a string, got ${describe(value)}`)
  }
  return { title: text(meta.get('title'), ''), template: text(meta.get('template'), '') }
}

function readRolesRoot(doc: Y.Doc, report: Report): RoleEntry[] {
  const roles: RoleEntry[] = []
  for (const [key, path, fields] of entriesOf(doc, 'roles', 'role key', report)) {
    expectString(fields, path, 'label', report)
    roles.push({ key, label: text(fields.get('label'), key), ...readHidden(fields, path, report) })
  }
  return roles.sort((a, b) => compareRoleKeys(a.key, b.key))
}

function readPeopleRoot(doc: Y.Doc, report: Report, roles?: ReadonlySet<string>): Person[] {
  const people: Person[] = []
  for (const [id, path, fields] of entriesOf(doc, 'people', 'person id', report)) {
    expectString(fields, path, 'name', report)
    const role = fields.get('role')
    if (typeof role !== 'string') report(`${path}/role`, `role must be a role key, got ${describe(role)}`)
    else if (roles && !roles.has(role)) report(`${path}/role`, `unknown role ${describe(role)}`)
    const team = fields.get('team')
    if (team !== undefined && typeof team !== 'string') report(`${path}/team`, `team must be a string, got ${describe(team)}`)
    const active = fields.get('active')
    if (typeof active !== 'boolean') report(`${path}/active`, `active must be true or false, got ${describe(active)}; counted as inactive`)
    people.push({
      id,
      name: text(fields.get('name'), id),
      role: text(role, ''),
      ...(typeof team === 'string' ? { team } : {}),
      // Anything but a real `true` counts as inactive: a half-written person must not make a
      // responsibility look staffed.
      active: active === true,
    })
  }
  return people
}

function readSkillsRoot(doc: Y.Doc, report: Report): Skill[] {
  const skills: Skill[] = []
  for (const [id, path, fields] of entriesOf(doc, 'skills', 'skill id', report)) {
    expectString(fields, path, 'name', report)
    expectString(fields, path, 'category', report)
    skills.push({
      id,
      name: text(fields.get('name'), id),
      category: text(fields.get('category'), ''),
      ...readHidden(fields, path, report),
    })
  }
  const rank = (category: string) => {
    const index = (SKILL_CATEGORIES as readonly string[]).indexOf(category)
    return index === -1 ? SKILL_CATEGORIES.length : index
  }
  return skills.sort(
    (a, b) => rank(a.category) - rank(b.category) || compareStrings(a.category, b.category) || compareStrings(a.id, b.id),
  )
}

function readResponsibilitiesRoot(doc: Y.Doc, report: Report, skillIds?: ReadonlySet<string>): Responsibility[] {
  const valid: Responsibility[] = []
  const unordered: Responsibility[] = []
  for (const [id, path, fields] of entriesOf(doc, 'responsibilities', 'responsibility id', report)) {
    expectString(fields, path, 'title', report)
    expectString(fields, path, 'description', report)
    expectString(fields, path, 'area', report)
    const criticality = fields.get('criticality')
    if (!isCriticality(criticality)) {
      report(`${path}/criticality`, `criticality must be 1, 2 or 3, got ${describe(criticality)}; read as 2`)
    }
    const order = fields.get('order')
    const ordered = typeof order === 'number' && Number.isFinite(order)
    if (!ordered) report(`${path}/order`, `order must be a number, got ${describe(order)}; sorted last`)
    const skills = fields.get('skills')
    if (!Array.isArray(skills)) {
      report(`${path}/skills`, `skills must be a plain array of skill ids, got ${describe(skills)}`)
    } else {
      for (const skill of skills) {
        if (typeof skill !== 'string') report(`${path}/skills`, `skill ids must be strings, got ${describe(skill)}`)
        else if (skillIds && !skillIds.has(skill)) report(`${path}/skills`, `unknown skill ${describe(skill)}`)
      }
    }
    const responsibility: Responsibility = {
      id,
      title: text(fields.get('title'), id),
      description: text(fields.get('description'), ''),
      area: text(fields.get('area'), ''),
      criticality: isCriticality(criticality) ? criticality : 2,
      order: ordered ? order : 0,
      // A copy: the stored array is the document's own value and must never be mutated in place.
      skills: Array.isArray(skills) ? skills.filter((skill): skill is string => typeof skill === 'string') : [],
    }
    if (ordered) valid.push(responsibility)
    else unordered.push(responsibility)
  }
  valid.sort((a, b) => a.order - b.order || compareStrings(a.id, b.id))
  const last = valid.at(-1)?.order ?? 0
  unordered.forEach((responsibility, index) => {
    responsibility.order = last + 1 + index
  })
  return [...valid, ...unordered]
}

/** Assignments with a well-formed key and letter, whether or not their ids exist. Sorted by key. */
function readAssignmentsRoot(doc: Y.Doc, report: Report, known?: Known): Assignment[] {
  const assignments: Assignment[] = []
  for (const [key, value] of sortedEntries(readRoot(doc, 'assignments', report))) {
    const assignment = readAssignmentCell(key, value, report, known)
    if (assignment) assignments.push(assignment)
  }
  return assignments
}

/**
 * One entry of `assignments` as readAssignments reads it, or null where it skips the entry: for a
 * caller that follows single cells (the history replay) and must read them exactly as readMap does.
 */
export function readAssignmentCell(key: string, value: unknown, report: Report = ignore, known?: Known): Assignment | null {
  const path = `assignments/${key}`
  const parsed = parseAssignmentKey(key)
  if (!parsed) {
    report(path, 'malformed key: expected <responsibilityId>/<personId> or <responsibilityId>/@<roleKey>')
    return null
  }
  const { kind, id } = parsed.ref
  if (known) {
    if (!known.responsibilities.has(parsed.responsibility)) report(path, `unknown responsibility ${describe(parsed.responsibility)}`)
    if (kind === 'role' && !known.roles.has(id)) report(path, `unknown role ${describe(id)}`)
    if (kind === 'person') {
      const active = known.people.get(id)
      if (active === undefined) report(path, `unknown person ${describe(id)}`)
      else if (!active) report(path, `${id} is inactive; the assignment counts for nothing`)
    }
  }
  if (!isPlainObject(value)) {
    report(path, `must be a plain object { letter, by, at }, got ${describe(value)}`)
    return null
  }
  if (!isLetter(value.letter)) report(path, `letter must be R, A, C or I, got ${describe(value.letter)}`)
  else if (value.letter === 'A' && kind === 'role') {
    report(path, 'an A on a role column counts for nothing: accountability belongs to one named person')
  }
  checkStamp(path, value, report)
  if (!isLetter(value.letter)) return null
  return {
    responsibility: parsed.responsibility,
    assignee: parsed.assignee,
    kind,
    letter: value.letter,
    by: text(value.by, ''),
    at: isTimestamp(value.at) ? value.at : 0,
  }
}

function readRatingsRoot(doc: Y.Doc, report: Report, known?: Known): Rating[] {
  const ratings: Rating[] = []
  for (const [key, value] of sortedEntries(readRoot(doc, 'ratings', report))) {
    const rating = readRatingCell(key, value, report, known)
    if (rating) ratings.push(rating)
  }
  return ratings
}

/** One entry of `ratings` as readRatings reads it, or null where it skips the entry (see readAssignmentCell). */
export function readRatingCell(key: string, value: unknown, report: Report = ignore, known?: Known): Rating | null {
  const path = `ratings/${key}`
  const parsed = parseRatingKey(key)
  if (!parsed) {
    report(path, 'malformed key: expected <personId>/<skillId>')
    return null
  }
  if (known) {
    if (!known.people.has(parsed.person)) report(path, `unknown person ${describe(parsed.person)}`)
    if (!known.skills.has(parsed.skill)) report(path, `unknown skill ${describe(parsed.skill)}`)
  }
  if (!isPlainObject(value)) {
    report(path, `must be a plain object { level, by, at }, got ${describe(value)}`)
    return null
  }
  const level = value.level
  if (level !== null && !isLevel(level)) report(path, `level must be 0..4 or null (not applicable), got ${describe(level)}`)
  checkStamp(path, value, report)
  if (level !== null && !isLevel(level)) return null
  return { ...parsed, level, by: text(value.by, ''), at: isTimestamp(value.at) ? value.at : 0 }
}

/** The well-formed entries of a root map whose values must be Y.Maps as [key, path, fields]; reports the others. */
function entriesOf(doc: Y.Doc, name: RootName, what: string, report: Report): Array<[string, string, Y.Map<unknown>]> {
  const entries: Array<[string, string, Y.Map<unknown>]> = []
  for (const [key, value] of sortedEntries(readRoot(doc, name, report))) {
    const path = `${name}/${key}`
    if (!isId(key)) report(path, `malformed ${what}: must match ^[A-Za-z0-9_-]{1,64}$`)
    else if (!(value instanceof Y.Map)) report(path, `must be a Y.Map, got ${describe(value)}`)
    else entries.push([key, path, value as Y.Map<unknown>])
  }
  return entries
}

/** `hidden` is optional: absent or false shows the entry; anything but a boolean is reported and ignored. */
function readHidden(fields: Y.Map<unknown>, path: string, report: Report): { hidden?: true } {
  const hidden = fields.get('hidden')
  if (hidden !== undefined && typeof hidden !== 'boolean') report(`${path}/hidden`, `hidden must be true or false, got ${describe(hidden)}; shown`)
  return hidden === true ? { hidden: true } : {}
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
