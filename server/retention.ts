// HISTORY_DAYS (CONTRACT §1, §6a): once an hour every instance folds each document's rows older than
// the window into checkpoints (server/history.ts foldBefore). Instances may fold the same document at
// once: a fold is one transaction that only adds checkpoints and versions and deletes what is folded.
import type { FastifyBaseLogger } from 'fastify'
import { foldBefore } from './history.js'
import type { Store } from './store/types.js'

const EVERY_MS = 3_600_000
const DAY_MS = 86_400_000

export interface Retention {
  start(): void
  /** One pass as of `now`: the fold point of each document it folded. */
  run(now?: number): Promise<Map<string, number>>
  /** Stops the timer and waits for a pass in progress. */
  stop(): Promise<void>
}

export function createRetention({ store, historyDays, log }: { store: Store; historyDays: number; log: FastifyBaseLogger }): Retention {
  let timer: NodeJS.Timeout | undefined
  let running: Promise<unknown> = Promise.resolve()
  let stopped = false

  const run = async (now = Date.now()): Promise<Map<string, number>> => {
    const folded = new Map<string, number>()
    if (historyDays === 0) return folded
    for (const { id } of await store.list()) {
      if (stopped) break
      try {
        const upTo = await foldBefore(store, id, now - historyDays * DAY_MS)
        if (upTo > 0) folded.set(id, upTo)
      } catch (err) {
        // One document's failure (the database gone meanwhile) must not stop the others; the next pass retries.
        log.warn({ err, doc: id }, 'folding old history failed')
      }
    }
    if (folded.size > 0) log.info({ documents: folded.size, days: historyDays }, 'old history folded into checkpoints')
    return folded
  }

  return {
    start() {
      if (historyDays === 0 || timer !== undefined) return
      const pass = (): void => {
        running = run().catch((err: unknown) => log.warn({ err }, 'history retention failed'))
      }
      pass()
      timer = setInterval(pass, EVERY_MS)
      timer.unref()
    },
    run,
    async stop() {
      stopped = true
      clearInterval(timer)
      await running
    },
  }
}
