// Operations (CONTRACT §6): liveness, readiness with its probes, Prometheus metrics, and the REST
// rate limit that must leave the live transports alone.
import Fastify from 'fastify'
import { suite } from './helpers/suite.js'
import * as assert from 'uvu/assert'
import { createLocalBus, type Bus } from '../server/bus.js'
import { METRIC_NAMES } from '../server/metrics.js'
import { createRedisBus } from '../server/redis-bus.js'
import { connectIo, connectYws, joinIo, valueIn } from './helpers/clients.js'
import { assertError, http, metricValue } from './helpers/http.js'
import { startRedis } from './helpers/redis.js'
import { startServer, tempDir, token, type TestServer } from './helpers/server.js'
import { eventually, until } from './helpers/wait.js'

const Health = suite<{ srv?: TestServer; closers: Array<() => void> }>('health', { closers: [] })

Health.before(async (ctx) => {
  ctx.srv = await startServer()
})
Health.after.each((ctx) => {
  ctx.closers.splice(0).forEach((close) => close())
})
Health.after(async (ctx) => {
  await ctx.srv?.close()
})

Health('/healthz and /readyz answer 200 without a token; readiness names its probes', async (ctx) => {
  const { url } = ctx.srv!
  const live = await http(url, 'GET', '/healthz')
  assert.is(live.status, 200)
  assert.equal(live.json, { status: 'ok' })
  const ready = await http(url, 'GET', '/readyz')
  assert.is(ready.status, 200)
  assert.equal(ready.json, { status: 'ready', checks: { database: 'ok', bus: 'ok' } })
})

Health('/readyz is 503 while a probe fails (an unhealthy bus) and 200 again once it recovers', async () => {
  let healthy = false
  const real = createLocalBus()
  // The real in-process bus, reporting what a Redis bus reports during an outage.
  const bus = new Proxy(real, { get: (target, key) => (key === 'healthy' ? () => healthy : Reflect.get(target, key)) }) as Bus
  const srv = await startServer({}, { bus })
  try {
    const down = await http(srv.url, 'GET', '/readyz')
    assert.is(down.status, 503)
    assert.equal(down.json, { status: 'unavailable', checks: { database: 'ok', bus: 'failing' } })
    assert.is((await http(srv.url, 'GET', '/healthz')).status, 200)
    healthy = true
    assert.is((await http(srv.url, 'GET', '/readyz')).status, 200)
  } finally {
    await srv.close()
  }
})

Health('/metrics exposes connections per transport, loaded documents, accepted updates, persist and fan-out latency', async (ctx) => {
  const { url, wsUrl, server } = ctx.srv!
  const scrape = async (): Promise<string> => {
    const res = await http(url, 'GET', '/metrics')
    assert.is(res.status, 200)
    assert.match(res.headers.get('content-type')!, /^text\/plain/)
    return res.text
  }
  const before = await scrape()
  for (const name of Object.values(METRIC_NAMES)) assert.match(before, new RegExp(`^# TYPE ${name} `, 'm'), name)
  assert.match(before, /^process_cpu_user_seconds_total /m)
  assert.is(metricValue(before, 'skillmap_connections{transport="y-websocket"}'), 0)
  assert.is(metricValue(before, 'skillmap_connections{transport="socket.io"}'), 0)
  const acceptedBefore = metricValue(before, 'skillmap_updates_accepted_total')!

  const yws = connectYws(wsUrl, 'metered', await token('editor', 'metered'))
  const socket = connectIo(url, await token('editor', 'metered'))
  ctx.closers.push(yws.close, () => socket.close())
  await yws.synced()
  const sio = await joinIo(socket, 'metered')
  await sio.synced
  yws.doc.getMap('meta').set('title', 'Metered')
  sio.doc.getMap('meta').set('template', 'empty')
  await eventually(async () => (await server.store.get('metered'))?.title === 'Metered' && server.rooms.get('metered')?.doc.getMap('meta').get('template') === 'empty', { what: 'both edits' })
  server.rooms.flush()

  const during = await scrape()
  assert.is(metricValue(during, 'skillmap_connections{transport="y-websocket"}'), 1)
  assert.is(metricValue(during, 'skillmap_connections{transport="socket.io"}'), 1)
  assert.is(metricValue(during, 'skillmap_documents_loaded'), 1)
  assert.ok(metricValue(during, 'skillmap_updates_accepted_total')! >= acceptedBefore + 2)
  assert.ok(metricValue(during, 'skillmap_persist_seconds_count')! >= 1)
  assert.ok(metricValue(during, 'skillmap_fanout_seconds_count')! >= 1)
  assert.match(during, /^skillmap_persist_seconds_bucket\{le="0.001"\} \d+$/m)
  // no label per document
  assert.not.match(during, /metered/)

  yws.close()
  socket.close()
  await until(() => server.rooms.size === 0, { what: 'the room to unload' })
  const after = await scrape()
  assert.is(metricValue(after, 'skillmap_connections{transport="y-websocket"}'), 0)
  assert.is(metricValue(after, 'skillmap_connections{transport="socket.io"}'), 0)
  assert.is(metricValue(after, 'skillmap_documents_loaded'), 0)
})

Health('with Redis: /metrics reports the lag of bus messages between instances', async () => {
  // provider → A → Redis → B: B observes the publish-to-receipt time
  const redis = await startRedis()
  const env = { DATA_DIR: tempDir(), REDIS_URL: redis.url }
  const [a, b] = [await startServer(env), await startServer(env)]
  const closers: Array<() => void> = []
  try {
    const writer = connectYws(a.wsUrl, 'lagged', await token('editor', 'lagged'))
    closers.push(writer.close)
    await writer.synced()
    const reader = connectYws(b.wsUrl, 'lagged', await token('viewer', 'lagged'))
    closers.push(reader.close)
    await reader.synced()
    writer.doc.getMap('meta').set('title', 'Through Redis')
    await valueIn(reader.doc.getMap('meta'), 'title', 'Through Redis')
    const text = (await http(b.url, 'GET', '/metrics')).text
    assert.ok(metricValue(text, 'skillmap_redis_lag_seconds_count')! >= 1)
    assert.ok(metricValue(text, 'skillmap_redis_lag_seconds_sum')! < 5)
  } finally {
    closers.forEach((close) => close())
    await Promise.all([a.close(), b.close()])
    await redis.stop()
  }
})

Health('with Redis: /readyz is 503 during a Redis outage and 200 once the bus is back', async () => {
  // redis-server stopped → the bus probe fails → 503; started again → 200
  const redis = await startRedis()
  // The Redis bus alone (no Socket.IO adapter), built the way app.ts builds it.
  const bus = await createRedisBus({ url: redis.url, log: Fastify({ logger: false }).log })
  const srv = await startServer({}, { bus })
  try {
    assert.equal((await http(srv.url, 'GET', '/readyz')).json, { status: 'ready', checks: { database: 'ok', bus: 'ok' } })
    await redis.stop()
    await until(() => !bus.healthy(), { timeout: 10_000, what: 'the bus to notice the outage' })
    const down = await http(srv.url, 'GET', '/readyz')
    assert.is(down.status, 503)
    assert.equal(down.json, { status: 'unavailable', checks: { database: 'ok', bus: 'failing' } })
    assert.is((await http(srv.url, 'GET', '/healthz')).status, 200)
    await redis.start()
    await until(() => bus.healthy(), { timeout: 15_000, what: 'the bus to reconnect' })
    assert.is((await http(srv.url, 'GET', '/readyz')).status, 200)
  } finally {
    await srv.close()
    await redis.stop()
  }
})

Health('the REST rate limit answers 429 in the error shape and leaves health, /yjs and /socket.io alone', async () => {
  const srv = await startServer({}, { restRateLimit: { max: 3, timeWindowMs: 60_000 } })
  const closers: Array<() => void> = []
  try {
    const admin = await token('admin')
    for (let i = 0; i < 3; i++) assert.is((await http(srv.url, 'GET', '/api/docs', { token: admin })).status, 200)
    const limited = await http(srv.url, 'GET', '/api/docs', { token: admin })
    assertError(limited, 429, 'rate-limited')
    assert.ok(Number(limited.headers.get('retry-after')) > 0)
    for (let i = 0; i < 5; i++) assert.is((await http(srv.url, 'GET', '/healthz')).status, 200)
    assert.is((await http(srv.url, 'GET', '/metrics')).status, 200)
    // live transports on the same port and address still connect and sync
    const yws = connectYws(srv.wsUrl, 'limited', await token('editor', 'limited'))
    const socket = connectIo(srv.url, await token('editor', 'limited'))
    closers.push(yws.close, () => socket.close())
    await yws.synced()
    const sio = await joinIo(socket, 'limited')
    assert.equal(sio.ack, { ok: true, role: 'editor' })
    await sio.synced
  } finally {
    closers.forEach((close) => close())
    await srv.close()
  }
})

Health.run()
