// Tokens (CONTRACT §2): HS256 JWTs, so a company's own identity gateway can mint them too.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { jwtVerify, SignJWT, errors as joseErrors } from 'jose'
import { ErrorCode, ROLES, type Principal, type Role } from '../shared/protocol.js'
import { AppError } from './errors.js'

export interface Auth {
  /** The principal of a valid token; AppError `unauthorized` for a missing, invalid or expired one. */
  verify(token: unknown): Promise<Principal>
  mint(claims: { role: Role; doc: string; name?: string; sub?: string; ttl?: string | number }): Promise<string>
}

/** A token that forgets its expiry should not live forever. */
const DEFAULT_TTL = '7d'

export function createAuth(secret: string): Auth {
  const key = new TextEncoder().encode(secret)
  return {
    async verify(token) {
      if (typeof token !== 'string' || token === '') throw new AppError(ErrorCode.unauthorized, 'missing token')
      let payload
      try {
        ;({ payload } = await jwtVerify(token, key, { algorithms: ['HS256'] }))
      } catch (err) {
        const expired = err instanceof joseErrors.JWTExpired
        throw new AppError(ErrorCode.unauthorized, expired ? 'token expired' : 'invalid token')
      }
      const { sub, name, role, doc } = payload as Record<string, unknown>
      if (typeof sub !== 'string' || sub === '') throw new AppError(ErrorCode.unauthorized, 'token has no sub')
      if (!ROLES.includes(role as Role)) throw new AppError(ErrorCode.unauthorized, 'token has no valid role')
      if (typeof doc !== 'string' || doc === '') throw new AppError(ErrorCode.unauthorized, 'token has no doc')
      return { sub, name: typeof name === 'string' && name !== '' ? name : sub, role: role as Role, doc }
    },
    async mint({ role, doc, name, sub, ttl = DEFAULT_TTL }) {
      const subject = sub ?? `${role}-${crypto.randomBytes(6).toString('hex')}`
      return new SignJWT({ name: name ?? subject, role, doc })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(subject)
        .setIssuedAt()
        .setExpirationTime(typeof ttl === 'number' ? Math.floor(Date.now() / 1000) + ttl : ttl)
        .sign(key)
    },
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
    fs.writeFileSync(tmp, crypto.randomBytes(32).toString('base64url'), { mode: 0o600 })
    try {
      fs.linkSync(tmp, file)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    } finally {
      fs.unlinkSync(tmp)
    }
  }
  return fs.readFileSync(file, 'utf8').trim()
}

/** What a principal may do with one document (CONTRACT §2 table). */
export function canAccess(p: Principal, docId: string): boolean {
  return p.doc === '*' || p.doc === docId
}

export const mayConnect = (p: Principal): boolean => p.role !== 'exporter'
export const mayWrite = (p: Principal): boolean => p.role === 'admin' || p.role === 'editor'
export const mayAdminister = (p: Principal): boolean => p.role === 'admin'
