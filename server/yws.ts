// The y-websocket endpoint `/yjs/<docId>` (CONTRACT §3a): a stock WebsocketProvider works unchanged.
import crypto from 'node:crypto'
import type { Socket } from 'node:net'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { FastifyBaseLogger } from 'fastify'
import { WebSocket, WebSocketServer } from 'ws'
import { CloseCode, ErrorCode, type Principal } from '../shared/protocol.js'
import { mayWrite, type Auth, type LiveCredential } from './auth.js'
import { createBucket } from './bucket.js'
import type { Creations } from './creations.js'
import { sendBufferLimit, type Config } from './config.js'
import { closeCodeOf, toAppError } from './errors.js'
import type { TransportMetrics } from './metrics.js'
import { copyFrame, FrameError, permissionDeniedFrame } from './frames.js'
import type { Peer } from './room.js'
import type { Rooms } from './rooms.js'
import { openSession, PendingSession } from './session.js'

/** y-websocket's liveness window: a connection that misses a ping for this long is dead. */
const PING_INTERVAL_MS = 30_000

export interface YwsDeps {
  rooms: Rooms
  auth: Auth
  config: Config
  log: FastifyBaseLogger
  metrics?: TransportMetrics
  /** counts documents created by joining against the token's creation limit */
  creations?: Creations
}

export interface Yws {
  /** Takes an HTTP upgrade for `/yjs/<docId>?token=…`; answers anything else with 404. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void
  /** Closes every y-websocket connection with `code` (shutdown: 1012, so clients reconnect elsewhere). */
  closeAll(code: number, reason: string): Promise<void>
}

const PATH = /^\/yjs\/([^/]*)$/

/** What an upgrade brings to prove who it is, and where from (for the log of refused logins). */
interface Login {
  credential: LiveCredential
  address: string | undefined
}

/**
 * The endpoint owns its upgrades with `ws` directly rather than through a Fastify route: a route
 * keeps Fastify's request, reply, IncomingMessage and ServerResponse alive for as long as the
 * socket lives, about 5 KB per connection that nothing uses after the handshake.
 */
export function createYws(deps: YwsDeps): Yws {
  const alive = new Map<WebSocket, boolean>()
  const maxBuffered = sendBufferLimit(deps.config)
  const wss = new WebSocketServer({ noServer: true, maxPayload: deps.config.maxMessageBytes, perMessageDeflate: false, clientTracking: false })

  const accept = (socket: WebSocket, docId: string, login: Login): void => {
    alive.set(socket, true)
    deps.metrics?.connected('y-websocket', 1)
    // ws closes a connection that broke the protocol itself (1002, 1009); the error is only news.
    socket.on('error', (err) => deps.log.debug({ err: err.message }, 'websocket error'))
    socket.on('pong', () => alive.set(socket, true))
    socket.on('close', () => {
      alive.delete(socket)
      deps.metrics?.connected('y-websocket', -1)
    })
    serve(socket, docId, login, { ...deps, maxBuffered })
  }

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
    handleUpgrade(req, socket, head) {
      const url = new URL(req.url ?? '/', 'http://localhost')
      const match = PATH.exec(url.pathname)
      if (match === null) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
        return
      }
      // A malformed escape is an invalid id, refused after the handshake like any other (4400).
      let docId: string
      try {
        docId = decodeURIComponent(match[1]!)
      } catch {
        docId = ''
      }
      // A ticket (CONTRACT §2 v2) keeps the long-lived token out of this URL; either will do.
      const login: Login = {
        credential: { token: url.searchParams.get('token') ?? undefined, ticket: url.searchParams.get('ticket') ?? undefined },
        address: req.socket.remoteAddress,
      }
      wss.handleUpgrade(req, socket, head, (ws) => accept(ws, docId, login))
    },
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

function serve(socket: WebSocket, docId: string, login: Login, deps: YwsDeps & { maxBuffered: number }): void {
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

  void (async () => {
    const claims = await auth.live(login.credential)
    const principal = claims.principal
    // Gone while the token was checked: nothing to watch (the close handler has already run).
    if (socket.readyState !== WebSocket.OPEN) return
    // A revocation (here or on another instance) ends the connection as a bad token would have.
    unwatch = auth.watch(claims, () => {
      if (socket.readyState !== WebSocket.OPEN) return
      socket.send(permissionDeniedFrame(ErrorCode.unauthorized))
      socket.close(closeCodeOf(ErrorCode.unauthorized), 'token revoked')
    })
    await openSession(
      deps,
      {
        docId,
        principal,
        makePeer: () => createWsPeer(socket, principal, deps.maxBuffered),
        alive: () => socket.readyState === WebSocket.OPEN,
        onBadFrame: badFrame,
      },
      session,
    )
  })().catch((err: unknown) => {
    const error = toAppError(err)
    if (error.code === ErrorCode.internal) log().error({ err }, 'connection failed')
    // CONTRACT §2 v2: the reason and the address, never the token.
    if (error.code === ErrorCode.unauthorized) log().info({ reason: error.message, address: login.address }, 'live login refused')
    if (socket.readyState !== WebSocket.OPEN) return
    // Browsers cannot read the status of a refused upgrade, so refusals come after the handshake.
    socket.send(permissionDeniedFrame(error.code))
    socket.close(closeCodeOf(error.code), error.code)
    releaseNow(socket)
  })
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
