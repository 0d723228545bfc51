// Standard Webhooks signing (CONTRACT §6c, https://www.standardwebhooks.com): the headers a
// receiver verifies with any Standard Webhooks library, and the endpoint secrets they are keyed by.
import { createHmac, randomBytes } from 'node:crypto'

const SECRET_PREFIX = 'whsec_'
/** 256 bits, the HMAC-SHA256 block of entropy; the spec allows 24 to 64 bytes, so we read what others mint too. */
const SECRET_BYTES = 32
const MIN_SECRET_BYTES = 24
const MAX_SECRET_BYTES = 64
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

export class SecretError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SecretError'
  }
}

/** A fresh endpoint secret: `whsec_` + base64 of 32 random bytes (shown once, stored for signing). */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64')
}

/** The key bytes of a `whsec_…` secret; throws SecretError on anything else. */
export function secretKey(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new SecretError(`a webhook secret starts with ${SECRET_PREFIX}`)
  const encoded = secret.slice(SECRET_PREFIX.length)
  // Buffer.from(…, 'base64') skips bad characters silently; a mangled secret must fail loudly instead.
  if (!BASE64.test(encoded) || encoded.length % 4 !== 0) throw new SecretError('a webhook secret is whsec_ followed by base64')
  const key = Buffer.from(encoded, 'base64')
  if (key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES) {
    throw new SecretError(`a webhook secret holds ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} bytes, this one ${key.length}`)
  }
  return key
}

/** A message id for `webhook-id`: made once per outbox row, so every retry carries the same one. */
export function newMessageId(): string {
  return `msg_${randomBytes(16).toString('base64url')}`
}

/** `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, timestamp in whole seconds. */
export function signature(secret: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secretKey(secret)).update(`${id}.${timestamp}.`).update(body, 'utf8').digest('base64')
  return `v1,${mac}`
}

// A type, not an interface: it must fit the Record<string, string> the sender takes.
export type SignedHeaders = {
  'content-type': 'application/json'
  'webhook-id': string
  'webhook-timestamp': string
  'webhook-signature': string
}

/**
 * The headers of one delivery attempt. Signed at the attempt, not at enqueue: receivers refuse
 * timestamps older than a few minutes (5 in the reference libraries) to stop replays, and a retry
 * may come hours later. The id stays the same across retries, so receivers can deduplicate.
 */
export function signedHeaders(secret: string, id: string, body: string, now: number = Date.now()): SignedHeaders {
  const timestamp = Math.floor(now / 1000)
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signature(secret, id, timestamp, body),
  }
}
