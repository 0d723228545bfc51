// The bus across instances (CONTRACT §7): Redis pub/sub, one channel per document. Redis is used for
// speed and never trusted for safety: a message lost in an outage is read back from the database
// (rooms repair gaps in seqs, sweep the store, and re-read it when the bus says an outage ended).
import crypto from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import { createClient, type RedisClientType } from 'redis'
import type { Bus, BusListener, BusMessage, ClusterListener, ClusterMessage } from './bus.js'

const CHANNEL_PREFIX = 'skillmap:doc:'
/** One channel for news about no document (revocations); JSON, since it is rare and small. */
const CLUSTER_CHANNEL = 'skillmap:cluster'
/** Longest a room load waits for its subscription to be confirmed before going on without it. */
const SUBSCRIBE_WAIT_MS = 2000

const KIND = { update: 0, awareness: 1, deleted: 2 } as const
/** kind (1) · instance id (16) · sent-at ms (8, float) · seq (8, float) · payload */
const HEADER = 1 + 16 + 8 + 8

export interface RedisBusOptions {
  url: string
  log: FastifyBaseLogger
  /** Seconds from publish on one instance to receipt on this one (the Redis lag metric). */
  onLag?: (seconds: number) => void
}

export interface RedisBus extends Bus {
  /** The clients, for Socket.IO's Redis adapter (it needs a publisher and a subscriber of its own kind). */
  readonly clients: { pub: RedisClientType; sub: RedisClientType }
}

export async function createRedisBus({ url, log, onLag }: RedisBusOptions): Promise<RedisBus> {
  const id = crypto.randomBytes(16)
  const instanceId = id.toString('hex')
  const listeners = new Map<string, BusListener>()
  const resyncListeners: Array<() => void> = []
  const clusterListeners: ClusterListener[] = []
  // A publish during an outage fails at once instead of piling up: the database has the update.
  const pub: RedisClientType = createClient({ url, disableOfflineQueue: true })
  // Subscriptions made during an outage wait for the connection; node-redis renews them after a reconnect.
  const sub: RedisClientType = pub.duplicate({ disableOfflineQueue: false })
  let outage = false

  for (const [name, client] of [['pub', pub], ['sub', sub]] as const) {
    client.on('error', (err: Error) => {
      if (!outage) log.warn({ err: err.message, client: name }, 'redis unreachable; serving local clients, the database keeps everything')
      outage = true
    })
  }
  sub.on('ready', () => {
    if (!outage) return
    outage = false
    log.info('redis is back; re-reading what other instances committed meanwhile')
    resyncListeners.forEach((fn) => fn())
  })

  // Start even while Redis is down: instances keep serving their own clients (CONTRACT §7).
  await Promise.all([pub.connect(), sub.connect()].map((p) => settleWithin(p, SUBSCRIBE_WAIT_MS)))

  const onCluster = (raw: string): void => {
    const msg = decodeCluster(raw, instanceId)
    if (msg !== undefined) clusterListeners.forEach((fn) => fn(msg))
  }
  // Made during an outage, this waits for the connection (node-redis renews subscriptions).
  await settleWithin(sub.subscribe(CLUSTER_CHANNEL, onCluster), sub.isReady ? SUBSCRIBE_WAIT_MS : 0)

  const onMessage = (data: Buffer, channel: Buffer | string): void => {
    const msg = decode(data, id)
    if (msg === undefined) return
    if (onLag !== undefined) onLag(Math.max(0, Date.now() - msg.sentAt) / 1000)
    listeners.get(String(channel).slice(CHANNEL_PREFIX.length))?.(msg.body)
  }

  return {
    instanceId,
    shared: true,
    clients: { pub, sub },
    async subscribe(docId, listener) {
      listeners.set(docId, listener)
      const subscribed = sub.subscribe(CHANNEL_PREFIX + docId, onMessage, true)
      // Subscribe before load, when Redis answers; during an outage the sweep and the resync cover it.
      await settleWithin(subscribed, sub.isReady ? SUBSCRIBE_WAIT_MS : 0)
    },
    async unsubscribe(docId) {
      listeners.delete(docId)
      await settleWithin(sub.unsubscribe(CHANNEL_PREFIX + docId), SUBSCRIBE_WAIT_MS)
    },
    publish(docId, msg) {
      if (!pub.isReady) return
      pub.publish(CHANNEL_PREFIX + docId, encode(msg, id)).catch(() => {
        // Lost messages are repaired from the database by the receivers.
      })
    },
    publishCluster(msg) {
      if (!pub.isReady) return
      pub.publish(CLUSTER_CHANNEL, JSON.stringify({ from: instanceId, msg })).catch(() => {
        // Receivers re-read the database when the bus comes back (onResync).
      })
    },
    onCluster(listener) {
      clusterListeners.push(listener)
    },
    onResync(listener) {
      resyncListeners.push(listener)
    },
    healthy: () => pub.isReady && sub.isReady,
    async close() {
      listeners.clear()
      clusterListeners.length = 0
      await Promise.all([pub, sub].map(closeRedisClient))
    },
  }
}

function encode(msg: BusMessage, id: Buffer): Buffer {
  const payload = msg.kind === 'deleted' ? new Uint8Array(0) : msg.data
  const buf = Buffer.allocUnsafe(HEADER + payload.byteLength)
  buf.writeUInt8(KIND[msg.kind], 0)
  id.copy(buf, 1)
  buf.writeDoubleLE(Date.now(), 17)
  buf.writeDoubleLE(msg.kind === 'update' ? msg.seq : 0, 25)
  buf.set(payload, HEADER)
  return buf
}

/** undefined for this instance's own messages and for anything malformed. */
function decode(buf: Buffer, self: Buffer): { body: BusMessage; sentAt: number } | undefined {
  if (buf.length < HEADER || buf.compare(self, 0, 16, 1, 17) === 0) return undefined
  const sentAt = buf.readDoubleLE(17)
  // A private copy: the payload outlives this buffer in Yjs structures.
  const data = new Uint8Array(buf.subarray(HEADER))
  switch (buf.readUInt8(0)) {
    case KIND.update:
      return { body: { kind: 'update', seq: buf.readDoubleLE(25), data }, sentAt }
    case KIND.awareness:
      return { body: { kind: 'awareness', data }, sentAt }
    case KIND.deleted:
      return { body: { kind: 'deleted' }, sentAt }
    default:
      return undefined
  }
}

/** undefined for this instance's own messages and for anything malformed (the channel is not trusted). */
function decodeCluster(raw: string, self: string): ClusterMessage | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch {
    return undefined
  }
  const { from, msg } = (parsed ?? {}) as { from?: unknown; msg?: Partial<ClusterMessage> }
  if (from === self || typeof msg !== 'object' || msg === null) return undefined
  if (msg.kind === 'webhooks') return { kind: 'webhooks' }
  if (msg.kind !== 'revoked' || (msg.by !== 'jti' && msg.by !== 'sub')) return undefined
  if (typeof msg.value !== 'string' || msg.value === '' || typeof msg.at !== 'number' || !Number.isFinite(msg.at)) return undefined
  return { kind: 'revoked', by: msg.by, value: msg.value, at: msg.at }
}

/** Time a polite QUIT gets before the connection is dropped. */
const QUIT_WAIT_MS = 1000

/**
 * Closes a client whatever state it is in: QUIT when it is connected (pending replies arrive first),
 * otherwise drop it. QUIT on a client that is still reconnecting after an outage never answers.
 */
export async function closeRedisClient(client: RedisClientType): Promise<void> {
  if (!client.isOpen) return
  if (!client.isReady) {
    client.destroy()
    return
  }
  const quit = client.quit().catch(() => {})
  await settleWithin(quit, QUIT_WAIT_MS)
  if (client.isOpen) client.destroy()
}

/** Waits for `promise` at most `ms`; its failure or lateness is not the caller's problem. */
async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  promise.catch(() => {})
  let timer: NodeJS.Timeout | undefined
  await Promise.race([promise.then(() => {}, () => {}), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))])
  clearTimeout(timer)
}
