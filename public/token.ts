// Reads a token's claims for display and for `by` stamps. The browser cannot verify the signature
// and does not try: the server checks every connection and stamps presence itself (CONTRACT §2).
import { ROLES, type Role } from '../shared/protocol.js'

export interface Identity {
  /** the token's `sub`: the user id written as `by` on every cell this user sets */
  id: string
  name: string
  role: Role
  /** the document id the token is for, or `*` */
  doc: string
  /** epoch milliseconds, when the token says */
  expiresAt?: number
}

export function readToken(token: string | null): Identity | null {
  const payload = token?.split('.')[1]
  if (!payload) return null
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/')
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes))
    if (typeof claims !== 'object' || claims === null) return null
    const { sub, name, role, doc, exp } = claims as Record<string, unknown>
    if (typeof sub !== 'string' || sub === '' || !ROLES.includes(role as Role)) return null
    return {
      id: sub,
      name: typeof name === 'string' && name !== '' ? name : sub,
      role: role as Role,
      doc: typeof doc === 'string' ? doc : '',
      ...(typeof exp === 'number' ? { expiresAt: exp * 1000 } : {}),
    }
  } catch {
    return null
  }
}

export const canEdit = (identity: Identity): boolean => identity.role === 'admin' || identity.role === 'editor'
