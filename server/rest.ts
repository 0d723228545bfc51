// The HTTP API around the live transports: security headers, the error shape, OpenAPI, health and
// metrics, and the /api routes behind a per-address rate limit (CONTRACT §6).
import { STATUS_CODES } from 'node:http'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fastifyHelmet from '@fastify/helmet'
import fastifyRateLimit from '@fastify/rate-limit'
import type { Registry } from 'prom-client'
import { ErrorCode } from '../shared/protocol.js'
import type { Auth } from './auth.js'
import type { Creations } from './creations.js'
import { AppError, messageOf } from './errors.js'
import { registerOpenApi } from './openapi.js'
import type { Revocations } from './revocations.js'
import type { Rooms } from './rooms.js'
import { createAccess } from './routes/access.js'
import { registerDocs } from './routes/docs.js'
import { registerImport } from './routes/import.js'
import { registerHealth, type Probe } from './routes/health.js'
import { registerSchemas } from './routes/schemas.js'
import { registerHistory } from './routes/history.js'
import { registerSnapshot } from './routes/snapshot.js'
import { registerTokens } from './routes/tokens.js'
import { registerWebhooks } from './routes/webhooks.js'
import type { Store } from './store/types.js'
import type { WebhookStore } from './webhooks/store.js'
import type { TargetPolicy } from './webhooks/targets.js'
import type { Webhooks } from './webhooks/webhooks.js'

export interface RestRateLimit {
  /** requests per address per window */
  max: number
  timeWindowMs: number
}

export interface RestDeps {
  auth: Auth
  revocations: Revocations
  store: Store
  rooms: Rooms
  registry: Registry
  probes: readonly Probe[]
  creations: Creations
  webhooks: Webhooks
  webhookRows: WebhookStore
  /** where webhook URLs may point (WEBHOOK_ALLOW_PRIVATE) */
  webhookTargets: Pick<TargetPolicy, 'allowPrivate'>
  rateLimit?: RestRateLimit
}

/**
 * Generous for people and scripts, low enough that a runaway client cannot monopolise the
 * synchronous SQLite work of exports: 600 requests per minute per address.
 */
const DEFAULT_RATE_LIMIT: RestRateLimit = { max: 600, timeWindowMs: 60_000 }

const CODE_BY_STATUS: Readonly<Record<number, ErrorCode>> = {
  400: ErrorCode.badRequest,
  401: ErrorCode.unauthorized,
  403: ErrorCode.forbidden,
  404: ErrorCode.notFound,
  409: ErrorCode.conflict,
  410: ErrorCode.gone,
  413: ErrorCode.tooLarge,
  429: ErrorCode.rateLimited,
  503: ErrorCode.unavailable,
}

export async function registerRest(app: FastifyInstance, deps: RestDeps): Promise<void> {
  app.setErrorHandler(replyError)
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send(errorBody(404, ErrorCode.notFound, `no route ${req.method} ${req.url.split('?')[0]}`))
  })

  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        // The browser app opens its live connection to this same origin (y-websocket or Socket.IO);
        // older browsers do not count ws:/wss: to the page's own host as 'self'.
        connectSrc: ["'self'", 'ws:', 'wss:'],
        // Self-hosted instances are often plain http on a LAN address; upgrading every request to
        // https there would break the app and its WebSocket.
        upgradeInsecureRequests: null,
      },
    },
  })

  registerSchemas(app)
  await registerOpenApi(app)
  registerHealth(app, { probes: deps.probes, registry: deps.registry })

  // The rate limit lives in this child context only: /yjs upgrades, /socket.io (which never reaches
  // Fastify), health probes, metrics scrapes and static files are not counted.
  await app.register(async (api) => {
    const limit = deps.rateLimit ?? DEFAULT_RATE_LIMIT
    await api.register(fastifyRateLimit, {
      // Not per route: the plugin would run after each route's own token check, and requests
      // without a valid token would never be counted (CONTRACT §3d). A context hook runs first.
      global: false,
      max: limit.max,
      timeWindow: limit.timeWindowMs,
      errorResponseBuilder: (_req, context) => new AppError(ErrorCode.rateLimited, `too many requests; retry in ${context.after}`),
    })
    api.addHook('onRequest', api.rateLimit())
    const access = createAccess(deps.auth)
    registerDocs(api, { store: deps.store, rooms: deps.rooms, access, creations: deps.creations, webhooks: deps.webhooks })
    registerSnapshot(api, { rooms: deps.rooms, store: deps.store, access })
    registerHistory(api, { rooms: deps.rooms, store: deps.store, access, webhooks: deps.webhooks })
    registerImport(api, { rooms: deps.rooms, store: deps.store, access })
    registerTokens(api, { auth: deps.auth, revocations: deps.revocations, access })
    registerWebhooks(api, { rows: deps.webhookRows, webhooks: deps.webhooks, targets: deps.webhookTargets, access })
  })
}

/** The one error handler: Fastify's shape, our codes, and no 5xx text for the client (it is logged). */
function replyError(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const status = err instanceof AppError ? err.statusCode : err.validation !== undefined ? 400 : statusOf(err)
  if (status >= 500) {
    req.log.error({ err }, 'request failed')
    const code = status === 503 ? ErrorCode.unavailable : ErrorCode.internal
    // Our own 503s say what is unavailable (the database, the identity provider); other 5xx text stays in the log.
    const message = err instanceof AppError && status === 503 ? err.message : messageOf(code)
    reply.code(status).send(errorBody(status, code, message))
    return
  }
  if (status === 401) reply.header('www-authenticate', 'Bearer')
  const code = err instanceof AppError ? err.code : (CODE_BY_STATUS[status] ?? ErrorCode.badRequest)
  reply.code(status).send(errorBody(status, code, err.message))
}

function statusOf(err: FastifyError): number {
  const status = err.statusCode
  return typeof status === 'number' && status >= 400 && status <= 599 ? status : 500
}

function errorBody(statusCode: number, code: ErrorCode, message: string) {
  return { statusCode, code, error: STATUS_CODES[statusCode] ?? 'Error', message }
}
