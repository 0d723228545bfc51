// Minting tokens over REST (CONTRACT §2, §6): what `npm run token` does, for admins.
import type { FastifyInstance } from 'fastify'
import { decodeJwt } from 'jose'
import { ErrorCode, type Role } from '../../shared/protocol.js'
import type { Auth } from '../auth.js'
import { AppError } from '../errors.js'
import { DEFAULT_TTL, parseTtl, TtlError } from '../ttl.js'
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
      let seconds: number
      try {
        seconds = parseTtl(ttl)
      } catch (err) {
        if (err instanceof TtlError) throw new AppError(ErrorCode.badRequest, err.message)
        throw err
      }
      const token = await auth.mint({ role, doc, name, sub, ttl: seconds })
      return { token, expiresAt: new Date(decodeJwt(token).exp! * 1000).toISOString() }
    },
  )
}
