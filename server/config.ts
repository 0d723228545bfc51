// Configuration (CONTRACT §1): environment variables parsed and validated once, at start.
// Every bad variable is reported in one error, named, so an operator fixes them all in one go.
import { isIP } from 'node:net'
import path from 'node:path'
import { DEFAULT_RETRY_SCHEDULE, parseRetrySchedule, RetryScheduleError } from './webhooks/retry.js'

/** RFC 7518 §3.2: the HS256 key is at least as long as the hash output. */
export const MIN_SECRET_BYTES = 32

export type SqliteSync = 'normal' | 'full'

export interface Config {
  readonly port: number
  readonly host: string
  readonly dataDir: string
  readonly redisUrl: string | undefined
  /** PostgreSQL instead of SQLite in dataDir (CONTRACT §1 v2) */
  readonly databaseUrl: string | undefined
  readonly authSecret: string | undefined
  /** tokens of an identity provider (CONTRACT §1): its JWKS, and the `iss` and `aud` its tokens must carry */
  readonly idp: { readonly jwksUrl: string; readonly issuer: string; readonly audience: string } | undefined
  readonly sqliteSync: SqliteSync
  readonly maxMessageBytes: number
  readonly maxDocBytes: number
  readonly rateLimitPerSec: number
  readonly rateLimitBurst: number
  readonly logLevel: string
  /** log rows per document before they are merged into one snapshot row */
  readonly compactThreshold: number
  /** days the full edit history is kept (0: forever); older rows are folded into checkpoints */
  readonly historyDays: number
  /** how long a document stays loaded after its last connection leaves */
  readonly unloadDelayMs: number
  /** seed the `demo` map on first start */
  readonly seedDemo: boolean
  /** browser origins that may open live connections besides the server's own; `*`: any (CONTRACT §2) */
  readonly allowedOrigins: '*' | readonly string[]
  /** Fastify's `trustProxy`: whether, or which, reverse proxies' X-Forwarded-For to believe */
  readonly trustProxy: TrustProxy
  /** the delays between a failed webhook delivery's attempts, in ms (CONTRACT §6c) */
  readonly webhookRetrySchedule: readonly number[]
  /** webhooks may go to loopback, private and link-local addresses (never cloud metadata) */
  readonly webhookAllowPrivate: boolean
  /** where users open the app (links in webhook messages); unset: the address the server listens on */
  readonly publicUrl: string | undefined
}

/** false: the TCP peer is the client; true: every proxy; a hop count; or addresses/CIDRs of the proxies. */
export type TrustProxy = boolean | number | readonly string[]

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`)
    this.name = 'ConfigError'
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

type Env = Record<string, string | undefined>

export function loadConfig(env: Env): Config {
  const problems: string[] = []

  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name]
    if (raw === undefined || raw === '') return fallback
    const value = Number(raw)
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
      problems.push(`${name}: expected an integer from ${min} to ${max}, got "${raw}"`)
      return fallback
    }
    return value
  }
  const oneOf = <T extends string>(name: string, fallback: T, allowed: readonly T[]): T => {
    const raw = env[name]
    if (raw === undefined || raw === '') return fallback
    if (!(allowed as readonly string[]).includes(raw)) {
      problems.push(`${name}: expected one of ${allowed.join(', ')}, got "${raw}"`)
      return fallback
    }
    return raw as T
  }
  const text = (name: string): string | undefined => {
    const raw = env[name]
    return raw === undefined || raw === '' ? undefined : raw
  }

  const redisUrl = text('REDIS_URL')
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
    problems.push(`REDIS_URL: expected redis://host:port or rediss://…, got "${redisUrl}"`)
  }
  const databaseUrl = text('DATABASE_URL')
  const databaseProblem = databaseUrl === undefined ? undefined : postgresUrlProblem(databaseUrl)
  if (databaseProblem !== undefined) problems.push(`DATABASE_URL: expected postgres://user:password@host:5432/database (or postgresql://…), ${databaseProblem}`)
  const authSecret = text('AUTH_SECRET')
  // RFC 7518 §3.2: an HS256 key shorter than the hash output (32 bytes) can be brute-forced offline
  // from a single leaked token.
  if (authSecret !== undefined && Buffer.byteLength(authSecret, 'utf8') < MIN_SECRET_BYTES) {
    problems.push(`AUTH_SECRET: must be at least ${MIN_SECRET_BYTES} bytes, got ${Buffer.byteLength(authSecret, 'utf8')} (generate one with: openssl rand -base64 32)`)
  }

  const jwksUrl = text('AUTH_JWKS_URL')
  const issuer = text('AUTH_ISSUER')
  const audience = text('AUTH_AUDIENCE')
  let idp: Config['idp']
  if (jwksUrl !== undefined || issuer !== undefined || audience !== undefined) {
    // All three or none: a provider's tokens without their `iss` and `aud` checked would let any
    // token of that provider (for another application) in.
    for (const [name, value] of [['AUTH_JWKS_URL', jwksUrl], ['AUTH_ISSUER', issuer], ['AUTH_AUDIENCE', audience]] as const) {
      if (value === undefined) problems.push(`${name}: required with AUTH_JWKS_URL, AUTH_ISSUER and AUTH_AUDIENCE (set all three or none)`)
    }
    if (jwksUrl !== undefined && !isHttpUrl(jwksUrl)) problems.push(`AUTH_JWKS_URL: expected an http(s) URL, got "${jwksUrl}"`)
    if (jwksUrl !== undefined && issuer !== undefined && audience !== undefined) idp = Object.freeze({ jwksUrl, issuer, audience })
  }

  let webhookRetrySchedule: readonly number[] = Object.freeze(parseRetrySchedule(DEFAULT_RETRY_SCHEDULE))
  const schedule = text('WEBHOOK_RETRY_SCHEDULE')
  if (schedule !== undefined) {
    try {
      webhookRetrySchedule = Object.freeze(parseRetrySchedule(schedule))
    } catch (err) {
      if (!(err instanceof RetryScheduleError)) throw err
      problems.push(`WEBHOOK_RETRY_SCHEDULE: ${err.message}`)
    }
  }
  const publicUrl = text('PUBLIC_URL')
  if (publicUrl !== undefined && !isHttpUrl(publicUrl)) problems.push(`PUBLIC_URL: expected an http(s) URL like https://map.example.com, got "${publicUrl}"`)

  const config: Config = {
    port: int('PORT', 3000, 0, 65535),
    host: text('HOST') ?? '127.0.0.1',
    dataDir: path.resolve(text('DATA_DIR') ?? './data'),
    redisUrl,
    databaseUrl,
    authSecret,
    idp,
    sqliteSync: oneOf('SQLITE_SYNC', 'normal', ['normal', 'full'] as const),
    maxMessageBytes: int('MAX_MESSAGE_BYTES', 1_048_576, 1024, 1 << 30),
    maxDocBytes: int('MAX_DOC_BYTES', 16_777_216, 1024, 1 << 30),
    rateLimitPerSec: int('RATE_LIMIT_PER_SEC', 200, 1, 1_000_000),
    rateLimitBurst: int('RATE_LIMIT_BURST', 1000, 1, 10_000_000),
    logLevel: oneOf('LOG_LEVEL', 'info', LOG_LEVELS),
    compactThreshold: int('COMPACT_THRESHOLD', 1000, 2, 10_000_000),
    historyDays: int('HISTORY_DAYS', 0, 0, 36_500),
    unloadDelayMs: int('UNLOAD_DELAY_MS', 5000, 0, 3_600_000),
    seedDemo: oneOf('SEED_DEMO', 'true', ['true', 'false'] as const) === 'true',
    allowedOrigins: parseOrigins(text('ALLOWED_ORIGINS'), problems),
    trustProxy: parseTrustProxy(text('TRUST_PROXY'), problems),
    webhookRetrySchedule,
    webhookAllowPrivate: oneOf('WEBHOOK_ALLOW_PRIVATE', 'false', ['true', 'false'] as const) === 'true',
    publicUrl: publicUrl?.replace(/\/+$/, ''),
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return Object.freeze(config)
}

/** `https://map.example.com,http://localhost:5173` or `*`; each entry must be a bare origin. */
function parseOrigins(raw: string | undefined, problems: string[]): '*' | readonly string[] {
  if (raw === undefined) return []
  if (raw.trim() === '*') return '*'
  const origins: string[] = []
  for (const entry of raw.split(',').map((e) => e.trim()).filter((e) => e !== '')) {
    let origin: string | undefined
    try {
      const url = new URL(entry)
      // An origin is scheme://host[:port] and nothing else; a path would never match a browser's Origin.
      const bare = url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '' && !entry.endsWith('//')
      if ((url.protocol === 'http:' || url.protocol === 'https:') && bare) origin = url.origin
    } catch {
      // reported below
    }
    if (origin === undefined) problems.push(`ALLOWED_ORIGINS: expected comma-separated origins like https://map.example.com, or *, got "${entry}"`)
    else origins.push(origin)
  }
  return Object.freeze(origins)
}

/** proxy-addr's names for address ranges, accepted by Fastify's trustProxy as they are. */
const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal']

function parseTrustProxy(raw: string | undefined, problems: string[]): TrustProxy {
  if (raw === undefined || raw === 'false') return false
  if (raw === 'true') return true
  if (/^\d+$/.test(raw)) return Number(raw)
  const entries = raw.split(',').map((e) => e.trim()).filter((e) => e !== '')
  const valid = (entry: string): boolean => {
    if (PROXY_RANGES.includes(entry)) return true
    const [address, bits, ...rest] = entry.split('/')
    const family = isIP(address ?? '')
    if (family === 0 || rest.length > 0) return false
    return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128))
  }
  const bad = entries.filter((e) => !valid(e))
  if (entries.length === 0 || bad.length > 0) {
    problems.push(`TRUST_PROXY: expected true, false, a hop count, or addresses/CIDRs like 10.0.0.0/8,loopback, got "${raw}"`)
    return false
  }
  return Object.freeze(entries)
}

/** Why `raw` is no PostgreSQL URL, without repeating it: it may hold a password (also db:copy's check). */
export function postgresUrlProblem(raw: string): string | undefined {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return 'got something that is not a URL'
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') return `got a ${url.protocol}// URL`
  if (url.hostname === '') return 'got no host'
  return undefined
}

function isHttpUrl(raw: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(raw).protocol)
  } catch {
    return false
  }
}

/**
 * How much a live connection may have waiting to be sent before it is dropped: a client that does not
 * read must not make the server hold its backlog. Room for a whole document's sync reply, twice, and
 * at least 8 MB.
 */
export function sendBufferLimit(config: Pick<Config, 'maxDocBytes'>): number {
  return Math.max(8 * 1024 * 1024, 2 * config.maxDocBytes)
}

/** For the two entry points (server, token CLI): a bad configuration ends the process with its message, not a stack. */
export function loadConfigOrExit(env: Env): Config {
  try {
    return loadConfig(env)
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    console.error(err.message)
    process.exit(1)
  }
}
