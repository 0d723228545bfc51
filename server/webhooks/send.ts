// One delivery attempt (CONTRACT §6c): a POST that counts when a 2xx status arrives within the
// timeout; anything else — another status, a refused or reset connection, a refused address, the
// timeout — is a failure with a short error text for the deliveries list. Never throws.
//
// node:http rather than fetch: it takes the guarded lookup per request (Node's bundled fetch
// exposes no agent to give one to), and it never follows redirects, so a 3xx cannot point the
// delivery at an address the check would refuse; a 3xx is a failure like any other non-2xx.
import http from 'node:http'
import https from 'node:https'
import { checkUrl, guardedLookup, TargetError, type Resolver } from './targets.js'

/** The contract's limit: a receiver that takes longer is treated as down, and the delivery retried. */
export const SEND_TIMEOUT_MS = 10_000
/** lastError is shown in the deliveries list and stored per row: enough to see what the receiver said. */
export const ERROR_TEXT_MAX = 300
/** How much of a failing receiver's body is read for the error text; the rest is never downloaded. */
const BODY_EXCERPT_BYTES = 1024

export interface Delivery {
  url: string
  /** the exact bytes that were signed */
  body: string
  headers: Readonly<Record<string, string>>
}

export interface Attempt {
  ok: boolean
  /** the receiver's HTTP status, null when none arrived */
  status: number | null
  /** null when ok; otherwise at most ERROR_TEXT_MAX characters */
  error: string | null
  durationMs: number
}

export interface SendOptions {
  allowPrivate: boolean
  timeoutMs?: number
  resolve?: Resolver
  /** ends the attempt early (a server shutting down); it then fails like a timeout, as `aborted` */
  signal?: AbortSignal
}

export async function send(delivery: Delivery, options: SendOptions): Promise<Attempt> {
  const started = performance.now()
  const done = (status: number | null, error: string | null): Attempt => ({
    ok: error === null,
    status,
    error: error === null ? null : bound(error),
    durationMs: Math.round(performance.now() - started),
  })
  const policy = { allowPrivate: options.allowPrivate, ...(options.resolve ? { resolve: options.resolve } : {}) }
  let url: URL
  try {
    // A literal IP host never goes through lookup, so the URL itself is checked at every attempt too.
    url = checkUrl(delivery.url, policy)
  } catch (err) {
    return done(null, (err as Error).message)
  }
  const timeoutMs = options.timeoutMs ?? SEND_TIMEOUT_MS
  const timeout = AbortSignal.timeout(timeoutMs)
  const signal = options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal])
  const client = url.protocol === 'https:' ? https : http
  const body = Buffer.from(delivery.body, 'utf8')
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'skillmap-webhooks',
    ...delivery.headers,
    'content-length': String(body.length),
  }

  return new Promise<Attempt>((resolve) => {
    let settled = false
    const settle = (status: number | null, error: string | null) => {
      if (settled) return
      settled = true
      resolve(done(status, error))
    }
    const failure = (err: Error) =>
      timeout.aborted ? `timed out after ${timeoutMs} ms` : signal.aborted ? 'aborted' : err instanceof TargetError ? err.message : describe(err)

    // agent: false — a fresh connection per attempt, so every one is resolved through the guard
    // (a pooled socket could outlive the check it was opened under).
    const req = client.request(url, { method: 'POST', headers, lookup: guardedLookup(policy), agent: false, signal }, (res) => {
      const status = res.statusCode ?? 0
      if (status >= 200 && status < 300) {
        settle(status, null)
        res.destroy()
        return
      }
      const chunks: Buffer[] = []
      let size = 0
      const finish = () => settle(status, `HTTP ${status}${excerpt(Buffer.concat(chunks))}`)
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk)
        size += chunk.length
        if (size >= BODY_EXCERPT_BYTES) {
          finish()
          res.destroy()
        }
      })
      res.on('end', finish)
      // A body cut short (reset, timeout) still leaves the status, which is what the error is about.
      res.on('error', finish)
      res.on('close', finish)
    })
    req.on('error', (err) => settle(null, failure(err)))
    req.end(body)
  })
}

function excerpt(bytes: Buffer): string {
  // Receivers write anything: one line of printable text.
  const text = bytes.subarray(0, BODY_EXCERPT_BYTES).toString('utf8').replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim()
  return text === '' ? '' : `: ${text}`
}

function describe(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code
  return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message
}

function bound(text: string): string {
  const clean = text.replace(/[\u0000-\u001f\u007f]+/g, ' ')
  return clean.length > ERROR_TEXT_MAX ? `${clean.slice(0, ERROR_TEXT_MAX - 1)}…` : clean
}
