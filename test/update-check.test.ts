// The update check (server/update-check.ts): every update Yjs writes passes, whatever edits made it;
// updates that declare more than their bytes hold, and real updates cut short or garbled, are refused
// with UpdateCheckError and nothing else.
import fc from 'fast-check'
import * as encoding from 'lib0/encoding'
import { suite } from './helpers/suite.js'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { checkUpdate, MAX_NESTING, UpdateCheckError, type UpdateRefusal } from '../server/update-check.js'
import { BOMBS, item, nestingBomb, structsBomb } from './helpers/updates.js'

const Check = suite('update-check')

// ---- random edits of every kind ---------------------------------------------------------------

const key = fc.constantFrom('a', 'b', 'c', 'd', 'ключ', '🔑')
const text = fc.string({ unit: 'binary', maxLength: 12 })
/** What a Y.Array holds (not undefined); a Y.Map's values may also be undefined. */
const element = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.uint8Array({ maxLength: 8 }),
  // Yjs takes a bigint only inside a plain value, where lib0 writes it as a bigint64.
  fc.record({ big: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }) }, { noNullPrototype: true }),
  fc.double(),
)
const plain = fc.oneof(element, fc.constant(undefined))
const attrs = fc.record({ bold: fc.constantFrom(true, null), color: fc.constantFrom('red', '#00f', null) }, { requiredKeys: [], noNullPrototype: true })
const where = fc.nat({ max: 50 })
const doc = fc.constantFrom(0, 1)

const op = fc.oneof(
  fc.record({ k: fc.constant('mapSet'), doc, key, value: plain }),
  fc.record({ k: fc.constant('mapType'), doc, key, type: fc.constantFrom('map', 'array', 'text', 'xml', 'subdoc') }),
  fc.record({ k: fc.constant('mapDelete'), doc, key }),
  fc.record({ k: fc.constant('dropNested'), doc, values: fc.array(element, { minLength: 1, maxLength: 3 }) }),
  fc.record({ k: fc.constant('nestedSet'), doc, key, value: element }),
  fc.record({ k: fc.constant('arrayInsert'), doc, at: where, values: fc.array(element, { minLength: 1, maxLength: 4 }) }),
  fc.record({ k: fc.constant('arrayDelete'), doc, at: where, len: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ k: fc.constant('textInsert'), doc, at: where, text, attrs: fc.option(attrs, { nil: undefined }) }),
  fc.record({ k: fc.constant('textFormat'), doc, at: where, len: fc.integer({ min: 1, max: 6 }), attrs }),
  fc.record({ k: fc.constant('textEmbed'), doc, at: where, embed: fc.jsonValue({ maxDepth: 2 }) }),
  fc.record({ k: fc.constant('textDelete'), doc, at: where, len: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ k: fc.constant('xmlInsert'), doc, at: where, node: fc.constantFrom('element', 'text', 'hook'), name: fc.constantFrom('p', 'h1', 'li'), text }),
  fc.record({ k: fc.constant('xmlAttr'), doc, name: key, value: text }),
  fc.record({ k: fc.constant('xmlDelete'), doc, at: where, len: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ k: fc.constant('undo'), doc: fc.constant(0) }),
  fc.record({ k: fc.constant('redo'), doc: fc.constant(0) }),
  fc.record({ k: fc.constant('sync') }),
)
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never

const clamp = (at: number, length: number): number => (length === 0 ? 0 : at % (length + 1))

function apply(d: Y.Doc, o: Op): void {
  const map = d.getMap('m')
  const array = d.getArray('a')
  const ytext = d.getText('t')
  const xml = d.getXmlFragment('x')
  switch (o.k) {
    case 'mapSet':
      map.set(o.key, o.value)
      return
    case 'mapType': {
      const make = { map: () => new Y.Map(), array: () => new Y.Array(), text: () => new Y.Text('hi'), xml: () => new Y.XmlElement('div'), subdoc: () => new Y.Doc() }[o.type]
      map.set(o.key, make())
      return
    }
    case 'mapDelete':
      map.delete(o.key)
      return
    case 'dropNested': {
      // A filled type deleted: with gc on, its children are collected and written as GC structs.
      const nested = new Y.Array<unknown>()
      map.set('dropped', nested)
      nested.push(o.values)
      map.delete('dropped')
      return
    }
    case 'nestedSet': {
      // A value inside a nested type: its parent is an item id, not a root name.
      const nested = [...map.values()].find((v): v is Y.Map<unknown> | Y.Array<unknown> | Y.Text => v instanceof Y.Map || v instanceof Y.Array || v instanceof Y.Text)
      if (nested instanceof Y.Map) nested.set(o.key, o.value)
      else if (nested instanceof Y.Array) nested.push([o.value])
      else if (nested instanceof Y.Text) nested.insert(0, o.key)
      return
    }
    case 'arrayInsert':
      array.insert(clamp(o.at, array.length), o.values)
      return
    case 'arrayDelete': {
      if (array.length === 0) return
      const at = o.at % array.length
      array.delete(at, Math.min(o.len, array.length - at))
      return
    }
    case 'textInsert':
      ytext.insert(clamp(o.at, ytext.length), o.text, o.attrs as Record<string, unknown> | undefined)
      return
    case 'textFormat':
      if (ytext.length > 0) ytext.format(o.at % ytext.length, o.len, o.attrs)
      return
    case 'textEmbed':
      ytext.insertEmbed(clamp(o.at, ytext.length), { embed: o.embed })
      return
    case 'textDelete': {
      if (ytext.length === 0) return
      const at = o.at % ytext.length
      ytext.delete(at, Math.min(o.len, ytext.length - at))
      return
    }
    case 'xmlInsert': {
      const node = o.node === 'element' ? new Y.XmlElement(o.name) : o.node === 'hook' ? new Y.XmlHook(o.name) : new Y.XmlText(o.text)
      if (node instanceof Y.XmlElement) node.insert(0, [new Y.XmlText(o.text)])
      // Yjs takes a hook in a fragment at run time; its types list only elements and texts.
      xml.insert(clamp(o.at, xml.length), [node as Y.XmlElement | Y.XmlText])
      return
    }
    case 'xmlAttr': {
      const element = xml.toArray().find((n): n is Y.XmlElement => n instanceof Y.XmlElement)
      element?.setAttribute(o.name, o.value)
      return
    }
    case 'xmlDelete': {
      if (xml.length === 0) return
      const at = o.at % xml.length
      xml.delete(at, Math.min(o.len, xml.length - at))
      return
    }
  }
}

/** Every kind of struct and content seen in the updates checked, by Yjs' own decoder. */
const seenKinds = new Set<string>()
let checked = 0

function mustPass(update: Uint8Array, what: string): void {
  try {
    checkUpdate(update)
  } catch (err) {
    assert.unreachable(`${what} refused: ${(err as Error).message} (${Buffer.from(update).toString('hex').slice(0, 200)})`)
  }
  checked++
  for (const struct of Y.decodeUpdate(update).structs) {
    seenKinds.add(struct instanceof Y.Item ? struct.content.constructor.name : struct.constructor.name)
  }
}

/** Runs the edits on two replicas (one keeps tombstones, one collects them) and checks every update on the way. */
function run(ops: Op[]): void {
  const docs = [new Y.Doc({ gc: true }), new Y.Doc({ gc: false })]
  const written: Uint8Array[][] = [[], []]
  docs.forEach((d, i) =>
    d.on('update', (u: Uint8Array) => {
      written[i]!.push(u)
      mustPass(u, 'an update event')
    }),
  )
  const undo = new Y.UndoManager([docs[0]!.getMap('m'), docs[0]!.getArray('a'), docs[0]!.getText('t'), docs[0]!.getXmlFragment('x')], { captureTimeout: 0 })
  const midway = Y.encodeStateVector(docs[0]!)
  for (const o of ops) {
    if (o.k === 'sync') {
      const [a, b] = docs as [Y.Doc, Y.Doc]
      const toB = Y.encodeStateAsUpdate(a, Y.encodeStateVector(b))
      const toA = Y.encodeStateAsUpdate(b, Y.encodeStateVector(a))
      mustPass(toB, 'a sync step 2')
      mustPass(toA, 'a sync step 2')
      Y.applyUpdate(b, toB, 'sync')
      Y.applyUpdate(a, toA, 'sync')
    } else if (o.k === 'undo') undo.undo()
    else if (o.k === 'redo') undo.redo()
    else apply(docs[o.doc]!, o)
  }
  for (const [i, d] of docs.entries()) {
    mustPass(Y.encodeStateAsUpdate(d), 'a whole state')
    mustPass(Y.encodeStateAsUpdate(d, midway), 'a diff against a state vector')
    const own = written[i]!
    if (own.length > 0) {
      const merged = Y.mergeUpdates(own)
      mustPass(merged, 'merged updates')
      mustPass(Y.diffUpdate(merged, midway), 'a diffed update')
      // Every other update merged: the gaps are written as Skip structs.
      mustPass(Y.mergeUpdates(own.filter((_, j) => j % 2 === 0)), 'updates merged with gaps')
      // And they are real: replayed, they make the same document (what the check sees is what Yjs reads).
      const replay = new Y.Doc({ gc: d.gc })
      own.forEach((u) => Y.applyUpdate(replay, u))
      assert.equal(Y.encodeStateVector(replay), Y.encodeStateVector(d))
      replay.destroy()
    }
    for (const sub of d.getSubdocs()) mustPass(Y.encodeStateAsUpdate(sub), 'a subdocument')
  }
  undo.destroy()
  docs.forEach((d) => d.destroy())
}

Check('no update written by Yjs is refused, across thousands of random edits of every kind', () => {
  fc.assert(
    fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), (ops) => run(ops)),
    { numRuns: 400, includeErrorInReport: true },
  )
  assert.ok(checked > 4000, `only ${checked} updates checked`)
  // The edits reached every kind of struct and content that a V1 update can carry (ContentJSON is
  // legacy: only hand-made below).
  for (const kind of ['GC', 'Skip', 'ContentDeleted', 'ContentAny', 'ContentString', 'ContentFormat', 'ContentEmbed', 'ContentType', 'ContentBinary', 'ContentDoc']) {
    assert.ok(seenKinds.has(kind), `no ${kind} in ${[...seenKinds].join(', ')}`)
  }
})

Check('legacy JSON content, empty updates and deep-but-allowed values pass', () => {
  const json = item(2, (e) => {
    encoding.writeVarUint(e, 2)
    encoding.writeVarString(e, '{"a":1}')
    encoding.writeVarString(e, 'undefined')
  })
  const d = new Y.Doc()
  Y.applyUpdate(d, json) // Yjs reads it: the hand-made layout is right
  assert.is(d.getMap('m').get('k'), undefined)
  checkUpdate(json)
  checkUpdate(Y.encodeStateAsUpdate(new Y.Doc()))
  let deep: unknown = 'leaf'
  for (let i = 0; i < MAX_NESTING; i++) deep = [deep]
  const nested = new Y.Doc()
  nested.getMap('m').set('deep', deep)
  checkUpdate(Y.encodeStateAsUpdate(nested))
})

// ---- what must be refused ---------------------------------------------------------------------

function refusal(update: Uint8Array): UpdateRefusal | undefined {
  try {
    checkUpdate(update)
    return undefined
  } catch (err) {
    if (!(err instanceof UpdateCheckError)) throw new Error(`not an UpdateCheckError: ${String(err)}`)
    return err.reason
  }
}

Check('update bombs are refused as oversized declarations, the 7-byte one of yjs#687 first', () => {
  assert.is(structsBomb().byteLength, 7)
  for (const { name, update } of BOMBS) {
    assert.is(refusal(update), name === 'nesting' ? 'malformed' : 'oversized-declaration', name)
  }
  assert.is(refusal(nestingBomb(MAX_NESTING + 2)), 'malformed')
  // Exactly at the edge: one struct declared, its two bytes missing.
  assert.is(refusal(structsBomb(1)), 'oversized-declaration')
})

/** Real updates of all kinds, from one random run, to cut and garble. */
function sample(): Uint8Array[] {
  const updates: Uint8Array[] = []
  const d = new Y.Doc()
  d.on('update', (u: Uint8Array) => updates.push(u))
  const ops = fc.sample(fc.array(op, { minLength: 20, maxLength: 40 }), { numRuns: 1, seed: 42 })[0]!
  ops.forEach((o) => o.k !== 'sync' && o.k !== 'undo' && o.k !== 'redo' && apply(d, o))
  updates.push(Y.encodeStateAsUpdate(d))
  return updates
}

Check('every real update cut short is refused', () => {
  for (const update of sample()) {
    // Long updates: a spread of cut points rather than all of them.
    const step = Math.max(1, Math.floor(update.length / 200))
    for (let cut = 0; cut < update.length; cut += step) {
      assert.ok(refusal(update.subarray(0, cut)) !== undefined, `a ${cut}-byte prefix of a ${update.length}-byte update passed`)
    }
  }
})

Check('bytes after the end are refused', () => {
  for (const update of sample()) {
    const longer = new Uint8Array(update.length + 1)
    longer.set(update)
    assert.is(refusal(longer), 'malformed')
  }
})

Check('garbled real updates are refused or pass, never throw anything but UpdateCheckError', () => {
  const updates = sample()
  fc.assert(
    fc.property(fc.nat(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (pick, flips) => {
      const update = new Uint8Array(updates[pick % updates.length]!)
      for (const [at, byte] of flips) update[at % update.length] = byte
      refusal(update) // throws anything else
    }),
    { numRuns: 5000 },
  )
})

Check('random bytes never throw anything but UpdateCheckError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      refusal(bytes)
    }),
    { numRuns: 5000 },
  )
})

Check.run()
