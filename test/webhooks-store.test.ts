// The webhook tables' store (server/webhooks/store.ts), against both backends at once, with two
// instances on one database: passes move a cursor once, claims give each row to one worker with
// one row in flight per endpoint in order, held rows wait, leases lapse, stale workers are ignored.
import * as assert from 'uvu/assert'
import { openDatabase, type DatabaseConfig, type SkillmapDatabase } from '../server/database.js'
import { deliveriesOf, coverageStart } from '../server/webhooks/outbox.js'
import { docCreated } from '../server/webhooks/events.js'
import type { Endpoint, NewDelivery, WebhookStore } from '../server/webhooks/store.js'
import { startPostgres, type TestPostgres } from './helpers/postgres.js'
import { tempDir } from './helpers/server.js'
import { suite } from './helpers/suite.js'

interface Backend {
  name: 'sqlite' | 'postgres'
  setUp(): Promise<void>
  fresh(): Promise<DatabaseConfig>
  tearDown(): Promise<void>
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
  }
}

interface Ctx {
  /** two instances on the test's database */
  a?: SkillmapDatabase
  b?: SkillmapDatabase
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)
const meta = (id: string) => ({ id, title: id.toUpperCase(), template: 'empty' })
const NOW = 1_800_000_000_000
const LEASE = 20_000

const endpoint = (id: string, doc = '*', events: Endpoint['events'] = ['doc.created', 'responsibility.risk_changed']): Endpoint => ({
  id,
  url: `http://127.0.0.1:9/${id}`,
  doc,
  events,
  format: 'standard',
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  createdAt: NOW,
})

/** `n` doc.created rows for every endpoint, enqueued in order. */
async function enqueue(w: WebhookStore, n: number, now = NOW): Promise<void> {
  for (let i = 1; i <= n; i++) await w.enqueue(now, (endpoints) => deliveriesOf(docCreated(`d${i}`, i, now), endpoints, { mapTitle: `d${i}`, appUrl: 'http://x' }, now))
}

const none = () => ({ deliveries: [], rewrites: [], window: null })

function contract(backend: Backend): void {
  const S = suite<Ctx>(`webhooks store: ${backend.name}`, {})
  S.before(() => backend.setUp())
  S.after(() => backend.tearDown())
  S.before.each(async (ctx) => {
    const config = await backend.fresh()
    ctx.a = await openDatabase(config)
    ctx.b = await openDatabase(config)
  })
  S.after.each(async (ctx) => {
    await ctx.a?.close()
    await ctx.b?.close()
  })

  S('a document gets its cursor with its first row; a pass moves it once, even when two instances pass at once', async ({ a, b }) => {
    await a!.store.create(meta('m'), bytes('seed'))
    assert.equal(await a!.webhooks.cursor('m'), { seq: 1, window: null })
    await a!.webhooks.createEndpoint(endpoint('e1'), (others) => coverageStart(endpoint('e1'), others))
    await a!.store.append([{ docId: 'm', updates: [{ data: bytes('u2') }, { data: bytes('u3') }] }])
    const row = (id: string): NewDelivery => ({ id, endpointId: 'e1', doc: 'm', type: 'responsibility.risk_changed', body: '{}', nextAttemptAt: NOW, eventAt: NOW })
    const results = await Promise.all([
      a!.webhooks.commitPass('m', 1, 3, NOW, () => ({ deliveries: [row('msg_a')], rewrites: [], window: { doc: 'm', version: 3, by: ['ana'], dueAt: NOW } })),
      b!.webhooks.commitPass('m', 1, 3, NOW, () => ({ deliveries: [row('msg_b')], rewrites: [], window: null })),
    ])
    assert.equal(results.filter(Boolean).length, 1, JSON.stringify(results))
    const winner = results[0] ? 'msg_a' : 'msg_b'
    assert.equal((await a!.webhooks.deliveries('e1', 10)).map((d) => d.id), [winner])
    assert.is((await b!.webhooks.cursor('m'))?.seq, 3)
    // from an old cursor: nothing written
    assert.is(await b!.webhooks.commitPass('m', 1, 3, NOW, () => ({ deliveries: [row('msg_c')], rewrites: [], window: null })), false)
    // a void plan writes nothing, not even the cursor
    await a!.store.append([{ docId: 'm', updates: [{ data: bytes('u4') }] }])
    assert.is(await a!.webhooks.commitPass('m', 3, 4, NOW, () => null), false)
    assert.is((await a!.webhooks.cursor('m'))?.seq, 3)
    assert.equal((await a!.webhooks.behind({ all: true, except: [] })), ['m'])
    assert.equal((await a!.webhooks.behind({ all: false, docs: ['other'] })), [])
    assert.is(await a!.webhooks.commitPass('m', 3, 4, NOW, none), true)
    assert.equal((await a!.webhooks.behind({ all: true, except: [] })), [])
    assert.equal((await a!.webhooks.deliveries('e1', 10)).length, 1)
  })

  S('claims: every row goes to one worker, per endpoint the oldest first and one at a time, with two instances claiming at once', async ({ a, b }) => {
    for (const id of ['e1', 'e2', 'e3']) await a!.webhooks.createEndpoint(endpoint(id), () => ({ all: false, docs: [] }))
    await enqueue(a!.webhooks, 6)
    const order = new Map<string, number>((await Promise.all(['e1', 'e2', 'e3'].map((e) => a!.webhooks.deliveries(e, 100)))).flat().reverse().map((d, i) => [d.id, i]))
    const seen: Array<{ worker: string; id: string; endpoint: string }> = []
    const inFlight = new Set<string>()
    const worker = async (name: string, db: SkillmapDatabase) => {
      for (let idle = 0; idle < 3; ) {
        const claimed = await db.webhooks.claim(name, NOW, LEASE, 10)
        if (claimed.length === 0) {
          idle++
          continue
        }
        idle = 0
        for (const c of claimed) {
          assert.not.ok(inFlight.has(c.endpointId), `${c.endpointId} had a row in flight when ${name} claimed ${c.id}`)
          inFlight.add(c.endpointId)
          seen.push({ worker: name, id: c.id, endpoint: c.endpointId })
          assert.is(c.url, `http://127.0.0.1:9/${c.endpointId}`)
        }
        for (const c of claimed) {
          inFlight.delete(c.endpointId)
          await db.webhooks.settle(c.id, name, { status: 'delivered', at: NOW })
        }
      }
    }
    await Promise.all([worker('wa', a!), worker('wb', b!)])
    assert.is(seen.length, 18)
    assert.is(new Set(seen.map((s) => s.id)).size, 18)
    for (const e of ['e1', 'e2', 'e3']) {
      const ids = seen.filter((s) => s.endpoint === e).map((s) => order.get(s.id)!)
      assert.equal(ids, [...ids].sort((x, y) => x - y), `${e} in order`)
    }
    const all = (await a!.webhooks.deliveries('e2', 100)).map((d) => [d.status, d.attempts])
    assert.equal(all, Array(6).fill(['delivered', 1]))
    assert.equal(await a!.webhooks.stats(NOW), { depth: 0, oldestEventAt: null })
  })

  S('a retry waiting holds its endpoint; a held doc.changed does not; a lapsed lease is claimed again; a stale worker is ignored', async ({ a, b }) => {
    await a!.webhooks.createEndpoint(endpoint('e1', '*', ['doc.created', 'doc.changed']), () => ({ all: false, docs: [] }))
    const held: NewDelivery = { id: 'msg_held', endpointId: 'e1', doc: 'm', type: 'doc.changed', body: '{}', nextAttemptAt: NOW + 100_000, eventAt: NOW + 100_000 }
    await a!.webhooks.enqueue(NOW, () => [held])
    await enqueue(a!.webhooks, 2)
    // the held row waits; the first doc.created goes
    const [first] = await a!.webhooks.claim('wa', NOW, LEASE, 10)
    assert.is(first?.type, 'doc.created')
    assert.equal(await b!.webhooks.claim('wb', NOW, LEASE, 10), [], 'one in flight per endpoint')
    await a!.webhooks.settle(first!.id, 'wa', { status: 'pending', retryAt: NOW + 1000, error: 'HTTP 500' })
    // waiting for its retry, it holds the row behind it
    assert.equal(await b!.webhooks.claim('wb', NOW + 500, LEASE, 10), [])
    assert.is(await a!.webhooks.nextWakeAt(NOW + 500), NOW + 1000)
    const [again] = await b!.webhooks.claim('wb', NOW + 1000, LEASE, 10)
    assert.is(again?.id, first!.id)
    assert.is(again?.attempts, 1)
    // wb dies mid-attempt: its lease lapses and wa takes the row
    assert.equal(await a!.webhooks.claim('wa', NOW + 1000 + LEASE - 1, LEASE, 10), [])
    const [taken] = await a!.webhooks.claim('wa', NOW + 1000 + LEASE, LEASE, 10)
    assert.is(taken?.id, first!.id)
    // wb comes back and records its old attempt: ignored, the row is wa's
    await b!.webhooks.settle(first!.id, 'wb', { status: 'failed', error: 'late' })
    assert.is((await a!.webhooks.deliveries('e1', 10)).find((d) => d.id === first!.id)?.status, 'pending')
    await a!.webhooks.settle(first!.id, 'wa', { status: 'delivered', at: NOW + 1000 + LEASE })
    const [second] = await a!.webhooks.claim('wa', NOW + 1000 + LEASE, LEASE, 10)
    assert.is(second?.type, 'doc.created')
    await a!.webhooks.release(second!.id, 'wa')
    // given back untried, it goes next; the held doc.changed when its time comes
    const stats = await a!.webhooks.stats(NOW + 2000)
    assert.equal(stats, { depth: 2, oldestEventAt: NOW })
    assert.is((await a!.webhooks.claim('wa', NOW + 1000 + LEASE, LEASE, 10))[0]?.id, second!.id)
    await a!.webhooks.settle(second!.id, 'wa', { status: 'failed', error: 'gone' })
    assert.equal(await a!.webhooks.claim('wa', NOW + 1000 + LEASE, LEASE, 10), [])
    assert.is(await a!.webhooks.nextWakeAt(NOW + 1000 + LEASE), NOW + 100_000)
    assert.is((await a!.webhooks.claim('wa', NOW + 100_000, LEASE, 10))[0]?.id, 'msg_held')
    await a!.webhooks.settle('msg_held', 'wa', { status: 'delivered', at: NOW + 100_000 })

    // a retry of a failed row: pending again, due now, same id
    const retried = await b!.webhooks.retry('e1', second!.id, NOW + 50_000)
    assert.equal([retried?.status, retried?.attempts, retried?.nextAttemptAt], ['pending', 1, NOW + 50_000])
    assert.is(await b!.webhooks.retry('other', second!.id, NOW), undefined)
    // old delivered and failed rows are pruned, pending ones never
    assert.is(await a!.webhooks.prune(NOW + 1), 2)
    assert.equal((await a!.webhooks.deliveries('e1', 10)).map((d) => d.id), [second!.id])
  })

  S('a new endpoint starts the cursors of the documents nobody covered at their heads; deleting it takes its deliveries, deleting a document its cursor', async ({ a }) => {
    for (const id of ['m1', 'm2', 'm3']) {
      await a!.store.create(meta(id), bytes('seed'))
      await a!.store.append([{ docId: id, updates: [{ data: bytes('u2') }, { data: bytes('u3') }] }])
    }
    const cursors = async () => Promise.all(['m1', 'm2', 'm3'].map(async (id) => (await a!.webhooks.cursor(id))?.seq))
    // events that need no derivation move no cursor
    const created = endpoint('only-created', '*', ['doc.created'])
    await a!.webhooks.createEndpoint(created, (others) => coverageStart(created, others))
    assert.equal(await cursors(), [1, 1, 1])
    const one = endpoint('one', 'm1')
    await a!.webhooks.createEndpoint(one, (others) => coverageStart(one, others))
    assert.equal(await cursors(), [3, 1, 1])
    // m1 moves on while covered; a `*` endpoint then starts the others at their heads, and leaves m1's alone
    await a!.store.append([{ docId: 'm1', updates: [{ data: bytes('u4') }] }, { docId: 'm2', updates: [{ data: bytes('u4') }] }])
    const star = endpoint('star')
    await a!.webhooks.createEndpoint(star, (others) => coverageStart(star, others))
    assert.equal(await cursors(), [3, 4, 3])
    assert.equal((await a!.webhooks.listEndpoints()).map((e) => e.id).sort(), ['one', 'only-created', 'star'])
    assert.equal((await a!.webhooks.getEndpoint('one'))?.events, ['doc.created', 'responsibility.risk_changed'])

    await enqueue(a!.webhooks, 1)
    assert.is((await a!.webhooks.deliveries('star', 10)).length, 1)
    assert.is(await a!.webhooks.deleteEndpoint('star'), true)
    assert.is(await a!.webhooks.deleteEndpoint('star'), false)
    assert.equal(await a!.webhooks.deliveries('star', 10), [])
    assert.is((await a!.webhooks.stats(NOW)).depth, 1)

    await a!.store.delete('m2')
    assert.is(await a!.webhooks.cursor('m2'), undefined)
    // a document with no cursor (from before webhooks) gets one at the given seq; a gone one none
    await a!.webhooks.startCursor('m2', 7)
    assert.is(await a!.webhooks.cursor('m2'), undefined)
  })

  S.run()
}

contract(sqlite)
contract(postgres())
