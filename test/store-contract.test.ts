// One suite of store behaviour, run against both backends: a SQLite file in a fresh DATA_DIR, and a
// fresh database on a private PostgreSQL started for the suite. Everything the server relies on
// (seqs, load = snapshot + tail, compaction, deletion, authors, revocations, tickets) holds on both,
// including with two instances on one database.
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import pg from 'pg'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { openDatabase, type DatabaseConfig, type SkillmapDatabase } from '../server/database.js'
import type { Store } from '../server/store/types.js'
import { startPostgres, type TestPostgres } from './helpers/postgres.js'
import { tempDir } from './helpers/server.js'
import { suite } from './helpers/suite.js'
import { until, within } from './helpers/wait.js'

interface Backend {
  name: 'sqlite' | 'postgres'
  /** once per suite */
  setUp(): Promise<void>
  /** an empty database of its own for one test */
  fresh(): Promise<DatabaseConfig>
  tearDown(): Promise<void>
  /** PostgreSQL only: the server, for outage tests */
  server?: () => TestPostgres
}

const sqlite: Backend = {
  name: 'sqlite',
  setUp: async () => {},
  fresh: async () => ({ databaseUrl: undefined, dataDir: tempDir(), sqliteSync: 'normal' }),
  tearDown: async () => {},
}

function postgres(): Backend {
  let server: TestPostgres | undefined
  return {
    name: 'postgres',
    setUp: async () => {
      server = await startPostgres()
    },
    fresh: async () => ({ databaseUrl: await server!.createDatabase(), dataDir: tempDir(), sqliteSync: 'normal' }),
    tearDown: async () => {
      await server?.close()
    },
    server: () => server!,
  }
}

interface Ctx {
  config?: DatabaseConfig
  opened: SkillmapDatabase[]
  /** the clock every store of the test reads */
  clock: { now: number }
  /** another instance on the test's database (its own connection or pool) */
  open(): Promise<SkillmapDatabase>
}

/** Distinct bytes per update, so a row read back names the update it came from. */
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)
const text = (data: Uint8Array): string => new TextDecoder().decode(data)

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

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i)

/** uvu's assert has no rejects. */
async function rejects(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn()
  } catch {
    return
  }
  assert.unreachable('should have rejected')
}

const meta = (id: string, title = id.toUpperCase()) => ({ id, title, template: 'empty' })

function contract(backend: Backend): void {
  const S = suite<Ctx>(`store contract: ${backend.name}`, {
    opened: [],
    clock: { now: 1_000_000 },
    open: async () => {
      throw new Error('no database yet')
    },
  })
  S.before(() => backend.setUp())
  S.after(() => backend.tearDown())
  S.before.each(async (ctx) => {
    ctx.opened = []
    ctx.clock = { now: 1_000_000 }
    const config = await backend.fresh()
    ctx.config = config
    ctx.open = async () => {
      const db = await openDatabase(config, { now: () => ctx.clock.now })
      ctx.opened.push(db)
      return db
    }
  })
  S.after.each(async (ctx) => {
    await Promise.all(ctx.opened.map((db) => db.close()))
  })

  const store = async (ctx: Ctx): Promise<Store> => (await ctx.open()).store

  S('two instances opening a fresh database at once both migrate it', async (ctx) => {
    const [a, b] = await Promise.all([ctx.open(), ctx.open()])
    assert.is(a.dialect, backend.name)
    assert.ok(await a.store.create(meta('a'), bytes('seed')))
    assert.equal((await b.store.get('a'))?.title, 'A')
    assert.ok(await a.ping())
  })

  S('create refuses a taken id; get and list give the metadata, list in id order', async (ctx) => {
    const s = await store(ctx)
    ctx.clock.now = 5000
    assert.equal(await s.create(meta('b'), bytes('b1')), { ...meta('b'), createdAt: 5000, updatedAt: 5000 })
    assert.ok(await s.create(meta('a'), bytes('a1')))
    assert.is(await s.create({ id: 'a', title: 'again', template: 'backend' }, bytes('other')), undefined)
    assert.equal((await s.get('a'))?.title, 'A')
    assert.is(await s.get('nope'), undefined)
    assert.equal((await s.list()).map((m) => m.id), ['a', 'b'])
    assert.equal((await s.load('a'))!.rows.map((r) => text(r.data)), ['a1'])
  })

  S('load gives the metadata and every row in seq order; undefined for no such document', async (ctx) => {
    const s = await store(ctx)
    await s.create(meta('d'), bytes('u1'))
    for (let i = 2; i <= 12; i++) await s.append([{ docId: 'd', updates: [{ data: bytes(`u${i}`) }] }])
    const loaded = await s.load('d')
    assert.is(loaded!.meta.id, 'd')
    assert.equal(loaded!.rows.map((r) => r.seq), range(1, 12))
    assert.equal(loaded!.rows.map((r) => text(r.data)), range(1, 12).map((i) => `u${i}`))
    assert.is(await s.load('nope'), undefined)
  })

  S('append returns each request’s first seq; seqs are consecutive per document across requests', async (ctx) => {
    const s = await store(ctx)
    await s.create(meta('a'), bytes('a1'))
    await s.create(meta('b'), bytes('b1'))
    const results = await s.append([
      { docId: 'a', updates: [{ data: bytes('a2') }, { data: bytes('a3') }] },
      { docId: 'b', updates: ['b2', 'b3', 'b4', 'b5'].map((t) => ({ data: bytes(t) })) },
      // the same document again in one call follows the first request
      { docId: 'a', updates: [{ data: bytes('a4') }] },
      // nothing to store: the seq the next update will get
      { docId: 'b', updates: [] },
    ])
    assert.equal(results, [2, 2, 4, 6])
    assert.is(await s.lastSeq('a'), 4)
    assert.is(await s.lastSeq('b'), 5)
    assert.equal((await s.readSince('a', 0)).map((r) => text(r.data)), ['a1', 'a2', 'a3', 'a4'])
    assert.equal((await s.readSince('b', 3)).map((r) => [r.seq, text(r.data)]), [[4, 'b4'], [5, 'b5']])
    assert.is(await s.rowCount('b'), 5)
  })

  S('an append to a deleted document gives null and stores nothing, without failing the others', async (ctx) => {
    const [a, b] = [await ctx.open(), await ctx.open()]
    await a.store.create(meta('keep'), bytes('k1'))
    await a.store.create(meta('drop'), bytes('d1'))
    // deleted by the other instance
    assert.ok(await b.store.delete('drop'))
    const results = await a.store.append([
      { docId: 'drop', updates: [{ data: bytes('d2') }], title: 'back?', touch: true },
      { docId: 'keep', updates: [{ data: bytes('k2') }] },
      { docId: 'never', updates: [{ data: bytes('n1') }] },
    ])
    assert.equal(results, [null, 2, null])
    assert.is(await a.store.rowCount('drop'), 0)
    assert.is(await a.store.rowCount('never'), 0)
    assert.is(await a.store.load('drop'), undefined)
    assert.is(await a.store.get('drop'), undefined)
    assert.equal((await a.store.list()).map((m) => m.id), ['keep'])
  })

  S('concurrent appends from two instances give gap-free seqs, no duplicates, each where its writer was told', async (ctx) => {
    const [a, b] = [await ctx.open(), await ctx.open()]
    const docs = ['x', 'y', 'z']
    for (const id of docs) await a.store.create(meta(id), bytes(`${id}:seed`))
    /** what each writer was told: doc → seq → the update's text */
    const told = new Map(docs.map((id) => [id, new Map<number, string>([[1, `${id}:seed`]])]))
    const writer = async (s: Store, name: string): Promise<void> => {
      for (let round = 0; round < 25; round++) {
        // Several documents per call, in a different order each round: two instances must lock
        // them in one order or they deadlock.
        const order = round % 2 === 0 ? [...docs] : [...docs].reverse()
        const picked = order.filter((_, i) => (round + i + name.length) % 3 !== 0)
        const requests = picked.map((id) => ({ docId: id, updates: range(1, 1 + ((round + id.charCodeAt(0)) % 3)).map((k) => ({ data: bytes(`${id}:${name}:${round}:${k}`) })) }))
        const results = await s.append(requests)
        requests.forEach((r, i) => {
          const first = results[i]!
          assert.ok(first !== null, 'the document exists')
          r.updates.forEach((u, k) => {
            const seen = told.get(r.docId)!
            assert.is(seen.has(first + k), false, `seq ${first + k} of ${r.docId} given twice`)
            seen.set(first + k, text(u.data))
          })
        })
      }
    }
    // Four writers on each instance: on PostgreSQL each call takes its own pooled connection.
    await Promise.all([...range(1, 4).map((w) => writer(a.store, `a${w}`)), ...range(1, 4).map((w) => writer(b.store, `b${w}`))])
    for (const id of docs) {
      const rows = await b.store.readSince(id, 0)
      const seen = told.get(id)!
      assert.equal(rows.map((r) => r.seq), range(1, seen.size), `${id}: gap-free`)
      assert.equal(rows.map((r) => text(r.data)), range(1, seen.size).map((seq) => seen.get(seq)!), `${id}: each row where its writer was told`)
      assert.is(await a.store.lastSeq(id), seen.size)
    }
  })

  S('a checkpoint keeps every row; load starts from the latest checkpoint and gives the same state', async (ctx) => {
    const s = await store(ctx)
    const { doc, updates } = edits(50)
    await s.create(meta('c'), updates[0]!)
    await s.append([{ docId: 'c', updates: updates.slice(1, 40).map((data) => ({ data })) }])
    const at40 = Y.encodeStateAsUpdate(replay((await s.load('c'))!.rows))
    // Rows 41..45 arrive after the state was taken and before the checkpoint commits.
    await s.append([{ docId: 'c', updates: updates.slice(40, 45).map((data) => ({ data })) }])
    await s.checkpoint('c', { seq: 40, state: at40 })
    await s.append([{ docId: 'c', updates: updates.slice(45).map((data) => ({ data })) }])
    const rows = (await s.load('c'))!.rows
    assert.equal(rows.map((r) => r.seq), [40, ...range(41, 50)])
    assert.equal(replay(rows).getArray('a').toArray(), doc.getArray('a').toArray())
    assert.is(await s.lastSeq('c'), 50)
    assert.is(await s.rowCount('c'), 50, 'the history stays')
    assert.is(await s.firstSeq('c'), 1)
    assert.is((await s.checkpointAtOrBefore('c', 45))?.seq, 40)
    assert.is(await s.checkpointAtOrBefore('c', 39), undefined)
    // a checkpoint may carry a lean state (server/lean-state.ts), read on its own; none is null
    assert.equal(await s.leanCheckpointAtOrBefore('c', 45), { seq: 40, lean: null })
    const lean = new Uint8Array([0, 1, 2, 3])
    await s.checkpoint('c', { seq: 45, state: Y.encodeStateAsUpdate(replay((await s.load('c'))!.rows)), lean })
    const read = await s.leanCheckpointAtOrBefore('c', 49)
    assert.is(read?.seq, 45)
    assert.equal([...read!.lean!], [...lean])
    assert.is(await s.leanCheckpointAtOrBefore('c', 39), undefined)
    // a document deleted meanwhile is not brought back by its checkpoint
    assert.ok(await s.delete('c'))
    await s.checkpoint('c', { seq: 50, state: at40 })
    assert.is(await s.rowCount('c'), 0)
    assert.is(await s.get('c'), undefined)
  })

  S('fold deletes only the rows up to its seq, keeps the checkpoints of versions, and drops the others before it', async (ctx) => {
    const s = await store(ctx)
    const { updates } = edits(30)
    await s.create(meta('f'), updates[0]!)
    await s.append([{ docId: 'f', updates: updates.slice(1, 30).map((data) => ({ data })) }])
    const state = (upTo: number): Uint8Array => Y.encodeStateAsUpdate(replay(updates.slice(0, upTo).map((data) => ({ data }))))
    await s.checkpoint('f', { seq: 10, state: state(10) })
    await s.nameVersion('f', { seq: 5, name: 'kick-off', at: 1, by: undefined })
    await s.fold('f', 20, [{ seq: 5, state: state(5) }, { seq: 20, state: state(20), lean: new Uint8Array([7]) }], [{ seq: 15, name: null, at: 2, by: undefined }])
    assert.equal((await s.readHistory('f')).map((r) => r.seq), range(21, 30), 'rows after the fold point stay')
    assert.is(await s.firstSeq('f'), 21)
    assert.is((await s.checkpointAtOrBefore('f', 9))?.seq, 5, "the named version's checkpoint")
    assert.is((await s.checkpointAtOrBefore('f', 14))?.seq, 5, 'the periodic checkpoint at 10 is gone')
    assert.equal((await s.storedVersions('f')).map((v) => [v.seq, v.name]), [[15, null], [5, 'kick-off']])
    assert.is((await s.load('f'))!.rows[0]!.seq, 20)
    assert.equal((await s.leanCheckpointAtOrBefore('f', 25))?.lean?.[0], 7, "the fold's lean state is kept with its checkpoint")
    // a later name for a folded automatic version replaces it; a fold never overwrites a name
    await s.nameVersion('f', { seq: 15, name: 'review', at: 2, by: undefined })
    await s.fold('f', 20, [], [{ seq: 15, name: null, at: 2, by: undefined }])
    assert.equal((await s.storedVersions('f')).map((v) => [v.seq, v.name]), [[15, 'review'], [5, 'kick-off']])
    // no fold without a checkpoint at its seq: the rows it deletes must stay readable
    await rejects(() => s.fold('f', 25, [], []))
    await rejects(() => s.fold('f', 30, [{ seq: 30, state: state(30) }], []))
    assert.is(await s.firstSeq('f'), 21)
  })

  S('each row keeps its author and its commit time', async (ctx) => {
    const s = await store(ctx)
    const ann = { sub: 'ann', name: 'Ann Lee' }
    const bob = { sub: 'bob', name: 'Bob' }
    ctx.clock.now = 10_000
    await s.create(meta('h'), bytes('seed'), ann)
    ctx.clock.now = 20_000
    await s.append([{ docId: 'h', updates: [{ data: bytes('1'), by: bob }, { data: bytes('2') }, { data: bytes('3'), by: ann }] }])
    ctx.clock.now = 30_000
    await s.append([{ docId: 'h', updates: [{ data: bytes('4'), by: bob }] }])
    const history = await s.readHistory('h')
    assert.equal(
      history.map((r) => [r.seq, text(r.data), r.by, r.at]),
      [
        [1, 'seed', ann, 10_000],
        [2, '1', bob, 20_000],
        [3, '2', undefined, 20_000],
        [4, '3', ann, 20_000],
        [5, '4', bob, 30_000],
      ],
    )
    assert.equal((await s.readHistory('h', 3)).map((r) => r.seq), [4, 5])
    assert.equal((await s.readHistory('h', 1, 4, 2)).map((r) => r.seq), [2, 3], 'a range, limited')
    await s.checkpoint('h', { seq: 4, state: bytes('state') })
    assert.equal((await s.readHistory('h')).map((r) => r.seq), [1, 2, 3, 4, 5], 'a checkpoint removes no history')
    assert.equal((await s.hourlyVersions('h')).map((v) => [v.seq, v.by, v.at]), [[5, bob, 30_000]], 'the last authored row of the hour')
  })

  S('readSince, lastSeq and rowCount of a document without rows', async (ctx) => {
    const s = await store(ctx)
    assert.equal(await s.readSince('none', 0), [])
    assert.equal(await s.readHistory('none'), [])
    assert.is(await s.lastSeq('none'), 0)
    assert.is(await s.rowCount('none'), 0)
    await s.create(meta('one'), bytes('1'))
    assert.equal(await s.readSince('one', 1), [])
    assert.is(await s.lastSeq('one'), 1)
    assert.is(await s.rowCount('one'), 1)
  })

  S('delete removes the document and its whole log, once', async (ctx) => {
    const s = await store(ctx)
    await s.create(meta('gone'), bytes('1'))
    await s.create(meta('stays'), bytes('1'))
    await s.append([{ docId: 'gone', updates: range(2, 20).map((i) => ({ data: bytes(String(i)) })) }])
    assert.is(await s.delete('gone'), true)
    assert.is(await s.delete('gone'), false)
    assert.is(await s.rowCount('gone'), 0)
    assert.is(await s.lastSeq('gone'), 0)
    assert.is(await s.load('gone'), undefined)
    assert.is(await s.rowCount('stays'), 1)
    // the id is free again, with a log from seq 1
    assert.ok(await s.create(meta('gone'), bytes('new')))
    assert.equal((await s.readSince('gone', 0)).map((r) => [r.seq, text(r.data)]), [[1, 'new']])
  })

  S('titles and updatedAt: with an append, and on their own', async (ctx) => {
    const s = await store(ctx)
    ctx.clock.now = 1000
    await s.create(meta('t'), bytes('1'))
    ctx.clock.now = 2000
    await s.append([{ docId: 't', updates: [{ data: bytes('2') }], title: 'Renamed' }])
    assert.equal(await s.get('t'), { ...meta('t', 'Renamed'), createdAt: 1000, updatedAt: 1000 })
    ctx.clock.now = 3000
    await s.append([{ docId: 't', updates: [{ data: bytes('3') }], touch: true }])
    assert.is((await s.get('t'))!.updatedAt, 3000)
    await s.setTitle('t', 'Again')
    ctx.clock.now = 4000
    await s.touch('t')
    assert.equal(await s.get('t'), { ...meta('t', 'Again'), createdAt: 1000, updatedAt: 4000 })
    // a title and a touch alone, without updates
    ctx.clock.now = 5000
    assert.equal(await s.append([{ docId: 't', updates: [], title: 'Quiet', touch: true }]), [4])
    assert.equal(await s.get('t'), { ...meta('t', 'Quiet'), createdAt: 1000, updatedAt: 5000 })
    assert.is(await s.rowCount('t'), 3)
  })

  S('revocations: stored once per kind and value, keeping the latest time; seen by another instance', async (ctx) => {
    const [a, b] = [await ctx.open(), await ctx.open()]
    await a.revocationRows.put({ kind: 'sub', value: 'sam', revokedAt: 2000 })
    await b.revocationRows.put({ kind: 'sub', value: 'sam', revokedAt: 1000 })
    await b.revocationRows.put({ kind: 'jti', value: 'sam', revokedAt: 1500 })
    await a.revocationRows.put({ kind: 'jti', value: 'tok-1', revokedAt: 3000 })
    await a.revocationRows.put({ kind: 'jti', value: 'tok-1', revokedAt: 4000 })
    const rows = (await b.revocationRows.all()).sort((x, y) => `${x.kind}${x.value}`.localeCompare(`${y.kind}${y.value}`))
    assert.equal(rows, [
      { kind: 'jti', value: 'sam', revokedAt: 1500 },
      { kind: 'jti', value: 'tok-1', revokedAt: 4000 },
      { kind: 'sub', value: 'sam', revokedAt: 2000 },
    ])
  })

  S('tickets: single use across two instances, at once too; expired rows pruned', async (ctx) => {
    const [a, b] = [await ctx.open(), await ctx.open()]
    ctx.clock.now = 1_000_000
    assert.is(await a.tickets.use('t1', 1_030_000), true)
    assert.is(await b.tickets.use('t1', 1_030_000), false)
    assert.is(await a.tickets.use('t1', 1_030_000), false)
    for (let i = 0; i < 10; i++) {
      const used = await Promise.all([a.tickets.use(`race${i}`, 1_030_000), b.tickets.use(`race${i}`, 1_030_000)])
      assert.equal(used.filter(Boolean).length, 1, `race${i}: one of the two`)
    }
    // Much later (past the prune interval): t1's row is gone, so the id could be used again —
    // harmless, as the ticket itself expired long ago and auth refuses it before the ledger.
    ctx.clock.now = 2_000_000
    assert.is(await b.tickets.use('t2', 2_030_000), true)
    assert.is(await a.tickets.use('t1', 2_030_000), true)
  })

  if (backend.server !== undefined) {
    const server = backend.server
    S('PostgreSQL down: calls reject and the ping says so; back up: the same pool serves again', async (ctx) => {
      const db = await ctx.open()
      await db.store.create(meta('o'), bytes('1'))
      await server().stop()
      try {
        assert.is(await db.ping(), false)
        await rejects(() => db.store.append([{ docId: 'o', updates: [{ data: bytes('2') }] }]))
        await rejects(() => db.store.load('o'))
        await rejects(() => db.tickets.use('t', Number.MAX_SAFE_INTEGER))
      } finally {
        await server().start()
      }
      assert.is(await db.ping(), true)
      assert.equal(await db.store.append([{ docId: 'o', updates: [{ data: bytes('3') }] }]), [2])
      assert.equal((await db.store.readSince('o', 0)).map((r) => text(r.data)), ['1', '3'])
    })
    S('PostgreSQL gone while a transaction waits on its connection: the call rejects, the process lives on, the pool recovers', async (ctx) => {
      const warnings: unknown[] = []
      const db = await openDatabase(ctx.config!, { log: { warn: (obj) => void warnings.push(obj) } })
      ctx.opened.push(db)
      await db.store.create(meta('w'), bytes('1'))
      // Another session holds the document's row lock, so the append waits inside its transaction,
      // on a connection checked out of the pool, when the server goes away. That connection's
      // 'error' event has no pool listener then: unheard, it would end the process.
      const holder = new pg.Client({ connectionString: ctx.config!.databaseUrl })
      holder.on('error', () => {})
      await holder.connect()
      try {
        await holder.query('BEGIN')
        await holder.query("SELECT id FROM documents WHERE id = 'w' FOR UPDATE")
        const waiting = db.store.append([{ docId: 'w', updates: [{ data: bytes('lost') }] }]).then(
          () => 'committed',
          () => 'rejected',
        )
        // pg_locks is read live (pg_stat_activity would stay as the holder's transaction first saw it)
        const deadline = Date.now() + 5000
        while ((await holder.query('SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted')).rows[0].n === 0) {
          if (Date.now() > deadline) throw new Error('timed out waiting for the append to wait for the lock')
        }
        await server().stop()
        try {
          // A fast shutdown sometimes ends the holder's backend before the append's: the append then gets
          // the lock and commits first. Either way the call settles and the process lives on.
          const outcome = await within(waiting, 10_000, 'the waiting append to settle')
          assert.ok(outcome === 'rejected' || outcome === 'committed', outcome)
          if (outcome === 'rejected') await until(() => warnings.length > 0, { what: 'the lost connection to be logged' })
        } finally {
          await server().start()
        }
      } finally {
        await holder.end().catch(() => {})
      }
      assert.equal(await db.store.append([{ docId: 'w', updates: [{ data: bytes('2') }] }]), [2])
      assert.equal((await db.store.readSince('w', 0)).map((r) => text(r.data)), ['1', '2'])
    })
  }

  S.run()
}

contract(sqlite)
contract(postgres())

// SQLite only: its pragmas, and data directories created before the author columns.
const Sqlite = suite('store: sqlite file')

Sqlite('the WAL journal, the requested sync level and foreign keys are in force', async () => {
  for (const [sync, level] of [['normal', 1], ['full', 2]] as const) {
    const db = await openDatabase({ databaseUrl: undefined, dataDir: tempDir(), sqliteSync: sync })
    try {
      assert.is(db.dialect, 'sqlite')
      if (db.dialect !== 'sqlite') return
      assert.is(db.db.$client.pragma('journal_mode', { simple: true }), 'wal')
      assert.is(db.db.$client.pragma('synchronous', { simple: true }), level)
      assert.is(db.db.$client.pragma('foreign_keys', { simple: true }), 1)
    } finally {
      await db.close()
    }
  }
})

Sqlite('a data directory migrated by an earlier version keeps its rows and gains the author columns', async () => {
  // The migrations an earlier version applied: the first two of the same folder, same journal.
  const folder = path.join(import.meta.dirname, '..', 'drizzle', 'sqlite')
  const earlier = tempDir()
  fs.mkdirSync(path.join(earlier, 'meta'))
  const journal = JSON.parse(fs.readFileSync(path.join(folder, 'meta', '_journal.json'), 'utf8')) as { entries: Array<{ tag: string }> }
  journal.entries = journal.entries.slice(0, 2)
  fs.writeFileSync(path.join(earlier, 'meta', '_journal.json'), JSON.stringify(journal))
  for (const { tag } of journal.entries) fs.copyFileSync(path.join(folder, `${tag}.sql`), path.join(earlier, `${tag}.sql`))

  const dataDir = tempDir()
  const old = new Database(path.join(dataDir, 'skillmap.db'))
  migrate(drizzle(old), { migrationsFolder: earlier })
  old.prepare("INSERT INTO documents VALUES ('old', 'Old map', 'empty', 1, 2)").run()
  old.prepare("INSERT INTO doc_updates VALUES ('old', 1, x'0102'), ('old', 2, x'03')").run()
  old.prepare("INSERT INTO revocations VALUES ('sub', 'sam', 123)").run()
  old.close()

  const db = await openDatabase({ databaseUrl: undefined, dataDir, sqliteSync: 'normal' })
  try {
    assert.equal(await db.store.get('old'), { id: 'old', title: 'Old map', template: 'empty', createdAt: 1, updatedAt: 2 })
    assert.equal((await db.store.readHistory('old')).map((r) => [r.seq, [...r.data], r.by, r.at]), [[1, [1, 2], undefined, null], [2, [3], undefined, null]])
    assert.equal(await db.store.append([{ docId: 'old', updates: [{ data: bytes('new'), by: { sub: 'ann', name: 'Ann' } }] }]), [3])
    assert.equal((await db.store.readHistory('old', 2)).map((r) => r.by), [{ sub: 'ann', name: 'Ann' }])
    assert.equal(await db.revocationRows.all(), [{ kind: 'sub', value: 'sam', revokedAt: 123 }])
  } finally {
    await db.close()
  }
})

Sqlite.run()
