// Tokens over REST (CONTRACT §2, §6): minting (what `npm run token` does, for admins), revoking,
// and single-use tickets for the live transports.
import type { FastifyInstance } from 'fastify'
import { decodeJwt } from 'jose'
import { ErrorCode, type Role } from '../../shared/protocol.js'
import type { Auth } from '../auth.js'
import type { Revocations } from '../revocations.js'
import { AppError } from '../errors.js'
import { DEFAULT_TTL, parseTtl, TtlError } from '../ttl.js'
import type { Access } from './access.js'
import { bearer, described, errors, ref } from './schemas.js'

export interface TokensDeps {
  auth: Auth
  revocations: Revocations
  access: Access
}

interface TokenRequest {
  role: Role
  doc: string
  name?: string
  sub?: string
  ttl?: number | string
}

type RevokeRequest = { jti: string } | { sub: string }

export function registerTokens(app: FastifyInstance, { auth, revocations, access }: TokensDeps): void {
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

  app.post<{ Body: RevokeRequest }>(
    '/api/tokens/revoke',
    {
      onRequest: access.require('administer'),
      schema: {
        summary: 'Revoke a token, or every token of a user',
        description:
          'Admins. `{ jti }` refuses that token; `{ sub }` refuses every token of that user issued (`iat`) up to now, in the same second included. ' +
          'From then on REST answers 401, and live connections of those tokens are closed (4401, Socket.IO: `doc:error unauthorized` and a disconnect) on every instance within 2 s. ' +
          'Stored in the database: restarts keep it. Revoking by `sub` reaches tokens for any document, so it needs an admin token for `*`; ' +
          'a `jti` can only be known from the token itself, so any admin may revoke one.',
        tags: ['tokens'],
        security: bearer,
        body: ref('RevokeRequest'),
        response: { 204: { description: 'Revoked', type: 'null' }, ...errors(400, 401, 403, 429) },
      },
    },
    async (req, reply) => {
      const p = access.principal(req)
      if ('sub' in req.body && p.doc !== '*') throw new AppError(ErrorCode.forbidden, 'revoking by sub needs an admin token for *')
      await revocations.revoke(req.body)
      return reply.code(204).send()
    },
  )

  app.post(
    '/api/tokens/ticket',
    {
      onRequest: access.require('connect'),
      schema: {
        summary: 'A single-use ticket for one live connection',
        description:
          'Every role that may connect live (not exporters). The ticket is valid for 30 s and opens one connection, on any instance, to the documents of the calling token: ' +
          '`ws://host/yjs/<doc>?ticket=…` or Socket.IO `auth: { ticket }`. So the long-lived token never appears in a URL that a proxy logs. A used or expired ticket is refused (4401 / `connect_error unauthorized`).',
        tags: ['tokens'],
        security: bearer,
        response: { 200: described('The ticket', 'Ticket'), ...errors(401, 403, 429) },
      },
    },
    async (req) => auth.issueTicket(access.claims(req)),
  )
}
