// Tokens (CONTRACT §2): HS256 JWTs, so a company's own identity gateway can mint them too.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { jwtVerify, SignJWT, errors as joseErrors, type JWTPayload } from 'jose'
import { ErrorCode, ROLES, type Principal, type Role } from '../shared/protocol.js'
import { MIN_SECRET_BYTES } from './config.js'
import { AppError } from './errors.js'
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

export interface Auth {
  /** The principal of a valid token; AppError `unauthorized` for a missing, invalid or expired one. */
  verify(token: unknown): Promise<Principal>
  /** verify(), with the token's id and times. */
  authenticate(token: unknown): Promise<Claims>
  mint(request: MintRequest): Promise<string>
}

export function createAuth(secret: string): Auth {
  if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES) {
    throw new Error(`AUTH_SECRET must be at least ${MIN_SECRET_BYTES} bytes`)
  }
  const key = new TextEncoder().encode(secret)

  const authenticate = async (token: unknown): Promise<Claims> => {
    if (typeof token !== 'string' || token === '') throw new AppError(ErrorCode.unauthorized, 'missing token')
    let payload: JWTPayload
    try {
      ;({ payload } = await jwtVerify(token, key, { algorithms: ['HS256'], requiredClaims: ['exp'] }))
    } catch (err) {
      throw new AppError(ErrorCode.unauthorized, reasonOf(err))
    }
    return claimsOf(payload)
  }

  return {
    authenticate,
    async verify(token) {
      return (await authenticate(token)).principal
    },
    async mint({ role, doc, name, sub, ttl = DEFAULT_TTL }) {
      const seconds = typeof ttl === 'number' ? ttl : parseTtl(ttl)
      if (seconds > MAX_TTL_SECONDS) throw new TtlError(`ttl must be at most 366d (${MAX_TTL_SECONDS} s)`)
      const subject = sub ?? `${role}-${crypto.randomBytes(6).toString('hex')}`
      const now = Math.floor(Date.now() / 1000)
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

/** A short reason for the log and the 401 message; never the token. */
function reasonOf(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'token expired'
  if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === 'exp') return 'token has no exp'
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
