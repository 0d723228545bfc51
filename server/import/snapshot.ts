// The snapshot JSON of CONTRACT §6 read back: every list that is present is taken whole (so
// `replace` makes that part of the map equal to it); `version`, `analytics` and `problems` are
// what the exporter computed and are ignored. Items that cannot be read are listed, never guessed.
import { isCriticality, isId, isLevel, isLetter, ROLE_PREFIX } from '../../shared/schema.js'
import { emptyImport, UnreadableFile, type ImportData, type Problem, type Ref } from './model.js'

type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined)

const LETTER_LISTS = [
  ['accountable', 'A'],
  ['responsible', 'R'],
  ['consulted', 'C'],
  ['informed', 'I'],
] as const

export function readSnapshotJson(bytes: Buffer): ImportData {
  let body: unknown
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch (err) {
    throw new UnreadableFile(`the JSON cannot be read: ${(err as Error).message}`)
  }
  const lists = ['roles', 'people', 'skills', 'responsibilities', 'ratings'] as const
  if (!isObject(body) || !lists.some((name) => Array.isArray(body[name]))) {
    throw new UnreadableFile('not a skillmap snapshot: expected an object with people, skills, responsibilities or ratings lists')
  }
  for (const name of lists) {
    if (body[name] !== undefined && !Array.isArray(body[name])) throw new UnreadableFile(`${name} must be a list`)
  }
  const has = (name: (typeof lists)[number]) => Array.isArray(body[name])
  const data = emptyImport('json', {
    title: typeof body.title === 'string',
    roles: has('roles'),
    people: has('people'),
    skills: has('skills'),
    responsibilities: has('responsibilities'),
    // the letters live in the responsibilities list
    assignments: has('responsibilities'),
    ratings: has('ratings'),
  })
  if (typeof body.title === 'string') data.title = body.title
  const items = (name: (typeof lists)[number]) => ((body[name] as unknown[] | undefined) ?? []).map((item, i) => ({ item, row: i + 1 }))
  const problem = (list: string, row: number, field: string | null, message: string): void => {
    data.problems.push({ row, column: field === null ? list : `${list}.${field}`, message } satisfies Problem)
  }
  /** An entity's ref from its `id` and name field; undefined (and a problem) when it has neither. */
  const refOf = (list: string, row: number, item: Json, nameField: string): Ref | undefined => {
    const id = item.id
    const name = str(item[nameField])
    if (id !== undefined && !isId(id)) return void problem(list, row, 'id', `not an id: ${JSON.stringify(id)}; skipped`)
    if (id === undefined && name === undefined) return void problem(list, row, null, `needs an id or a ${nameField}; skipped`)
    return { ...(id !== undefined ? { id: id as string } : {}), ...(name !== undefined ? { name } : {}) }
  }

  for (const { item, row } of items('roles')) {
    if (!isObject(item) || !isId(item.key)) {
      problem('roles', row, 'key', 'a role needs a key of letters, digits, _ or -; skipped')
      continue
    }
    data.roles.push({ key: item.key, label: str(item.label) ?? item.key })
  }
  for (const { item, row } of items('people')) {
    if (!isObject(item)) {
      problem('people', row, null, 'not an object; skipped')
      continue
    }
    const ref = refOf('people', row, item, 'name')
    if (ref === undefined) continue
    const fields: ImportData['people'][number]['fields'] = {}
    if (typeof item.name === 'string') fields.name = item.name
    if (typeof item.role === 'string') fields.role = item.role
    if (typeof item.team === 'string' || item.team === null) fields.team = item.team === '' ? null : item.team
    if (typeof item.active === 'boolean') fields.active = item.active
    else if (item.active !== undefined) problem('people', row, 'active', 'active must be true or false; left as it is')
    data.people.push({ row, column: 'people', ref, fields })
  }
  for (const { item, row } of items('skills')) {
    if (!isObject(item)) {
      problem('skills', row, null, 'not an object; skipped')
      continue
    }
    const ref = refOf('skills', row, item, 'name')
    if (ref === undefined) continue
    const fields: ImportData['skills'][number]['fields'] = {}
    if (typeof item.name === 'string') fields.name = item.name
    if (typeof item.category === 'string') fields.category = item.category
    data.skills.push({ row, column: 'skills', ref, fields })
  }
  for (const { item, row } of items('responsibilities')) {
    if (!isObject(item)) {
      problem('responsibilities', row, null, 'not an object; skipped')
      continue
    }
    const ref = refOf('responsibilities', row, item, 'title')
    if (ref === undefined) continue
    const fields: ImportData['responsibilities'][number]['fields'] = {}
    if (typeof item.title === 'string') fields.title = item.title
    if (typeof item.description === 'string') fields.description = item.description
    if (typeof item.area === 'string') fields.area = item.area
    if (isCriticality(item.criticality)) fields.criticality = item.criticality
    else if (item.criticality !== undefined) problem('responsibilities', row, 'criticality', 'criticality must be 1, 2 or 3; left as it is')
    if (typeof item.order === 'number' && Number.isFinite(item.order)) fields.order = item.order
    if (Array.isArray(item.skills)) {
      fields.skills = item.skills.filter((skill): skill is string => isId(skill)).map((id) => ({ id }))
      if (fields.skills.length !== item.skills.length) problem('responsibilities', row, 'skills', 'skills must be skill ids; the others are skipped')
    }
    data.responsibilities.push({ row, column: 'responsibilities', ref, fields })
    for (const [list, letter] of LETTER_LISTS) {
      const assignees = item[list]
      if (assignees === undefined) continue
      if (!Array.isArray(assignees)) {
        problem('responsibilities', row, list, `${list} must be a list of person ids and @role keys; skipped`)
        continue
      }
      for (const assignee of assignees) {
        const isRole = typeof assignee === 'string' && assignee.startsWith(ROLE_PREFIX)
        const key = isRole ? assignee.slice(1) : assignee
        if (!isId(key) || !isLetter(letter)) {
          problem('responsibilities', row, list, `not a person id or @role key: ${JSON.stringify(assignee)}; skipped`)
          continue
        }
        data.assignments.push({ row, column: `responsibilities.${list}`, responsibility: ref, assignee: isRole ? { role: key } : { person: { id: key } }, letter })
      }
    }
  }
  for (const { item, row } of items('ratings')) {
    if (!isObject(item) || !isId(item.person) || !isId(item.skill)) {
      problem('ratings', row, null, 'a rating needs person and skill ids; skipped')
      continue
    }
    const level = item.level
    if (level !== null && !isLevel(level)) {
      problem('ratings', row, 'level', `level must be 0–4 or null, got ${JSON.stringify(level)}; skipped`)
      continue
    }
    data.ratings.push({ row, column: 'ratings.level', person: { id: item.person }, skill: { id: item.skill }, level })
  }
  return data
}
