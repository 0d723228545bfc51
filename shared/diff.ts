// What changed between two reads of a map (CONTRACT §6a): cell- and field-level changes over the
// plain data of readMap, never over Yjs structures, so history, blame and webhooks describe the
// map the way the product reads it (fallbacks included) and any two reads can be compared.
// Imports nothing from Node or the DOM: browser and server share it.
import { assignmentKey, ratingKey } from './keys.js'
import type { Assignment, MapData, Rating } from './read.js'
import { compareStrings, ROOT_NAMES, type RootName } from './vocabulary.js'

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/**
 * One changed cell or field. `path` is `<root map>/<key>` for cells (`assignments/api-rest/ana`,
 * `ratings/ana/go`) and `<root map>/<key>/<field>` for fields (`people/ana/active`, `meta/title`).
 * A created path has no `from`, a deleted one no `to`: a person added is one `set` per field, a
 * person removed one `delete` per field, so blame finds every current field in the changes.
 */
export interface Change {
  path: string
  kind: 'set' | 'delete'
  from?: Json
  to?: Json
}

/**
 * The fields each entity root diffs, in the order a change list shows them. Optional fields
 * (`team`, `hidden`) exist only while set, as in the document: showing a column deletes `hidden`.
 */
export const DIFF_FIELDS = {
  meta: ['title', 'template'],
  roles: ['label', 'hidden'],
  people: ['name', 'role', 'team', 'active'],
  skills: ['name', 'category', 'hidden'],
  responsibilities: ['title', 'description', 'area', 'criticality', 'order', 'skills'],
} as const satisfies Partial<Record<RootName, readonly string[]>>

/** The changes from `before` to `after`, in root order, then key, then field; only the roots given are compared. */
export function diffMaps(before: MapData, after: MapData, roots: Iterable<RootName> = ROOT_NAMES): Change[] {
  const wanted = new Set(roots)
  return ROOT_NAMES.filter((root) => wanted.has(root)).flatMap((root) => diffFlat(flattenRoot(before, root), flattenRoot(after, root)))
}

/** One path of a root with its value, and where it sorts: by key, then by the field's rank. */
export interface Flat {
  key: string
  rank: number
  value: Json
}

/** A root of a map as its paths. */
export type FlatRoot = Map<string, Flat>

export function flattenRoot(data: MapData, root: RootName): FlatRoot {
  const flat: FlatRoot = new Map()
  const fields = (key: string, prefix: string, names: readonly string[], entry: Record<string, unknown>): void => {
    names.forEach((field, rank) => {
      const value = entry[field] as Json | undefined
      if (value !== undefined) flat.set(`${prefix}/${field}`, { key, rank, value })
    })
  }
  switch (root) {
    case 'meta':
      fields('', 'meta', DIFF_FIELDS.meta, { ...data.meta })
      break
    case 'roles':
      for (const role of data.roles) fields(role.key, `roles/${role.key}`, DIFF_FIELDS.roles, { ...role })
      break
    case 'people':
      for (const person of data.people) fields(person.id, `people/${person.id}`, DIFF_FIELDS.people, { ...person })
      break
    case 'skills':
      for (const skill of data.skills) fields(skill.id, `skills/${skill.id}`, DIFF_FIELDS.skills, { ...skill })
      break
    case 'responsibilities':
      for (const row of data.responsibilities) fields(row.id, `responsibilities/${row.id}`, DIFF_FIELDS.responsibilities, { ...row })
      break
    case 'assignments':
      for (const cell of data.assignments) flat.set(...assignmentPath(cell))
      break
    case 'ratings':
      for (const cell of data.ratings) flat.set(...ratingPath(cell))
      break
  }
  return flat
}

// A cell is one whole value (CONTRACT §4): rewriting the same letter is still a write (a new `by`
// and `at`), which blame must see.

export function assignmentPath({ responsibility, assignee, letter, by, at }: Assignment): [string, Flat] {
  const key = assignmentKey(responsibility, assignee)
  return [`assignments/${key}`, { key, rank: 0, value: { letter, by, at } }]
}

export function ratingPath({ person, skill, level, by, at }: Rating): [string, Flat] {
  const key = ratingKey(person, skill)
  return [`ratings/${key}`, { key, rank: 0, value: { level, by, at } }]
}

/** The changes between two flat roots; with `paths`, only at those paths. */
export function diffFlat(before: FlatRoot, after: FlatRoot, paths: Iterable<string> = new Set([...before.keys(), ...after.keys()])): Change[] {
  const place = (path: string): Flat | undefined => after.get(path) ?? before.get(path)
  const ordered = [...paths]
    .filter((path) => place(path) !== undefined)
    .sort((a, b) => {
      const x = place(a)!
      const y = place(b)!
      return compareStrings(x.key, y.key) || x.rank - y.rank
    })
  const changes: Change[] = []
  for (const path of ordered) {
    const from = before.get(path)?.value
    const to = after.get(path)?.value
    if (to === undefined) changes.push({ path, kind: 'delete', from: from! })
    else if (from === undefined) changes.push({ path, kind: 'set', to })
    else if (!sameJson(from, to)) changes.push({ path, kind: 'set', from, to })
  }
  return changes
}

/**
 * Both values are built above with their keys in one fixed order and hold only finite numbers,
 * strings, booleans, null and arrays, so equal values serialise to equal strings.
 */
function sameJson(a: Json, b: Json): boolean {
  return a === b || (typeof a === 'object' && typeof b === 'object' && JSON.stringify(a) === JSON.stringify(b))
}
