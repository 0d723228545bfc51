// ALLOWED_ORIGINS on both live transports (CONTRACT §2): a browser page from a foreign origin is
// refused before the upgrade (HTTP 403 on /yjs/…, a refused Socket.IO handshake); the server's own
// origin, the listed ones, and clients that send no Origin get through.
import * as assert from 'uvu/assert'
import { io as ioClient } from 'socket.io-client'
import { WebSocket } from 'ws'
import { within } from './helpers/wait.js'
import { startServer, token, type TestServer } from './helpers/server.js'
import { suite } from './helpers/suite.js'

const EVIL = 'http://evil.example'
const LISTED = 'https://map.example.com'

type Outcome = { opened: true; firstMessage: boolean } | { opened: false; status: number }

/** A y-websocket upgrade with this Origin (or none): opened and served, or refused with a status. */
async function yws(srv: TestServer, origin: string | undefined, docId = 'team-a'): Promise<Outcome> {
  const tok = await token('editor')
  const ws = new WebSocket(`${srv.wsUrl}/yjs/${docId}?token=${tok}`, { headers: origin === undefined ? {} : { origin } })
  ws.on('error', () => {})
  try {
    return await within(
      new Promise<Outcome>((resolve) => {
        ws.once('unexpected-response', (_req, res) => resolve({ opened: false, status: res.statusCode ?? 0 }))
        // Served means the document's sync step 1 arrived, not just a 101.
        ws.once('message', () => resolve({ opened: true, firstMessage: true }))
      }),
      5000,
      `the y-websocket upgrade with origin ${origin}`,
    )
  } finally {
    ws.terminate()
  }
}

/** A Socket.IO handshake with this Origin on one transport: connected, or the connect_error message. */
async function sio(srv: TestServer, origin: string | undefined, transport: 'websocket' | 'polling'): Promise<string> {
  const socket = ioClient(srv.url, {
    transports: [transport],
    auth: { token: await token('editor') },
    extraHeaders: origin === undefined ? {} : { origin },
    reconnection: false,
    forceNew: true,
  })
  try {
    return await within(
      new Promise<string>((resolve) => {
        socket.once('connect', () => resolve('connected'))
        socket.once('connect_error', (err) => resolve(`connect_error: ${err.message}`))
      }),
      5000,
      `the Socket.IO handshake with origin ${origin}`,
    )
  } finally {
    socket.close()
  }
}

const Default = suite<{ srv?: TestServer }>('origins: default (own origin only)')
Default.before(async (ctx) => {
  ctx.srv = await startServer()
})
Default.after(async (ctx) => ctx.srv?.close())

Default('y-websocket: a foreign Origin gets 403 before the upgrade', async ({ srv }) => {
  assert.equal(await yws(srv!, EVIL), { opened: false, status: 403 })
  assert.equal(await yws(srv!, 'null'), { opened: false, status: 403 })
  assert.equal(await yws(srv!, LISTED), { opened: false, status: 403 })
})

Default('y-websocket: the own origin (either scheme) and no Origin are served', async ({ srv }) => {
  const host = new URL(srv!.url).host
  assert.equal(await yws(srv!, `http://${host}`), { opened: true, firstMessage: true })
  assert.equal(await yws(srv!, `https://${host}`), { opened: true, firstMessage: true })
  assert.equal(await yws(srv!, undefined), { opened: true, firstMessage: true })
})

Default('Socket.IO: a foreign Origin is refused at the handshake, on websocket and polling', async ({ srv }) => {
  for (const transport of ['websocket', 'polling'] as const) {
    assert.match(await sio(srv!, EVIL, transport), /^connect_error/, transport)
  }
})

Default('Socket.IO: the own origin and no Origin connect', async ({ srv }) => {
  for (const transport of ['websocket', 'polling'] as const) {
    assert.is(await sio(srv!, srv!.url, transport), 'connected', transport)
    assert.is(await sio(srv!, undefined, transport), 'connected', transport)
  }
})

Default('a refused upgrade leaves the server serving others', async ({ srv }) => {
  await Promise.all(Array.from({ length: 20 }, () => yws(srv!, EVIL)))
  assert.equal(await yws(srv!, undefined), { opened: true, firstMessage: true })
  const health = await fetch(`${srv!.url}/healthz`)
  assert.is(health.status, 200)
})

const Listed = suite<{ srv?: TestServer }>('origins: ALLOWED_ORIGINS list')
Listed.before(async (ctx) => {
  ctx.srv = await startServer({ ALLOWED_ORIGINS: `${LISTED},http://localhost:5173` })
})
Listed.after(async (ctx) => ctx.srv?.close())

Listed('listed origins are served on both transports, others refused, the own origin still served', async ({ srv }) => {
  assert.equal(await yws(srv!, LISTED), { opened: true, firstMessage: true })
  assert.equal(await yws(srv!, 'http://localhost:5173'), { opened: true, firstMessage: true })
  assert.equal(await yws(srv!, EVIL), { opened: false, status: 403 })
  assert.equal(await yws(srv!, srv!.url), { opened: true, firstMessage: true })
  assert.is(await sio(srv!, LISTED, 'websocket'), 'connected')
  assert.match(await sio(srv!, EVIL, 'websocket'), /^connect_error/)
  // An origin differs by scheme and port too.
  assert.equal(await yws(srv!, 'http://map.example.com'), { opened: false, status: 403 })
  assert.equal(await yws(srv!, 'https://map.example.com:8443'), { opened: false, status: 403 })
})

const Any = suite<{ srv?: TestServer }>('origins: ALLOWED_ORIGINS=*')
Any.before(async (ctx) => {
  ctx.srv = await startServer({ ALLOWED_ORIGINS: '*' })
})
Any.after(async (ctx) => ctx.srv?.close())

Any('any origin is served', async ({ srv }) => {
  assert.equal(await yws(srv!, EVIL), { opened: true, firstMessage: true })
  assert.is(await sio(srv!, EVIL, 'websocket'), 'connected')
  assert.is(await sio(srv!, EVIL, 'polling'), 'connected')
})

Default.run()
Listed.run()
Any.run()
