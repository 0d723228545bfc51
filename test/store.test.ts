// The log store on a real SQLite file: seqs, load = snapshot + tail, compaction, deletion.
import path from 'node:path'
import { suite } from './helpers/suite.js'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { openDb, type Db } from '../server/db.js'
import { createStore, type Store } from '../server/store.js'
import { tempDir } from './helpers/server.js'

const Store = suite<{ db?: Db; store?: Store }>('store', {})

Store.before.each((ctx) => {
  ctx.db = openDb(path.join(tempDir(), 'skillmap.db'), { sync: 'normal' })
  ctx.store = createStore(ctx.db)
})
Store.after.each((ctx) => {
  ctx.db?.$client.close()
})

function edits(n: number): { doc: Y.Doc; updates: Uint8Array[] } {
  const doc = new Y.Doc()
  const updates: Uint8Array[] = []
  doc.on('update', (u: Uint8Array) => updates.push(u))
  for (let i = 0; i < n; i++) doc.getArray('a').push([i])
  return { doc, updates }
}

const replay = (rows: Array<{ data: Uint8Array }>): Y.Doc => {
  const doc = new Y.Doc()
  rows.forEach((r) => Y.applyUpdate(doc, r.data))
  return doc
}

Store('the WAL journal and the requested sync level are in force', ({ db }) => {
  assert.is(db!.$client.pragma('journal_mode', { simple: true }), 'wal')
  assert.is(db!.$client.pragma('synchronous', { simple: true }), 1)
  assert.is(db!.$client.pragma('foreign_keys', { simple: true }), 1)
})

Store('create refuses a taken id; appends get consecutive seqs in one transaction', ({ store }) => {
  const { updates } = edits(5)
  assert.ok(store!.create({ id: 'a', title: 'A', template: 'empty' }, updates[0]!))
  assert.is(store!.create({ id: 'a', title: 'again', template: 'empty' }, updates[0]!), undefined)
  assert.ok(store!.create({ id: 'b', title: 'B', template: 'empty' }, updates[0]!))
  assert.equal(store!.append([{ docId: 'a', updates: updates.slice(1, 3) }, { docId: 'b', updates: updates.slice(1) }]), [2, 2])
  assert.is(store!.lastSeq('a'), 3)
  assert.is(store!.lastSeq('b'), 5)
  assert.equal(store!.readSince('b', 3).map((r) => r.seq), [4, 5])
})

Store('an append to a deleted document is refused without failing the others', ({ store }) => {
  const { updates } = edits(3)
  store!.create({ id: 'keep', title: 'K', template: 'empty' }, updates[0]!)
  store!.create({ id: 'drop', title: 'D', template: 'empty' }, updates[0]!)
  assert.ok(store!.delete('drop'))
  assert.equal(store!.append([{ docId: 'drop', updates: [updates[1]!] }, { docId: 'keep', updates: [updates[1]!] }]), [null, 2])
  assert.is(store!.rowCount('drop'), 0)
  assert.is(store!.load('drop'), undefined)
})

Store('compaction replaces the log up to a seq with one row and load gives the same state', ({ store }) => {
  const { doc, updates } = edits(50)
  store!.create({ id: 'c', title: 'C', template: 'empty' }, updates[0]!)
  store!.append([{ docId: 'c', updates: updates.slice(1, 40) }])
  store!.compact('c', 40, Y.encodeStateAsUpdate(replay(store!.load('c')!.rows)))
  store!.append([{ docId: 'c', updates: updates.slice(40) }])
  assert.equal(store!.load('c')!.rows.map((r) => r.seq), [40, ...Array.from({ length: 10 }, (_, i) => 41 + i)])
  assert.equal(replay(store!.load('c')!.rows).getArray('a').toArray(), doc.getArray('a').toArray())
  assert.is(store!.lastSeq('c'), 50)
})

Store.run()
