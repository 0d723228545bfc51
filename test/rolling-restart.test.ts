// A rolling restart (CONTRACT §7): SIGTERM to one instance closes only its own connections. Two
// instances on one SQLite file and one real redis-server; clients of both transports on B stay
// connected while A stops, and keep editing with each other; A's own clients get 1012.
import * as assert from 'uvu/assert'
import { connectIo, connectYws, joinIo, valueIn, type YwsClient } from './helpers/clients.js'
import { startRedis, type TestRedis } from './helpers/redis.js'
import { startChild, startServer, tempDir, token, type ChildServer, type TestServer } from './helpers/server.js'
import { suite } from './helpers/suite.js'
import { nextEvent, until, within } from './helpers/wait.js'

interface Ctx {
  redis?: TestRedis
  a?: ChildServer
  b?: TestServer
  closers: Array<() => void>
}

const Rolling = suite<Ctx>('rolling restart', { closers: [] })

Rolling.before(async (ctx) => {
  ctx.redis = await startRedis()
  const env = { DATA_DIR: tempDir(), REDIS_URL: ctx.redis.url }
  // A in a child process, so that it receives a real SIGTERM; B in this process, to watch its sockets.
  ;[ctx.a, ctx.b] = await Promise.all([startChild(env), startServer(env)])
})

Rolling.after(async (ctx) => {
  ctx.closers.splice(0).forEach((close) => close())
  if (ctx.a !== undefined && ctx.a.child.exitCode === null && ctx.a.child.signalCode === null) ctx.a.child.kill('SIGKILL')
  await ctx.b?.close()
  await ctx.redis?.stop()
})

Rolling("SIGTERM to A: B's Socket.IO and y-websocket clients stay connected and keep editing", async (ctx) => {
  const a = ctx.a!
  const b = ctx.b!
  const editor = await token('editor', 'rolling', 'Ana', 'ana')

  // On A: one client per transport, which must be told to reconnect elsewhere.
  const onA: YwsClient = connectYws(a.wsUrl, 'rolling', editor)
  const ioOnA = connectIo(a.url, editor)
  ctx.closers.push(onA.close, () => ioOnA.close())
  await Promise.all([onA.synced(), joinIo(ioOnA, 'rolling').then((d) => d.synced)])

  // On B: the clients that must not notice anything.
  const ywsOnB = connectYws(b.wsUrl, 'rolling', editor)
  const ioOnB = connectIo(b.url, editor)
  ctx.closers.push(ywsOnB.close, () => ioOnB.close())
  const sioOnB = await joinIo(ioOnB, 'rolling')
  await Promise.all([ywsOnB.synced(), sioOnB.synced])
  assert.is(b.server.io.sockets.sockets.size, 1)

  const dropped: string[] = []
  ioOnB.on('disconnect', (reason) => dropped.push(`socket.io: ${reason}`))
  ywsOnB.provider.on('status', ({ status }: { status: string }) => {
    if (status !== 'connected') dropped.push(`y-websocket: ${status}`)
  })
  const aIoGone = nextEvent(ioOnA, 'disconnect', { timeout: 12_000 })

  a.child.kill('SIGTERM')
  assert.is(await within(a.exited, 12_000, 'A to exit'), 0)
  await aIoGone
  await until(() => onA.closes.includes(1012), { timeout: 5000, what: "A's y-websocket client to see 1012" })
  onA.close()

  // A is gone and told its own clients; B's were not touched. The edit below goes from one of B's
  // transports to the other through B, which proves both are still connected and served.
  assert.equal(dropped, [])
  assert.ok(ioOnB.connected)
  assert.is(b.server.io.sockets.sockets.size, 1)
  ywsOnB.doc.getMap('meta').set('title', 'after the restart')
  await valueIn(sioOnB.doc.getMap('meta'), 'title', 'after the restart')
  sioOnB.doc.getMap('meta').set('template', 'back again')
  await valueIn(ywsOnB.doc.getMap('meta'), 'template', 'back again')
  assert.equal(dropped, [])
})

Rolling.run()
