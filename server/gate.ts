// The gate in front of both live transports (CONTRACT §2): a browser page from an origin that is
// not allowed cannot open a live connection, so another web site cannot drive a user's map
// through their browser. Decided on the upgrade request, before any WebSocket exists.
import type { IncomingMessage } from 'node:http'
import type { FastifyBaseLogger } from 'fastify'
import type { Config } from './config.js'

export interface Gate {
  /**
   * Whether this request may open a live connection: no `Origin` (a non-browser client, which
   * could send any header anyway), the server's own origin, or one of `ALLOWED_ORIGINS`.
   */
  allows(req: IncomingMessage, transport: string): boolean
}

export interface GateDeps {
  config: Pick<Config, 'allowedOrigins'>
  log: FastifyBaseLogger
}

export function createGate({ config, log }: GateDeps): Gate {
  const listed = new Set(config.allowedOrigins === '*' ? [] : config.allowedOrigins)
  return {
    allows(req, transport) {
      const origin = req.headers.origin
      if (origin === undefined || config.allowedOrigins === '*') return true
      if (listed.has(origin) || isOwnOrigin(origin, req.headers.host)) return true
      log.info({ origin, address: req.socket.remoteAddress, transport }, 'live connection refused: origin not allowed')
      return false
    },
  }
}

/**
 * The page was served by this server: same host and port as the request's `Host`. Either scheme,
 * since TLS usually ends at a reverse proxy and the server itself only sees http.
 */
function isOwnOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false
  try {
    const url = new URL(origin)
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === host.toLowerCase()
  } catch {
    // `null` (a sandboxed frame, a file: page) or garbage: not ours.
    return false
  }
}
