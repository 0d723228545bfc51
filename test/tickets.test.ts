// Live tickets (CONTRACT §2 v2): a token buys a 30 s single-use ticket over REST, which opens one
// live connection (y-websocket `?ticket=`, Socket.IO `auth: { ticket }`) on any instance sharing
// the database, and nothing else.
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { suite } from './helpers/suite.js'
import * as assert from 'uvu/assert'
import { WebsocketProvider } from 'y-websocket'
import { WebSocket } from 'ws'
import * as Y from 'yjs'
import { createAuth } from '../server/auth.js'
import { createLocalBus, createLocalHub } from '../server/bus.js'
import { io as ioClient } from 'socket.io-client'
import { joinIo, rawWs } from './helpers/clients.js'
import { http } from './helpers/http.js'
import { startServer, tempDir, TEST_SECRET, token, type TestServer } from './helpers/server.js'
import { nextEvent } from './helpers/wait.js'

const Tickets = suite<{ a?: TestServer; b?: TestServer; closers: Array<() => void> }>('tickets', { closers: [] })

Tickets.before(async (ctx) => {
  // two instances on one database (an in-process bus between them)
  const hub = createLocalHub()
  const dataDir = tempDir()
  ctx.a = await startServer({ DATA_DIR: dataDir }, { bus: createLocalBus({ hub }) })
  ctx.b = await startServer({ DATA_DIR: dataDir }, { bus: createLocalBus({ hub }) })
})
Tickets.after.each((ctx) => {
  ctx.closers.splice(0).forEach((close) => close())
})
Tickets.after(async (ctx) => {
  await ctx.a?.close()
  await ctx.b?.close()
})

async function ticketFor(srv: TestServer, tok: string): Promise<{ ticket: string; expiresAt: string }> {
  const res = await http(srv.url, 'POST', '/api/tokens/ticket', { token: tok })
  assert.is(res.status, 200, res.text)
  return res.json
}

const ticketSocket = (url: string, ticket: string) =>
  ioClient(url, { transports: ['websocket'], auth: { ticket }, reconnection: false, forceNew: true })

Tickets('a ticket from A opens one y-websocket connection on B, with the token\'s identity, once', async (ctx) => {
  const { a, b } = ctx
  const editor = await token('editor', 'tix', 'Tia', 'tia')
  const { ticket, expiresAt } = await ticketFor(a!, editor)
  const left = Date.parse(expiresAt) - Date.now()
  assert.ok(left > 25_000 && left <= 30_000, `expires in ${left} ms`)

  const doc = new Y.Doc()
  const provider = new WebsocketProvider(`${b!.wsUrl}/yjs`, 'tix', doc, { params: { ticket }, WebSocketPolyfill: WebSocket as never, disableBc: true, connect: true })
  ctx.closers.push(() => {
    provider.destroy()
    doc.destroy()
  })
  await nextEvent(provider, 'sync', { accept: (s) => s === true })
  doc.getMap('m').set('by', 'ticket')
  // the server stamped presence from the token behind the ticket
  provider.awareness.setLocalState({})
  const watcher = connectWatcher(b!, await token('viewer', 'tix', 'Wu', 'wu'))
  ctx.closers.push(watcher.close)
  await nextEvent(watcher.provider, 'sync', { accept: (s) => s === true })
  const stamped = () => watcher.provider.awareness.getStates().get(doc.clientID)?.user
  if (stamped() === undefined) await nextEvent(watcher.provider.awareness, 'change', { accept: () => stamped() !== undefined })
  assert.equal(stamped(), { id: 'tia', name: 'Tia', role: 'editor' })

  // used: refused on either instance
  for (const srv of [a!, b!]) {
    const reuse = new WebSocket(`${srv.wsUrl}/yjs/tix?ticket=${ticket}`)
    const [code] = await nextEvent<[number]>(reuse, 'close')
    assert.is(code, 4401)
  }
})

function connectWatcher(srv: TestServer, tok: string) {
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(`${srv.wsUrl}/yjs`, 'tix', doc, { params: { token: tok }, WebSocketPolyfill: WebSocket as never, disableBc: true })
  return {
    provider,
    close: () => {
      provider.destroy()
      doc.destroy()
    },
  }
}

Tickets('a ticket opens one Socket.IO connection; a used one gets connect_error unauthorized', async (ctx) => {
  const { a, b } = ctx
  const { ticket } = await ticketFor(a!, await token('viewer', '*', 'Vic', 'vic'))
  const socket = ticketSocket(b!.url, ticket)
  ctx.closers.push(() => socket.close())
  await nextEvent(socket, 'connect')
  // the viewer behind the ticket may watch a document the editor made
  const editor = await token('editor', 'tix-io')
  assert.is((await http(a!.url, 'POST', '/api/docs', { token: editor, body: { id: 'tix-io', title: 'Tix' } })).status, 201)
  const joined = await joinIo(socket, 'tix-io')
  assert.equal(joined.ack, { ok: true, role: 'viewer' })
  await joined.synced

  for (const srv of [a!, b!]) {
    const reuse = ticketSocket(srv.url, ticket)
    const [err] = await nextEvent<[Error]>(reuse, 'connect_error')
    reuse.close()
    assert.is(err.message, 'unauthorized')
  }
})

Tickets('Socket.IO with auth as a function takes a fresh ticket on every reconnect', async (ctx) => {
  const { a, b } = ctx
  const editor = await token('editor', '*', 'Rey', 'rey')
  const used: string[] = []
  const socket = ioClient(b!.url, {
    transports: ['websocket'],
    forceNew: true,
    reconnectionDelay: 10,
    auth: (cb) => {
      ticketFor(a!, editor).then(({ ticket }) => {
        used.push(ticket)
        cb({ ticket })
      })
    },
  })
  ctx.closers.push(() => socket.close())
  await nextEvent(socket, 'connect')
  // the network drops: the client reconnects by itself, with a new ticket (the old one is spent)
  const reconnected = nextEvent(socket, 'connect')
  socket.io.engine.close()
  await reconnected
  assert.is(used.length, 2)
  assert.is.not(used[0], used[1])
  assert.ok(socket.connected)
})

Tickets('an expired, forged or token-as-ticket ticket is refused; a ticket is no token; exporters get none', async (ctx) => {
  const { a } = ctx
  const editor = await token('editor', '*', 'Ed', 'ed')
  const { ticket } = await ticketFor(a!, editor)
  assert.is(decodeProtectedHeader(ticket).typ, 'skillmap-ticket+jwt')
  assert.is(decodeJwt(ticket).exp! - decodeJwt(ticket).iat!, 30)

  // a ticket is not a token: not on REST, not as ?token=
  assert.is((await http(a!.url, 'GET', '/api/docs', { token: ticket })).status, 401)
  assert.is((await rawWs(a!.wsUrl, 'tix-x', ticket).closed).code, 4401)
  // nor a token a ticket
  const asTicket = new WebSocket(`${a!.wsUrl}/yjs/tix-x?ticket=${editor}`)
  assert.is((await nextEvent<[number]>(asTicket, 'close'))[0], 4401)

  // expired (issued 31 s ago by the same secret)
  const claims = await createAuth(TEST_SECRET).authenticate(editor)
  const old = (await createAuth(TEST_SECRET, { now: () => Date.now() - 31_000 }).issueTicket(claims)).ticket
  const expired = new WebSocket(`${a!.wsUrl}/yjs/tix-x?ticket=${old}`)
  assert.is((await nextEvent<[number]>(expired, 'close'))[0], 4401)
  // signed with another secret
  const forged = (await createAuth('another-secret-that-is-long-enough-32').issueTicket(claims)).ticket
  const bad = new WebSocket(`${a!.wsUrl}/yjs/tix-x?ticket=${forged}`)
  assert.is((await nextEvent<[number]>(bad, 'close'))[0], 4401)

  const exporter = await token('exporter', '*')
  assert.is((await http(a!.url, 'POST', '/api/tokens/ticket', { token: exporter })).status, 403)
  assert.is((await http(a!.url, 'POST', '/api/tokens/ticket', {})).status, 401)
  assert.is((await a!.server.store.get('tix-x')), undefined)
})

Tickets('a ticket of a revoked token is refused, and a ticket connection closes when its token is revoked', async (ctx) => {
  const { a, b } = ctx
  const admin = await token('admin', '*', 'Root', 'root')
  const editor = await token('editor', 'tix-rev', 'Rae', 'rae')
  const first = await ticketFor(a!, editor)
  const second = await ticketFor(a!, editor)
  const live = new WebSocket(`${b!.wsUrl}/yjs/tix-rev?ticket=${first.ticket}`)
  await nextEvent(live, 'message')
  const closed = nextEvent<[number]>(live, 'close', { timeout: 2000 })
  assert.is((await http(a!.url, 'POST', '/api/tokens/revoke', { token: admin, body: { jti: decodeJwt(editor).jti } })).status, 204)
  assert.is((await closed)[0], 4401)
  const late = new WebSocket(`${b!.wsUrl}/yjs/tix-rev?ticket=${second.ticket}`)
  assert.is((await nextEvent<[number]>(late, 'close'))[0], 4401)
  assert.is((await http(a!.url, 'POST', '/api/tokens/ticket', { token: editor })).status, 401)
})

Tickets.run()
