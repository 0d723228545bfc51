// Single use of live tickets (CONTRACT §2 v2). A ticket is a short-lived JWT signed with AUTH_SECRET
// (auth.ts), so any instance can check it; that it was not used before is recorded in the database
// every instance shares (the used_tickets table of either backend), so a ticket opens one
// connection in the whole cluster.

export interface TicketLedger {
  /** True the first time `id` is used, false ever after (until it expires, when it is refused anyway). */
  use(id: string, expiresAt: number): Promise<boolean>
}

/** The used_tickets table of one backend (store/sqlite.ts, store/postgres.ts). */
export interface UsedTicketRows {
  /** Inserts the row unless `id` is there; true when it inserted (atomic: one statement). */
  add(id: string, expiresAt: number): Promise<boolean>
  deleteExpired(before: number): Promise<void>
}

/** Expired rows are deleted at most this often: each costs one indexed DELETE. */
const PRUNE_EVERY_MS = 30_000

export function createTicketLedger(rows: UsedTicketRows, now: () => number = Date.now): TicketLedger {
  let prunedAt = 0
  return {
    async use(id, expiresAt) {
      const t = now()
      if (t - prunedAt >= PRUNE_EVERY_MS) {
        prunedAt = t
        await rows.deleteExpired(t)
      }
      return rows.add(id, expiresAt)
    },
  }
}

/** For an Auth without a database (the token CLI, tests): single use within this process. */
export function createMemoryLedger(now: () => number = Date.now): TicketLedger {
  const used = new Map<string, number>()
  return {
    async use(id, expiresAt) {
      const t = now()
      for (const [key, exp] of used) if (exp < t) used.delete(key)
      if (used.has(id)) return false
      used.set(id, expiresAt)
      return true
    },
  }
}
