// Writing a skill-map document (CONTRACT §4): the mutators the browser app and the server edit
// with, and applyTemplate. Every mutator is one transaction, so remote peers see an edit whole or
// not at all. Invalid arguments throw: they are programming errors of the caller, never document content.
import * as Y from 'yjs'
import { assignmentKey, parseAssignmentKey, parseRatingKey, ratingKey, roleAssignee } from './keys.js'
import { readResponsibilities } from './read.js'
import { BACKEND_RESPONSIBILITIES, BACKEND_SKILLS, DEFAULT_ROLES } from './templates.js'
import {
  ID_PATTERN,
  isCriticality,
  isId,
  isLetter,
  isLevel,
  isTemplateName,
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
