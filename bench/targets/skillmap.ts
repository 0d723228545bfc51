// How to start skillmap (CONTRACT §1) and mint its tokens (CONTRACT §2) for the benchmark.
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { SignJWT } from 'jose'

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..')
/** the server entry point; BENCH_SKILLMAP_ENTRY points the bench at another build of it */
export const SKILLMAP_ENTRY = process.env.BENCH_SKILLMAP_ENTRY ?? 'server/main.ts'
export const AUTH_SECRET = 'skillmap-bench-secret-not-for-production-0123456789'

export function skillmapMissing(): string | undefined {
  if (existsSync(resolve(REPO_ROOT, SKILLMAP_ENTRY))) return undefined
  return `skillmap server not found: ${SKILLMAP_ENTRY} does not exist in ${REPO_ROOT}. Merge main (with server/main.ts) into this branch, or run only --targets raw,hocuspocus.`
}

export function skillmapEnv(opts: { port: number; dataDir: string; redisUrl?: string; databaseUrl?: string; extra?: Record<string, string> }): Record<string, string> {
  return {
    PORT: String(opts.port),
    HOST: '127.0.0.1',
    DATA_DIR: opts.dataDir,
    AUTH_SECRET,
    LOG_LEVEL: 'warn',
    // the benchmark measures throughput, not the per-connection limiter (CONTRACT §3d)
    RATE_LIMIT_PER_SEC: '1000000',
    RATE_LIMIT_BURST: '1000000',
    ...(opts.redisUrl ? { REDIS_URL: opts.redisUrl } : {}),
    ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : {}),
    ...opts.extra,
  }
}

/** An editor token for every document, valid for an hour. */
export function mintToken(sub = 'bench'): Promise<string> {
  return new SignJWT({ name: 'Bench', role: 'editor', doc: '*' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(AUTH_SECRET))
}
