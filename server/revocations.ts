// Revoked tokens (CONTRACT §2 v2): a `jti` refuses one token; a `sub` refuses every token of that
// subject issued at or before the revocation. The list lives in the database (a restart forgets
// nothing), in memory for the check on every verify, and travels over the bus so that every instance
// closes the live connections of a revoked token within moments.
import type { FastifyBaseLogger } from 'fastify'
import type { Claims } from './auth.js'
import type { Bus, ClusterMessage } from './bus.js'

export type RevokeRequest = { jti: string } | { sub: string }

/** What a revocation matches against: a token's id, subject and issue time. */
export type TokenIdentity = Pick<Claims, 'jti' | 'iat'> & { principal: { sub: string } }

export interface Revocations {
  isRevoked(token: TokenIdentity): boolean
  /** Stores the revocation, tells the other instances and closes the matching live connections here. */
  revoke(request: RevokeRequest): Promise<void>
  /** Calls `onRevoked` once if this token is revoked while the connection lives; returns the unwatch. */
  watch(token: TokenIdentity, onRevoked: () => void): () => void
}

/** A row of the revocations table. */
export interface RevocationRow {
  kind: 'jti' | 'sub'
  value: string
  revokedAt: number
}

/** The revocations table of one backend (store/sqlite.ts, store/postgres.ts). */
export interface RevocationRows {
  all(): Promise<RevocationRow[]>
  /** Inserts, or keeps the later revokedAt of the two. */
  put(row: RevocationRow): Promise<void>
}

export interface RevocationsDeps {
  rows: RevocationRows
  bus: Bus
  log: FastifyBaseLogger
  now?: () => number
}

type Revocation = Omit<Extract<ClusterMessage, { kind: 'revoked' }>, 'kind'>

/** Resolves once the stored list is in memory: from then on every check is synchronous. */
export async function createRevocations({ rows, bus, log, now = Date.now }: RevocationsDeps): Promise<Revocations> {
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

  const load = async (): Promise<void> => {
    for (const row of await rows.all()) apply({ by: row.kind, value: row.value, at: row.revokedAt })
  }
  await load()
  bus.onCluster((msg) => {
    if (msg.kind === 'revoked') apply(msg)
  })
  // Revocations published while the bus was down were lost on the way; the database has them.
  bus.onResync(() => {
    load().catch((err: unknown) => log.warn({ err }, 'could not reload the revocations after the bus came back'))
  })

  return {
    isRevoked,
    async revoke(request) {
      const revocation: Revocation = 'jti' in request ? { by: 'jti', value: request.jti, at: now() } : { by: 'sub', value: request.sub, at: now() }
      await rows.put({ kind: revocation.by, value: revocation.value, revokedAt: revocation.at })
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
