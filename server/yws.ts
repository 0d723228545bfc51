// The y-websocket endpoint `/yjs/:docId` (CONTRACT §3a): a stock WebsocketProvider works unchanged.
import crypto from 'node:crypto'
import type { Socket } from 'node:net'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { WebSocket } from 'ws'
import { CloseCode, ErrorCode, isDocId, type Principal } from '../shared/protocol.js'
import { canAccess, mayConnect, mayWrite, type Auth } from './auth.js'
import { createBucket } from './bucket.js'
import { sendBufferLimit, type Config } from './config.js'
import { AppError, closeCodeOf, toAppError } from './errors.js'
import type { TransportMetrics } from './metrics.js'
import { copyFrame, FrameError, handleFrame, permissionDeniedFrame } from './protocol.js'
import type { Peer, Room, Rooms } from './rooms.js'

/** y-websocket's liveness window: a connection that misses a ping for this long is dead. */
const PING_INTERVAL_MS = 30_000

export interface YwsDeps {
  rooms: Rooms
  auth: Auth
  config: Config
  log: FastifyBaseLogger
  metrics?: TransportMetrics
}

export interface Yws {
  /** Closes every y-websocket connection with `code` (shutdown: 1012, so clients reconnect elsewhere). */
  closeAll(code: number, reason: string): Promise<void>
}

export function registerYws(app: FastifyInstance, deps: YwsDeps): Yws {
  const alive = new Map<WebSocket, boolean>()
  const maxBuffered = sendBufferLimit(deps.config)

  app.get<{ Params: { docId: string }; Querystring: { token?: string } }>('/yjs/:docId', { websocket: true }, (socket, req) => {
    alive.set(socket, true)
    deps.metrics?.connected('y-websocket', 1)
    socket.on('pong', () => alive.set(socket, true))
    socket.on('close', () => {
      alive.delete(socket)
      deps.metrics?.connected('y-websocket', -1)
    })
    serve(socket, req.params.docId, req.query.token, { ...deps, maxBuffered })
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

function serve(socket: WebSocket, docId: string, token: string | undefined, deps: YwsDeps & { maxBuffered: number }): void {
  const { rooms, auth, config } = deps
  // Made on first use: a child logger per connection costs memory that most connections never use.
  let child: FastifyBaseLogger | undefined
  const log = (): FastifyBaseLogger => (child ??= deps.log.child({ doc: docId }))
  const bucket = createBucket({ perSec: config.rateLimitPerSec, burst: config.rateLimitBurst })
  // Frames that arrive while the token is checked and the document loads wait here, in order.
  const early: Uint8Array[] = []
  let session: { room: Room; peer: Peer } | undefined

  const receive = (data: Uint8Array): void => {
    if (session === undefined || socket.readyState !== WebSocket.OPEN) return
    try {
      handleFrame(session.room, session.peer, data)
    } catch (err) {
      if (!(err instanceof FrameError)) throw err
      log().warn({ err: err.message }, 'bad frame; closing the connection')
      socket.close(CloseCode.protocolError, 'bad frame')
    }
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
    const frame = copyFrame(data)
    if (session === undefined) early.push(frame)
    else receive(frame)
  })
  socket.on('close', () => {
    if (session !== undefined) session.room.leave(session.peer)
  })

  void (async () => {
    const principal = await auth.verify(token)
    if (!isDocId(docId)) throw new AppError(ErrorCode.badRequest, 'invalid document id')
    if (!mayConnect(principal) || !canAccess(principal, docId)) throw new AppError(ErrorCode.forbidden)
    const room = await rooms.acquire(docId, { create: mayWrite(principal) })
    try {
      if (socket.readyState !== WebSocket.OPEN) return
      const peer = createWsPeer(socket, principal, deps.maxBuffered)
      room.join(peer)
      session = { room, peer }
      early.splice(0).forEach(receive)
    } finally {
      room.release()
    }
  })().catch((err: unknown) => {
    const error = toAppError(err)
    if (error.code === ErrorCode.internal) log().error({ err }, 'connection failed')
    if (socket.readyState !== WebSocket.OPEN) return
    // Browsers cannot read the status of a refused upgrade, so refusals come after the handshake.
    socket.send(permissionDeniedFrame(error.code))
    socket.close(closeCodeOf(error.code), error.code)
  })
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
    close(code) {
      if (socket.readyState === WebSocket.OPEN) socket.close(closeCodeOf(code), code)
    },
  }
  return peer
}
