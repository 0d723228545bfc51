// The delivery worker (CONTRACT §6c): claims due outbox rows with a lease (store.ts claim: per
// endpoint its oldest row, so one in flight per endpoint and in order), signs each at its attempt
// (same webhook-id, fresh timestamp), sends it (send.ts: 10 s at most), and records the outcome:
// delivered, the next retry of the schedule, or failed. Attempts run side by side, each on its
// own: a slow or dead receiver holds its own endpoint's next rows and nothing else, and nothing
// here is on the path of an edit. A lease that runs out (its instance died mid-attempt) lets any
// instance claim the row again: a receiver may then see it twice, with the same webhook-id.
import { randomUUID } from 'node:crypto'
import { nextAttempt } from './retry.js'
import { send, SEND_TIMEOUT_MS, type Attempt, type SendOptions } from './send.js'
import { signedHeaders } from './sign.js'
import type { Claimed, WebhookStore } from './store.js'

/** Longer than an attempt can take (the send timeout), with room for a busy event loop to record it. */
export const LEASE_MS = SEND_TIMEOUT_MS + 10_000
/** Rows claimed by other instances, retries come due, leases of dead instances run out: looked for this often at the latest. */
const POLL_MS = 1000
/** Attempts in flight per instance: enough for many endpoints at once, bounded so that many dead ones cannot take every socket. */
const MAX_IN_FLIGHT = 32

export type DeliveryOutcome = 'delivered' | 'retry' | 'failed'

export interface WorkerDeps {
  webhooks: WebhookStore
  /** the delays between attempts (config.webhookRetrySchedule) */
  schedule: readonly number[]
  allowPrivate: boolean
  log: { warn(obj: object, msg: string): void }
  /** whether any endpoint exists (no polling of an empty outbox) */
  active(): boolean
  outcome?: (outcome: DeliveryOutcome) => void
  now?: () => number
  /** tests: another attempt than send.ts's */
  send?: (delivery: Parameters<typeof send>[0], options: SendOptions) => Promise<Attempt>
  timeoutMs?: number
}

export interface Worker {
  /** Looks for due rows soon (something was just enqueued or settled). */
  kick(): void
  start(): void
  /** Stops claiming, ends the attempts in flight and gives their rows back untried. */
  close(): Promise<void>
}

export function createWorker(deps: WorkerDeps): Worker {
  const { webhooks, schedule, log } = deps
  const now = deps.now ?? Date.now
  const attemptWith = deps.send ?? send
  const owner = randomUUID()
  const inFlight = new Map<string, { abort: AbortController; done: Promise<void> }>()
  let timer: NodeJS.Timeout | undefined
  let current: Promise<void> = Promise.resolve()
  let running = false
  let again = false
  let started = false
  let closed = false

  const wake = (delayMs: number): void => {
    if (closed || !started) return
    clearTimeout(timer)
    timer = setTimeout(() => {
      // One round at a time; a wake during it makes it claim once more before it sleeps.
      if (running) again = true
      else current = round()
    }, Math.max(0, delayMs))
    timer.unref()
  }

  async function round(): Promise<void> {
    running = true
    let next = POLL_MS
    try {
      if (deps.active()) {
        do {
          again = false
          const free = MAX_IN_FLIGHT - inFlight.size
          if (free > 0) for (const row of await webhooks.claim(owner, now(), LEASE_MS, free)) start(row)
        } while (again && !closed)
        const at = await webhooks.nextWakeAt(now())
        if (at !== null) next = Math.min(POLL_MS, at - now())
      }
    } catch (err) {
      log.warn({ err }, 'webhook claim failed; trying again shortly')
    } finally {
      running = false
    }
    wake(again ? 0 : next)
  }

  function start(row: Claimed): void {
    const abort = new AbortController()
    const done = attempt(row, abort.signal)
      .catch((err: unknown) => log.warn({ err, delivery: row.id }, 'recording a webhook attempt failed; its lease runs out and it is tried again'))
      .finally(() => {
        inFlight.delete(row.id)
        wake(0)
      })
    inFlight.set(row.id, { abort, done })
  }

  async function attempt(row: Claimed, signal: AbortSignal): Promise<void> {
    const headers = signedHeaders(row.secret, row.id, row.body, now())
    const result = await attemptWith(
      { url: row.url, body: row.body, headers },
      { allowPrivate: deps.allowPrivate, signal, ...(deps.timeoutMs === undefined ? {} : { timeoutMs: deps.timeoutMs }) },
    )
    if (signal.aborted && !result.ok) return webhooks.release(row.id, owner)
    const at = now()
    if (result.ok) {
      await webhooks.settle(row.id, owner, { status: 'delivered', at })
      deps.outcome?.('delivered')
      return
    }
    const error = result.error ?? 'failed'
    const next = nextAttempt(schedule, row.attempts + 1, at)
    if ('failed' in next) {
      await webhooks.settle(row.id, owner, { status: 'failed', error })
      deps.outcome?.('failed')
    } else {
      await webhooks.settle(row.id, owner, { status: 'pending', retryAt: next.retryAt, error })
      deps.outcome?.('retry')
    }
  }

  return {
    kick: () => wake(0),
    start() {
      started = true
      wake(0)
    },
    async close() {
      closed = true
      clearTimeout(timer)
      // A claim in progress starts its attempts first, so they are ended below like the others.
      await current
      for (const { abort } of inFlight.values()) abort.abort()
      await Promise.all([...inFlight.values()].map((a) => a.done))
    },
  }
}
