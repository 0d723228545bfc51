// Prometheus metrics (CONTRACT §6 /metrics), one registry per server so that several servers in one
// process (tests, benchmarks) never share counters. Everything is pushed by the code that does the
// work, once per commit, drain or connection: no per-receiver work and no label per document.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { RefusedReason } from './room.js'
import type { RoomMetrics } from './rooms.js'
import type { OutboxStats } from './webhooks/store.js'
import type { DeliveryOutcome } from './webhooks/worker.js'

export type Transport = 'y-websocket' | 'socket.io'

/** What a live transport reports: one call when a connection opens, one when it closes. */
export interface TransportMetrics {
  connected(transport: Transport, delta: 1 | -1): void
}

export interface Metrics extends RoomMetrics, TransportMetrics {
  readonly registry: Registry
  /** One bus message from another instance arrived `seconds` after it was published (the Redis bus's onLag). */
  busLag(seconds: number): void
  /** One webhook attempt of this instance ended so. */
  webhookDelivery(outcome: DeliveryOutcome): void
  /** Where the outbox gauges read from at each scrape (the database, shared by every instance). */
  watchOutbox(read: () => Promise<OutboxStats>): void
}

/** The metric names, for /metrics consumers and the tests that check them. */
export const METRIC_NAMES = {
  connections: 'skillmap_connections',
  documentsLoaded: 'skillmap_documents_loaded',
  updatesAccepted: 'skillmap_updates_accepted_total',
  updatesRefused: 'skillmap_updates_refused_total',
  persistSeconds: 'skillmap_persist_seconds',
  fanoutSeconds: 'skillmap_fanout_seconds',
  redisLagSeconds: 'skillmap_redis_lag_seconds',
  webhookDeliveries: 'skillmap_webhook_deliveries_total',
  webhookOutboxDepth: 'skillmap_webhook_outbox_depth',
  webhookOldestPending: 'skillmap_webhook_oldest_pending_seconds',
} as const

/** Two gauges read the outbox at one scrape: one query serves both. */
const OUTBOX_READ_REUSE_MS = 250

// One SQLite commit takes tens of microseconds in WAL/NORMAL and milliseconds with fsync (FULL) or
// when another instance holds the write lock: buckets from 50 µs to 1 s cover both.
const PERSIST_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]
// Handing one frame to a few hundred local sockets takes microseconds to a few milliseconds.
const FANOUT_BUCKETS = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1]
// A Redis hop on one host takes well under a millisecond; the cross-instance goal is p99 ≤ 50 ms
// (CONTRACT §7), so the buckets are dense around it. Resolution is 1 ms: publishers stamp Date.now().
const LAG_BUCKETS = [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5]

export function createMetrics(): Metrics {
  const registry = new Registry()
  // Process CPU, memory, event-loop lag and GC: what an operator looks at next to ours.
  collectDefaultMetrics({ register: registry })

  const connections = new Gauge({
    name: METRIC_NAMES.connections,
    help: 'Open live connections on this instance, by transport: y-websocket sockets (a refused one until its close), Socket.IO sockets past the auth handshake (each may hold several documents).',
    labelNames: ['transport'],
    registers: [registry],
  })
  // Both series exist from the start, so a dashboard shows 0 rather than nothing.
  connections.set({ transport: 'y-websocket' }, 0)
  connections.set({ transport: 'socket.io' }, 0)
  const documents = new Gauge({
    name: METRIC_NAMES.documentsLoaded,
    help: 'Documents loaded in memory on this instance.',
    registers: [registry],
  })
  const updates = new Counter({
    name: METRIC_NAMES.updatesAccepted,
    help: 'Updates accepted from clients and committed by this instance; rate() of it is updates per second.',
    registers: [registry],
  })
  const refused = new Counter({
    name: METRIC_NAMES.updatesRefused,
    help: "Updates from clients refused before they reached a document, by reason: oversized-declaration (a header that declares more than its bytes hold: an update bomb), malformed (does not parse), read-only (a viewer's write), too-large (over MAX_DOC_BYTES).",
    labelNames: ['reason'],
    registers: [registry],
  })
  const REFUSED_REASONS: RefusedReason[] = ['oversized-declaration', 'malformed', 'read-only', 'too-large']
  // Every series from the start, so a rate() over them works before the first refusal.
  for (const reason of REFUSED_REASONS) refused.inc({ reason }, 0)
  const persist = new Histogram({
    name: METRIC_NAMES.persistSeconds,
    help: 'Duration of one SQLite commit of the updates accepted in one event-loop turn (group commit), in seconds.',
    buckets: PERSIST_BUCKETS,
    registers: [registry],
  })
  const fanout = new Histogram({
    name: METRIC_NAMES.fanoutSeconds,
    help: "Duration of handing one document's frames of one event-loop turn to its local connections, in seconds.",
    buckets: FANOUT_BUCKETS,
    registers: [registry],
  })

  const busLag = new Histogram({
    name: METRIC_NAMES.redisLagSeconds,
    help: "Time from an instance publishing a document message on Redis to this instance receiving it, in seconds, by the two hosts' wall clocks (exact on one host, off by their skew across hosts). Empty without REDIS_URL.",
    buckets: LAG_BUCKETS,
    registers: [registry],
  })

  const webhookDeliveries = new Counter({
    name: METRIC_NAMES.webhookDeliveries,
    help: 'Webhook delivery attempts made by this instance, by outcome: delivered (a 2xx within 10 s), retry (failed, tried again on the schedule), failed (failed for the last time).',
    labelNames: ['outcome'],
    registers: [registry],
  })
  for (const outcome of ['delivered', 'retry', 'failed'] satisfies DeliveryOutcome[]) webhookDeliveries.inc({ outcome }, 0)
  let readOutbox: (() => Promise<OutboxStats>) | undefined
  let lastRead: { at: number; stats: Promise<OutboxStats | undefined> } | undefined
  const outbox = (): Promise<OutboxStats | undefined> => {
    if (readOutbox === undefined) return Promise.resolve(undefined)
    const now = Date.now()
    if (lastRead === undefined || now - lastRead.at > OUTBOX_READ_REUSE_MS) {
      // A database that does not answer leaves the gauges as they were; /metrics still answers.
      lastRead = { at: now, stats: readOutbox().catch(() => undefined) }
    }
    return lastRead.stats
  }
  new Gauge({
    name: METRIC_NAMES.webhookOutboxDepth,
    help: 'Webhook deliveries not yet delivered or failed, in the whole database (every instance), held doc.changed messages included.',
    registers: [registry],
    async collect() {
      const stats = await outbox()
      if (stats !== undefined) this.set(stats.depth)
    },
  })
  new Gauge({
    name: METRIC_NAMES.webhookOldestPending,
    help: 'Age in seconds of the oldest webhook event that is due and not yet delivered (0 when none): how far receivers are behind.',
    registers: [registry],
    async collect() {
      const stats = await outbox()
      if (stats !== undefined) this.set(stats.oldestEventAt === null ? 0 : Math.max(0, (Date.now() - stats.oldestEventAt) / 1000))
    },
  })
  return {
    registry,
    persisted(seconds, count) {
      persist.observe(seconds)
      updates.inc(count)
    },
    fannedOut: (seconds) => fanout.observe(seconds),
    loaded: (count) => documents.set(count),
    refused: (reason) => refused.inc({ reason }),
    connected: (transport, delta) => connections.inc({ transport }, delta),
    busLag: (seconds) => busLag.observe(seconds),
    webhookDelivery: (outcome) => webhookDeliveries.inc({ outcome }),
    watchOutbox(read) {
      readOutbox = read
    },
  }
}
