// One delivery attempt against a real HTTP receiver on an ephemeral port (CONTRACT §6c): 2xx
// counts; a 500, a redirect, a receiver that never answers, a closed port and a refused address
// fail with a short error text; a signed body arrives byte for byte and verifies.
import { suite } from './helpers/suite.js'
import * as assert from 'uvu/assert'
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'
import { ERROR_TEXT_MAX, send } from '../server/webhooks/send.js'
import { generateSecret, newMessageId, signedHeaders } from '../server/webhooks/sign.js'
import { until, within } from './helpers/wait.js'

interface Received {
  method: string
  url: string
  headers: IncomingHttpHeaders
  body: string
}

interface Receiver {
  url: string
  port: number
  received: Received[]
  /** what the receiver does with the next requests */
  answer: (req: IncomingMessage, res: ServerResponse) => void
}

const Send = suite<{ receiver: Receiver; server: Server }>('webhook send')

Send.before(async (ctx) => {
  const receiver: Receiver = { url: '', port: 0, received: [], answer: (_req, res) => res.end() }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      receiver.received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      receiver.answer(req, res)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  receiver.port = (server.address() as AddressInfo).port
  receiver.url = `http://127.0.0.1:${receiver.port}`
  Object.assign(ctx, { receiver, server })
})

Send.before.each(({ receiver, server }) => {
  receiver.received = []
  receiver.answer = (_req, res) => res.end()
  // a test whose receiver hung leaves no open socket to the next one
  server.closeAllConnections()
})

Send.after(async ({ server }) => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

const allowed = { allowPrivate: true }
const body = JSON.stringify({ type: 'doc.changed', timestamp: '2026-12-01T10:00:00.000Z', data: { doc: 'chloé', version: 3, by: ['ana'] } })

Send('a 200 counts; the signed body arrives byte for byte and verifies with the reference library', async ({ receiver }) => {
  const secret = generateSecret()
  receiver.answer = (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok')
  const attempt = await send({ url: `${receiver.url}/hooks/in?x=1`, body, headers: signedHeaders(secret, newMessageId(), body) }, allowed)
  assert.equal({ ok: attempt.ok, status: attempt.status, error: attempt.error }, { ok: true, status: 200, error: null })
  assert.type(attempt.durationMs, 'number')
  const [got] = receiver.received
  assert.is(got?.method, 'POST')
  assert.is(got?.url, '/hooks/in?x=1')
  assert.is(got?.body, body)
  assert.is(got?.headers['content-type'], 'application/json')
  assert.is(got?.headers['content-length'], String(Buffer.byteLength(body)))
  assert.is(got?.headers['user-agent'], 'skillmap-webhooks')
  assert.equal(new Webhook(secret).verify(got!.body, got!.headers as Record<string, string>), JSON.parse(body))
})

Send('any 2xx counts, as soon as its status arrives, even if its body never ends', async ({ receiver }) => {
  receiver.answer = (_req, res) => res.writeHead(204).end()
  assert.is((await send({ url: receiver.url, body, headers: {} }, allowed)).ok, true)
  receiver.answer = (_req, res) => {
    res.writeHead(202, { 'content-type': 'text/plain' })
    res.write('accepted, and then nothing more…')
  }
  const attempt = await within(send({ url: receiver.url, body, headers: {} }, { ...allowed, timeoutMs: 2000 }), 5000, 'send')
  assert.equal([attempt.ok, attempt.status, attempt.error], [true, 202, null])
})

Send('a 500 fails with its status and the start of what the receiver said', async ({ receiver }) => {
  receiver.answer = (_req, res) => res.writeHead(500).end('database\n  is down')
  const attempt = await send({ url: receiver.url, body, headers: {} }, allowed)
  assert.equal([attempt.ok, attempt.status, attempt.error], [false, 500, 'HTTP 500: database is down'])
  receiver.answer = (_req, res) => res.writeHead(503).end()
  assert.is((await send({ url: receiver.url, body, headers: {} }, allowed)).error, 'HTTP 503')
})

Send('a huge error body with control characters: the stored error text stays short and printable', async ({ receiver }) => {
  receiver.answer = (_req, res) => res.writeHead(500).end('\u0007x'.repeat(4 * 1024 * 1024))
  const attempt = await send({ url: receiver.url, body, headers: {} }, allowed)
  assert.is(attempt.status, 500)
  assert.ok(attempt.error!.length <= ERROR_TEXT_MAX, `${attempt.error!.length} characters`)
  assert.not.match(attempt.error!, /[\u0000-\u001f]/)
  assert.match(attempt.error!, /^HTTP 500: x x x/)
})

Send('a redirect is not followed: it fails, and its target never hears of it', async ({ receiver }) => {
  receiver.answer = (req, res) => {
    if (req.url === '/start') res.writeHead(307, { location: '/elsewhere' }).end()
    else res.writeHead(200).end()
  }
  const attempt = await send({ url: `${receiver.url}/start`, body, headers: {} }, allowed)
  assert.equal([attempt.ok, attempt.status, attempt.error], [false, 307, 'HTTP 307'])
  assert.equal(receiver.received.map((r) => r.url), ['/start'])
})

Send('a receiver that never answers: the attempt gives up at the timeout and lets go of the connection', async ({ receiver }) => {
  let closed = false
  receiver.answer = (req) => req.socket.on('close', () => (closed = true))
  const attempt = await within(send({ url: receiver.url, body, headers: {} }, { ...allowed, timeoutMs: 300 }), 5000, 'send')
  assert.equal([attempt.ok, attempt.status, attempt.error], [false, null, 'timed out after 300 ms'])
  await until(() => closed, { what: 'the receiver seeing the connection close' })
})

Send('a closed port: connection refused, no status', async () => {
  const closedPort = await new Promise<number>((resolve) => {
    const probe = createServer()
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(port))
    })
  })
  const attempt = await send({ url: `http://127.0.0.1:${closedPort}/`, body, headers: {} }, allowed)
  assert.equal([attempt.ok, attempt.status], [false, null])
  assert.match(attempt.error!, /ECONNREFUSED 127\.0\.0\.1:\d+/)
})

Send('without allowPrivate, loopback is refused before any byte is sent, by IP or by a name that resolves there', async ({ receiver }) => {
  const strict = { allowPrivate: false }
  const byIp = await send({ url: receiver.url, body, headers: {} }, strict)
  assert.equal([byIp.ok, byIp.status], [false, null])
  assert.match(byIp.error!, /127\.0\.0\.1 is a loopback address/)
  const resolve = async () => [{ address: '127.0.0.1', family: 4 }]
  const byName = await send({ url: `http://hooks.example.com:${receiver.port}/`, body, headers: {} }, { allowPrivate: false, resolve })
  assert.match(byName.error!, /hooks\.example\.com resolves to 127\.0\.0\.1, a loopback address/)
  const metadata = await send({ url: 'http://169.254.169.254/latest/meta-data/', body, headers: {} }, allowed)
  assert.match(metadata.error!, /cloud metadata/)
  assert.equal(receiver.received, [])
})

Send('a URL that is not http(s) fails the attempt with a clear error instead of throwing', async () => {
  assert.match((await send({ url: 'ftp://example.com/', body, headers: {} }, allowed)).error!, /must be http or https/)
  assert.match((await send({ url: 'nonsense', body, headers: {} }, allowed)).error!, /not a URL/)
})

Send.run()
