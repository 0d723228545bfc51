// The room alone, with object-literal peers, and the registry's commit pipeline on a real SQLite
// store whose append a test can hold or make fail (a gate in front of the real store, not a mock).
import type { FastifyBaseLogger } from 'fastify'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { createLocalBus } from '../server/bus.js'
import { openDatabase } from '../server/database.js'
import { decodeFrame } from '../server/frames.js'
import { Room, type CloseReason, type Peer, type RoomHooks } from '../server/room.js'
import { createRooms } from '../server/rooms.js'
import { receiveFrame } from '../server/session.js'
import type { Store } from '../server/store/types.js'
import { tempDir } from './helpers/server.js'
import { until, within } from './helpers/wait.js'

interface TestPeer extends Peer {
  frames: Uint8Array[]
  closed: CloseReason[]
}

function peer(id: string, readOnly = false): TestPeer {
  const p: TestPeer = {
    id,
    principal: { sub: id, name: id, role: readOnly ? 'viewer' : 'editor', doc: '*' } as Peer['principal'],
    readOnly,
    frames: [],
    closed: [],
    send: (frame) => void p.frames.push(frame),
    broadcast: (b) => void p.frames.push(b.frame),
    cork() {},
    uncork() {},
    refuse() {},
    close: (reason) => void p.closed.push(reason),
  }
  return p
}

const hooks = (): RoomHooks & { scheduled: number } => {
  const h = { maxDocBytes: 1 << 20, scheduled: 0, schedule: () => void h.scheduled++, shareAwareness() {}, refused() {}, idle() {} }
  return h
}

/** One client edit as the update it sends. */
function edit(key: string, value: string): Uint8Array {
  const doc = new Y.Doc()
  doc.getMap('m').set(key, value)
  return Y.encodeStateAsUpdate(doc)
}

test('room: nothing leaves before the registry sends a cut; a cut carries the updates with their verified author', () => {
  const h = hooks()
  const room = new Room('r', [], h)
  const ana = peer('ana')
  const ben = peer('ben')
  room.join(ana)
  room.join(ben)
  room.receiveUpdate(ana, edit('k', 'v'))
  assert.is(ana.frames.length + ben.frames.length, 0, 'queued, not sent')
  assert.ok(h.scheduled > 0)
  const cut = room.cut()
  assert.is(cut.updates.length, 1)
  assert.equal(cut.updates[0]!.by, { sub: 'ana', name: 'ana' })
  room.send(cut.frames)
  // both get their sync step 1; only Ben gets Ana's update (no echo to its sender)
  assert.equal(ana.frames.map((f) => decodeFrame(f).kind), ['step1'])
  assert.equal(ben.frames.map((f) => decodeFrame(f).kind), ['step1', 'update'])
  room.destroy(undefined)
})

test("room: a viewer's news is refused and not pending; a bad frame is a FrameError", () => {
  const room = new Room('r', [], hooks())
  const viewer = peer('vic', true)
  room.join(viewer)
  room.receiveUpdate(viewer, edit('k', 'v'))
  assert.not.ok(room.hasPending)
  assert.throws(() => receiveFrame(room, viewer, new Uint8Array([9, 9])), /unknown message type/)
  room.destroy(undefined)
})

/** A real SQLite store whose append can be held or made to fail. */
async function gatedStore(): Promise<{ store: Store; fail: (yes: boolean) => void; hold: () => () => void; close: () => Promise<void> }> {
  const db = await openDatabase({ dataDir: tempDir(), sqliteSync: 'normal', databaseUrl: undefined })
  let failing = false
  let gate: Promise<void> | undefined
  const store: Store = {
    ...db.store,
    async append(requests) {
      await gate
      if (failing) throw new Error('the database is down (test)')
      return db.store.append(requests)
    },
  }
  return {
    store,
    fail: (yes) => (failing = yes),
    hold: () => {
      let open!: () => void
      gate = new Promise((resolve) => (open = resolve))
      return () => {
        gate = undefined
        open()
      }
    },
    close: () => db.close(),
  }
}

/** The registry logs its failures; here they are the test's subject, not news. */
const silent = { error() {}, warn() {}, info() {}, debug() {}, child: () => silent } as unknown as FastifyBaseLogger

const registry = (store: Store) =>
  createRooms({ store, bus: createLocalBus(), log: silent, seed: () => edit('seed', '1'), maxDocBytes: 1 << 20, compactThreshold: 1000, unloadDelayMs: 60_000 })

/** A registry on a gated store, with Ana and Ben joined to `doc` and their sync step 1 sent. */
async function twoPeers() {
  const gated = await gatedStore()
  const rooms = registry(gated.store)
  const room = await rooms.acquire('doc', { create: true })
  const ana = peer('ana')
  const ben = peer('ben')
  room.join(ana)
  room.join(ben)
  room.release()
  await rooms.flush()
  return { gated, rooms, room, ana, ben }
}

test('rooms: a rejected commit sends no frame to any peer, and closes the room\'s peers to come back', async () => {
  const { gated, rooms, room, ana, ben } = await twoPeers()
  try {
    const before = ben.frames.length
    gated.fail(true)
    room.receiveUpdate(ana, edit('k', 'lost'))
    await rooms.flush()
    assert.is(ben.frames.length, before, 'Ben received nothing of the uncommitted update')
    assert.equal(ana.closed, ['try-again'])
    assert.equal(ben.closed, ['try-again'])
    assert.ok(room.closed)
    assert.is(await gated.store.rowCount('doc'), 1, 'only the seed is stored')
  } finally {
    await rooms.close(undefined)
    await gated.close()
  }
})

test('rooms: while a commit is held, later updates gather into the next cut and are sent after it, in order', async () => {
  const { gated, rooms, room, ana, ben } = await twoPeers()
  try {
    const seen = (): string[] => ben.frames.map((f) => decodeFrame(f)).filter((f) => f.kind === 'update').map((f) => {
      const d = new Y.Doc()
      Y.applyUpdate(d, (f as { update: Uint8Array }).update)
      return [...d.getMap('m').keys()].join()
    })
    const open = gated.hold()
    room.receiveUpdate(ana, edit('first', '1'))
    const first = rooms.flush()
    // the first cut is in flight (held): the second update waits for the next cut
    await until(() => !room.hasPending, { what: 'the first cut' })
    room.receiveUpdate(ana, edit('second', '2'))
    assert.ok(room.hasPending, 'the second update gathers for the next cut')
    assert.equal(seen(), [], 'nothing sent while the commit is held')
    open()
    await within(first, 5000, 'the first commit')
    await within(rooms.flush(), 5000, 'the second commit')
    assert.equal(seen(), ['first', 'second'])
    const rows = await gated.store.readHistory('doc')
    assert.equal(rows.map((r) => r.seq), [1, 2, 3], 'gap-free, in commit order')
    assert.equal(rows[1]!.by, { sub: 'ana', name: 'ana' })
  } finally {
    await rooms.close(undefined)
    await gated.close()
  }
})

test.run()
