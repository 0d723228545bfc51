// Single use of live tickets (CONTRACT §2 v2). A ticket is a short-lived JWT signed with AUTH_SECRET
// (auth.ts), so any instance can check it; that it was not used before is recorded here, in the
// database every instance shares, so a ticket opens one connection in the whole cluster.
import { lt } from 'drizzle-orm'
import type { Db } from './db.js'
import { usedTickets } from './schema.js'

export interface TicketLedger {
  /** True the first time `id` is used, false ever after (until it expires, when it is refused anyway). */
  use(id: string, expiresAt: number): boolean
}

/** Expired rows are deleted at most this often: each costs one indexed DELETE. */
const PRUNE_EVERY_MS = 30_000

export function createTicketLedger(db: Db, now: () => number = Date.now): TicketLedger {
  let prunedAt = 0
  return {
    use(id, expiresAt) {
      const t = now()
      if (t - prunedAt >= PRUNE_EVERY_MS) {
        prunedAt = t
        db.delete(usedTickets).where(lt(usedTickets.expiresAt, t)).run()
      }
      const inserted = db.insert(usedTickets).values({ id, expiresAt }).onConflictDoNothing().run()
      return inserted.changes === 1
    },
  }
}

/** For an Auth without a database (the token CLI, tests): single use within this process. */
export function createMemoryLedger(now: () => number = Date.now): TicketLedger {
  const used = new Map<string, number>()
  return {
    use(id, expiresAt) {
      const t = now()
      for (const [key, exp] of used) if (exp < t) used.delete(key)
      if (used.has(id)) return false
      used.set(id, expiresAt)
      return true
    },
  }
}

