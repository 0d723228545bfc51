// Bad input is refused or closed, one connection at a time, while a healthy pair keeps converging
// and the server stays up (CONTRACT §3d).
import * as encoding from 'lib0/encoding'
import { suite } from './helpers/suite.js'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { connectIo, connectYws, converged, joinIo, rawWs, valueIn, type IoDoc, type YwsClient } from './helpers/clients.js'
import { startServer, token, type TestServer } from './helpers/server.js'
import { nextEvent, until } from './helpers/wait.js'

const MAX_MESSAGE = 64 * 1024
const MAX_DOC = 256 * 1024

interface Ctx {
  srv?: TestServer
  a?: YwsClient
  b?: IoDoc
  bSocket?: ReturnType<typeof connectIo>
  round: number
}

const Limits = suite<Ctx>('limits', { round: 0 })

Limits.before(async (ctx) => {
  ctx.srv = await startServer({
    MAX_MESSAGE_BYTES: String(MAX_MESSAGE),
    MAX_DOC_BYTES: String(MAX_DOC),
    RATE_LIMIT_PER_SEC: '50',
    RATE_LIMIT_BURST: '100',
  })
  // the healthy pair: one per transport, on the document under attack
  ctx.a = connectYws(ctx.srv.wsUrl, 'target', await token('editor', 'target', 'A', 'a'))
  ctx.bSocket = connectIo(ctx.srv.url, await token('editor', 'target', 'B', 'b'))
  ctx.b = await joinIo(ctx.bSocket, 'target')
  await Promise.all([ctx.a.synced(), ctx.b.synced])
})

/** After each attack the healthy pair still edits and converges. */
Limits.after.each(async (ctx) => {
  const round = ++ctx.round
  ctx.a!.doc.getMap('health').set(`a${round}`, round)
  ctx.b!.doc.getMap('health').set(`b${round}`, round)
  await valueIn(ctx.a!.doc.getMap('health'), `b${round}`, round)
  await valueIn(ctx.b!.doc.getMap('health'), `a${round}`, round)
  await converged(ctx.a!.doc, ctx.b!.doc)
  const res = await fetch(`${ctx.srv!.url}/healthz`)
  assert.is(res.status, 200)
})

Limits.after(async (ctx) => {
  ctx.a?.close()
  ctx.bSocket?.close()
  await ctx.srv?.close()
})

const frame = (write: (e: encoding.Encoder) => void): Uint8Array => {
  const e = encoding.createEncoder()
  write(e)
  return encoding.toUint8Array(e)
}

async function attack(ctx: Ctx, payload: Uint8Array | string): Promise<number> {
  const raw = rawWs(ctx.srv!.wsUrl, 'target', await token('editor', 'target', 'Eve', 'eve'))
  await raw.opened
  raw.ws.send(payload)
  return (await raw.closed).code
}

Limits('garbage bytes close the connection with 1002', async (ctx) => {
  assert.is(await attack(ctx, new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])), 1002)
  assert.is(await attack(ctx, new Uint8Array([0, 2, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9])), 1002)
})

Limits('truncated frames close with 1002 and read nothing beyond the message', async (ctx) => {
  // a sync update that claims 1000 bytes and carries 3
  assert.is(await attack(ctx, frame((e) => (encoding.writeVarUint(e, 0), encoding.writeVarUint(e, 2), encoding.writeVarUint(e, 1000), encoding.writeUint8Array(e, new Uint8Array([1, 2, 3]))))), 1002)
  // an awareness update cut in the middle of its JSON
  const full = frame((e) => {
    encoding.writeVarUint(e, 1)
    const inner = encoding.createEncoder()
    encoding.writeVarUint(inner, 1)
    encoding.writeVarUint(inner, 42)
    encoding.writeVarUint(inner, 1)
    encoding.writeVarString(inner, JSON.stringify({ cursor: 'x'.repeat(50) }))
    encoding.writeVarUint8Array(e, encoding.toUint8Array(inner))
  })
  assert.is(await attack(ctx, full.slice(0, full.length - 20)), 1002)
  assert.is(await attack(ctx, new Uint8Array([0])), 1002)
})

Limits('unknown message types, unknown sync steps and text frames close with 1002', async (ctx) => {
  assert.is(await attack(ctx, new Uint8Array([7, 0])), 1002)
  assert.is(await attack(ctx, new Uint8Array([0, 9, 0])), 1002)
  assert.is(await attack(ctx, 'hello'), 1002)
  // awareness state that is not JSON
  assert.is(await attack(ctx, frame((e) => {
    encoding.writeVarUint(e, 1)
    const inner = encoding.createEncoder()
    encoding.writeVarUint(inner, 1)
    encoding.writeVarUint(inner, 7)
    encoding.writeVarUint(inner, 1)
    encoding.writeVarString(inner, '{not json')
    encoding.writeVarUint8Array(e, encoding.toUint8Array(inner))
  })), 1002)
})

Limits('a frame over MAX_MESSAGE_BYTES closes with 1009; over Socket.IO the transport closes', async (ctx) => {
  assert.is(await attack(ctx, new Uint8Array(MAX_MESSAGE + 1)), 1009)
  const socket = connectIo(ctx.srv!.url, await token('editor', 'target'))
  const big = await joinIo(socket, 'target')
  assert.ok(big.ack.ok)
  const gone = nextEvent(socket, 'disconnect')
  big.send(new Uint8Array(MAX_MESSAGE + 1024))
  await gone
  socket.close()
})

Limits('a flood of frames closes with 1008; Socket.IO gets doc:error rate-limited and is disconnected', async (ctx) => {
  const raw = rawWs(ctx.srv!.wsUrl, 'target', await token('editor', 'target', 'Flood', 'flood'))
  await raw.opened
  const query = new Uint8Array([3])
  for (let i = 0; i < 400 && raw.ws.readyState === raw.ws.OPEN; i++) raw.ws.send(query)
  assert.is((await raw.closed).code, 1008)

  const socket = connectIo(ctx.srv!.url, await token('editor', 'target', 'Flood', 'flood'))
  const flood = await joinIo(socket, 'target')
  const gone = nextEvent(socket, 'disconnect')
  for (let i = 0; i < 400 && socket.connected; i++) flood.send(query)
  await gone
  assert.ok(flood.errors.some((e) => e.code === 'rate-limited'))
  socket.close()
})

Limits('a bad frame over Socket.IO gets doc:error bad-request and a disconnect; a frame for an unjoined doc is refused', async (ctx) => {
  const socket = connectIo(ctx.srv!.url, await token('editor', '*'))
  const joined = await joinIo(socket, 'target')
  const stray = nextEvent<[string, { code: string }]>(socket, 'doc:error', { accept: (id) => id === 'elsewhere' })
  socket.emit('doc:msg', 'elsewhere', new Uint8Array([0, 0, 0]))
  assert.is((await stray)[1].code, 'bad-request')
  const gone = nextEvent(socket, 'disconnect')
  joined.send(new Uint8Array([0xff, 0xff, 0xff]))
  await gone
  assert.ok(joined.errors.some((e) => e.code === 'bad-request'))
  socket.close()
})

Limits('an update that would pass MAX_DOC_BYTES is refused and the document is unchanged', async (ctx) => {
  const t = await token('editor', 'target', 'Big', 'big')
  const big = connectYws(ctx.srv!.wsUrl, 'target', t)
  await big.synced()
  const before = Y.encodeStateVector(ctx.srv!.server.rooms.get('target')!.doc)
  // each update fits in a message; together they pass the document limit
  for (let i = 0; i < 6; i++) big.doc.getMap('blobs').set(`b${i}`, 'x'.repeat(50 * 1024))
  await until(() => big.denied.includes('too-large'), { what: 'permissionDenied too-large' })
  const room = ctx.srv!.server.rooms.get('target')!
  assert.ok(Y.encodeStateAsUpdate(room.doc).byteLength <= MAX_DOC)
  assert.ok(room.doc.getMap('blobs').size < 6)
  assert.not.equal(before, Y.encodeStateVector(room.doc))
  big.close()
  // the refused client's state is not the server's; drop what it wrote from the healthy pair's view
})

Limits.run()
