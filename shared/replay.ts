// The changes each update of a log made (CONTRACT §6a history and blame, §6c webhooks): replay the
// updates one by one on a copy of the state before them and diff the reads between steps. Imports
// nothing from Node or the DOM, so the server (and a test, or a tool) can run it anywhere.
import * as Y from 'yjs'
import { assignmentPath, diffFlat, flattenRoot, ratingPath, type Change, type Flat, type FlatRoot } from './diff.js'
import {
  readAssignmentCell,
  readMap,
  readMeta,
  readPeople,
  readRatingCell,
  readResponsibilities,
  readRoles,
  readSkills,
  type MapData,
} from './read.js'
import { ROOT_NAMES, type RootName } from './vocabulary.js'

type CellRoot = 'assignments' | 'ratings'
type EntityRoot = Exclude<RootName, CellRoot>

/** Entity roots read whole: small, rarely edited, and responsibilities sort (and number) against each other. */
const READ_ROOT: Record<EntityRoot, (doc: Y.Doc) => Partial<MapData>> = {
  meta: (doc) => ({ meta: readMeta(doc) }),
  roles: (doc) => ({ roles: readRoles(doc) }),
  people: (doc) => ({ people: readPeople(doc) }),
  skills: (doc) => ({ skills: readSkills(doc) }),
  responsibilities: (doc) => ({ responsibilities: readResponsibilities(doc) }),
}

/** Cells are read one at a time (a map has thousands, an update touches a few), exactly as readMap reads them. */
const READ_CELL: Record<CellRoot, (key: string, value: unknown) => [string, Flat] | null> = {
  assignments: (key, value) => {
    const cell = readAssignmentCell(key, value)
    return cell && assignmentPath(cell)
  },
  ratings: (key, value) => {
    const cell = readRatingCell(key, value)
    return cell && ratingPath(cell)
  },
}

const isCellRoot = (root: RootName): root is CellRoot => root === 'assignments' || root === 'ratings'

/**
 * Yields, for each update in order, the changes it made to the map read from `before` (a state
 * as Y.encodeStateAsUpdate gives it; null for an empty document) plus the updates before it: the
 * same changes as diffMaps between readMap before and after that update. `before` may also be a
 * Y.Doc, which the updates are then applied to (it stays the caller's: a long replay in batches goes
 * on with the same document instead of decoding its state again).
 *
 * A step costs what the update touched: the cells it wrote, or the entity roots it wrote (read
 * whole). An update that cannot be applied yet (it depends on one not given) makes no change; its
 * changes come with the update that completes it, as they did in the document. Lazy: a consumer
 * that stops early (a page of history) replays no further.
 */
export function* replayChanges(before: Uint8Array | Y.Doc | null, updates: Iterable<Uint8Array>): Generator<Change[], void, undefined> {
  const owned = !(before instanceof Y.Doc)
  const doc = before instanceof Y.Doc ? before : new Y.Doc()
  let listener: ((tr: Y.Transaction) => void) | undefined
  try {
    if (before instanceof Uint8Array) Y.applyUpdate(doc, before)
    const data = readMap(doc)
    const flat = new Map<RootName, FlatRoot>(ROOT_NAMES.map((root) => [root, flattenRoot(data, root)]))
    const roots = rootTypes(doc)
    // Entity roots touched, and the keys of cells touched, by the update being applied.
    const touched = new Map<RootName, Set<string>>()
    listener = (tr: Y.Transaction) => {
      tr.changed.forEach((keys, type) => {
        const [top, key] = topOf(type)
        const root = roots.get(top)
        if (!root) return
        const cells = touched.get(root) ?? new Set<string>()
        touched.set(root, cells)
        if (key === null) keys.forEach((k) => k !== null && cells.add(k))
        else cells.add(key)
      })
    }
    doc.on('afterTransaction', listener)
    for (const update of updates) {
      touched.clear()
      Y.applyUpdate(doc, update)
      const changes: Change[] = []
      for (const root of ROOT_NAMES) {
        const keys = touched.get(root)
        if (!keys) continue
        const state = flat.get(root)!
        if (isCellRoot(root)) {
          // Only the touched paths are compared and replaced: no copy of thousands of cells per step.
          const was: FlatRoot = new Map()
          const now: FlatRoot = new Map()
          for (const key of keys) {
            const path = `${root}/${key}`
            const previous = state.get(path)
            if (previous) was.set(path, previous)
            const read = READ_CELL[root](key, rootMap(doc, root)?.get(key))
            if (read) now.set(...read)
            else state.delete(path)
          }
          changes.push(...diffFlat(was, now))
          now.forEach((entry, path) => state.set(path, entry))
        } else {
          // flattenRoot looks only at this root's list: the others may be as old as the start.
          const next = flattenRoot({ ...data, ...READ_ROOT[root](doc) }, root)
          changes.push(...diffFlat(state, next))
          flat.set(root, next)
        }
      }
      yield changes
    }
  } finally {
    if (listener) doc.off('afterTransaction', listener)
    if (owned) doc.destroy()
  }
}

/** The root maps of the copy by identity. readMap has made every root a Y.Map (or found it held by another type). */
function rootTypes(doc: Y.Doc): Map<Y.AbstractType<any>, RootName> {
  const roots = new Map<Y.AbstractType<any>, RootName>()
  for (const name of ROOT_NAMES) {
    const map = rootMap(doc, name)
    if (map) roots.set(map, name)
  }
  return roots
}

/** Held by another type (any client may write anything): readMap reads it as empty whatever happens to it. */
function rootMap(doc: Y.Doc, name: RootName): Y.Map<unknown> | null {
  try {
    return doc.getMap<unknown>(name)
  } catch {
    return null
  }
}

/** The root a changed type belongs to, with the root's key it sits under (null for the root itself). */
function topOf(type: Y.AbstractType<any>): [Y.AbstractType<any>, string | null] {
  let top = type
  let key: string | null = null
  while (top._item) {
    key = top._item.parentSub
    top = top._item.parent as Y.AbstractType<any>
  }
  return [top, key]
}
