// Who may call a REST route (CONTRACT §2 table, REST column): a bearer token checked before the
// request is validated, so a caller without a valid token learns nothing but 401.
import type { FastifyRequest, onRequestHookHandler } from 'fastify'
import { ErrorCode, type Principal } from '../../shared/protocol.js'
import { canAccess, mayAdminister, mayWrite, type Auth } from '../auth.js'
import { AppError } from '../errors.js'

/** read: list, metadata, export, analytics (every role) · create: editor, admin · administer: delete, mint (admin). */
export type Permission = 'read' | 'create' | 'administer'

const ALLOWED: Readonly<Record<Permission, (p: Principal) => boolean>> = {
  read: () => true,
  create: mayWrite,
  administer: mayAdminister,
}

export interface Access {
  /** An onRequest hook: 401 without a valid token, 403 if its role lacks `permission`. */
  require(permission: Permission): onRequestHookHandler
  /** The principal the hook verified for this request. */
  principal(req: FastifyRequest): Principal
  /** The principal, if its token covers `docId`; 403 otherwise. */
  forDoc(req: FastifyRequest, docId: string): Principal
}

export function createAccess(auth: Auth): Access {
  const principals = new WeakMap<FastifyRequest, Principal>()
  const principal = (req: FastifyRequest): Principal => {
    const found = principals.get(req)
    // A route that forgot its hook fails loudly instead of running unauthenticated.
    if (found === undefined) throw new Error(`no principal for ${req.method} ${req.routeOptions.url}`)
    return found
  }
  return {
    require(permission) {
      return async (req) => {
        const p = await auth.verify(bearerToken(req.headers.authorization))
        if (!ALLOWED[permission](p)) throw new AppError(ErrorCode.forbidden, `a ${p.role} token may not do this`)
        principals.set(req, p)
      }
    },
    principal,
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
