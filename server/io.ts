// Socket.IO (CONTRACT §3b): the same rooms as the y-websocket endpoint, several documents per socket,
// frames carried in `doc:msg` exactly as on the y-websocket endpoint.
import type http from 'node:http'
import type { Socket as NetSocket } from 'node:net'
import type { FastifyBaseLogger } from 'fastify'
import { createAdapter } from '@socket.io/redis-adapter'
import type { RedisClientType } from 'redis'
import { closeRedisClient } from './redis-bus.js'
import { Server, type Socket } from 'socket.io'
import {
  ErrorCode,
  isDocId,
  type ClientToServerEvents,
  type JoinAck,
  type Principal,
  type ServerToClientEvents,
} from '../shared/protocol.js'
import { mayWrite, type Auth, type Claims } from './auth.js'
import { createBucket, type Bucket } from './bucket.js'
import type { Creations } from './creations.js'
import { sendBufferLimit, type Config } from './config.js'
import { messageOf, toAppError } from './errors.js'
import type { Gate } from './gate.js'
import type { TransportMetrics } from './metrics.js'
import { directSocket, encodeEvent, engineHolds, tcpSocket } from './io-wire.js'
import { copyFrame, FrameError } from './frames.js'
import type { Peer } from './room.js'
import type { Rooms } from './rooms.js'
import { openSession, PendingSession } from './session.js'

interface SocketData {
  principal: Principal
  claims: Claims
}

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>
type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>

export interface IoDeps {
  rooms: Rooms
  auth: Auth
  config: Config
  log: FastifyBaseLogger
  metrics?: TransportMetrics
  /** Refuses a handshake from a foreign Origin (polling requests and upgrades alike). */
  gate?: Gate
  /** counts documents created by joining against the token's creation limit */
  creations?: Creations
}

/** The Socket.IO room of a document's local sockets. */
export const ioRoom = (docId: string): string => `doc:${docId}`

export function attachIo(server: http.Server, deps: IoDeps): IoServer {
  const io: IoServer = new Server(server, {
    path: '/socket.io',
    serveClient: false,
    // Other upgrades (/yjs/…) belong to the y-websocket endpoint (yws.ts); the default ends them after a second.
    destroyUpgrade: false,
    maxHttpBufferSize: deps.config.maxMessageBytes,
    allowRequest: (req, callback) => {
      const allowed = deps.gate?.allows(req, 'socket.io') ?? true
      callback(allowed ? null : 'origin not allowed', allowed)
    },
  })

  io.use((socket, next) => {
    const { token, ticket } = (socket.handshake.auth ?? {}) as { token?: unknown; ticket?: unknown }
    deps.auth.live({ token, ticket }).then(
      (claims) => {
        socket.data.claims = claims
        socket.data.principal = claims.principal
        next()
      },
      (err: unknown) => {
        const error = toAppError(err)
        if (error.code === ErrorCode.internal) deps.log.error({ err }, 'login failed')
        // CONTRACT §2 v2: the reason and the address, never the token.
        else deps.log.info({ reason: error.message, address: socket.handshake.address }, 'live login refused')
        next(new Error(error.code === ErrorCode.unavailable ? ErrorCode.unavailable : ErrorCode.unauthorized))
        releaseRefused(socket)
      },
    )
  })

  io.on('connection', (socket) => {
    deps.metrics?.connected('socket.io', 1)
    // A revocation (here or on another instance) ends the socket as a bad token would have.
    const unwatch = deps.auth.watch(socket.data.claims, () => {
      for (const room of socket.rooms) {
        if (room.startsWith('doc:')) socket.emit('doc:error', room.slice(4), { code: ErrorCode.unauthorized, message: 'token revoked' })
      }
      socket.disconnect(true)
    })
    socket.once('disconnect', () => {
      unwatch()
      deps.metrics?.connected('socket.io', -1)
    })
    serve(socket, deps)
  })
  return io
}

/**
 * A refused handshake has nothing more to say (CONTRACT §3d): the `connect_error` packet is written,
 * so release the connection now rather than after Socket.IO's 45 s connect timeout and ws's 30 s
 * close handshake, which a hostile client would never answer.
 */
function releaseRefused(socket: IoSocket): void {
  // Socket.IO writes the packet a tick later; engine.io's `drain` follows the write to the transport.
  socket.conn.once('drain', () => {
    const tcp = tcpSocket(socket.conn)
    if (tcp === undefined) socket.conn.close()
    else tcp.end(() => tcp.destroy())
  })
}

/**
 * Socket.IO rooms and server-side emits across instances (CONTRACT §7) through @socket.io/redis-adapter,
 * on clients of its own. Document traffic does not use it: rooms fan out through the bus, with seqs.
 * Returns a function that closes those clients.
 */
export async function useRedisAdapter(io: IoServer, base: RedisClientType, log: FastifyBaseLogger): Promise<() => Promise<void>> {
  const pub = base.duplicate({ disableOfflineQueue: false })
  const sub = base.duplicate({ disableOfflineQueue: false })
  for (const client of [pub, sub]) client.on('error', (err: Error) => log.debug({ err: err.message }, 'socket.io redis adapter: redis error'))
  await Promise.all([pub.connect(), sub.connect()])
  // The adapter does not catch its publishes; during an outage one would become an unhandled rejection.
  const safePub = new Proxy(pub, {
    get(target, prop) {
      if (prop === 'publish') return (...args: Parameters<typeof pub.publish>) => target.publish(...args).catch(() => 0)
      const value: unknown = Reflect.get(target, prop, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  io.adapter(createAdapter(safePub, sub))
  return async () => {
    await Promise.all([pub, sub].map(closeRedisClient))
  }
}

function serve(socket: IoSocket, deps: IoDeps): void {
  const { config } = deps
  const principal = socket.data.principal
  // Made on first use: a child logger per connection costs memory that most connections never use.
  let child: FastifyBaseLogger | undefined
  const log = (): FastifyBaseLogger => (child ??= deps.log.child({ socket: socket.id, sub: principal.sub }))
  const maxBuffered = sendBufferLimit(config)
  const sessions = new Map<string, PendingSession>()
  const bucket: Bucket = createBucket({ perSec: config.rateLimitPerSec, burst: config.rateLimitBurst })

  const fail = (docId: string, code: ErrorCode, message = messageOf(code)): void => {
    socket.emit('doc:error', docId, { code, message })
    socket.disconnect(true)
  }
  const badFrame = (docId: string) => (err: FrameError): void => {
    log().warn({ err: err.message, doc: docId }, 'bad frame; disconnecting')
    fail(docId, ErrorCode.badRequest, 'bad frame')
  }
  const overLimit = (docId: unknown): boolean => {
    if (bucket.take()) return false
    log().warn('message rate exceeded; disconnecting')
    fail(typeof docId === 'string' ? docId : '', ErrorCode.rateLimited)
    return true
  }
  const end = (docId: string, session: PendingSession): void => {
    if (sessions.get(docId) === session) sessions.delete(docId)
    void socket.leave(ioRoom(docId))
    session.end()
  }

  socket.on('doc:join', (docId, ack) => {
    if (overLimit(docId)) return
    const reply = typeof ack === 'function' ? ack : () => {}
    join(docId, reply).catch((err: unknown) => {
      const error = toAppError(err)
      if (error.code === ErrorCode.internal) log().error({ err, doc: docId }, 'join failed')
      reply({ ok: false, code: error.code, message: error.message })
    })
  })

  socket.on('doc:leave', (docId) => {
    if (overLimit(docId)) return
    const session = typeof docId === 'string' ? sessions.get(docId) : undefined
    if (session !== undefined) end(docId, session)
  })

  socket.on('doc:msg', (docId, frame) => {
    if (overLimit(docId)) return
    const session = typeof docId === 'string' ? sessions.get(docId) : undefined
    if (session === undefined) {
      socket.emit('doc:error', String(docId), { code: ErrorCode.badRequest, message: 'join the document first' })
      return
    }
    const raw: unknown = frame
    if (!(raw instanceof Uint8Array) && !(raw instanceof ArrayBuffer)) {
      fail(docId, ErrorCode.badRequest, 'bad frame')
      return
    }
    if (socket.disconnected) return
    try {
      session.receive(copyFrame(raw))
    } catch (err) {
      if (!(err instanceof FrameError)) throw err
      badFrame(docId)(err)
    }
  })

  socket.on('disconnect', () => {
    for (const [docId, session] of [...sessions]) end(docId, session)
  })

  async function join(docId: unknown, reply: (res: JoinAck) => void): Promise<void> {
    if (typeof docId === 'string' && sessions.has(docId)) {
      reply({ ok: true, role: principal.role })
      return
    }
    const session = new PendingSession()
    // Held under its id only once the id is valid; openSession checks it first.
    if (typeof docId === 'string' && isDocId(docId)) sessions.set(docId, session)
    try {
      await openSession(
        deps,
        {
          docId,
          principal,
          // The ack goes out before the room's sync step 1 (CONTRACT §3b: ack, then step 1), so
          // the peer is made, and the reply sent, just before the room joins it.
          makePeer: () => {
            const id = docId as string
            void socket.join(ioRoom(id))
            reply({ ok: true, role: principal.role })
            return createIoPeer(socket, id, principal, () => end(id, session), maxBuffered)
          },
          // Left or disconnected while the document loaded.
          alive: () => sessions.get(docId as string) === session && !socket.disconnected,
          onBadFrame: badFrame(String(docId)),
        },
        session,
      )
    } catch (err) {
      if (sessions.get(docId as string) === session) sessions.delete(docId as string)
      throw err
    }
  }
}

function createIoPeer(socket: IoSocket, docId: string, principal: Principal, ended: () => void, maxBuffered: number): Peer {
  let corked: NetSocket | undefined
  // Bytes emitted since engine.io's write buffer was last seen empty. Engine.io queues without a
  // bound while a client does not read, so the peer counts them itself.
  let held = 0
  /** A socket that does not read is dropped rather than buffered without end. */
  const backlogged = (bytes: number): boolean => {
    if (!engineHolds(socket.conn)) held = 0
    held += bytes
    const tcp = tcpSocket(socket.conn)
    if (held + (tcp?.writableLength ?? 0) <= maxBuffered) return false
    socket.disconnect(true)
    // A client that does not read would not read a close handshake either: ws would wait 30 s for it.
    tcp?.destroy()
    return true
  }
  return {
    id: socket.id,
    principal,
    readOnly: !mayWrite(principal),
    send(frame) {
      if (!backlogged(frame.byteLength)) socket.emit('doc:msg', docId, frame)
    },
    broadcast(b) {
      if (backlogged(b.frame.byteLength)) return
      const direct = directSocket(socket.conn)
      if (direct === undefined) {
        socket.emit('doc:msg', docId, b.frame)
        return
      }
      b.wire ??= encodeEvent('doc:msg', b.docId, b.frame)
      direct.write(b.wire)
    },
    // Uncork exactly what was corked: by then engine.io may hold packets, and the socket must flow.
    cork() {
      corked = tcpSocket(socket.conn)
      corked?.cork()
    },
    uncork() {
      corked?.uncork()
      corked = undefined
    },
    refuse(code) {
      socket.emit('doc:error', docId, { code, message: messageOf(code) })
    },
    close(reason) {
      // The database failed under the room: the client should join again (and send its edits again).
      const code = reason === 'try-again' ? ErrorCode.unavailable : reason
      socket.emit('doc:error', docId, { code, message: reason === 'try-again' ? 'the database is unavailable; join again' : messageOf(code) })
      ended()
    },
  }
}
