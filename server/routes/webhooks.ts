// Webhook endpoints over REST (CONTRACT §6c), for admins: register one (its secret shown once),
// list, delete, its deliveries and a retry. An admin token for one document manages the endpoints
// of that document only; `*` endpoints need an admin token for `*`. A URL must be http(s) and
// resolve to public addresses only (targets.ts), unless WEBHOOK_ALLOW_PRIVATE=true.
import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { DOC_ID_PATTERN, ErrorCode, type Principal } from '../../shared/protocol.js'
import { AppError } from '../errors.js'
import { EVENT_TYPES, type EventType } from '../webhooks/events.js'
import { FORMATS, type Format } from '../webhooks/format.js'
import { coverageStart } from '../webhooks/outbox.js'
import { generateSecret } from '../webhooks/sign.js'
import type { Delivery, Endpoint, WebhookStore } from '../webhooks/store.js'
import { checkTarget, TargetError, type TargetPolicy } from '../webhooks/targets.js'
import type { Webhooks } from '../webhooks/webhooks.js'
import type { Access } from './access.js'
import { bearer, errors } from './schemas.js'

export interface WebhooksRouteDeps {
  rows: WebhookStore
  webhooks: Webhooks
  targets: Pick<TargetPolicy, 'allowPrivate'> & Partial<Pick<TargetPolicy, 'resolve'>>
  access: Access
}

interface NewEndpoint {
  url: string
  doc: string
  events: EventType[]
  format?: Format
}

/** Longer URLs are refused: no receiver needs one, and each is stored and shown. */
const URL_MAX = 2048
const DELIVERIES_DEFAULT = 100
const DELIVERIES_MAX = 1000

const isoTime = { type: 'string', format: 'date-time' } as const
const id = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,100}$' } as const
const endpointParams = { type: 'object', required: ['id'], properties: { id: { ...id, description: 'the endpoint id (`wh_…`)' } } } as const
const target = {
  url: { type: 'string', minLength: 1, maxLength: URL_MAX, example: 'https://hooks.example.com/skillmap', description: 'http(s); must resolve to public addresses (unless WEBHOOK_ALLOW_PRIVATE=true)' },
  doc: { type: 'string', pattern: `^\\*$|${DOC_ID_PATTERN.source}`, example: 'team-a', description: 'a document id, or `*` for every document (needs an admin token for `*`)' },
  events: {
    type: 'array',
    minItems: 1,
    uniqueItems: true,
    items: { type: 'string', enum: [...EVENT_TYPES] },
    example: ['responsibility.risk_changed', 'person.deactivated'],
  },
  format: { type: 'string', enum: [...FORMATS], default: 'standard', description: '`standard`: Standard Webhooks, the event as JSON, signed; `slack`: a Slack incoming-webhook message `{ text }`' },
} as const
const endpointBody = {
  type: 'object',
  required: ['id', 'url', 'doc', 'events', 'format', 'createdAt'],
  properties: { id: { type: 'string', example: 'wh_3kTq9…' }, ...target, createdAt: isoTime },
} as const
const delivery = {
  type: 'object',
  required: ['id', 'event', 'doc', 'status', 'attempts', 'lastError', 'deliveredAt', 'nextAttemptAt', 'createdAt'],
  properties: {
    id: { type: 'string', description: 'the `webhook-id` header, the same at every attempt', example: 'msg_2Yp…' },
    event: { type: 'string', enum: [...EVENT_TYPES] },
    doc: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'delivered', 'failed'] },
    attempts: { type: 'integer', minimum: 0 },
    lastError: { type: ['string', 'null'], description: 'what the last failed attempt got: `HTTP 500: …`, `timed out after 10000 ms`, `ECONNREFUSED: …`' },
    deliveredAt: { anyOf: [isoTime, { type: 'null' }] },
    nextAttemptAt: { anyOf: [isoTime, { type: 'null' }], description: 'pending: when it is tried (next); null otherwise' },
    createdAt: isoTime,
  },
} as const

const iso = (ms: number): string => new Date(ms).toISOString()

const endpointOut = (e: Endpoint) => ({ id: e.id, url: e.url, doc: e.doc, events: e.events, format: e.format, createdAt: iso(e.createdAt) })

const deliveryOut = (d: Delivery) => ({
  id: d.id,
  event: d.type,
  doc: d.doc,
  status: d.status,
  attempts: d.attempts,
  lastError: d.lastError,
  deliveredAt: d.deliveredAt === null ? null : iso(d.deliveredAt),
  nextAttemptAt: d.status === 'pending' ? iso(d.nextAttemptAt) : null,
  createdAt: iso(d.createdAt),
})

/** Whether a principal manages an endpoint: `*` admins every one, others those of their document. */
const manages = (p: Principal, e: Pick<Endpoint, 'doc'>): boolean => p.doc === '*' || p.doc === e.doc

export function registerWebhooks(app: FastifyInstance, { rows, webhooks, targets, access }: WebhooksRouteDeps): void {
  /** The endpoint, if this admin manages it; 404 otherwise (an endpoint of another document is none of its business). */
  const managed = async (p: Principal, endpointId: string): Promise<Endpoint> => {
    const endpoint = await rows.getEndpoint(endpointId)
    if (endpoint === undefined || !manages(p, endpoint)) throw new AppError(ErrorCode.notFound, `no webhook ${endpointId}`)
    return endpoint
  }

  app.post<{ Body: NewEndpoint }>(
    '/api/webhooks',
    {
      onRequest: access.require('administer'),
      schema: {
        summary: 'Register a webhook endpoint',
        description:
          'Admins. The reply holds the signing `secret` (`whsec_` + base64 of 32 bytes), shown this once: deliveries carry Standard Webhooks headers ' +
          '`webhook-id`, `webhook-timestamp` and `webhook-signature` (`v1,` + base64 HMAC-SHA256 of `<id>.<timestamp>.<body>` keyed by the secret\'s bytes). ' +
          'The endpoint hears of changes from now on, not of earlier ones. A URL that is not http(s), or whose host resolves to a loopback, private, link-local or cloud-metadata address, is refused (400).',
        tags: ['webhooks'],
        security: bearer,
        body: { type: 'object', additionalProperties: false, required: ['url', 'doc', 'events'], properties: target },
        response: {
          201: {
            description: 'Registered; `Location` names it. `secret` is never shown again.',
            type: 'object',
            required: [...endpointBody.required, 'secret'],
            properties: { ...endpointBody.properties, secret: { type: 'string', example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } },
          },
          ...errors(400, 401, 403, 429),
        },
      },
    },
    async (req, reply) => {
      const p = access.principal(req)
      const { url, doc, events, format = 'standard' } = req.body
      if (!manages(p, { doc })) throw new AppError(ErrorCode.forbidden, doc === '*' ? 'webhooks for * need an admin token for *' : `this token is for document ${p.doc}`)
      try {
        await checkTarget(url, targets)
      } catch (err) {
        if (err instanceof TargetError) throw new AppError(ErrorCode.badRequest, err.message)
        throw err
      }
      const endpoint: Endpoint = { id: `wh_${randomBytes(12).toString('base64url')}`, url, doc, events, format, secret: generateSecret(), createdAt: Date.now() }
      await rows.createEndpoint(endpoint, (others) => coverageStart(endpoint, others))
      await webhooks.endpointsChanged()
      reply.code(201).header('location', `/api/webhooks/${endpoint.id}`)
      return { ...endpointOut(endpoint), secret: endpoint.secret }
    },
  )

  app.get(
    '/api/webhooks',
    {
      onRequest: access.require('administer'),
      schema: {
        summary: 'List the webhook endpoints',
        description: 'Admins: a token for `*` sees every endpoint, one for a document the endpoints of that document. Secrets are not shown.',
        tags: ['webhooks'],
        security: bearer,
        response: { 200: { type: 'array', items: endpointBody }, ...errors(401, 403, 429) },
      },
    },
    async (req) => {
      const p = access.principal(req)
      return (await rows.listEndpoints()).filter((e) => manages(p, e)).sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1)).map(endpointOut)
    },
  )

  app.delete<{ Params: { id: string } }>(
    '/api/webhooks/:id',
    {
      onRequest: access.require('administer'),
      schema: {
        summary: 'Delete a webhook endpoint',
        description: 'Admins. Its deliveries go with it, pending ones included.',
        tags: ['webhooks'],
        security: bearer,
        params: endpointParams,
        response: { 204: { description: 'Deleted', type: 'null' }, ...errors(400, 401, 403, 404, 429) },
      },
    },
    async (req, reply) => {
      const endpoint = await managed(access.principal(req), req.params.id)
      if (!(await rows.deleteEndpoint(endpoint.id))) throw new AppError(ErrorCode.notFound, `no webhook ${endpoint.id}`)
      await webhooks.endpointsChanged()
      return reply.code(204).send()
    },
  )

  app.get<{ Params: { id: string }; Querystring: { limit?: string } }>(
    '/api/webhooks/:id/deliveries',
    {
      onRequest: access.require('administer'),
      schema: {
        summary: "An endpoint's deliveries, newest first",
        description:
          'Admins. `pending`: not delivered yet (waiting for its first attempt, its next retry, or, for doc.changed, the end of its 10 s window); ' +
          '`delivered`: a 2xx arrived within 10 s; `failed`: the retry schedule ran out. Kept 30 days.',
        tags: ['webhooks'],
        security: bearer,
        params: endpointParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'string', pattern: '^[1-9][0-9]{0,5}$', description: `at most this many (default ${DELIVERIES_DEFAULT}, at most ${DELIVERIES_MAX})`, example: '20' } },
        },
        response: { 200: { type: 'array', items: delivery }, ...errors(400, 401, 403, 404, 429) },
      },
    },
    async (req) => {
      const endpoint = await managed(access.principal(req), req.params.id)
      const limit = Math.min(Number(req.query.limit ?? DELIVERIES_DEFAULT), DELIVERIES_MAX)
      return (await rows.deliveries(endpoint.id, limit)).map(deliveryOut)
    },
  )

  app.post<{ Params: { id: string; deliveryId: string } }>(
    '/api/webhooks/:id/deliveries/:deliveryId/retry',
    {
      onRequest: access.require('administer'),
      schema: {
        summary: 'Send a delivery again now',
        description:
          'Admins. The delivery is due at once, with the same `webhook-id` and body (receivers can tell it is the same message); a delivered or failed one becomes pending again. ' +
          'A failed one gets one more attempt; one waiting for a retry goes now and keeps its place in the schedule. One in flight is left alone.',
        tags: ['webhooks'],
        security: bearer,
        params: { type: 'object', required: ['id', 'deliveryId'], properties: { ...endpointParams.properties, deliveryId: { ...id, description: 'the delivery id (`msg_…`)' } } },
        response: { 202: { description: 'Due now', ...delivery }, ...errors(400, 401, 403, 404, 429) },
      },
    },
    async (req, reply) => {
      const endpoint = await managed(access.principal(req), req.params.id)
      const retried = await rows.retry(endpoint.id, req.params.deliveryId, Date.now())
      if (retried === undefined) throw new AppError(ErrorCode.notFound, `no delivery ${req.params.deliveryId} of webhook ${endpoint.id}`)
      webhooks.kick()
      return reply.code(202).send(deliveryOut(retried))
    },
  )
}
