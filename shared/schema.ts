// The skill-map document (CONTRACT §4): names and shapes every client writes, readers that turn
// whatever a Yjs client put there into typed values, the mutators the browser app edits with, and
// the templates a new map starts from. Imports nothing from Node or the DOM: browser and server share it.
import * as Y from 'yjs'
import { BACKEND_RESPONSIBILITIES, BACKEND_SKILLS, DEFAULT_ROLES } from './templates.js'

export { BACKEND_AREAS, DEFAULT_ROLES } from './templates.js'

export const ROOT_NAMES = ['meta', 'roles', 'people', 'skills', 'responsibilities', 'assignments', 'ratings'] as const
export type RootName = (typeof ROOT_NAMES)[number]

/** Ids of people, skills, responsibilities and roles. No `/` and no `@`, so cell keys parse unambiguously. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/

export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value)
}

export const LETTERS = ['R', 'A', 'C', 'I'] as const
export type Letter = (typeof LETTERS)[number]

export function isLetter(value: unknown): value is Letter {
  return typeof value === 'string' && (LETTERS as readonly string[]).includes(value)
}

export const LEVELS = [0, 1, 2, 3, 4] as const
export type Level = (typeof LEVELS)[number]

export const LEVEL_NAMES: Readonly<Record<Level, string>> = {
  0: 'None',
  1: 'Aware',
  2: 'Working',
  3: 'Proficient',
  4: 'Expert',
}

/** Behavioural anchors (research/domain.md §6), so that a 3 means the same thing in every team. */
export const LEVEL_ANCHORS: Readonly<Record<Level, string>> = {
  0: 'No hands-on exposure',
  1: 'Knows the concepts; needs guidance for any change',
  2: 'Does routine tasks independently; asks for help on hard cases',
  3: 'Owns it: designs, debugs incidents, reviews others\u2019 work',
  4: 'Sets standards, teaches others, go-to person across teams',
}

export function isLevel(value: unknown): value is Level {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 4
}

/** CONTRACT §5: a person covers a skill from Proficient up, the level at which they can own it alone. */
export const COVERED_LEVEL = 3

export const CRITICALITIES = [1, 2, 3] as const
export type Criticality = (typeof CRITICALITIES)[number]

export function isCriticality(value: unknown): value is Criticality {
  return value === 1 || value === 2 || value === 3
}

/** Role columns are addressed as `@roleKey` in assignment keys and exports. */
export const ROLE_PREFIX = '@'

export const SKILL_CATEGORIES = [
  'languages',
  'databases',
  'apis',
  'infrastructure',
  'delivery',
  'messaging',
  'cross-cutting',
] as const
export type SkillCategory = (typeof SKILL_CATEGORIES)[number]

export const SKILL_CATEGORY_LABELS: Readonly<Record<SkillCategory, string>> = {
  languages: 'Languages & runtimes',
  databases: 'Databases & stores',
  apis: 'API technologies',
  infrastructure: 'Infrastructure',
  delivery: 'Delivery',
  messaging: 'Messaging',
  'cross-cutting': 'Cross-cutting',
}

export interface Meta {
  title: string
  template: string
}

export interface RoleEntry {
  key: string
  label: string
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

// ---------------------------------------------------------------------------------------------
// Keys

export function assignmentKey(responsibility: string, assignee: string): string {
  return `${responsibility}/${assignee}`
}

export function roleAssignee(roleKey: string): string {
  return ROLE_PREFIX + roleKey
}

export interface AssigneeRef {
  kind: 'person' | 'role'
  /** the person id or the role key, without the prefix */
  id: string
}

export function parseAssignee(assignee: string): AssigneeRef | null {
  const isRole = assignee.startsWith(ROLE_PREFIX)
  const id = isRole ? assignee.slice(ROLE_PREFIX.length) : assignee
  return isId(id) ? { kind: isRole ? 'role' : 'person', id } : null
}

export function parseAssignmentKey(key: string): { responsibility: string; assignee: string; ref: AssigneeRef } | null {
  const parts = key.split('/')
  if (parts.length !== 2) return null
  const [responsibility = '', assignee = ''] = parts
  const ref = parseAssignee(assignee)
  return isId(responsibility) && ref ? { responsibility, assignee, ref } : null
}

export function ratingKey(person: string, skill: string): string {
  return `${person}/${skill}`
}

export function parseRatingKey(key: string): { person: string; skill: string } | null {
  const parts = key.split('/')
  if (parts.length !== 2) return null
  const [person, skill] = parts
  return isId(person) && isId(skill) ? { person, skill } : null
}

// ---------------------------------------------------------------------------------------------
// Ids

/** Lowercase ASCII slug of a title; accents folded, everything else becomes `-`. May be empty. */
export function slugify(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '')
}

/**
 * A fresh id from a title: the slug when free, else slug plus a 4-character random suffix.
 * Two clients adding the same title at the same moment may pick the same slug and converge on one
 * entry; for a map that is the wanted outcome (same title, same thing).
 */
export function makeId(title: string, taken: (id: string) => boolean, random: () => number = Math.random): string {
  const slug = slugify(title) || 'item'
  if (!taken(slug)) return slug
  // 36^4 ≈ 1.7M suffixes: a handful of tries always finds a free one unless `random` is broken.
  for (let attempt = 0; attempt < 64; attempt++) {
    const suffix = Math.floor(random() * 36 ** 4)
      .toString(36)
      .padStart(4, '0')
    const id = `${slug}-${suffix}`
    if (!taken(id)) return id
  }
  throw new Error(`could not find a free id for "${title}"`)
}

// ---------------------------------------------------------------------------------------------
// Reading. Any Yjs client may write anything, so readers never throw and never trust a type:
// entries that cannot be read are skipped, fields of the wrong type fall back to a neutral value.
// findProblems (analytics.ts) reports every one of those cases.

/** The read side of a map: what the readers need, satisfied by a Y.Map and by a plain Map. */
export interface MapView {
  get(key: string): unknown
  entries(): IterableIterator<[string, unknown]>
}

/**
 * A root map for reading. If this Y.Doc already holds the name as another type (Yjs throws on
 * getMap then), reads see an empty map, so that exports still work on such a document.
 */
export function readRoot(doc: Y.Doc, name: RootName): MapView {
  try {
    return doc.getMap<unknown>(name)
  } catch {
    return new Map<string, unknown>()
  }
}

/** Entries sorted by key: Y.Map iteration order depends on the order updates arrived. */
export function sortedEntries(map: MapView): Array<[string, unknown]> {
  return Array.from(map.entries()).sort(([a], [b]) => compareStrings(a, b))
}

/** Code-unit order: the same in every browser and on the server, unlike localeCompare. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** Valid epoch milliseconds: also what `new Date(at).toISOString()` accepts without throwing. */
export function isTimestamp(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= 8.64e15
}

function text(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback
}

export function readMeta(doc: Y.Doc): Meta {
  const meta = readRoot(doc, 'meta')
  return { title: text(meta.get('title'), ''), template: text(meta.get('template'), '') }
}

export function readRoles(doc: Y.Doc): RoleEntry[] {
  const roles: RoleEntry[] = []
  for (const [key, value] of sortedEntries(readRoot(doc, 'roles'))) {
    if (isId(key) && value instanceof Y.Map) roles.push({ key, label: text(value.get('label'), key) })
  }
  return roles.sort((a, b) => compareRoleKeys(a.key, b.key))
}

/** The template's role order first (the order a team reads them in), then any other role by key. */
export function compareRoleKeys(a: string, b: string): number {
  const rank = (key: string) => {
    const index = DEFAULT_ROLES.findIndex((role) => role.key === key)
    return index === -1 ? DEFAULT_ROLES.length : index
  }
  return rank(a) - rank(b) || compareStrings(a, b)
}

export function readPeople(doc: Y.Doc): Person[] {
  const people: Person[] = []
  for (const [id, value] of sortedEntries(readRoot(doc, 'people'))) {
    if (!isId(id) || !(value instanceof Y.Map)) continue
    const team = value.get('team')
    people.push({
      id,
      name: text(value.get('name'), id),
      role: text(value.get('role'), ''),
      ...(typeof team === 'string' ? { team } : {}),
      // Anything but a real `true` counts as inactive: a half-written person must not make a
      // responsibility look staffed.
      active: value.get('active') === true,
    })
  }
  return people
}

export function readSkills(doc: Y.Doc): Skill[] {
  const skills: Skill[] = []
  for (const [id, value] of sortedEntries(readRoot(doc, 'skills'))) {
    if (isId(id) && value instanceof Y.Map) {
      skills.push({ id, name: text(value.get('name'), id), category: text(value.get('category'), '') })
    }
  }
  const rank = (category: string) => {
    const index = (SKILL_CATEGORIES as readonly string[]).indexOf(category)
    return index === -1 ? SKILL_CATEGORIES.length : index
  }
  return skills.sort(
    (a, b) => rank(a.category) - rank(b.category) || compareStrings(a.category, b.category) || compareStrings(a.id, b.id),
  )
}

/**
 * Sorted by `order`, ties by id. A missing criticality reads as 2 (the middle), so it is neither
 * flagged thin nor ignored; a missing order sorts last. Both are reported by findProblems.
 */
export function readResponsibilities(doc: Y.Doc): Responsibility[] {
  const valid: Responsibility[] = []
  const unordered: Responsibility[] = []
  for (const [id, value] of sortedEntries(readRoot(doc, 'responsibilities'))) {
    if (!isId(id) || !(value instanceof Y.Map)) continue
    const criticality = value.get('criticality')
    const order = value.get('order')
    const skills = value.get('skills')
    const responsibility: Responsibility = {
      id,
      title: text(value.get('title'), id),
      description: text(value.get('description'), ''),
      area: text(value.get('area'), ''),
      criticality: isCriticality(criticality) ? criticality : 2,
      order: typeof order === 'number' && Number.isFinite(order) ? order : 0,
      // A copy: the stored array is the document's own value and must never be mutated in place.
      skills: Array.isArray(skills) ? skills.filter((skill): skill is string => typeof skill === 'string') : [],
    }
    if (typeof order === 'number' && Number.isFinite(order)) valid.push(responsibility)
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
export function readAssignments(doc: Y.Doc): Assignment[] {
  const assignments: Assignment[] = []
  for (const [key, value] of sortedEntries(readRoot(doc, 'assignments'))) {
    const parsed = parseAssignmentKey(key)
    if (!parsed || !isPlainObject(value) || !isLetter(value.letter)) continue
    assignments.push({
      responsibility: parsed.responsibility,
      assignee: parsed.assignee,
      kind: parsed.ref.kind,
      letter: value.letter,
      by: text(value.by, ''),
      at: isTimestamp(value.at) ? value.at : 0,
    })
  }
  return assignments
}

/** Ratings with a well-formed key and a level of 0..4 or null, whether or not their ids exist. */
export function readRatings(doc: Y.Doc): Rating[] {
  const ratings: Rating[] = []
  for (const [key, value] of sortedEntries(readRoot(doc, 'ratings'))) {
    const parsed = parseRatingKey(key)
    if (!parsed || !isPlainObject(value)) continue
    const level = value.level
    if (level !== null && !isLevel(level)) continue
    ratings.push({
      ...parsed,
      level,
      by: text(value.by, ''),
      at: isTimestamp(value.at) ? value.at : 0,
    })
  }
  return ratings
}

// ---------------------------------------------------------------------------------------------
// Writing. Every mutator is one transaction, so remote peers see an edit whole or not at all.
// Invalid arguments throw: they are programming errors of the caller, never document content.

function requireId(id: string, what: string): void {
  if (!isId(id)) throw new TypeError(`${what} id must match ${ID_PATTERN} (got ${JSON.stringify(id)})`)
}

function requireEntry(doc: Y.Doc, root: RootName, id: string): Y.Map<unknown> {
  const entry = doc.getMap<unknown>(root).get(id)
  if (!(entry instanceof Y.Map)) throw new RangeError(`${root}/${id} does not exist`)
  return entry as Y.Map<unknown>
}

function freshId(doc: Y.Doc, root: RootName, title: string, id: string | undefined): string {
  const map = doc.getMap<unknown>(root)
  if (id === undefined) return makeId(title, (candidate) => map.has(candidate))
  requireId(id, root)
  if (map.has(id)) throw new RangeError(`${root}/${id} already exists`)
  return id
}

/** Sets the fields whose value is defined; `null` deletes an optional field. */
function patch(entry: Y.Map<unknown>, fields: Record<string, unknown>): void {
  for (const [field, value] of Object.entries(fields)) {
    if (value === null) entry.delete(field)
    else if (value !== undefined) entry.set(field, value)
  }
}

function deleteWhere(map: Y.Map<unknown>, matches: (key: string) => boolean): void {
  for (const key of Array.from(map.keys())) if (matches(key)) map.delete(key)
}

function requireCriticality(value: unknown): void {
  if (value !== undefined && !isCriticality(value)) throw new RangeError('criticality must be 1, 2 or 3')
}

function requireSkillIds(skills: readonly string[] | undefined): void {
  for (const skill of skills ?? []) requireId(skill, 'skill')
}

export function setTitle(doc: Y.Doc, title: string): void {
  doc.transact(() => doc.getMap<unknown>('meta').set('title', title))
}

export function addRole(doc: Y.Doc, key: string, label: string): void {
  requireId(key, 'role')
  doc.transact(() => {
    const roles = doc.getMap<unknown>('roles')
    if (roles.has(key)) throw new RangeError(`roles/${key} already exists`)
    roles.set(key, new Y.Map<unknown>([['label', label]]))
  })
}

export function renameRole(doc: Y.Doc, key: string, label: string): void {
  doc.transact(() => requireEntry(doc, 'roles', key).set('label', label))
}

/** Removes the role column with its assignments. People keep their role key (reported as unknown). */
export function removeRole(doc: Y.Doc, key: string): void {
  doc.transact(() => {
    doc.getMap<unknown>('roles').delete(key)
    const suffix = '/' + roleAssignee(key)
    deleteWhere(doc.getMap<unknown>('assignments'), (cell) => cell.endsWith(suffix))
  })
}

export interface NewPerson {
  id?: string
  name: string
  role: string
  team?: string
  active?: boolean
}

export function addPerson(doc: Y.Doc, person: NewPerson): string {
  requireId(person.role, 'role')
  let id = ''
  doc.transact(() => {
    id = freshId(doc, 'people', person.name, person.id)
    const fields: Array<[string, unknown]> = [
      ['name', person.name],
      ['role', person.role],
      ['active', person.active ?? true],
    ]
    if (person.team !== undefined) fields.push(['team', person.team])
    doc.getMap<unknown>('people').set(id, new Y.Map<unknown>(fields))
  })
  return id
}

/** `team: null` removes the team. */
export function updatePerson(
  doc: Y.Doc,
  id: string,
  changes: { name?: string; role?: string; team?: string | null; active?: boolean },
): void {
  if (changes.role !== undefined) requireId(changes.role, 'role')
  doc.transact(() => patch(requireEntry(doc, 'people', id), changes))
}

export function renamePerson(doc: Y.Doc, id: string, name: string): void {
  updatePerson(doc, id, { name })
}

/** Inactive people stay on the map (history) but count for nothing in the analytics. */
export function setPersonActive(doc: Y.Doc, id: string, active: boolean): void {
  updatePerson(doc, id, { active })
}

/** Removes a person with every cell that names them. Prefer setPersonActive(false) for leavers. */
export function removePerson(doc: Y.Doc, id: string): void {
  doc.transact(() => {
    doc.getMap<unknown>('people').delete(id)
    deleteWhere(doc.getMap<unknown>('assignments'), (key) => parseAssignmentKey(key)?.assignee === id)
    deleteWhere(doc.getMap<unknown>('ratings'), (key) => parseRatingKey(key)?.person === id)
  })
}

export interface NewSkill {
  id?: string
  name: string
  category: string
}

export function addSkill(doc: Y.Doc, skill: NewSkill): string {
  let id = ''
  doc.transact(() => {
    id = freshId(doc, 'skills', skill.name, skill.id)
    doc.getMap<unknown>('skills').set(
      id,
      new Y.Map<unknown>([
        ['name', skill.name],
        ['category', skill.category],
      ]),
    )
  })
  return id
}

export function updateSkill(doc: Y.Doc, id: string, changes: { name?: string; category?: string }): void {
  doc.transact(() => patch(requireEntry(doc, 'skills', id), changes))
}

/** Removes a skill, its ratings, and its id from every responsibility that lists it. */
export function removeSkill(doc: Y.Doc, id: string): void {
  doc.transact(() => {
    doc.getMap<unknown>('skills').delete(id)
    deleteWhere(doc.getMap<unknown>('ratings'), (key) => parseRatingKey(key)?.skill === id)
    doc.getMap<unknown>('responsibilities').forEach((entry) => {
      if (!(entry instanceof Y.Map)) return
      const skills: unknown = entry.get('skills')
      if (Array.isArray(skills) && skills.includes(id)) entry.set('skills', skills.filter((skill) => skill !== id))
    })
  })
}

export interface NewResponsibility {
  id?: string
  title: string
  description?: string
  area: string
  criticality?: Criticality
  skills?: readonly string[]
  /** default: after the last one */
  order?: number
}

export function addResponsibility(doc: Y.Doc, responsibility: NewResponsibility): string {
  requireCriticality(responsibility.criticality)
  requireSkillIds(responsibility.skills)
  let id = ''
  doc.transact(() => {
    id = freshId(doc, 'responsibilities', responsibility.title, responsibility.id)
    const last = readResponsibilities(doc).at(-1)
    const order = responsibility.order ?? (last ? Math.floor(last.order) + 1 : 1)
    doc.getMap<unknown>('responsibilities').set(
      id,
      new Y.Map<unknown>([
        ['title', responsibility.title],
        ['description', responsibility.description ?? ''],
        ['area', responsibility.area],
        ['criticality', responsibility.criticality ?? 2],
        ['order', order],
        ['skills', [...(responsibility.skills ?? [])]],
      ]),
    )
  })
  return id
}

export function updateResponsibility(
  doc: Y.Doc,
  id: string,
  changes: { title?: string; description?: string; area?: string; criticality?: Criticality; skills?: readonly string[] },
): void {
  requireCriticality(changes.criticality)
  requireSkillIds(changes.skills)
  const { skills, ...fields } = changes
  doc.transact(() => patch(requireEntry(doc, 'responsibilities', id), { ...fields, skills: skills && [...skills] }))
}

/**
 * Moves a responsibility to position `index` of readResponsibilities() by giving it an `order`
 * between its new neighbours, so a move writes one field and concurrent moves of other rows merge.
 * When the neighbours leave no room (equal orders after concurrent moves, or float precision
 * exhausted) every row is renumbered in the same transaction.
 */
export function moveResponsibility(doc: Y.Doc, id: string, index: number): void {
  doc.transact(() => {
    const entry = requireEntry(doc, 'responsibilities', id)
    const others = readResponsibilities(doc).filter((responsibility) => responsibility.id !== id)
    const at = Math.max(0, Math.min(others.length, Math.trunc(index)))
    const before = others[at - 1]
    const after = others[at]
    let order: number
    if (before && after) order = (before.order + after.order) / 2
    else if (before) order = before.order + 1
    else if (after) order = after.order - 1
    else order = 1
    if ((before && order <= before.order) || (after && order >= after.order)) {
      const ids = others.map((responsibility) => responsibility.id)
      ids.splice(at, 0, id)
      ids.forEach((rowId, position) => requireEntry(doc, 'responsibilities', rowId).set('order', position + 1))
      return
    }
    entry.set('order', order)
  })
}

/** Removes a responsibility and every assignment on it. */
export function removeResponsibility(doc: Y.Doc, id: string): void {
  doc.transact(() => {
    doc.getMap<unknown>('responsibilities').delete(id)
    deleteWhere(doc.getMap<unknown>('assignments'), (key) => key.startsWith(id + '/'))
  })
}

/**
 * Sets (or, with `letter` null, clears) one RACI cell. `assignee` is a person id or `@roleKey`.
 * An `A` on a role column is refused: accountability belongs to one named person.
 */
export function setAssignment(
  doc: Y.Doc,
  responsibility: string,
  assignee: string,
  letter: Letter | null,
  by: string,
  at: number = Date.now(),
): void {
  const key = assignmentKey(responsibility, assignee)
  const parsed = parseAssignmentKey(key)
  if (!parsed) throw new TypeError(`not an assignment cell: ${JSON.stringify(key)}`)
  if (letter !== null && !isLetter(letter)) throw new RangeError(`letter must be one of ${LETTERS.join(', ')}`)
  if (letter === 'A' && parsed.ref.kind === 'role') throw new RangeError('an A belongs to a named person, not a role column')
  doc.transact(() => {
    const assignments = doc.getMap<unknown>('assignments')
    if (letter === null) assignments.delete(key)
    else assignments.set(key, { letter, by, at })
  })
}

/** Sets a rating: 0..4, `null` for not applicable, `undefined` to clear the cell. */
export function setRating(
  doc: Y.Doc,
  person: string,
  skill: string,
  level: Level | null | undefined,
  by: string,
  at: number = Date.now(),
): void {
  requireId(person, 'person')
  requireId(skill, 'skill')
  if (level !== undefined && level !== null && !isLevel(level)) throw new RangeError('level must be 0..4, null or undefined')
  doc.transact(() => {
    const ratings = doc.getMap<unknown>('ratings')
    if (level === undefined) ratings.delete(ratingKey(person, skill))
    else ratings.set(ratingKey(person, skill), { level, by, at })
  })
}

// ---------------------------------------------------------------------------------------------
// Templates. Their content lives in templates.ts.

export const TEMPLATE_NAMES = ['backend', 'empty'] as const
export type TemplateName = (typeof TEMPLATE_NAMES)[number]

export function isTemplateName(value: unknown): value is TemplateName {
  return typeof value === 'string' && (TEMPLATE_NAMES as readonly string[]).includes(value)
}

/**
 * Writes a template into a fresh document, in one transaction. The server calls it once, when a map
 * is created; clients never do, so two clients cannot seed the same map twice.
 */
export function applyTemplate(doc: Y.Doc, template: TemplateName, meta: { title: string }): void {
  if (!isTemplateName(template)) throw new RangeError(`unknown template ${JSON.stringify(template)}`)
  const at = Date.now()
  doc.transact(() => {
    const metaMap = doc.getMap<unknown>('meta')
    metaMap.set('title', meta.title)
    metaMap.set('template', template)
    const roles = doc.getMap<unknown>('roles')
    for (const role of DEFAULT_ROLES) roles.set(role.key, new Y.Map<unknown>([['label', role.label]]))
    if (template === 'empty') return

    const skills = doc.getMap<unknown>('skills')
    for (const skill of BACKEND_SKILLS) {
      skills.set(
        skill.id,
        new Y.Map<unknown>([
          ['name', skill.name],
          ['category', skill.category],
        ]),
      )
    }
    const responsibilities = doc.getMap<unknown>('responsibilities')
    const assignments = doc.getMap<unknown>('assignments')
    BACKEND_RESPONSIBILITIES.forEach((row, index) => {
      responsibilities.set(
        row.id,
        new Y.Map<unknown>([
          ['title', row.title],
          ['description', row.description],
          ['area', row.area],
          ['criticality', row.criticality],
          ['order', index + 1],
          ['skills', [...row.skills]],
        ]),
      )
      for (const letter of ['R', 'C', 'I'] as const) {
        for (const role of row[letter]) {
          assignments.set(assignmentKey(row.id, roleAssignee(role)), { letter, by: 'template', at })
        }
      }
    })
  })
}
