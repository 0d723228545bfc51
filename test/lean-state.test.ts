// Lean states (server/lean-state.ts): a checkpoint without the values its maps replaced decodes to
// the same map, and the updates after it either apply on it exactly or are recognised as ones that
// must go on the real document. Real Y.Docs edited through the shared writers, several of them at
// once, so the log holds concurrent edits of the same cells.
import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { appliesExactly, leanState, leanStatesWork, withLean } from '../server/lean-state.js'
import { readMap, setRating, setTitle, updatePerson } from '../shared/schema.js'
import { applyEdit, edit } from './helpers/edits.js'
import { smallMap } from './helpers/model.js'

const decode = (update: Uint8Array): Y.Doc => {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, update)
  return doc
}

test('a long single-editor history: the lean state is a fraction of the state, reads the same map, and every later edit applies on it', () => {
  const doc = smallMap()
  for (let round = 0; round < 200; round++) {
    for (const person of ['ana', 'ben']) for (const skill of ['postgres', 'go']) setRating(doc, person, skill, (round % 5) as 0 | 1 | 2 | 3 | 4, 'u1', round)
    updatePerson(doc, 'ana', { name: `Ana ${round}` })
    setTitle(doc, `Round ${round}`)
  }
  const state = Y.encodeStateAsUpdate(doc)
  const lean = leanState(doc)!
  assert.ok(lean.byteLength * 4 < state.byteLength, `lean ${lean.byteLength} B, state ${state.byteLength} B`)
  // leanState only reads the document
  assert.equal(Y.encodeStateAsUpdate(doc), state)
  const read = decode(lean)
  assert.equal(readMap(read), readMap(doc))

  const later: Uint8Array[] = []
  doc.on('update', (u: Uint8Array) => later.push(u))
  setRating(doc, 'ana', 'go', 1, 'u1', 100)
  updatePerson(doc, 'ben', { name: 'Benjamin', active: false })
  setTitle(doc, 'After')
  for (const u of later) {
    assert.ok(appliesExactly(read, u))
    Y.applyUpdate(read, u)
  }
  assert.equal(readMap(read), readMap(doc))
  assert.ok(leanStatesWork(), 'the self-check passes with the Yjs installed')
  assert.ok(withLean({ seq: 1, state }).lean !== undefined, 'kept: it saves more than a quarter')
  assert.is(withLean({ seq: 1, state: Y.encodeStateAsUpdate(smallMap()) }).lean, undefined, 'not kept for a map with nothing replaced')
})

test('property: from a lean checkpoint anywhere in a log of three concurrent editors, the rows that apply exactly give the real map, and the others are refused', () => {
  const step = fc.oneof(
    { weight: 6, arbitrary: fc.record({ doc: fc.constantFrom(0, 1, 2), e: edit }) },
    { weight: 1, arbitrary: fc.record({ sync: fc.constantFrom(0, 1, 2), with: fc.constantFrom(0, 1, 2) }) },
  )
  let refused = 0
  let applied = 0
  fc.assert(
    fc.property(fc.array(step, { minLength: 2, maxLength: 60 }), fc.nat(), (steps, cutAt) => {
      const base = Y.encodeStateAsUpdate(smallMap())
      const docs = [new Y.Doc(), new Y.Doc(), new Y.Doc()]
      docs.forEach((d) => Y.applyUpdate(d, base, 'sync'))
      // The log in the order the updates were made (as the server commits them).
      const log: Uint8Array[] = [base]
      docs.forEach((d) => d.on('update', (update: Uint8Array, origin: unknown) => origin !== 'sync' && log.push(update)))
      steps.forEach((s, i) => {
        if ('sync' in s) Y.applyUpdate(docs[s.with]!, Y.encodeStateAsUpdate(docs[s.sync]!, Y.encodeStateVector(docs[s.with]!)), 'sync')
        else applyEdit(docs[s.doc]!, s.e, 30_000 + i)
      })
      const cut = 1 + (cutAt % log.length)
      const real = new Y.Doc()
      log.slice(0, cut).forEach((u) => Y.applyUpdate(real, u))
      let lean = decode(leanState(real)!)
      assert.equal(readMap(lean), readMap(real), 'at the checkpoint')
      for (const [i, update] of log.slice(cut).entries()) {
        if (appliesExactly(lean, update)) {
          applied++
          Y.applyUpdate(lean, update)
        } else {
          // what the history does: go on from the real document
          refused++
          lean.destroy()
          lean = decode(Y.encodeStateAsUpdate(real))
          Y.applyUpdate(lean, update)
        }
        Y.applyUpdate(real, update)
        assert.equal(readMap(lean), readMap(real), `row ${cut + i}`)
      }
      ;[...docs, real, lean].forEach((d) => d.destroy())
    }),
    { numRuns: 150 },
  )
  // The property covered both branches: concurrent edits were refused, ordinary ones applied.
  assert.ok(refused > 0 && applied > 0, `refused ${refused}, applied ${applied}`)
})

test('an edit made before the value it competes with was seen is refused; the document is not changed by leanState', () => {
  const a = smallMap()
  const b = new Y.Doc()
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a))
  // b goes offline; a overwrites ana's postgres level twice
  setRating(a, 'ana', 'postgres', 1, 'u1', 1)
  setRating(a, 'ana', 'postgres', 2, 'u1', 2)
  const lean = decode(leanState(a)!)
  let offline: Uint8Array | undefined
  b.on('update', (u: Uint8Array) => (offline = u))
  setRating(b, 'ana', 'postgres', 4, 'u2', 3)
  assert.not.ok(appliesExactly(lean, offline!), 'its origin is a value the lean state dropped')
  // the documents stay usable and converge
  Y.applyUpdate(a, offline!)
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a))
  assert.equal(readMap(a), readMap(b))
})

test("a first value for a key that already has one is refused: Yjs orders it against the key's first value, which the lean state dropped", () => {
  // clients 1 and 3 set the title in turn; client 2 sets it without having seen either
  const [x, y, z] = [1, 3, 2].map((id) => {
    const doc = new Y.Doc()
    doc.clientID = id
    return doc
  }) as [Y.Doc, Y.Doc, Y.Doc]
  setTitle(x, 'by 1')
  Y.applyUpdate(y, Y.encodeStateAsUpdate(x))
  setTitle(y, 'by 3')
  let unseen: Uint8Array | undefined
  z.on('update', (u: Uint8Array) => (unseen = u))
  setTitle(z, 'by 2')
  const lean = decode(leanState(y)!)
  assert.not.ok(appliesExactly(lean, unseen!))
  // what the check prevents: on the lean state the other value would win
  Y.applyUpdate(lean, unseen!)
  Y.applyUpdate(y, unseen!)
  assert.is.not(readMap(lean).meta.title, readMap(y).meta.title)
})

test('bad input: bytes that are no update are refused; a document with updates still waiting has no lean state', () => {
  const doc = smallMap()
  assert.not.ok(appliesExactly(doc, new Uint8Array([255, 255, 255, 1, 2, 3])))
  const other = new Y.Doc()
  const updates: Uint8Array[] = []
  other.on('update', (u: Uint8Array) => updates.push(u))
  setTitle(other, 'one')
  setTitle(other, 'two')
  const waiting = new Y.Doc()
  Y.applyUpdate(waiting, updates[1]!) // depends on the first, which never came
  assert.is(leanState(waiting), undefined)
})

test.run()
