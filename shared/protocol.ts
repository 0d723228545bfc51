// The wire vocabulary shared by the server, the browser app and tests (CONTRACT §2, §3).
// Imports nothing from Node or the DOM so that both sides can use it.

/** Document ids (CONTRACT §3): safe in URLs, file names and Redis channel names. */
export const DOC_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/

export function isDocId(value: unknown): value is string {
  return typeof value === 'string' && DOC_ID_PATTERN.test(value)
}

export const ROLES = ['admin', 'editor', 'viewer', 'exporter'] as const
export type Role = (typeof ROLES)[number]

/** What a verified token says about its bearer. */
export interface Principal {
  sub: string
  name: string
  role: Role
  /** a document id, or `*` for every document */
  doc: string
}

/** The presence stamp the server writes into every awareness state (CONTRACT §2). */
export interface PresenceUser {
  id: string
  name: string
  role: Role
}

export const ErrorCode = {
  badRequest: 'bad-request',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  notFound: 'not-found',
  versionNotFound: 'version-not-found',
  conflict: 'conflict',
  gone: 'gone',
  readOnly: 'read-only',
  tooLarge: 'too-large',
  rateLimited: 'rate-limited',
  unavailable: 'unavailable',
  internal: 'internal',
} as const
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

/** WebSocket close codes. 4xxx mirror the HTTP status; 1xxx are the standard ones of RFC 6455. */
export const CloseCode = {
  protocolError: 1002,
  policyViolation: 1008,
  messageTooBig: 1009,
  internalError: 1011,
  serviceRestart: 1012,
  tryAgainLater: 1013,
  badRequest: 4400,
  unauthorized: 4401,
  forbidden: 4403,
  notFound: 4404,
  gone: 4410,
  /** the document exists but could not be loaded (corrupt or unreadable storage) */
  unavailable: 4500,
} as const

/** y-websocket outer message types (y-protocols). */
export const MessageType = {
  sync: 0,
  awareness: 1,
  auth: 2,
  queryAwareness: 3,
} as const

export type JoinAck =
  | { ok: true; role: Role }
  | { ok: false; code: ErrorCode; message: string }

export interface DocError {
  code: ErrorCode
  message: string
}

/** Socket.IO events (CONTRACT §3b). `frame` is a binary y-websocket frame. */
export interface ClientToServerEvents {
  'doc:join': (docId: string, ack: (res: JoinAck) => void) => void
  'doc:leave': (docId: string) => void
  'doc:msg': (docId: string, frame: Uint8Array) => void
}

export interface ServerToClientEvents {
  'doc:msg': (docId: string, frame: Uint8Array) => void
  'doc:error': (docId: string, error: DocError) => void
}
