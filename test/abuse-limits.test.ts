// Abuse limits (CONTRACT §3d v2): documents created by joining share the REST creation limit of
// the token; unauthenticated and refused requests count against the per-address REST limit (per
// real client behind a trusted proxy); a refused live connection releases its TCP socket at once.
import crypto from 'node:crypto'
import net from 'node:net'
import * as assert from 'uvu/assert'
import { WebSocket } from 'ws'
import { connectIo, joinIo, rawWs } from './helpers/clients.js'
import { assertError, http } from './helpers/http.js'
import { startServer, token, type TestServer } from './helpers/server.js'
import { suite } from './helpers/suite.js'
import { nextEvent, within } from './helpers/wait.js'

/** Far below the 30 s that ws waits for a close frame and the 45 s of Socket.IO's connect timeout. */
const RELEASED_WITHIN_MS = 3000

const Creations = suite<{ srv?: TestServer }>('abuse: one creation limit for REST and joins')
Creations.before(async (ctx) => {
  ctx.srv = await startServer({}, { creationLimit: { max: 4, windowMs: 3_600_000 } })
})
Creations.after(async (ctx) => ctx.srv?.close())

Creations('REST creates and joins that create draw on one budget per token subject', async ({ srv }) => {
  const { url, wsUrl } = srv!
  const flooder = await token('editor', '*', 'Flood', 'flooder')
  const docs = async () => (await srv!.server.store.list()).map((m) => m.id)

  assert.is((await http(url, 'POST', '/api/docs', { token: flooder, body: { id: 'rest-1', title: 'One', template: 'empty' } })).status, 201)
  assert.is((await http(url, 'POST', '/api/docs', { token: flooder, body: { title: 'Two', template: 'empty' } })).status, 201)

  // The third and fourth creations are joins, one per transport.
  const yws = rawWs(wsUrl, 'join-yws', flooder)
  await yws.firstMessage()
  const socket = connectIo(url, flooder)
  try {
    assert.is((await joinIo(socket, 'join-io')).ack.ok, true)

    // The budget is spent: a join that would create is refused on both transports, and REST too.
    const refused = await joinIo(socket, 'join-io-2')
    assert.equal(refused.ack, { ok: false, code: 'rate-limited', message: refused.ack.ok ? '' : refused.ack.message })
    const over = rawWs(wsUrl, 'join-yws-2', flooder)
    assert.is((await within(over.closed, 5000, 'the refused join')).code, 1008)
    assertError(await http(url, 'POST', '/api/docs', { token: flooder, body: { id: 'rest-3', title: 'Three', template: 'empty' } }), 429, 'rate-limited', 'REST create')
    const ids = await docs()
    assert.not.ok(ids.includes('join-io-2') || ids.includes('join-yws-2') || ids.includes('rest-3'), ids.join())

    // Joining what exists creates nothing and is not limited; another subject has its own budget.
    assert.is((await joinIo(socket, 'rest-1')).ack.ok, true)
    const other = await token('editor', '*', 'Other', 'other')
    assert.is((await http(url, 'POST', '/api/docs', { token: other, body: { id: 'other-1', title: 'Other', template: 'empty' } })).status, 201)
  } finally {
    socket.close()
    yws.ws.close()
  }
})

const Unauthenticated = suite<{ srv?: TestServer }>('abuse: refused requests count per address')
Unauthenticated.before(async (ctx) => {
  ctx.srv = await startServer({}, { restRateLimit: { max: 5, timeWindowMs: 3_600_000 } })
})
Unauthenticated.after(async (ctx) => ctx.srv?.close())

Unauthenticated('requests without a valid token are counted, and past the limit refused with 429', async ({ srv }) => {
  const { url } = srv!
  for (let i = 0; i < 3; i++) assertError(await http(url, 'GET', '/api/docs'), 401, 'unauthorized', `missing token ${i}`)
  assertError(await http(url, 'GET', '/api/docs', { token: 'not-a-token' }), 401, 'unauthorized', 'invalid token')
  assertError(await http(url, 'GET', '/api/docs/x', { token: await token('viewer', 'other') }), 403, 'forbidden', 'refused token')
  const limited = await http(url, 'GET', '/api/docs')
  assertError(limited, 429, 'rate-limited', 'sixth request')
  assert.ok(limited.headers.get('retry-after') !== null)
  // The address is limited, whatever it sends now; X-Forwarded-For is not believed by default.
  assertError(await http(url, 'GET', '/api/docs', { token: await token('admin') }), 429, 'rate-limited', 'valid token')
  assertError(await http(url, 'GET', '/api/docs', { headers: { 'x-forwarded-for': '203.0.113.9' } }), 429, 'rate-limited', 'spoofed address')
  // Probes stay outside the limit.
  assert.is((await http(url, 'GET', '/healthz')).status, 200)
})

const Proxied = suite<{ srv?: TestServer }>('abuse: TRUST_PROXY')
Proxied.before(async (ctx) => {
  ctx.srv = await startServer({ TRUST_PROXY: 'loopback' }, { restRateLimit: { max: 2, timeWindowMs: 3_600_000 } })
})
Proxied.after(async (ctx) => ctx.srv?.close())

Proxied('behind a trusted proxy each forwarded client has its own budget', async ({ srv }) => {
  const { url } = srv!
  const from = (address: string) => http(url, 'GET', '/api/docs', { headers: { 'x-forwarded-for': address } })
  assert.is((await from('198.51.100.1')).status, 401)
  assert.is((await from('198.51.100.1')).status, 401)
  assert.is((await from('198.51.100.1')).status, 429)
  assert.is((await from('198.51.100.2')).status, 401)
})

const Released = suite<{ srv?: TestServer }>('abuse: refused live connections are released at once')
Released.before(async (ctx) => {
  ctx.srv = await startServer()
})
Released.after(async (ctx) => ctx.srv?.close())

Released('y-websocket: 4401, then the server ends the TCP connection without waiting for a close frame', async ({ srv }) => {
  const { port } = new URL(srv!.url)
  // A raw TCP client that completes the upgrade and then never answers anything.
  const tcp = net.connect(Number(port), '127.0.0.1')
  const chunks: Buffer[] = []
  tcp.on('data', (d: Buffer) => chunks.push(d))
  const closed = nextEvent(tcp, 'close', { timeout: RELEASED_WITHIN_MS })
  await nextEvent(tcp, 'connect')
  tcp.write(
    `GET /yjs/team-a?token=forged HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  )
  await closed
  const received = Buffer.concat(chunks)
  assert.match(received.toString('latin1'), /^HTTP\/1\.1 101 /)
  // A close frame (0x88, 14 bytes) carrying 4401 (0x11 0x31) and `unauthorized` came before the end.
  assert.ok(received.includes(Buffer.from([0x88, 0x0e, 0x11, 0x31])), received.toString('hex'))
})

Released('Socket.IO: connect_error unauthorized, then the connection is released', async ({ srv }) => {
  const ws = new WebSocket(`${srv!.wsUrl}/socket.io/?EIO=4&transport=websocket`)
  const messages: string[] = []
  ws.on('message', (data) => messages.push(data.toString()))
  const closed = nextEvent(ws, 'close', { timeout: RELEASED_WITHIN_MS })
  await nextEvent(ws, 'message', { accept: () => messages.some((m) => m.startsWith('0{')) })
  ws.send('40{"token":"forged"}')
  await closed
  assert.ok(messages.some((m) => m.startsWith('44') && m.includes('unauthorized')), messages.join(' | '))
  assert.is(srv!.server.io.engine.clientsCount, 0)
})

Released('a refused and a served connection side by side: only the refused one is cut', async ({ srv }) => {
  const good = rawWs(srv!.wsUrl, 'team-b', await token('editor'))
  await good.opened
  const bad = rawWs(srv!.wsUrl, 'team-b', 'forged')
  assert.is((await within(bad.closed, RELEASED_WITHIN_MS, 'the refused connection')).code, 4401)
  assert.is(good.ws.readyState, WebSocket.OPEN)
  good.ws.close()
})

Creations.run()
Unauthenticated.run()
Proxied.run()
Released.run()
