// The y-websocket endpoint `/yjs/<docId>` (CONTRACT §3a): a stock WebsocketProvider works unchanged.
import crypto from 'node:crypto'
import type { Socket } from 'node:net'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import fastifyWebsocket from '@fastify/websocket'
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify'
import { WebSocket } from 'ws'
import { CloseCode, ErrorCode, type Principal } from '../shared/protocol.js'
import { mayWrite, type Auth, type Claims, type LiveCredential } from './auth.js'
import { createBucket } from './bucket.js'
import type { Creations } from './creations.js'
import { sendBufferLimit, type Config } from './config.js'
import { AppError, closeCodeOf, toAppError } from './errors.js'
import type { Gate } from './gate.js'
import type { TransportMetrics } from './metrics.js'
import { copyFrame, FrameError, permissionDeniedFrame } from './frames.js'
import type { Peer } from './room.js'
import type { Rooms } from './rooms.js'
import { docIdParams } from './routes/schemas.js'
import { openSession, PendingSession } from './session.js'

/** y-websocket's liveness window: a connection that misses a ping for this long is dead. */
const PING_INTERVAL_MS = 30_000

export interface YwsDeps {
  rooms: Rooms
  auth: Auth
  config: Config
  log: FastifyBaseLogger
  /** refuses a browser page from a foreign origin before the upgrade */
  gate: Gate
  metrics?: TransportMetrics
  /** counts documents created by joining against the token's creation limit */
  creations?: Creations
}

export interface Yws {
  /** Closes every y-websocket connection with `code` (shutdown: 1012, so clients reconnect elsewhere). */
  closeAll(code: number, reason: string): Promise<void>
}

/** What the route's hooks found out about an upgrade before the handshake. */
interface Arrival {
  claims?: Claims
  /** why the connection is refused; told after the handshake, since browsers cannot read a refused upgrade's status */
  refusal?: AppError
}

declare module 'fastify' {
  interface FastifyRequest {
    liveArrival: Arrival | null
  }
}

/**
 * The endpoint is a Fastify route through @fastify/websocket: the origin gate, the login and the id
 * check are the route's hooks and schema, and run before the handshake. Upgrades to /socket.io/
 * never reach Fastify's router (Socket.IO's engine takes them), so the plugin's own upgrade
 * listener is put behind a dispatcher.
 */
export async function registerYws(app: FastifyInstance, deps: YwsDeps): Promise<Yws> {
  const alive = new Map<WebSocket, boolean>()
  const maxBuffered = sendBufferLimit(deps.config)
  const before = new Set(app.server.listeners('upgrade'))
  await app.register(fastifyWebsocket, {
    options: { maxPayload: deps.config.maxMessageBytes, perMessageDeflate: false, clientTracking: false },
    // closeAll ends the connections, with the code the shutdown chose, before Fastify closes.
    preClose: (done) => done(),
  })
  dispatchUpgrades(app.server, app.server.listeners('upgrade').filter((l) => !before.has(l)) as UpgradeListener[])

  app.decorateRequest('liveArrival', null)
  const quiet = deps.log.child({}, { level: 'warn' })
  app.route<{ Params: { id: string }; Querystring: Record<string, unknown> }>({
    method: 'GET',
    url: '/yjs/:id',
    websocket: true,
    // No log line per connection (thousands of them; refusals are logged below, with their reason),
    // and no child logger per request: one at warn for every upgrade, made once.
    childLoggerFactory: () => quiet,
    // An invalid id is refused after the handshake like any other refusal (4400), not with a 400.
    schema: { params: docIdParams },
    attachValidation: true,
    onRequest: [
      (req, reply, done) => {
        if (req.ws && !deps.gate.allows(req.raw, 'y-websocket')) reply.code(403).type('text/plain').send('origin not allowed')
        else done()
      },
      async (req) => {
        if (!req.ws) return
        // A ticket (CONTRACT §2 v2) keeps the long-lived token out of this URL; either will do.
        const credential: LiveCredential = { token: first(req.query.token), ticket: first(req.query.ticket) }
        try {
          req.liveArrival = { claims: await deps.auth.live(credential) }
        } catch (err) {
          const refusal = toAppError(err)
          // CONTRACT §2 v2: the reason and the address, never the token.
          if (refusal.code === ErrorCode.unauthorized) deps.log.info({ reason: refusal.message, address: req.ip }, 'live login refused')
          req.liveArrival = { refusal }
        }
      },
    ],
    preHandler: (req, _reply, done) => {
      if (req.validationError !== undefined && req.liveArrival?.refusal === undefined) {
        req.liveArrival = { refusal: new AppError(ErrorCode.badRequest, 'invalid document id') }
      }
      done()
    },
    handler(socket, req) {
      const arrival = req.liveArrival ?? { refusal: new AppError(ErrorCode.internal) }
      const docId = req.params.id
      release(socket, req)
      alive.set(socket, true)
      deps.metrics?.connected('y-websocket', 1)
      // ws closes a connection that broke the protocol itself (1002, 1009); the error is only news.
      socket.on('error', (err) => deps.log.debug({ err: err.message }, 'websocket error'))
      socket.on('pong', () => alive.set(socket, true))
      socket.on('close', () => {
        alive.delete(socket)
        deps.metrics?.connected('y-websocket', -1)
      })
      serve(socket, docId, arrival, { ...deps, maxBuffered })
    },
  })

  const pinger = setInterval(() => {
    for (const [socket, ok] of alive) {
      if (!ok) {
        socket.terminate()
        continue
      }
      alive.set(socket, false)
      socket.ping()
    }
  }, PING_INTERVAL_MS)
  pinger.unref()

  return {
    async closeAll(code, reason) {
      clearInterval(pinger)
      const sockets = [...alive.keys()]
      const closed = sockets.map((s) => new Promise<void>((resolve) => (s.readyState === WebSocket.CLOSED ? resolve() : s.once('close', () => resolve()))))
      sockets.forEach((s) => s.close(code, reason))
      // A client that does not answer the close handshake must not hold the shutdown up.
      const deadline = setTimeout(() => sockets.forEach((s) => s.terminate()), 2000)
      await Promise.all(closed)
      clearTimeout(deadline)
    },
  }
}

type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void

/**
 * One `upgrade` listener for the HTTP server: /socket.io/ is left to Socket.IO's engine (its own
 * listener, with destroyUpgrade off), /yjs/<id> goes to @fastify/websocket, anything else is a 404.
 * The plugin would route every upgrade through Fastify, end Socket.IO's (DESIGN's pitfall) and
 * upgrade any GET route's path only to close it.
 */
function dispatchUpgrades(server: FastifyInstance['server'], plugin: UpgradeListener[]): void {
  for (const listener of plugin) server.removeListener('upgrade', listener)
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = req.url ?? '/'
    if (url.startsWith('/socket.io/')) return
    const match = PATH.exec(url)
    if (match === null) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      return
    }
    // Fastify's router answers a malformed escape with a 400 before any route runs; CONTRACT §3
    // refuses every invalid id after the handshake (4400). Such a path gets an id that decodes and
    // is invalid, so the route refuses it like any other.
    if (!decodes(match[1]!)) req.url = `/yjs/%20${match[2] ?? ''}`
    for (const listener of plugin) listener(req, socket, head)
  })
}

/** `/yjs/<id>` and the query */
const PATH = /^\/yjs\/([^/?]*)(\?.*)?$/

function decodes(segment: string): boolean {
  try {
    decodeURIComponent(segment)
    return true
  } catch {
    return false
  }
}

/** The first of a repeated query parameter (`?token=a&token=b`), as URLSearchParams.get would. */
const first = (value: unknown): unknown => (Array.isArray(value) ? value[0] : value)

/**
 * After the handshake nothing needs Fastify's request or reply, but two things keep them (and the
 * request's child logger, the IncomingMessage and the ServerResponse: ~5 KB) alive for as long as
 * the connection lives: the plugin's `error` listener, a closure over both, and the TCP socket's
 * ServerResponse, which the plugin assigned to it for the hooks' replies. Cut both.
 */
function release(socket: WebSocket, req: FastifyRequest): void {
  socket.removeAllListeners('error')
  const tcp = req.raw.socket as Socket & { _httpMessage?: ServerResponse | null }
  tcp._httpMessage?.detachSocket(tcp)
}

function serve(socket: WebSocket, docId: string, arrival: Arrival, deps: YwsDeps & { maxBuffered: number }): void {
  const { auth, config } = deps
  // Made on first use: a child logger per connection costs memory that most connections never use.
  let child: FastifyBaseLogger | undefined
  const log = (): FastifyBaseLogger => (child ??= deps.log.child({ doc: docId }))
  const bucket = createBucket({ perSec: config.rateLimitPerSec, burst: config.rateLimitBurst })
  const session = new PendingSession()
  const badFrame = (err: FrameError): void => {
    log().warn({ err: err.message }, 'bad frame; closing the connection')
    socket.close(CloseCode.protocolError, 'bad frame')
  }

  socket.on('message', (data, isBinary) => {
    if (socket.readyState !== WebSocket.OPEN) return
    if (!bucket.take()) {
      log().warn('message rate exceeded; closing the connection')
      socket.close(CloseCode.policyViolation, ErrorCode.rateLimited)
      return
    }
    if (!isBinary) {
      socket.close(CloseCode.protocolError, 'bad frame')
      return
    }
    try {
      session.receive(copyFrame(data))
    } catch (err) {
      if (!(err instanceof FrameError)) throw err
      badFrame(err)
    }
  })
  let unwatch = (): void => {}
  socket.on('close', () => {
    unwatch()
    session.end()
  })

  const refuse = (error: AppError): void => {
    if (error.code === ErrorCode.internal) log().error({ err: error }, 'connection failed')
    if (socket.readyState !== WebSocket.OPEN) return
    // Browsers cannot read the status of a refused upgrade, so refusals come after the handshake.
    socket.send(permissionDeniedFrame(error.code))
    socket.close(closeCodeOf(error.code), error.code)
    releaseNow(socket)
  }
  const { claims, refusal } = arrival
  if (claims === undefined) {
    refuse(refusal ?? new AppError(ErrorCode.internal))
    return
  }
  const principal = claims.principal
  // A revocation (here or on another instance) ends the connection as a bad token would have.
  unwatch = auth.watch(claims, () => {
    if (socket.readyState !== WebSocket.OPEN) return
    socket.send(permissionDeniedFrame(ErrorCode.unauthorized))
    socket.close(closeCodeOf(ErrorCode.unauthorized), 'token revoked')
  })
  openSession(
    deps,
    {
      docId,
      principal,
      makePeer: () => createWsPeer(socket, principal, deps.maxBuffered),
      alive: () => socket.readyState === WebSocket.OPEN,
      onBadFrame: badFrame,
    },
    session,
  ).catch((err: unknown) => refuse(toAppError(err)))
}

/**
 * A refused connection has nothing more to say (CONTRACT §3d): once the close frame is on its way,
 * release the TCP socket instead of holding it up to 30 s for a close frame the peer may never send.
 */
function releaseNow(socket: WebSocket): void {
  const tcp = (socket as unknown as { _socket?: Socket })._socket
  if (tcp === undefined) socket.terminate()
  else tcp.end(() => socket.terminate())
}

function createWsPeer(socket: WebSocket, principal: Principal, maxBuffered: number): Peer {
  let toldReadOnly = false
  const peer: Peer = {
    id: crypto.randomUUID(),
    principal,
    readOnly: !mayWrite(principal),
    send(frame) {
      if (socket.readyState !== WebSocket.OPEN) return
      if (socket.bufferedAmount > maxBuffered) {
        socket.terminate()
        return
      }
      socket.send(frame)
    },
    broadcast(b) {
      peer.send(b.frame)
    },
    // ws has no cork of its own; its TCP socket does (ws corks it itself around each frame).
    cork: () => (socket as unknown as { _socket?: Socket })._socket?.cork(),
    uncork: () => (socket as unknown as { _socket?: Socket })._socket?.uncork(),
    refuse(code) {
      // CONTRACT §2: a viewer is told about read-only at most once per connection.
      if (code === ErrorCode.readOnly) {
        if (toldReadOnly) return
        toldReadOnly = true
      }
      if (socket.readyState === WebSocket.OPEN) socket.send(permissionDeniedFrame(code))
    },
    close(reason) {
      if (socket.readyState !== WebSocket.OPEN) return
      // The database failed under the room: 1013, and the provider comes back (and sends its edits again).
      if (reason === 'try-again') socket.close(CloseCode.tryAgainLater, 'try again later')
      else socket.close(closeCodeOf(reason), reason)
    },
  }
  return peer
}
