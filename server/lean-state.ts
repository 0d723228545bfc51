// Lean states: a checkpoint without the values its maps replaced, for reading versions fast.
//
// A map cell set 100 000 times keeps 100 000 items in the document (99 999 of them deleted), and
// decoding a state integrates every one: on a long-lived map that is most of the cost of reading an
// old version. A value a later one replaced is never read again, and the updates that follow refer
// to it only when they were made concurrently with the value that replaced it. The lean state is the
// checkpoint with those replaced values turned into garbage-collected ranges (Yjs's own GC structs,
// merged), so it decodes to the same map at a fraction of the cost.
//
// It is only a read model: the same map, not the same document. Its encoding must never be stored as
// the document or sent to a client (the item ids it lost are what concurrent updates refer to).
// Updates are applied on it only when `appliesExactly` says they give the same result as on the
// real state; otherwise the reader falls back to the real checkpoint.
//
// Relies on Yjs's struct store (doc.store.clients: per client, its structs in clock order) and on
// the encoder reading the structs it is given through `doc.store`; test/lean-state.test.ts checks the
// result against the real state, so an upgrade of Yjs that changes either fails there.
import * as Y from 'yjs'
import { readMap } from '../shared/read.js'
import type { Checkpoint } from './store/types.js'

type Struct = Y.Item | Y.GC | Y.Skip

/**
 * The lean state of `doc` (a document with GC on: its deleted values hold no content any more), or
 * undefined when it has none: lean states do not read right with the Yjs installed (leanStatesWork),
 * or updates wait in it. Reads `doc` without changing it.
 */
export function leanState(doc: Y.Doc): Uint8Array | undefined {
  return leanStatesWork() ? build(doc) : undefined
}

function build(doc: Y.Doc): Uint8Array | undefined {
  // Updates waiting for others belong to the state too, and may refer to anything: no lean state then.
  if (doc.store.pendingStructs !== null || doc.store.pendingDs !== null) return undefined
  // A key's values: a chain of items linked left to right, the last one (no right) the value the
  // map holds. Yjs deletes every other one as it integrates them (a value that lands before
  // another is deleted, one that lands last deletes its left), whatever a client sent. A chain
  // whose last item names a right origin was not made by map sets alone (any client may send any
  // item): it stays whole.
  const whole = new Set<Y.Item>()
  doc.store.clients.forEach((structs: Struct[]) => {
    for (const s of structs) {
      const head = s as Y.Item
      if (head.rightOrigin == null || head.parentSub == null || head.right !== null) continue
      for (let at: Y.Item | null = head; at !== null; at = at.left) whole.add(at)
    }
  })
  const replaced = (item: Y.Item): boolean => item.parentSub !== null && item.right !== null && item.deleted && !whole.has(item)
  /** the value a key holds, with values before it that go: written without an origin */
  const headOfLeaned = (item: Y.Item): boolean => item.parentSub !== null && item.right === null && item.left !== null && !whole.has(item)

  // The structs as the lean state has them: replaced values and the ranges already collected next to
  // them become one GC range; a head is a copy that names no origin (its predecessors are gone, and
  // it goes first among its key's values).
  const clients = new Map<number, Struct[]>()
  doc.store.clients.forEach((structs: Struct[], client: number) => {
    const lean: Struct[] = []
    let run: Y.GC | undefined
    for (const struct of structs) {
      const item = struct.constructor === Y.Item ? (struct as Y.Item) : undefined
      if (item === undefined || replaced(item)) {
        // a fresh GC for each run (never one of the document's own, which stay as they are)
        if (run === undefined) lean.push((run = new Y.GC(struct.id, struct.length)))
        else run.length += struct.length
        continue
      }
      run = undefined
      lean.push(headOfLeaned(item) ? withoutOrigin(item) : item)
    }
    clients.set(client, lean)
  })
  const view = { store: { clients, pendingStructs: null, pendingDs: null } }
  return Y.encodeStateAsUpdate(view as unknown as Y.Doc)
}

/**
 * A new item with the same id, place and content but no origin, for the encoder; the document's own
 * item is not changed. (Not Object.create(item): an object V8 sees used as a prototype changes
 * shape, and every later access to it in Yjs's hot paths gets slower: the server's whole write
 * rate fell threefold.)
 */
function withoutOrigin(item: Y.Item): Y.Item {
  const copy = new Y.Item(item.id, null, null, null, null, item.parent, item.parentSub, item.content)
  if (item.deleted) copy.markDeleted()
  return copy
}

/**
 * The checkpoint with its lean state, when that saves at least a quarter of its size (with less,
 * reading the state is about as fast). `doc` is the document `checkpoint.state` was encoded from, if at hand;
 * otherwise the state is decoded.
 */
export function withLean(checkpoint: Checkpoint, doc?: Y.Doc): Checkpoint {
  if (!leanStatesWork()) return checkpoint // and no state decoded for nothing
  const decoded = doc ?? new Y.Doc()
  try {
    if (doc === undefined) Y.applyUpdate(decoded, checkpoint.state)
    const lean = leanState(decoded)
    return lean !== undefined && lean.byteLength * 4 <= checkpoint.state.byteLength * 3 ? { ...checkpoint, lean } : checkpoint
  } finally {
    if (doc === undefined) decoded.destroy()
  }
}

/**
 * True when applying `update` on `lean` (a document decoded from a lean state, and the updates
 * applied on it so far) gives the same map as applying it on the real document: every item of the
 * update that refers to another item refers to one still there, and every new map value goes after
 * its key's current value (an ordinary edit, made by someone who had seen that value). A concurrent
 * edit, or one whose predecessor is missing, answers false.
 */
export function appliesExactly(lean: Y.Doc, update: Uint8Array): boolean {
  let structs: Struct[]
  try {
    structs = Y.decodeUpdate(update).structs as Struct[]
  } catch {
    // Not an update Yjs can read: let the real document be the one that refuses it.
    return false
  }
  /** the clocks this update brings, per client: references inside it resolve within it */
  const own = new Map<number, Array<[number, number]>>()
  for (const s of structs) {
    const ranges = own.get(s.id.client) ?? []
    ranges.push([s.id.clock, s.id.clock + s.length])
    own.set(s.id.client, ranges)
  }
  const inUpdate = (id: Y.ID): boolean => own.get(id.client)?.some(([from, to]) => id.clock >= from && id.clock < to) ?? false
  /** the struct of the lean document at `id`, or undefined when it has none */
  const find = (id: Y.ID): Struct | undefined => {
    const structsOf = lean.store.clients.get(id.client) as Struct[] | undefined
    if (structsOf === undefined || Y.getState(lean.store, id.client) <= id.clock) return undefined
    return structsOf[Y.findIndexSS(structsOf, id.clock)]
  }
  for (const s of structs) {
    if (!(s instanceof Y.Item)) continue
    // Whatever it refers to must be there: a missing one may be a replaced value the real document has.
    for (const ref of [s.origin, s.rightOrigin, s.parent instanceof Y.ID ? s.parent : null]) {
      if (ref !== null && !inUpdate(ref) && !(find(ref) instanceof Y.Item)) return false
    }
    // A map value with no origin goes before its key's first value, which the lean document may lack:
    // only exact when the key has no value yet. (With an origin that is there, the values after the
    // origin are the same in both documents, and Yjs places it among those only.)
    if (s.origin !== null) continue
    if (s.rightOrigin !== null) {
      // Its key (if any) is its right neighbour's, read when it is integrated.
      if (inUpdate(s.rightOrigin) || (find(s.rightOrigin) as Y.Item).parentSub !== null) return false
      continue
    }
    if (s.parentSub === null) continue
    let parent: Y.AbstractType<any> | undefined
    if (typeof s.parent === 'string') parent = lean.share.get(s.parent)
    else if (s.parent instanceof Y.ID && !inUpdate(s.parent)) {
      const item = find(s.parent) as Y.Item
      parent = item.content instanceof Y.ContentType ? item.content.type : undefined
      if (parent === undefined) return false
    }
    if (parent?._map.has(s.parentSub)) return false
  }
  return true
}

let works: boolean | undefined

/**
 * Whether lean states read right with the Yjs installed, checked once per process: a small map
 * edited ninety times, read from a lean checkpoint with the edits after it, must be the map
 * of the real document, and an edit made offline must be refused. Lean states rely on Yjs's struct
 * store; if an upgrade changed it, versions are read from the real states (slower, still right).
 * The server runs it at start, which also runs the lean code paths once before the first request.
 */
export function leanStatesWork(): boolean {
  works ??= selfCheck()
  return works
}

function selfCheck(): boolean {
  const docs: Y.Doc[] = []
  const make = (clientID: number): Y.Doc => {
    const doc = new Y.Doc()
    doc.clientID = clientID
    docs.push(doc)
    return doc
  }
  try {
    const [a, offline, real] = [make(1), make(2), make(3)]
    const rows: Uint8Array[] = []
    a.on('update', (u: Uint8Array) => rows.push(u))
    const people = a.getMap<Y.Map<unknown>>('people')
    a.transact(() => ['ana', 'ben'].forEach((id) => people.set(id, new Y.Map<unknown>([['name', id]]))))
    Y.applyUpdate(offline, Y.encodeStateAsUpdate(a))
    for (let i = 0; i < 90; i++) {
      if (i % 3 === 0) people.get(i % 2 ? 'ana' : 'ben')!.set('name', `name ${i}`)
      else a.getMap('ratings').set(`ana/s${i % 7}`, { level: i % 5 })
    }
    offline.getMap('ratings').set('ana/s1', { level: 9 })
    const late = Y.encodeStateAsUpdate(offline, Y.encodeStateVector(a))
    rows.slice(0, 60).forEach((u) => Y.applyUpdate(real, u))
    const read = new Y.Doc()
    docs.push(read)
    Y.applyUpdate(read, build(real)!)
    for (const u of rows.slice(60)) {
      if (!appliesExactly(read, u)) return false
      Y.applyUpdate(read, u)
      Y.applyUpdate(real, u)
    }
    // as the exports read it (a Y.Map's own order is the order its keys arrived in)
    const json = (d: Y.Doc) => JSON.stringify(readMap(d))
    const same = (x: Y.Doc, y: Y.Doc) => json(x) === json(y)
    return same(read, real) && same(real, a) && !appliesExactly(read, late)
  } catch {
    return false
  } finally {
    docs.forEach((d) => d.destroy())
  }
}
