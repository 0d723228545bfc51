// Writing a skill-map document (CONTRACT §4): the mutators the browser app and the server edit
// with, and applyTemplate. Every mutator is one transaction, so remote peers see an edit whole or
// not at all. Invalid arguments throw: they are programming errors of the caller, never document content.
import * as Y from 'yjs'
import { assignmentKey, parseAssignmentKey, parseRatingKey, ratingKey, roleAssignee } from './keys.js'
import { readMap, readPeople, readResponsibilities } from './read.js'
import { BACKEND_RESPONSIBILITIES, BACKEND_SKILLS, DEFAULT_ROLES } from './templates.js'
import {
  ID_PATTERN,
  isCriticality,
  isId,
  isLetter,
  isLevel,
  isName,
  isTemplateName,
  NAME_MAX,
  LETTERS,
  makeId,
  type Criticality,
  type Letter,
  type Level,
  type RootName,
  type TemplateName,
} from './vocabulary.js'

function requireId(id: string, what: string): void {
  if (!isId(id)) throw new TypeError(`${what} id must match ${ID_PATTERN} (got ${JSON.stringify(id)})`)
}

function requireName(name: unknown, what: string): void {
  if (!isName(name)) throw new TypeError(`${what} must be 1 to ${NAME_MAX} characters, not only spaces (got ${JSON.stringify(name)})`)
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

/** Adds a role column; without a key, one is made from the label. Returns the key. */
export function addRole(doc: Y.Doc, key: string | undefined, label: string): string {
  requireName(label, 'role label')
  let added = ''
  doc.transact(() => {
    added = freshId(doc, 'roles', label, key)
    doc.getMap<unknown>('roles').set(added, new Y.Map<unknown>([['label', label]]))
  })
  return added
}

export function renameRole(doc: Y.Doc, key: string, label: string): void {
  requireName(label, 'role label')
  doc.transact(() => requireEntry(doc, 'roles', key).set('label', label))
}

/**
 * Removes the role column with its assignments. People who hold the role move to `reassignTo`;
 * without it, removing a role someone holds is refused (a RangeError naming them), so nobody is
 * left with a role that no longer exists.
 */
export function removeRole(doc: Y.Doc, key: string, reassignTo?: string): void {
  doc.transact(() => {
    requireEntry(doc, 'roles', key)
    if (reassignTo !== undefined) {
      if (reassignTo === key) throw new RangeError(`cannot reassign roles/${key} to itself`)
      requireEntry(doc, 'roles', reassignTo)
    }
    const holders = readPeople(doc).filter((person) => person.role === key)
    if (holders.length > 0 && reassignTo === undefined) {
      const names = holders.map((person) => `${person.name} (${person.id})`).join(', ')
      throw new RangeError(`roles/${key} is held by ${names}: give a role to reassign them to`)
    }
    // Checks first, writes after: a throw inside transact would commit what was already written.
    const people = doc.getMap<unknown>('people')
    for (const person of holders) (people.get(person.id) as Y.Map<unknown>).set('role', reassignTo)
    doc.getMap<unknown>('roles').delete(key)
    const suffix = '/' + roleAssignee(key)
    deleteWhere(doc.getMap<unknown>('assignments'), (cell) => cell.endsWith(suffix))
  })
}

/**
 * Hides (or shows again) a role column or a skill: an app-only flag, the data stays. Hidden skills
 * leave the summary's gap and risk counts. Showing deletes the field, so absent means shown.
 */
export function setHidden(doc: Y.Doc, root: 'roles' | 'skills', key: string, hidden: boolean): void {
  if (root !== 'roles' && root !== 'skills') throw new RangeError('only roles and skills can be hidden')
  if (typeof hidden !== 'boolean') throw new TypeError('hidden must be true or false')
  doc.transact(() => {
    const entry = requireEntry(doc, root, key)
    if (hidden) entry.set('hidden', true)
    else if (entry.has('hidden')) entry.delete('hidden')
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
  requireName(skill.name, 'skill name')
  requireName(skill.category, 'skill category')
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
  if (changes.name !== undefined) requireName(changes.name, 'skill name')
  if (changes.category !== undefined) requireName(changes.category, 'skill category')
  doc.transact(() => patch(requireEntry(doc, 'skills', id), changes))
}

export function renameSkill(doc: Y.Doc, id: string, name: string): void {
  updateSkill(doc, id, { name })
}

/** Any category is allowed; the SKILL_CATEGORIES sort first, others after them by name. */
export function recategoriseSkill(doc: Y.Doc, id: string, category: string): void {
  updateSkill(doc, id, { category })
}

/**
 * Hides the template's skills that nobody rates above 0 and no responsibility needs, so a team that
 * does not use PHP is not told every day that PHP is a gap. Skills the team added are left alone:
 * they were added on purpose. Returns the ids it hid.
 */
export function hideUnusedSkills(doc: Y.Doc): string[] {
  const hidden: string[] = []
  doc.transact(() => {
    const data = readMap(doc)
    const used = new Set<string>()
    for (const rating of data.ratings) if (rating.level !== null && rating.level > 0) used.add(rating.skill)
    for (const row of data.responsibilities) for (const skill of row.skills) used.add(skill)
    const skills = doc.getMap<unknown>('skills')
    for (const skill of data.skills) {
      if (skill.hidden || used.has(skill.id) || !TEMPLATE_SKILL_IDS.has(skill.id)) continue
      ;(skills.get(skill.id) as Y.Map<unknown>).set('hidden', true)
      hidden.push(skill.id)
    }
  })
  return hidden
}

const TEMPLATE_SKILL_IDS: ReadonlySet<string> = new Set(BACKEND_SKILLS.map((skill) => skill.id))

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
