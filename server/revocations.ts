// Revoked tokens (CONTRACT §2 v2): a `jti` refuses one token; a `sub` refuses every token of that
// subject issued at or before the revocation. The list lives in the database (a restart forgets
// nothing), in memory for the check on every verify, and travels over the bus so that every instance
// closes the live connections of a revoked token within moments.
import type { FastifyBaseLogger } from 'fastify'
import { sql } from 'drizzle-orm'
import type { Claims } from './auth.js'
import type { Bus, ClusterMessage } from './bus.js'
import type { Db } from './db.js'
import { revocations as table } from './schema.js'

export type RevokeRequest = { jti: string } | { sub: string }

/** What a revocation matches against: a token's id, subject and issue time. */
export type TokenIdentity = Pick<Claims, 'jti' | 'iat'> & { principal: { sub: string } }

export interface Revocations {
  isRevoked(token: TokenIdentity): boolean
  /** Stores the revocation, tells the other instances and closes the matching live connections here. */
  revoke(request: RevokeRequest): void
  /** Calls `onRevoked` once if this token is revoked while the connection lives; returns the unwatch. */
  watch(token: TokenIdentity, onRevoked: () => void): () => void
}

export interface RevocationsDeps {
  db: Db
  bus: Bus
  log: FastifyBaseLogger
  now?: () => number
}

type Revocation = Omit<Extract<ClusterMessage, { kind: 'revoked' }>, 'kind'>

export function createRevocations({ db, bus, log, now = Date.now }: RevocationsDeps): Revocations {
  const jtis = new Set<string>()
  /** sub → epoch ms of its latest revocation */
  const subs = new Map<string, number>()
  const watchers = new Set<{ token: TokenIdentity; onRevoked: () => void }>()

  const isRevoked = (token: TokenIdentity): boolean => {
    if (token.jti !== undefined && jtis.has(token.jti)) return true
    const since = subs.get(token.principal.sub)
    // iat is in whole seconds: a token issued in the revocation's own second counts as before it.
    return since !== undefined && token.iat * 1000 <= since
  }

  /** Adds to the list in memory and closes what it now refuses. */
  const apply = ({ by, value, at }: Revocation): void => {
    if (by === 'jti') jtis.add(value)
    else subs.set(value, Math.max(at, subs.get(value) ?? 0))
    let closed = 0
    for (const watcher of [...watchers]) {
      if (!isRevoked(watcher.token)) continue
      watchers.delete(watcher)
      closed++
      watcher.onRevoked()
    }
    if (closed > 0) log.info({ by, closed }, 'closed the live connections of a revoked token')
  }

  const load = (): void => {
    for (const row of db.select().from(table).all()) apply({ by: row.kind, value: row.value, at: row.revokedAt })
  }
  load()
  bus.onCluster((msg) => {
    if (msg.kind === 'revoked') apply(msg)
  })
  // Revocations published while the bus was down were lost on the way; the database has them.
  bus.onResync(load)

  return {
    isRevoked,
    revoke(request) {
      const revocation: Revocation = 'jti' in request ? { by: 'jti', value: request.jti, at: now() } : { by: 'sub', value: request.sub, at: now() }
      db.insert(table)
        .values({ kind: revocation.by, value: revocation.value, revokedAt: revocation.at })
        .onConflictDoUpdate({ target: [table.kind, table.value], set: { revokedAt: sql`max(${table.revokedAt}, excluded.revoked_at)` } })
        .run()
      apply(revocation)
      bus.publishCluster({ kind: 'revoked', ...revocation })
    },
    watch(token, onRevoked) {
      const watcher = { token, onRevoked }
      watchers.add(watcher)
      return () => watchers.delete(watcher)
    },
  }
}
