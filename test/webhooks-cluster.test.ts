// Webhooks with several instances (CONTRACT §6c, §7): two servers on one database and a real
// Redis, edits on both, both deriving and both delivering: each event reaches the receiver once,
// in order per document. On SQLite (one file) by default; on PostgreSQL under SKILLMAP_TEST_DB=postgres.
import * as assert from 'uvu/assert'
import type * as Y from 'yjs'
import { addPerson, addResponsibility, setAssignment, setPersonActive } from '../shared/schema.js'
import { connectYws, converged, type YwsClient } from './helpers/clients.js'
import { http } from './helpers/http.js'
import { startReceiver, type Receiver } from './helpers/receiver.js'
import { startRedis, type TestRedis } from './helpers/redis.js'
import { startServer, tempDir, token, type TestServer } from './helpers/server.js'
import { suite } from './helpers/suite.js'
import { eventually } from './helpers/wait.js'

interface Ctx {
  redis?: TestRedis
  nodes: TestServer[]
  receiver?: Receiver
  closers: Array<() => unknown>
}

const Cluster = suite<Ctx>('webhooks cluster', { nodes: [], closers: [] })

Cluster.before(async (ctx) => {
  ctx.redis = await startRedis()
  ctx.receiver = await startReceiver()
  const env = { DATA_DIR: tempDir(), REDIS_URL: ctx.redis.url, WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_SCHEDULE: '200ms,400ms' }
  ctx.nodes = [await startServer(env), await startServer(env)]
})
Cluster.after.each(async (ctx) => {
  for (const close of ctx.closers.splice(0).reverse()) await close()
})
Cluster.after(async (ctx) => {
  for (const node of ctx.nodes) await node.close()
  await ctx.redis?.stop()
  await ctx.receiver?.stop()
})

const ROWS = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6']

Cluster('two instances on one database: edits on both, every event delivered once, in order', async (ctx) => {
  // client → A or B (commit, derive) → outbox → A's or B's worker → receiver, each event once
  const [a, b] = ctx.nodes as [TestServer, TestServer]
  const admin = await token('admin')
  const connect = async (node: TestServer, sub: string): Promise<YwsClient> => {
    const client = connectYws(node.wsUrl, 'shared', await token('editor', 'shared', sub, sub))
    ctx.closers.push(client.close)
    await client.synced()
    return client
  }
  assert.is((await http(a.url, 'POST', '/api/docs', { token: admin, body: { id: 'shared', title: 'Shared', template: 'empty' } })).status, 201)
  const onA = await connect(a, 'ana-sub')
  const onB = await connect(b, 'ben-sub')
  onA.doc.transact(() => {
    for (const id of ['ana', 'ben', 'cid']) addPerson(onA.doc, { id, name: id, role: 'backend' })
    for (const id of ROWS) {
      addResponsibility(onA.doc, { id, title: `Row ${id}`, area: 'API design', criticality: 1 })
      setAssignment(onA.doc, id, 'ana', 'A', 'x', 1)
    }
  })
  await converged(onA.doc, onB.doc)

  // registered on B; A hears of it over the bus
  const made = await http(b.url, 'POST', '/api/webhooks', { token: admin, body: { url: `${ctx.receiver!.url}/cluster`, doc: '*', events: ['responsibility.risk_changed', 'person.deactivated', 'doc.deleted'] } })
  assert.is(made.status, 201, made.text)

  // each row gains a second owner, alternately through A and through B, each edit's event in before
  // the next edit (a pass compares the map before and after it: edits a pass takes together are one change)
  for (const [i, id] of ROWS.entries()) {
    const client = i % 2 === 0 ? onA : onB
    client.doc.transact(() => setAssignment(client.doc, id, 'ben', 'R', 'x', 2))
    // both instances sweep at once too: the cursor lets one of them write the events
    if (i === 2) await Promise.all([a.server.webhooks.sweep(), b.server.webhooks.sweep()])
    await ctx.receiver!.waitFor('/cluster', (r) => r.some((x) => x.json.data.responsibility === id), `the event of edit ${i}`)
  }
  await converged(onA.doc, onB.doc)
  // ana deactivated through B: every row loses its accountable
  const assignments = onB.doc.getMap('assignments') as Y.Map<unknown>
  assert.ok(ROWS.every((id) => assignments.has(`${id}/ben`)))
  onB.doc.transact(() => setPersonActive(onB.doc, 'ana', false))

  const expected = ROWS.length + 1 + ROWS.length
  const got = await ctx.receiver!.waitFor('/cluster', (r) => r.length >= expected, `${expected} events`, 20_000)
  await Promise.all([a.server.webhooks.sweep(), b.server.webhooks.sweep()])
  await eventually(
    async () => {
      const list = await http(a.url, 'GET', `/api/webhooks/${made.json.id}/deliveries`, { token: admin })
      return list.json.length === expected && list.json.every((d: { status: string }) => d.status === 'delivered')
    },
    { what: 'every delivery recorded once' },
  )
  assert.is(ctx.receiver!.at('/cluster').length, expected)
  assert.is(new Set(got.map((r) => r.id)).size, expected)
  // each row's single-owner went once, in the order of the edits
  const firstRound = got.slice(0, ROWS.length)
  assert.equal(firstRound.map((r) => r.json.data.responsibility), ROWS)
  assert.ok(firstRound.every((r) => r.json.type === 'responsibility.risk_changed' && r.json.data.to.risks.length === 0), JSON.stringify(firstRound.map((r) => r.json.data)))
  // in order per document: versions never go back, and the deactivation's events come last, person first
  const versions = got.map((r) => r.json.data.version)
  assert.equal(versions, [...versions].sort((x, y) => x - y))
  const last = got.slice(ROWS.length)
  assert.is(last[0]!.json.type, 'person.deactivated')
  assert.equal(last.slice(1).map((r) => [r.json.data.responsibility, r.json.data.to.status]), ROWS.map((id) => [id, 'no-accountable']))
})

Cluster.run()
