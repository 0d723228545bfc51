// The one error class the server throws at its edges, and the one table that maps its codes
// to what each transport shows: an HTTP status, a WebSocket close code, a Socket.IO ack.
import { CloseCode, ErrorCode } from '../shared/protocol.js'

const HTTP_STATUS: Record<ErrorCode, number> = {
  'bad-request': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  'version-not-found': 404,
  conflict: 409,
  gone: 410,
  'read-only': 403,
  'too-large': 413,
  'rate-limited': 429,
  unavailable: 503,
  internal: 500,
}

const CLOSE: Record<ErrorCode, number> = {
  'bad-request': CloseCode.badRequest,
  unauthorized: CloseCode.unauthorized,
  forbidden: CloseCode.forbidden,
  'not-found': CloseCode.notFound,
  'version-not-found': CloseCode.notFound,
  conflict: CloseCode.badRequest,
  gone: CloseCode.gone,
  'read-only': CloseCode.forbidden,
  'too-large': CloseCode.messageTooBig,
  'rate-limited': CloseCode.policyViolation,
  unavailable: CloseCode.unavailable,
  internal: CloseCode.internalError,
}

const DEFAULT_MESSAGE: Record<ErrorCode, string> = {
  'bad-request': 'bad request',
  unauthorized: 'missing, invalid or expired token',
  forbidden: 'this token may not do that',
  'not-found': 'no such document',
  'version-not-found': 'no such version in the kept history',
  conflict: 'already exists',
  gone: 'the document was deleted',
  'read-only': 'read-only: this token may not edit',
  'too-large': 'the document would exceed its size limit',
  'rate-limited': 'too many messages',
  unavailable: 'the document could not be loaded',
  internal: 'internal error',
}

export class AppError extends Error {
  readonly statusCode: number
  constructor(
    readonly code: ErrorCode,
    message: string = DEFAULT_MESSAGE[code],
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'AppError'
    this.statusCode = HTTP_STATUS[code]
  }
}

export function closeCodeOf(code: ErrorCode): number {
  return CLOSE[code]
}

export function messageOf(code: ErrorCode): string {
  return DEFAULT_MESSAGE[code]
}

/** Any thrown value as an AppError; unknown failures become `internal` and keep their cause. */
export function toAppError(err: unknown): AppError {
  return err instanceof AppError ? err : new AppError(ErrorCode.internal, undefined, { cause: err })
}
