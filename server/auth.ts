// Tokens (CONTRACT §2): HS256 JWTs with AUTH_SECRET, so a company's own identity gateway can mint
// them too; optionally tokens of an identity provider (idp.ts); revocation (revocations.ts); and
// single-use live tickets, so long-lived tokens stay out of the URLs that proxies log.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { decodeProtectedHeader, jwtVerify, SignJWT, errors as joseErrors, type JWTPayload } from 'jose'
import { ErrorCode, ROLES, type Principal, type Role } from '../shared/protocol.js'
import { MIN_SECRET_BYTES } from './config.js'
import { AppError } from './errors.js'
import { IDP_ALGORITHMS, type IdpVerifier } from './idp.js'
import type { Revocations } from './revocations.js'
import { createMemoryLedger, type TicketLedger } from './tickets.js'
import { DEFAULT_TTL, MAX_TTL_SECONDS, parseTtl, TtlError } from './ttl.js'

/** What a verified token says: who it is for, and what identifies it for revocation. */
export interface Claims {
  principal: Principal
  /** the token's id; tokens from an identity provider may have none (then only `sub` revokes them) */
  jti?: string
  /** issued-at, epoch seconds (0 when the token does not say) */
  iat: number
  /** expiry, epoch seconds */
  exp: number
}

export interface MintRequest {
  role: Role
  doc: string
  name?: string
  sub?: string
  /** seconds (negative: already expired, for tests) or a lifetime like '7d'; at most 366 days */
  ttl?: string | number
}

/** How a live client proves who it is: `?token=` / `auth.token`, or `?ticket=` / `auth.ticket`. */
export interface LiveCredential {
  token?: unknown
  ticket?: unknown
}

export interface Ticket {
  ticket: string
  /** ISO 8601 */
  expiresAt: string
}

export interface Auth {
  /** The principal of a valid token; AppError `unauthorized` for a missing, invalid, expired or revoked one. */
  verify(token: unknown): Promise<Principal>
  /** verify(), with the token's id and times. */
  authenticate(token: unknown): Promise<Claims>
  /** A live login: a ticket (used up by this call) or a token. The claims are the token's (for a ticket, the token it was issued for). */
  live(credential: LiveCredential): Promise<Claims>
  /** A single-use ticket for one live connection, for the holder of these (verified) claims. */
  issueTicket(claims: Claims): Promise<Ticket>
  /** Calls `onRevoked` once if these claims are revoked while a connection lives; returns the unwatch. */
  watch(claims: Claims, onRevoked: () => void): () => void
  mint(request: MintRequest): Promise<string>
}

export interface AuthOptions {
  revocations?: Revocations
  /** single use of tickets across instances (the database); default: within this process */
  tickets?: TicketLedger
  /** tokens of an identity provider (AUTH_JWKS_URL) */
  idp?: IdpVerifier
  /** the clock tickets and tokens are issued by (tests) */
  now?: () => number
}

/** CONTRACT §2 v2: a ticket opens one connection within 30 s of its issue. */
export const TICKET_TTL_SECONDS = 30
/** Tickets are JWTs too; this type keeps them from ever passing as a token (and tokens as tickets). */
const TICKET_TYP = 'skillmap-ticket+jwt'

export function createAuth(secret: string, { revocations, tickets = createMemoryLedger(), idp, now: clock = Date.now }: AuthOptions = {}): Auth {
  if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES) {
    throw new Error(`AUTH_SECRET must be at least ${MIN_SECRET_BYTES} bytes`)
  }
  const key = new TextEncoder().encode(secret)

  const notRevoked = (claims: Claims): Claims => {
    if (revocations?.isRevoked(claims)) throw new AppError(ErrorCode.unauthorized, 'token revoked')
    return claims
  }

  const authenticate = async (token: unknown): Promise<Claims> => {
    if (typeof token !== 'string' || token === '') throw new AppError(ErrorCode.unauthorized, 'missing token')
    let header
    try {
      header = decodeProtectedHeader(token)
    } catch {
      throw new AppError(ErrorCode.unauthorized, 'invalid token')
    }
    if (header.typ === TICKET_TYP) throw new AppError(ErrorCode.unauthorized, 'a ticket is not a token')
    // The header's alg picks the key, and each key accepts only its own algorithms: HS256 is checked
    // with AUTH_SECRET only, never with a public key; `none` matches neither and is refused.
    let payload: JWTPayload
    try {
      if (header.alg === 'HS256') ({ payload } = await jwtVerify(token, key, { algorithms: ['HS256'], requiredClaims: ['exp'] }))
      else if (idp !== undefined && (IDP_ALGORITHMS as readonly string[]).includes(String(header.alg))) payload = await idp(token)
      else throw new AppError(ErrorCode.unauthorized, 'invalid token')
    } catch (err) {
      if (err instanceof AppError) throw err
      if (idpUnreachable(err)) throw new AppError(ErrorCode.unavailable, 'the identity provider could not be reached', { cause: err })
      throw new AppError(ErrorCode.unauthorized, reasonOf(err))
    }
    return notRevoked(claimsOf(payload))
  }

  const redeem = async (ticket: unknown): Promise<Claims> => {
    if (typeof ticket !== 'string' || ticket === '') throw new AppError(ErrorCode.unauthorized, 'missing ticket')
    let payload: JWTPayload
    try {
      ;({ payload } = await jwtVerify(ticket, key, { algorithms: ['HS256'], typ: TICKET_TYP, requiredClaims: ['exp', 'jti'] }))
    } catch (err) {
      throw new AppError(ErrorCode.unauthorized, err instanceof joseErrors.JWTExpired ? 'ticket expired' : 'invalid ticket')
    }
    const { tok, tiat } = payload as { tok?: unknown; tiat?: unknown }
    const ticketClaims = claimsOf(payload)
    // The token the ticket stands for: revoking it revokes its tickets too.
    const claims: Claims = {
      principal: ticketClaims.principal,
      ...(typeof tok === 'string' ? { jti: tok } : {}),
      iat: typeof tiat === 'number' ? tiat : 0,
      exp: ticketClaims.exp,
    }
    notRevoked(claims)
    if (!(await tickets.use(payload.jti!, payload.exp! * 1000))) throw new AppError(ErrorCode.unauthorized, 'ticket already used')
    return claims
  }

  return {
    authenticate,
    async verify(token) {
      return (await authenticate(token)).principal
    },
    async live({ token, ticket }) {
      return ticket !== undefined && ticket !== null ? redeem(ticket) : authenticate(token)
    },
    async issueTicket({ principal, jti, iat }) {
      const now = Math.floor(clock() / 1000)
      const exp = now + TICKET_TTL_SECONDS
      const ticket = await new SignJWT({ name: principal.name, role: principal.role, doc: principal.doc, ...(jti !== undefined ? { tok: jti } : {}), tiat: iat })
        .setProtectedHeader({ alg: 'HS256', typ: TICKET_TYP })
        .setSubject(principal.sub)
        .setJti(crypto.randomUUID())
        .setIssuedAt(now)
        .setExpirationTime(exp)
        .sign(key)
      return { ticket, expiresAt: new Date(exp * 1000).toISOString() }
    },
    watch(claims, onRevoked) {
      return revocations?.watch(claims, onRevoked) ?? (() => {})
    },
    async mint({ role, doc, name, sub, ttl = DEFAULT_TTL }) {
      const seconds = typeof ttl === 'number' ? ttl : parseTtl(ttl)
      if (seconds > MAX_TTL_SECONDS) throw new TtlError(`ttl must be at most 366d (${MAX_TTL_SECONDS} s)`)
      const subject = sub ?? `${role}-${crypto.randomBytes(6).toString('hex')}`
      const now = Math.floor(clock() / 1000)
      return new SignJWT({ name: name ?? subject, role, doc })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(subject)
        .setJti(crypto.randomUUID())
        .setIssuedAt(now)
        .setExpirationTime(now + seconds)
        .sign(key)
    },
  }
}

/** A JWKS that could not be fetched: the token may be fine, the provider is not. */
function idpUnreachable(err: unknown): boolean {
  if (err instanceof joseErrors.JWKSTimeout) return true
  // fetch failures (refused, DNS) and a JWKS endpoint answering non-JSON or an error status
  if (err instanceof joseErrors.JOSEError) return err.code === 'ERR_JOSE_GENERIC' && /JWKS|response/i.test(err.message)
  return err instanceof TypeError || (err instanceof Error && err.name === 'AbortError')
}

/** A short reason for the log and the 401 message; never the token. */
function reasonOf(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'token expired'
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'exp') return 'token has no exp'
    if (err.claim === 'iss' || err.claim === 'aud') return `token has the wrong ${err.claim}`
  }
  return 'invalid token'
}

/** The claims CONTRACT §2 requires, whoever signed the token. */
function claimsOf(payload: JWTPayload): Claims {
  const { sub, name, role, doc, jti, iat, exp } = payload as Record<string, unknown>
  if (typeof sub !== 'string' || sub === '') throw new AppError(ErrorCode.unauthorized, 'token has no sub')
  if (!ROLES.includes(role as Role)) throw new AppError(ErrorCode.unauthorized, 'token has no valid role')
  if (typeof doc !== 'string' || doc === '') throw new AppError(ErrorCode.unauthorized, 'token has no doc')
  if (typeof exp !== 'number') throw new AppError(ErrorCode.unauthorized, 'token has no exp')
  return {
    principal: { sub, name: typeof name === 'string' && name !== '' ? name : sub, role: role as Role, doc },
    ...(typeof jti === 'string' && jti !== '' ? { jti } : {}),
    iat: typeof iat === 'number' ? iat : 0,
    exp,
  }
}

/** AUTH_SECRET, or the secret generated once into DATA_DIR/secret (mode 0600) and reused after. */
export function loadSecret({ authSecret, dataDir }: { authSecret: string | undefined; dataDir: string }): string {
  if (authSecret !== undefined) return authSecret
  const file = path.join(dataDir, 'secret')
  fs.mkdirSync(dataDir, { recursive: true })
  if (!fs.existsSync(file)) {
    // Written aside, then linked into place: link fails if the file exists, so two instances starting
    // together agree on one secret and neither can read a half-written file.
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`
    fs.writeFileSync(tmp, generateSecret(), { mode: 0o600 })
    try {
      fs.linkSync(tmp, file)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    } finally {
      fs.unlinkSync(tmp)
    }
  }
  const secret = fs.readFileSync(file, 'utf8').trim()
  if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES) {
    throw new Error(`${file} holds a secret shorter than ${MIN_SECRET_BYTES} bytes; delete it to generate a new one`)
  }
  return secret
}

/** 32 random bytes (the HS256 key size), as base64url text so the file can be copied into AUTH_SECRET. */
export function generateSecret(): string {
  return crypto.randomBytes(MIN_SECRET_BYTES).toString('base64url')
}

/** What a principal may do with one document (CONTRACT §2 table). */
export function canAccess(p: Principal, docId: string): boolean {
  return p.doc === '*' || p.doc === docId
}

export const mayConnect = (p: Principal): boolean => p.role !== 'exporter'
export const mayWrite = (p: Principal): boolean => p.role === 'admin' || p.role === 'editor'
export const mayAdminister = (p: Principal): boolean => p.role === 'admin'
