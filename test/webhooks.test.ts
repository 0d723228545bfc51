// Webhooks end to end (CONTRACT §6c) against a real server and a real HTTP receiver: the REST API
// and its refusals (admins only, SSRF), every event type with its data, signatures checked with the
// reference algorithm and the Standard Webhooks library, retries with one webhook-id, the schedule
// running out, a manual retry, doc.changed spacing, a slow receiver that holds up nothing else, and
// the metrics. Runs on SQLite and on PostgreSQL.
import { createHmac } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import * as assert from 'uvu/assert'
import { Webhook } from 'standardwebhooks'
import * as Y from 'yjs'
import { addPerson, addResponsibility, addSkill, setPersonActive, setRating, setAssignment, setTitle } from '../shared/schema.js'
import { connectYws, converged, type YwsClient } from './helpers/clients.js'
import { assertError, http, metricValue } from './helpers/http.js'
import { startReceiver, type Received, type Receiver } from './helpers/receiver.js'
import { startServer, token, type TestServer } from './helpers/server.js'
import { suite } from './helpers/suite.js'
import { eventually } from './helpers/wait.js'

interface Ctx {
  srv?: TestServer
  receiver?: Receiver
  admin?: string
  closers: Array<() => unknown>
}

const Hooks = suite<Ctx>('webhooks', { closers: [] })

// Short retries, so a schedule runs out within a test; private targets, so the receiver on 127.0.0.1 is allowed.
const ENV = { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_SCHEDULE: '200ms,400ms' }
const ALL_EVENTS = ['responsibility.risk_changed', 'skill.status_changed', 'person.deactivated', 'doc.created', 'doc.deleted', 'doc.restored', 'doc.changed']

Hooks.before(async (ctx) => {
  ctx.srv = await startServer(ENV)
  ctx.receiver = await startReceiver()
  ctx.admin = await token('admin')
})
Hooks.after.each(async (ctx) => {
  for (const close of ctx.closers.splice(0).reverse()) await close()
  // Every test starts with no endpoint: one test's retries never reach the next one's receiver paths.
  const list = await http(ctx.srv!.url, 'GET', '/api/webhooks', { token: ctx.admin })
  for (const e of list.json ?? []) await http(ctx.srv!.url, 'DELETE', `/api/webhooks/${e.id}`, { token: ctx.admin })
})
Hooks.after(async (ctx) => {
  await ctx.srv?.close()
  await ctx.receiver?.stop()
})

interface Registered {
  id: string
  secret: string
}

async function register(ctx: Ctx, path: string, body: { doc: string; events: string[]; format?: string }): Promise<Registered> {
  const made = await http(ctx.srv!.url, 'POST', '/api/webhooks', { token: ctx.admin, body: { url: `${ctx.receiver!.url}${path}`, ...body } })
  assert.is(made.status, 201, made.text)
  return made.json
}

async function newMap(ctx: Ctx, id: string): Promise<void> {
  const made = await http(ctx.srv!.url, 'POST', '/api/docs', { token: ctx.admin, body: { id, title: `Map ${id}`, template: 'empty' } })
  assert.is(made.status, 201, made.text)
}

async function editor(ctx: Ctx, doc: string, sub: string, name: string): Promise<YwsClient> {
  const client = connectYws(ctx.srv!.wsUrl, doc, await token('editor', doc, name, sub))
  ctx.closers.push(client.close)
  await client.synced()
  return client
}

/** One edit (one update), committed: the document's new version. */
async function edit(ctx: Ctx, client: YwsClient, doc: string, change: (d: Y.Doc) => void): Promise<number> {
  const store = ctx.srv!.server.store
  const before = await store.lastSeq(doc)
  client.doc.transact(() => change(client.doc))
  await eventually(async () => (await store.lastSeq(doc)) > before, { what: `${doc} committed past ${before}` })
  return store.lastSeq(doc)
}

/** ana is accountable for a critical row that needs pg, which nobody covers; ben is there too. */
const setUp = (d: Y.Doc): void => {
  addPerson(d, { id: 'ana', name: 'Ana', role: 'backend' })
  addPerson(d, { id: 'ben', name: 'Ben', role: 'backend' })
  addSkill(d, { id: 'pg', name: 'PostgreSQL', category: 'databases' })
  addResponsibility(d, { id: 'api', title: 'REST API', area: 'API design', criticality: 3, skills: ['pg'] })
  setAssignment(d, 'api', 'ana', 'A', 'x', 1)
}

/** The reference algorithm of Standard Webhooks, written out: HMAC-SHA256 over `id.timestamp.body`, keyed by the secret's bytes. */
function referenceVerifies(secret: string, got: Received): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64')
  const expected = createHmac('sha256', key).update(`${got.id}.${got.timestamp}.${got.body}`).digest('base64')
  return got.signature.split(' ').includes(`v1,${expected}`)
}

function assertSigned(secret: string, got: Received): void {
  assert.match(got.id, /^msg_[A-Za-z0-9_-]{22}$/)
  assert.match(got.timestamp, /^\d{10}$/)
  assert.ok(referenceVerifies(secret, got), `reference signature of ${got.body}`)
  assert.equal(new Webhook(secret).verify(got.body, got.headers as Record<string, string>), JSON.parse(got.body))
  assert.is(got.headers['content-type'], 'application/json')
}

const ofType = (got: Received[], type: string) => got.filter((r) => r.json?.type === type)

/** Waits for the `count`th event of `type` at `path`; returns those of that type. */
async function nth(ctx: Ctx, path: string, type: string, count: number): Promise<Received[]> {
  return ofType(await ctx.receiver!.waitFor(path, (r) => ofType(r, type).length >= count, `${type} #${count} at ${path}`), type)
}

async function deliveries(ctx: Ctx, endpoint: string): Promise<any[]> {
  const list = await http(ctx.srv!.url, 'GET', `/api/webhooks/${endpoint}/deliveries`, { token: ctx.admin })
  assert.is(list.status, 200, list.text)
  return list.json
}

Hooks('REST: admins register (the secret shown once), list without secrets, and delete; a document admin manages its own document only', async (ctx) => {
  const { url } = ctx.srv!
  const body = { url: `${ctx.receiver!.url}/rest`, doc: '*', events: ['doc.created'] }
  assertError(await http(url, 'POST', '/api/webhooks', { body }), 401, 'unauthorized', 'no token')
  assertError(await http(url, 'POST', '/api/webhooks', { token: await token('editor'), body }), 403, 'forbidden', 'an editor')
  assertError(await http(url, 'GET', '/api/webhooks', { token: await token('viewer') }), 403, 'forbidden', 'a viewer lists')

  const made = await http(url, 'POST', '/api/webhooks', { token: ctx.admin, body })
  assert.is(made.status, 201, made.text)
  assert.equal(Object.keys(made.json).sort(), ['createdAt', 'doc', 'events', 'format', 'id', 'secret', 'url'])
  assert.is(made.headers.get('location'), `/api/webhooks/${made.json.id}`)
  assert.match(made.json.id, /^wh_/)
  assert.is(made.json.format, 'standard')
  // whsec_ + base64 of 32 bytes
  assert.match(made.json.secret, /^whsec_[A-Za-z0-9+/]{43}=$/)
  assert.is(Buffer.from(made.json.secret.slice(6), 'base64').length, 32)

  const listed = await http(url, 'GET', '/api/webhooks', { token: ctx.admin })
  assert.is(listed.status, 200)
  assert.equal(listed.json, [{ id: made.json.id, url: body.url, doc: '*', events: ['doc.created'], format: 'standard', createdAt: made.json.createdAt }])
  assert.not.match(listed.text, /whsec_/)

  // an admin of team-a: its own document only, never `*`, and it sees only its own endpoints
  const teamAdmin = await token('admin', 'team-a')
  assertError(await http(url, 'POST', '/api/webhooks', { token: teamAdmin, body }), 403, 'forbidden', 'a document admin registers for *')
  assertError(await http(url, 'POST', '/api/webhooks', { token: teamAdmin, body: { ...body, doc: 'team-b' } }), 403, 'forbidden', 'another document')
  const own = await http(url, 'POST', '/api/webhooks', { token: teamAdmin, body: { ...body, doc: 'team-a', format: 'slack' } })
  assert.is(own.status, 201, own.text)
  assert.equal((await http(url, 'GET', '/api/webhooks', { token: teamAdmin })).json.map((e: any) => e.id), [own.json.id])
  assert.equal((await http(url, 'GET', '/api/webhooks', { token: ctx.admin })).json.map((e: any) => e.id), [made.json.id, own.json.id])
  assertError(await http(url, 'DELETE', `/api/webhooks/${made.json.id}`, { token: teamAdmin }), 404, 'not-found', "a document admin deletes a * endpoint")
  assertError(await http(url, 'GET', `/api/webhooks/${made.json.id}/deliveries`, { token: teamAdmin }), 404, 'not-found', "a * endpoint's deliveries")

  // bodies the schema refuses
  for (const bad of [
    { ...body, events: [] },
    { ...body, events: ['doc.exploded'] },
    { ...body, events: ['doc.created', 'doc.created'] },
    { ...body, format: 'xml' },
    { ...body, doc: 'no/slashes' },
    { ...body, extra: true },
    { url: body.url, doc: '*' },
    { ...body, url: 'ftp://example.com/hook' },
    { ...body, url: 'not a url' },
  ]) {
    assertError(await http(url, 'POST', '/api/webhooks', { token: ctx.admin, body: bad }), 400, 'bad-request', JSON.stringify(bad))
  }

  assert.is((await http(url, 'DELETE', `/api/webhooks/${own.json.id}`, { token: teamAdmin })).status, 204)
  assert.is((await http(url, 'DELETE', `/api/webhooks/${made.json.id}`, { token: ctx.admin })).status, 204)
  assertError(await http(url, 'DELETE', `/api/webhooks/${made.json.id}`, { token: ctx.admin }), 404, 'not-found', 'deleted twice')
  assert.equal((await http(url, 'GET', '/api/webhooks', { token: ctx.admin })).json, [])
})

Hooks('SSRF: without WEBHOOK_ALLOW_PRIVATE, loopback, private, link-local and metadata targets are refused (400 naming the address); metadata stays refused with it', async (ctx) => {
  const strict = await startServer()
  ctx.closers.push(() => strict.close())
  const refused = async (srv: TestServer, target: string, pattern: RegExp) => {
    const res = await http(srv.url, 'POST', '/api/webhooks', { token: ctx.admin, body: { url: target, doc: '*', events: ['doc.created'] } })
    assertError(res, 400, 'bad-request', target)
    assert.match(res.json.message, pattern, target)
  }
  await refused(strict, `${ctx.receiver!.url}/x`, /127\.0\.0\.1 is a loopback address.*WEBHOOK_ALLOW_PRIVATE/)
  await refused(strict, 'http://localhost:9/hook', /localhost resolves to .*loopback/)
  await refused(strict, 'http://[::1]:9/hook', /::1 is a loopback address/)
  await refused(strict, 'http://10.1.2.3/hook', /private address/)
  await refused(strict, 'https://192.168.0.10/hook', /private address/)
  await refused(strict, 'http://169.254.10.10/hook', /link-local address/)
  await refused(strict, 'http://169.254.169.254/latest/meta-data', /cloud metadata address/)
  await refused(strict, 'http://metadata.google.internal/computeMetadata/v1', /cloud metadata service/)
  await refused(strict, 'http://[::ffff:127.0.0.1]/hook', /loopback/)
  assert.equal((await http(strict.url, 'GET', '/api/webhooks', { token: ctx.admin })).json, [])
  // allowed here, except the metadata service
  await refused(ctx.srv!, 'http://169.254.169.254/latest/meta-data', /cloud metadata address/)
})

Hooks('a burst longer than one pass reads (2 000 rows) is analysed in steps: the change at its end is sent once', async (ctx) => {
  await newMap(ctx, 'burst')
  const ana = await editor(ctx, 'burst', 'ana-sub', 'Ana')
  await edit(ctx, ana, 'burst', setUp)
  await register(ctx, '/burst', { doc: 'burst', events: ['person.deactivated'] })
  const { store, webhooks } = ctx.srv!.server
  const before = await store.lastSeq('burst')
  // 2 500 updates that raise nothing (a title each), then one that does, committed at once (the
  // log is what passes read; a client would be held back by the update rate limit)
  const local = new Y.Doc()
  Y.applyUpdate(local, Y.encodeStateAsUpdate(ana.doc))
  const updates: Uint8Array[] = []
  local.on('update', (u: Uint8Array) => updates.push(u))
  for (let i = 0; i < 2500; i++) setTitle(local, `Title ${i}`)
  setPersonActive(local, 'ana', false)
  await store.append([{ docId: 'burst', updates: updates.map((data) => ({ data, by: { sub: 'ana-sub', name: 'Ana' } })) }])
  await webhooks.sweep()
  const [got] = await nth(ctx, '/burst', 'person.deactivated', 1)
  assert.equal(got!.json.data, { doc: 'burst', person: 'ana', name: 'Ana', version: before + 2501 })
  await ctx.srv!.server.webhooks.sweep()
  assert.is(ofType(ctx.receiver!.at('/burst'), 'person.deactivated').length, 1)
})

Hooks('an endpoint hears of changes made from its registration on, not of older ones', async (ctx) => {
  await newMap(ctx, 'late')
  const ana = await editor(ctx, 'late', 'ana-sub', 'Ana')
  await edit(ctx, ana, 'late', setUp)
  // a risk change with nobody listening
  await edit(ctx, ana, 'late', (d) => setRating(d, 'ana', 'pg', 3, 'x', 2))
  const hook = await register(ctx, '/late', { doc: 'late', events: ['responsibility.risk_changed', 'skill.status_changed'] })
  const version = await edit(ctx, ana, 'late', (d) => setPersonActive(d, 'ana', false))
  const got = await ctx.receiver!.waitFor('/late', (r) => r.length >= 2, 'the events of the edit after registering')
  await ctx.srv!.server.webhooks.sweep()
  assert.equal(
    ctx.receiver!.at('/late').map((r) => [r.json.type, r.json.data.version]),
    [
      ['responsibility.risk_changed', version],
      ['skill.status_changed', version],
    ],
  )
  assert.equal(got[1]!.json.data, { doc: 'late', skill: 'pg', name: 'PostgreSQL', from: 'risk', to: 'gap', version })
  got.forEach((r) => assertSigned(hook.secret, r))
})

Hooks('a map made by an editor joining it sends doc.created once, as one made through REST does', async (ctx) => {
  const hook = await register(ctx, '/joined', { doc: 'joined', events: ['doc.created', 'doc.changed'] })
  await editor(ctx, 'joined', 'ana-sub', 'Ana')
  const [created] = await nth(ctx, '/joined', 'doc.created', 1)
  assert.equal(created!.json.data, { doc: 'joined', version: 1 })
  assertSigned(hook.secret, created!)
  await ctx.srv!.server.webhooks.sweep()
  assert.equal(ofType(ctx.receiver!.at('/joined'), 'doc.created').length, 1)
  // the seed the join wrote is not news of its own
  assert.equal(ofType(ctx.receiver!.at('/joined'), 'doc.changed'), [])
})

Hooks('every event type, with its data, signed: created, risk and skill changes, a person deactivated, doc.changed (spaced 10 s), restored, deleted; a slack endpoint gets words and a link', async (ctx) => {
  const { srv, receiver } = ctx as Required<Ctx>
  const all = await register(ctx, '/all', { doc: '*', events: ALL_EVENTS })
  const slack = await register(ctx, '/slack', { doc: 'ev', events: ['person.deactivated', 'doc.deleted'], format: 'slack' })

  await newMap(ctx, 'ev')
  const [created] = await nth(ctx, '/all', 'doc.created', 1)
  assert.equal(created!.json.data, { doc: 'ev', version: 1 })
  assert.match(created!.json.timestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)

  const ana = await editor(ctx, 'ev', 'ana-sub', 'Ana')
  const ben = await editor(ctx, 'ev', 'ben-sub', 'Ben')
  // what is created raises nothing but doc.changed, which goes at once (the first change in a while)
  const v1 = await edit(ctx, ana, 'ev', setUp)
  const [changed1] = await nth(ctx, '/all', 'doc.changed', 1)
  assert.equal(changed1!.json.data, { doc: 'ev', version: v1, by: ['ana-sub'] })

  const v2 = await edit(ctx, ana, 'ev', (d) => setRating(d, 'ana', 'pg', 3, 'x', 2))
  await receiver.waitFor('/all', (r) => r.some((x) => x.json.type === 'skill.status_changed' && x.json.data.version === v2), 'the rating’s events')
  assert.equal(
    ofType(receiver.at('/all'), 'responsibility.risk_changed').map((r) => r.json.data),
    [{ doc: 'ev', responsibility: 'api', title: 'REST API', from: { status: 'thin', risks: ['thin', 'single-owner', 'skills-uncovered'] }, to: { status: 'thin', risks: ['thin', 'single-owner'] }, version: v2 }],
  )
  assert.equal(ofType(receiver.at('/all'), 'skill.status_changed').map((r) => r.json.data), [{ doc: 'ev', skill: 'pg', name: 'PostgreSQL', from: 'gap', to: 'risk', version: v2 }])

  // ben deactivates ana: a person event first (the cause), then the row and the skill
  await converged(ana.doc, ben.doc)
  const v3 = await edit(ctx, ben, 'ev', (d) => setPersonActive(d, 'ana', false))
  await receiver.waitFor('/all', (r) => r.some((x) => x.json.type === 'skill.status_changed' && x.json.data.version === v3), 'the deactivation’s events')
  const third = receiver.at('/all').filter((r) => r.json.data.version === v3 && r.json.type !== 'doc.changed')
  assert.equal(
    third.map((r) => r.json),
    [
      { type: 'person.deactivated', timestamp: third[0]!.json.timestamp, data: { doc: 'ev', person: 'ana', name: 'Ana', version: v3 } },
      {
        type: 'responsibility.risk_changed',
        timestamp: third[0]!.json.timestamp,
        data: { doc: 'ev', responsibility: 'api', title: 'REST API', from: { status: 'thin', risks: ['thin', 'single-owner'] }, to: { status: 'no-accountable', risks: ['no-accountable', 'thin', 'single-owner', 'skills-uncovered'] }, version: v3 },
      },
      { type: 'skill.status_changed', timestamp: third[0]!.json.timestamp, data: { doc: 'ev', skill: 'pg', name: 'PostgreSQL', from: 'risk', to: 'gap', version: v3 } },
    ],
  )
  // the event time is the commit's
  const committedAt = (await srv.server.store.readHistory('ev', v3 - 1, v3))[0]!.at!
  assert.is(third[0]!.json.timestamp, new Date(committedAt).toISOString())

  // the slack endpoint: one sentence with the map's title, the person, a link to the map and no token
  const [said] = await receiver.waitFor('/slack', (r) => r.length === 1, 'the slack message')
  assert.equal(Object.keys(said!.json), ['text'])
  assert.match(said!.json.text, /^\*Map ev\*: Ana is no longer active/)
  assert.ok(said!.json.text.includes(`<${srv.url}/#/d/ev|Open the map>`), said!.json.text)
  assertSigned(slack.secret, said!)

  // The later changes fall within 10 s of the first doc.changed: they wait in one window, which
  // the retry call releases now instead of at its due time. Either way, doc.changed messages are
  // at least 10 s apart by their timestamps, and together name everyone up to v3.
  await eventually(async () => (await deliveries(ctx, all.id)).every((d) => d.status !== 'pending' || d.event === 'doc.changed'), { what: 'everything but doc.changed delivered' })
  const held = (await deliveries(ctx, all.id)).filter((d) => d.status === 'pending')
  assert.ok(held.length <= 1, JSON.stringify(held))
  for (const d of held) {
    assert.is(Date.parse(d.nextAttemptAt), Date.parse(changed1!.json.timestamp) + 10_000)
    const retried = await http(srv.url, 'POST', `/api/webhooks/${all.id}/deliveries/${d.id}/retry`, { token: ctx.admin })
    assert.is(retried.status, 202, retried.text)
    assert.is(retried.json.id, d.id)
  }
  const changes = await receiver.waitFor('/all', (r) => ofType(r, 'doc.changed').some((x) => x.json.data.version === v3), 'a doc.changed up to v3')
  const spaced = ofType(changes, 'doc.changed').map((r) => Date.parse(r.json.timestamp))
  for (let i = 1; i < spaced.length; i++) assert.ok(spaced[i]! - spaced[i - 1]! >= 10_000, `doc.changed ${i} is 10 s after the one before`)
  assert.equal([...new Set(ofType(changes, 'doc.changed').slice(1).flatMap((r) => r.json.data.by))].sort(), ['ana-sub', 'ben-sub'])

  // restore the first version: doc.restored with the new head
  const restored = await http(srv.url, 'POST', '/api/docs/ev/restore', { token: ctx.admin, body: { version: v1 } })
  assert.is(restored.status, 200, restored.text)
  const [back] = await nth(ctx, '/all', 'doc.restored', 1)
  assert.equal(back!.json.data, { doc: 'ev', version: restored.json.version })
  // … and the risks it brings back, derived from its update like any edit's
  await receiver.waitFor('/all', (r) => r.some((x) => x.json.type === 'responsibility.risk_changed' && x.json.data.version === restored.json.version), 'the restore’s risk change')

  const head = await srv.server.store.lastSeq('ev')
  assert.is((await http(srv.url, 'DELETE', '/api/docs/ev', { token: ctx.admin })).status, 204)
  const [gone] = await nth(ctx, '/all', 'doc.deleted', 1)
  assert.equal(gone!.json.data, { doc: 'ev', version: head })
  const [, farewell] = await receiver.waitFor('/slack', (r) => r.length === 2, 'the slack doc.deleted')
  assert.is(farewell!.json.text, 'The map *Map ev* was deleted.')

  // every delivery verifies, and each webhook-id came once (nothing failed)
  const got = receiver.at('/all')
  got.forEach((r) => assertSigned(all.secret, r))
  assert.is(new Set(got.map((r) => r.id)).size, got.length)
  const list = await deliveries(ctx, all.id)
  assert.is(list.length, got.length)
  assert.ok(list.every((d) => d.status === 'delivered' && d.attempts === 1 && d.lastError === null && d.deliveredAt !== null), JSON.stringify(list))
  // newest first
  assert.is(list[0].event, 'doc.deleted')
  assert.equal(new Set(list.map((d) => d.id)), new Set(got.map((r) => r.id)))
})

Hooks('a 500 then a 200: retried with the same webhook-id, signed anew; a schedule that runs out ends failed, and a manual retry sends it once more', async (ctx) => {
  const { srv, receiver } = ctx as Required<Ctx>
  let calls = 0
  receiver.answers.set('/flaky', (_req, res) => res.writeHead(calls++ === 0 ? 500 : 200).end(calls === 1 ? 'try later' : 'ok'))
  receiver.answers.set('/broken', (_req, res) => res.writeHead(503).end('down for maintenance'))
  const flaky = await register(ctx, '/flaky', { doc: 'flaky', events: ['doc.created'] })
  const broken = await register(ctx, '/broken', { doc: 'broken', events: ['doc.created'] })

  await newMap(ctx, 'flaky')
  const [first, second] = await receiver.waitFor('/flaky', (r) => r.length === 2, 'the retry')
  assert.is(second!.id, first!.id)
  assert.is(second!.body, first!.body)
  assertSigned(flaky.secret, first!)
  assertSigned(flaky.secret, second!)
  await eventually(async () => (await deliveries(ctx, flaky.id))[0]?.status === 'delivered', { what: 'the flaky delivery recorded' })
  const [done] = await deliveries(ctx, flaky.id)
  assert.equal({ ...done, deliveredAt: typeof done.deliveredAt, createdAt: typeof done.createdAt }, {
    id: first!.id,
    event: 'doc.created',
    doc: 'flaky',
    status: 'delivered',
    attempts: 2,
    lastError: null,
    deliveredAt: 'string',
    nextAttemptAt: null,
    createdAt: 'string',
  })

  // 1 attempt + 2 retries (200ms, 400ms), then failed with what the receiver said
  await newMap(ctx, 'broken')
  await eventually(async () => (await deliveries(ctx, broken.id))[0]?.status === 'failed', { what: 'the broken delivery failed' })
  const [failed] = await deliveries(ctx, broken.id)
  assert.is(failed.attempts, 3)
  assert.is(failed.lastError, 'HTTP 503: down for maintenance')
  assert.is(failed.nextAttemptAt, null)
  assert.is(receiver.at('/broken').length, 3)
  assert.is(new Set(receiver.at('/broken').map((r) => r.id)).size, 1)

  // fixed: a retry sends the same message once more
  receiver.answers.set('/broken', (_req, res) => res.writeHead(204).end())
  const retried = await http(srv.url, 'POST', `/api/webhooks/${broken.id}/deliveries/${failed.id}/retry`, { token: ctx.admin })
  assert.is(retried.status, 202, retried.text)
  assert.is(retried.json.status, 'pending')
  await eventually(async () => (await deliveries(ctx, broken.id))[0]?.status === 'delivered', { what: 'the retried delivery' })
  assert.is(receiver.at('/broken').length, 4)
  assert.is(receiver.at('/broken')[3]!.id, failed.id)
  assertSigned(broken.secret, receiver.at('/broken')[3]!)
  assertError(await http(srv.url, 'POST', `/api/webhooks/${broken.id}/deliveries/msg_nope/retry`, { token: ctx.admin }), 404, 'not-found', 'an unknown delivery')
  assertError(await http(srv.url, 'POST', `/api/webhooks/${flaky.id}/deliveries/${failed.id}/retry`, { token: ctx.admin }), 404, 'not-found', "another endpoint's delivery")

  // the attempts counted by outcome; the outbox is empty again
  const metrics = (await http(srv.url, 'GET', '/metrics')).text
  assert.ok(metricValue(metrics, 'skillmap_webhook_deliveries_total{outcome="delivered"}')! >= 2, metrics)
  assert.ok(metricValue(metrics, 'skillmap_webhook_deliveries_total{outcome="retry"}')! >= 3)
  assert.ok(metricValue(metrics, 'skillmap_webhook_deliveries_total{outcome="failed"}')! >= 1)
  assert.is(metricValue(metrics, 'skillmap_webhook_outbox_depth'), 0)
  assert.is(metricValue(metrics, 'skillmap_webhook_oldest_pending_seconds'), 0)
})

Hooks('a receiver that never answers holds up neither edits nor another endpoint, only its own next events', async (ctx) => {
  const { receiver } = ctx as Required<Ctx>
  const hanging: ServerResponse[] = []
  receiver.answers.set('/slow', (_req, res) => void hanging.push(res))
  ctx.closers.push(() => hanging.forEach((res) => res.writeHead(200).end()))
  await newMap(ctx, 'slow')
  const ana = await editor(ctx, 'slow', 'ana-sub', 'Ana')
  const ben = await editor(ctx, 'slow', 'ben-sub', 'Ben')
  // set up before the endpoints exist: they start from this state
  await edit(ctx, ana, 'slow', setUp)
  await register(ctx, '/slow', { doc: 'slow', events: ['responsibility.risk_changed'] })
  await register(ctx, '/fast', { doc: 'slow', events: ['responsibility.risk_changed'] })
  const v2 = await edit(ctx, ana, 'slow', (d) => setRating(d, 'ana', 'pg', 3, 'x', 2))
  await receiver.waitFor('/slow', (r) => r.length === 1, 'the slow receiver’s first request')
  await receiver.waitFor('/fast', (r) => r.length === 1, 'the fast receiver’s first event')

  // while the slow receiver sits on its request: edits go through, and the fast endpoint hears of them
  const v3 = await edit(ctx, ben, 'slow', (d) => setPersonActive(d, 'ana', false))
  await converged(ana.doc, ben.doc)
  await receiver.waitFor('/fast', (r) => r.some((x) => x.json.data.version === v3), 'the fast receiver’s second event')
  assert.is(hanging.length, 1)
  assert.is(receiver.open, 1, 'the slow request is still open')
  // one in flight per endpoint, in order: the second event waits behind the first
  assert.equal(receiver.at('/slow').map((r) => r.json.data.version), [v2])
  assert.equal(receiver.at('/fast').map((r) => r.json.data.version), [v2, v3])
  const v4 = await edit(ctx, ana, 'slow', (d) => setPersonActive(d, 'ana', true))
  await receiver.waitFor('/fast', (r) => r.some((x) => x.json.data.version === v4), 'the fast receiver’s third event')
  assert.is(receiver.open, 1)

  // the slow receiver answers at last: its waiting events follow, in order
  receiver.answers.delete('/slow')
  hanging.shift()!.writeHead(200).end()
  await receiver.waitFor('/slow', (r) => r.length === 3, 'the slow receiver catching up')
  assert.equal(receiver.at('/slow').map((r) => r.json.data.version), [v2, v3, v4])
})

Hooks('deleting an endpoint deletes its deliveries; the outbox gauges count what is pending', async (ctx) => {
  const { srv, receiver } = ctx as Required<Ctx>
  await receiver.stop()
  ctx.closers.push(() => receiver.start())
  const hook = await register(ctx, '/gone', { doc: 'gauge', events: ['doc.created'] })
  await newMap(ctx, 'gauge')
  await eventually(async () => (await deliveries(ctx, hook.id))[0]?.attempts >= 1, { what: 'a refused attempt' })
  const [pending] = await deliveries(ctx, hook.id)
  assert.is(pending.status, 'pending')
  assert.match(pending.lastError, /ECONNREFUSED/)
  const metrics = (await http(srv.url, 'GET', '/metrics')).text
  assert.is(metricValue(metrics, 'skillmap_webhook_outbox_depth'), 1)
  assert.ok(metricValue(metrics, 'skillmap_webhook_oldest_pending_seconds')! >= 0)
  assert.is((await http(srv.url, 'DELETE', `/api/webhooks/${hook.id}`, { token: ctx.admin })).status, 204)
  assertError(await http(srv.url, 'GET', `/api/webhooks/${hook.id}/deliveries`, { token: ctx.admin }), 404, 'not-found', 'a deleted endpoint')
  await eventually(async () => metricValue((await http(srv.url, 'GET', '/metrics')).text, 'skillmap_webhook_outbox_depth') === 0, { what: 'an empty outbox' })
})

Hooks.run()
