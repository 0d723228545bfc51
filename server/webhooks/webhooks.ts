// Webhooks as the server runs them (CONTRACT §6c): derivation passes after commits and on a timer
// (derivation.ts), the events of the routes that create, delete and restore maps, and the
// delivery worker (worker.ts). Nothing here is awaited by an edit: a commit only marks its
// document, and the pass runs a moment later, after the commit's frames have left.
import type { Bus } from '../bus.js'
import type { DocMeta, Store } from '../store/types.js'
import { createDerivation } from './derivation.js'
import { docCreated, docDeleted, docRestored, type WebhookEvent } from './events.js'
import { coverage, covers, deliveriesOf } from './outbox.js'
import type { Endpoint, OutboxStats, WebhookStore } from './store.js'
import { createWorker, type DeliveryOutcome } from './worker.js'

/**
 * A commit's pass waits this long, so a burst of edits (typing, a drag, a busy map) is analysed
 * once. A pass is CPU work on the thread that relays edits (decode, replay, two analyses): once a
 * second per busy map keeps it off the relay's tail latency (at 0.1 s, fan-out p99 with webhooks
 * was 1.1-1.5× that without), and an alert a second late is still news.
 */
const PASS_DELAY_MS = 1000
/**
 * The safety net: this often every instance re-reads the endpoints and passes over the documents
 * whose head is past their cursor (their committer died before its pass, or committed while it did
 * not know the endpoint yet). An event is late by at most this after a crash.
 */
const SWEEP_MS = 5000
/** Delivered and failed rows are kept this long for the deliveries list, then deleted. */
const KEEP_DELIVERIES_MS = 30 * 86_400_000
const PRUNE_EVERY_MS = 3_600_000

export interface WebhooksDeps {
  store: Store
  webhooks: WebhookStore
  /** tells the other instances when this one changed the endpoints */
  bus: Pick<Bus, 'publishCluster' | 'onCluster' | 'onResync'>
  schedule: readonly number[]
  allowPrivate: boolean
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void }
  /** the app's address for links; set at listen when PUBLIC_URL is not */
  publicUrl?: string | undefined
  outcome?: (outcome: DeliveryOutcome) => void
  now?: () => number
}

export interface Webhooks {
  /** A commit of `doc` resolved (rooms.ts): derive its events soon. Cheap and synchronous. */
  committed(doc: string): void
  /** POST /api/docs, or a first editor joining it (rooms.ts), made this map. */
  created(meta: DocMeta): Promise<void>
  /** DELETE /api/docs/:id is about to delete it: its last edits' events first (best effort). */
  deleting(doc: string): Promise<void>
  /** DELETE /api/docs/:id deleted it; `meta` and `version` as they were. */
  deleted(meta: DocMeta, version: number): Promise<void>
  /** POST /api/docs/:id/restore made `version` the document's head. */
  restored(doc: string, version: number): Promise<void>
  /** The endpoints changed through this instance's REST API: re-read them here, and tell the other instances. */
  endpointsChanged(): Promise<void>
  /** A delivery was made due (a retry through REST): look for it now. */
  kick(): void
  /** What /metrics shows of the outbox. */
  stats(): Promise<OutboxStats>
  /** Starts the sweep and the worker; `url` is where the server listens. */
  start(url: string): void
  /** One sweep now, resolved once its passes are done (tests, and the first sweep at start). */
  sweep(): Promise<void>
  close(): Promise<void>
}

export function createWebhooks(deps: WebhooksDeps): Webhooks {
  const { store, webhooks, log } = deps
  const now = deps.now ?? Date.now
  let endpoints: readonly Endpoint[] = []
  let appUrl = deps.publicUrl ?? 'http://localhost:3000'
  let closed = false
  let started = false

  const sawEndpoints = (list: Endpoint[]): void => {
    endpoints = list
  }

  const derivation = createDerivation({ store, webhooks, sawEndpoints, appUrl: () => appUrl, log, now })
  const worker = createWorker({
    webhooks,
    schedule: deps.schedule,
    allowPrivate: deps.allowPrivate,
    log,
    active: () => endpoints.length > 0,
    now,
    ...(deps.outcome === undefined ? {} : { outcome: deps.outcome }),
  })

  // Documents waiting for a pass, and the one loop that runs them: passes are CPU work on this
  // thread (a replay and two analyses), one at a time, a turn apart, so live traffic interleaves.
  const dirty = new Set<string>()
  let passTimer: NodeJS.Timeout | undefined
  let draining: Promise<void> | undefined

  const schedulePasses = (delayMs: number): void => {
    if (closed || !started || draining !== undefined || passTimer !== undefined) return
    passTimer = setTimeout(() => {
      passTimer = undefined
      void drain()
    }, delayMs)
    passTimer.unref()
  }

  function drain(): Promise<void> {
    draining ??= (async () => {
      while (dirty.size > 0 && !closed) {
        const doc = dirty.values().next().value!
        dirty.delete(doc)
        try {
          const result = await derivation.pass(doc)
          if (result === 'again' || result === 'more') dirty.add(doc)
          if (result === 'wrote' || result === 'more') worker.kick()
        } catch (err) {
          // The database is down, say: the sweep passes again over whatever is behind.
          log.warn({ err, doc }, 'deriving webhook events failed; the next sweep tries again')
        }
        await new Promise((resolve) => setImmediate(resolve))
      }
    })().finally(() => {
      draining = undefined
      if (dirty.size > 0) schedulePasses(0)
    })
    return draining
  }

  async function refresh(): Promise<void> {
    endpoints = await webhooks.listEndpoints()
  }

  async function sweep(): Promise<void> {
    try {
      await refresh()
      if (endpoints.length === 0) return
      const covered = coverage(endpoints)
      if (covered.all || covered.docs.length > 0) for (const doc of await webhooks.behind(covered)) dirty.add(doc)
    } catch (err) {
      log.warn({ err }, 'webhook sweep failed')
      return
    }
    worker.kick()
    await drain()
  }

  async function routeEvent(event: WebhookEvent, mapTitle: string, releaseHeld = false): Promise<void> {
    const at = now()
    try {
      await webhooks.enqueue(
        at,
        (list) => {
          sawEndpoints(list)
          return deliveriesOf(event, list, { mapTitle, appUrl }, at)
        },
        releaseHeld ? event.data.doc : undefined,
      )
    } catch (err) {
      // The map operation itself is done and answered; only its notification is lost.
      log.error({ err, doc: event.data.doc, type: event.type }, 'queueing a webhook event failed')
      return
    }
    worker.kick()
  }

  const reread = (): void => {
    refresh().then(
      () => worker.kick(),
      (err: unknown) => log.warn({ err }, 'reading the webhook endpoints failed; the next sweep tries again'),
    )
  }
  deps.bus.onCluster((msg) => {
    if (msg.kind === 'webhooks') reread()
  })
  // Messages lost during a bus outage: the database has the endpoints.
  deps.bus.onResync(reread)

  let sweepTimer: NodeJS.Timeout | undefined
  let pruneTimer: NodeJS.Timeout | undefined
  let sweeping: Promise<void> | undefined
  const sweepOnce = (): Promise<void> => (sweeping ??= sweep().finally(() => (sweeping = undefined)))

  return {
    committed(doc) {
      if (!covers(endpoints, doc)) return
      dirty.add(doc)
      schedulePasses(PASS_DELAY_MS)
    },
    created: (meta) => routeEvent(docCreated(meta.id, 1, meta.createdAt), meta.title),
    async deleting(doc) {
      if (!covers(endpoints, doc)) return
      try {
        // every pass it takes (a pass goes PASS_ROWS rows at most), within reason
        for (let passes = 0; passes < 100; passes++) {
          const result = await derivation.pass(doc)
          if (result !== 'more' && result !== 'again') break
        }
      } catch (err) {
        log.warn({ err, doc }, 'deriving the last webhook events of a deleted map failed')
      }
    },
    deleted: (meta, version) => routeEvent(docDeleted(meta.id, version, now()), meta.title, true),
    async restored(doc, version) {
      const meta = await store.get(doc)
      await routeEvent(docRestored(doc, version, now()), meta?.title ?? doc)
    },
    endpointsChanged: async () => {
      deps.bus.publishCluster({ kind: 'webhooks' })
      await refresh()
      worker.kick()
    },
    kick: () => worker.kick(),
    stats: () => webhooks.stats(now()),
    start(url) {
      if (started) return
      started = true
      if (deps.publicUrl === undefined) appUrl = url
      worker.start()
      void sweepOnce()
      sweepTimer = setInterval(() => void sweepOnce(), SWEEP_MS)
      sweepTimer.unref()
      const prune = (): void => {
        webhooks.prune(now() - KEEP_DELIVERIES_MS).catch((err: unknown) => log.warn({ err }, 'pruning old webhook deliveries failed'))
      }
      pruneTimer = setInterval(prune, PRUNE_EVERY_MS)
      pruneTimer.unref()
    },
    // A sweep under way may have listed the documents before the caller's commit: one more after it.
    sweep: () => (sweeping === undefined ? sweepOnce() : sweeping.then(sweepOnce)),
    async close() {
      closed = true
      clearInterval(sweepTimer)
      clearInterval(pruneTimer)
      clearTimeout(passTimer)
      await sweeping
      await draining
      await worker.close()
    },
  }
}
