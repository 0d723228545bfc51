// Minting tokens over REST (CONTRACT §2, §6): what `npm run token` does, for admins.
import type { FastifyInstance } from 'fastify'
import { decodeJwt } from 'jose'
import { ErrorCode, type Role } from '../../shared/protocol.js'
import type { Auth } from '../auth.js'
import { AppError } from '../errors.js'
import type { Access } from './access.js'
import { bearer, described, errors, ref } from './schemas.js'

export interface TokensDeps {
  auth: Auth
  access: Access
}

interface TokenRequest {
  role: Role
  doc: string
  name?: string
  sub?: string
  ttl?: number | string
}

/** Tokens cannot be revoked (there is no list of them), so their life is bounded: a year and a day. */
const MAX_TTL_SECONDS = 366 * 24 * 3600
const DEFAULT_TTL = '7d'
const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }

export function registerTokens(app: FastifyInstance, { auth, access }: TokensDeps): void {
  app.post<{ Body: TokenRequest }>(
    '/api/tokens',
    {
      onRequest: access.require('administer'),
      schema: {
        summary: 'Mint a token',
        description: 'Admins. An admin token for one document mints tokens for that document only; a token for `*` needs an admin token for `*`.',
        tags: ['tokens'],
        security: bearer,
        body: ref('TokenRequest'),
        response: { 200: described('The token', 'Token'), ...errors(400, 401, 403, 429) },
      },
    },
    async (req) => {
      const { role, doc, name, sub, ttl = DEFAULT_TTL } = req.body
      const p = access.principal(req)
      // Nobody mints more than they hold: `*` only from `*`, one document only from it or `*`.
      if (doc === '*' ? p.doc !== '*' : !(p.doc === '*' || p.doc === doc)) {
        throw new AppError(ErrorCode.forbidden, `this token is for document ${p.doc}`)
      }
      const seconds = typeof ttl === 'number' ? ttl : Number(ttl.slice(0, -1)) * UNIT_SECONDS[ttl.slice(-1)]!
      if (seconds > MAX_TTL_SECONDS) throw new AppError(ErrorCode.badRequest, `ttl must be at most ${MAX_TTL_SECONDS} s (366d)`)
      const token = await auth.mint({ role, doc, name, sub, ttl: seconds })
      return { token, expiresAt: new Date(decodeJwt(token).exp! * 1000).toISOString() }
    },
  )
}
