// Several instances on one SQLite file and one Redis (CONTRACT §7): both transports across instances,
// Redis outages and lost messages repaired from the database, an instance killed.
import { suite } from './helpers/suite.js'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import type { Bus, BusMessage } from '../server/bus.js'
import { createRedisBus } from '../server/redis-bus.js'
import { connectIo, connectYws, converged, joinIo, valueIn, type YwsClient } from './helpers/clients.js'
import { startRedis, type TestRedis } from './helpers/redis.js'
import { startChild, startServer, tempDir, token, type ChildServer } from './helpers/server.js'
import { http } from './helpers/http.js'
import { nextEvent, until, within } from './helpers/wait.js'
import Fastify from 'fastify'

interface Ctx {
  redis?: TestRedis
  dataDir: string
  nodes: ChildServer[]
  closers: Array<() => void>
}

const Cluster = suite<Ctx>('cluster', { dataDir: '', nodes: [], closers: [] })

Cluster.before(async (ctx) => {
  ctx.redis = await startRedis()
  ctx.dataDir = tempDir()
  const env = { DATA_DIR: ctx.dataDir, REDIS_URL: ctx.redis.url, UNLOAD_DELAY_MS: '1000' }
  ctx.nodes = await Promise.all([startChild(env), startChild(env), startChild(env)])
})

Cluster.after.each((ctx) => {
  ctx.closers.splice(0).forEach((close) => close())
})

Cluster.after(async (ctx) => {
  for (const node of ctx.nodes) {
    node.child.kill('SIGTERM')
    await within(node.exited, 12_000, 'a node to exit')
  }
  await ctx.redis?.stop()
})

const items = (c: { doc: Y.Doc }): string[] => c.doc.getArray<string>('items').toArray()

Cluster('a y-websocket client on A and a Socket.IO client on B co-edit and converge', async (ctx) => {
  // provider → A → SQLite + Redis → B → socket.io-client, and back
  const [a, b] = ctx.nodes
  const yws = connectYws(a!.wsUrl, 'shared', await token('editor', 'shared', 'Ana', 'ana'))
  const socket = connectIo(b!.url, await token('editor', 'shared', 'Ben', 'ben'))
  ctx.closers.push(yws.close, () => socket.close())
  const sio = await joinIo(socket, 'shared')
  await Promise.all([yws.synced(), sio.synced])

  // Read-your-writes across instances: once a second client on A has the edit, A has committed it,
  // and the very next export on B shows it, whether or not B heard of it yet.
  const watcher = connectYws(a!.wsUrl, 'shared', await token('viewer', 'shared', 'Wu', 'wu'))
  ctx.closers.push(watcher.close)
  await watcher.synced()
  yws.doc.getMap('skills').set('ts', 3)
  await valueIn(watcher.doc.getMap('skills'), 'ts', 3)
  const exported = await http(b!.url, 'GET', '/api/docs/shared/snapshot?format=yjs', { token: await token('exporter', 'shared') })
  assert.is(exported.status, 200)
  const copy = new Y.Doc()
  Y.applyUpdate(copy, exported.bytes)
  assert.is(copy.getMap('skills').get('ts'), 3)

  await valueIn(sio.doc.getMap('skills'), 'ts', 3)
  sio.doc.getMap('skills').set('go', 4)
  await valueIn(yws.doc.getMap('skills'), 'go', 4)
  for (let i = 0; i < 20; i++) {
    yws.doc.getArray('items').push([`a${i}`])
    sio.doc.getArray('items').push([`b${i}`])
  }
  await converged(yws.doc, sio.doc)
  assert.is(items(yws).length, 40)

  // presence crosses instances too, stamped by the instance the client is on
  yws.awareness.setLocalState({ cursor: 'ts' })
  await until(() => sio.awareness.getStates().get(yws.doc.clientID)?.user?.id === 'ana', { on: [[sio.awareness, 'change']], what: 'presence across instances' })
})

Cluster('Redis stopped while both sides edit, then started: everything converges with no client reconnect', async (ctx) => {
  const [a, b] = ctx.nodes
  const yws = connectYws(a!.wsUrl, 'outage', await token('editor', 'outage', 'Ana', 'ana'))
  const socket = connectIo(b!.url, await token('editor', 'outage', 'Ben', 'ben'))
  ctx.closers.push(yws.close, () => socket.close())
  let disconnects = 0
  socket.on('disconnect', () => disconnects++)
  const sio = await joinIo(socket, 'outage')
  await Promise.all([yws.synced(), sio.synced])

  await ctx.redis!.stop()
  for (let i = 0; i < 25; i++) {
    yws.doc.getArray('items').push([`during-a${i}`])
    sio.doc.getArray('items').push([`during-b${i}`])
  }
  await ctx.redis!.start()
  for (let i = 0; i < 5; i++) {
    yws.doc.getArray('items').push([`after-a${i}`])
    sio.doc.getArray('items').push([`after-b${i}`])
  }
  await converged(yws.doc, sio.doc, 15_000)
  assert.is(items(yws).length, 60)
  assert.equal(new Set(items(yws)), new Set(items(sio)))
  assert.equal(yws.closes, [])
  assert.is(disconnects, 0)
  // Redis fan-out itself works again (not only the database sweep)
  yws.doc.getMap('m').set('after', 'redis is back')
  await valueIn(sio.doc.getMap('m'), 'after', 'redis is back', 2000)
})

Cluster('an instance killed with SIGKILL: clients elsewhere keep working; a reconnecting client gets everything', async (ctx) => {
  const [a, b, c] = ctx.nodes
  const onA = connectYws(a!.wsUrl, 'survive', await token('editor', 'survive', 'Ana', 'ana'))
  const onB = connectYws(b!.wsUrl, 'survive', await token('editor', 'survive', 'Ben', 'ben'))
  const onC = connectYws(c!.wsUrl, 'survive', await token('editor', 'survive', 'Cy', 'cy'))
  ctx.closers.push(onA.close, onB.close)
  await Promise.all([onA.synced(), onB.synced(), onC.synced()])
  onC.doc.getArray('items').push(['from C before the crash'])
  await until(() => items(onA).length === 1 && items(onB).length === 1, { on: [[onA.doc, 'update'], [onB.doc, 'update']] })

  c!.child.kill('SIGKILL')
  await c!.exited
  onC.close()
  onA.doc.getArray('items').push(['from A after the crash'])
  onB.doc.getArray('items').push(['from B after the crash'])
  await converged(onA.doc, onB.doc)
  assert.is(items(onA).length, 3)

  const back = connectYws(a!.wsUrl, 'survive', await token('editor', 'survive', 'Cy', 'cy'))
  ctx.closers.push(back.close)
  await back.synced()
  assert.equal(new Set(items(back)), new Set(items(onA)))
  // replace the dead node for the suites after this one
  ctx.nodes[2] = await startChild({ DATA_DIR: ctx.dataDir, REDIS_URL: ctx.redis!.url, UNLOAD_DELAY_MS: '1000' })
})

Cluster('deleting a document through REST on one instance closes its live connections on every instance', async (ctx) => {
  const [a, b, c] = ctx.nodes
  const onB = connectYws(b!.wsUrl, 'doomed', await token('editor', 'doomed'))
  const socket = connectIo(c!.url, await token('editor', 'doomed'))
  ctx.closers.push(onB.close, () => socket.close())
  const onC = await joinIo(socket, 'doomed')
  await Promise.all([onB.synced(), onC.synced])
  const deleted = await http(a!.url, 'DELETE', '/api/docs/doomed', { token: await token('admin', '*') })
  assert.is(deleted.status, 204)
  await until(() => onB.closes.includes(4410), { what: 'close 4410 on instance B' })
  await until(() => onC.errors.some((e) => e.code === 'gone'), { what: 'doc:error gone on instance C' })
  assert.is((await http(c!.url, 'GET', '/api/docs/doomed', { token: await token('admin', '*') })).status, 404)
})

/** Drops chosen incoming bus messages: a message that never arrives, deterministically. */
function dropping(bus: Bus, drop: (docId: string, msg: BusMessage, index: number) => boolean): Bus & { dropped: BusMessage[] } {
  const dropped: BusMessage[] = []
  return Object.assign(Object.create(bus) as Bus, {
    dropped,
    subscribe(docId: string, listener: (msg: BusMessage) => void) {
      let index = 0
      return bus.subscribe(docId, (msg) => {
        if (msg.kind === 'update' && drop(docId, msg, index++)) dropped.push(msg)
        else listener(msg)
      })
    },
  })
}

Cluster('a bus message that never arrives is repaired from the database', async (ctx) => {
  // writer → A → SQLite + Redis → (update #3 dropped, and the last one) → B repairs from SQLite → reader
  const log = Fastify({ logger: false }).log
  const dataDir = tempDir()
  const busA = await createRedisBus({ url: ctx.redis!.url, log })
  let total = 0
  const busB = dropping(await createRedisBus({ url: ctx.redis!.url, log }), (_doc, _msg, index) => index === 2 || index === total - 1)
  const a = await startServer({ DATA_DIR: dataDir }, { bus: busA })
  const b = await startServer({ DATA_DIR: dataDir }, { bus: busB })
  try {
    const writer = connectYws(a.wsUrl, 'lossy', await token('editor', 'lossy'))
    ctx.closers.push(writer.close)
    // The writer's join creates the map; a viewer arriving first would be refused (4404).
    await writer.synced()
    const reader = connectYws(b.wsUrl, 'lossy', await token('viewer', 'lossy'))
    ctx.closers.push(reader.close)
    await reader.synced()
    total = 10
    for (let i = 0; i < total; i++) writer.doc.getArray('items').push([`w${i}`])
    await until(() => items(reader).length === total, { on: [[reader.doc, 'update']], what: 'the reader to get every update' })
    assert.is(busB.dropped.length, 2)
    assert.equal(items(reader), items(writer))
  } finally {
    await b.close()
    await a.close()
  }
})

Cluster.run()
