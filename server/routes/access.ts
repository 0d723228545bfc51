// Who may call a REST route (CONTRACT §2 table, REST column): a bearer token checked before the
// request is validated, so a caller without a valid token learns nothing but 401.
import type { FastifyRequest, onRequestHookHandler } from 'fastify'
import { ErrorCode, type Principal } from '../../shared/protocol.js'
import { canAccess, mayAdminister, mayConnect, mayWrite, type Auth, type Claims } from '../auth.js'
import { AppError } from '../errors.js'

/**
 * read: list, metadata, export, analytics (every role) · connect: live tickets (every role but exporter)
 * · create: editor, admin · administer: delete, mint, revoke (admin).
 */
export type Permission = 'read' | 'connect' | 'create' | 'administer'

const ALLOWED: Readonly<Record<Permission, (p: Principal) => boolean>> = {
  read: () => true,
  connect: mayConnect,
  create: mayWrite,
  administer: mayAdminister,
}

export interface Access {
  /** An onRequest hook: 401 without a valid token, 403 if its role lacks `permission`. */
  require(permission: Permission): onRequestHookHandler
  /** The principal the hook verified for this request. */
  principal(req: FastifyRequest): Principal
  /** Its token's claims (id and times), for tickets. */
  claims(req: FastifyRequest): Claims
  /** The principal, if its token covers `docId`; 403 otherwise. */
  forDoc(req: FastifyRequest, docId: string): Principal
}

export function createAccess(auth: Auth): Access {
  const verified = new WeakMap<FastifyRequest, Claims>()
  const claims = (req: FastifyRequest): Claims => {
    const found = verified.get(req)
    // A route that forgot its hook fails loudly instead of running unauthenticated.
    if (found === undefined) throw new Error(`no principal for ${req.method} ${req.routeOptions.url}`)
    return found
  }
  const principal = (req: FastifyRequest): Principal => claims(req).principal
  return {
    require(permission) {
      return async (req) => {
        const c = await auth.authenticate(bearerToken(req.headers.authorization))
        const p = c.principal
        if (!ALLOWED[permission](p)) throw new AppError(ErrorCode.forbidden, `${/^[aeiou]/.test(p.role) ? 'an' : 'a'} ${p.role} token may not do this`)
        verified.set(req, c)
      }
    },
    principal,
    claims,
    forDoc(req, docId) {
      const p = principal(req)
      if (!canAccess(p, docId)) throw new AppError(ErrorCode.forbidden, `this token is for document ${p.doc}`)
      return p
    },
  }
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')
  return match?.[1]
}
