// JSON schemas of the REST API (CONTRACT §6): Fastify validates requests and serializes responses
// with them, and @fastify/swagger turns them into the OpenAPI document. A response schema also
// decides what is sent (properties it does not name are dropped): the analytics and snapshot shapes
// come from shared/shapes.ts, which also types what shared/ returns; the REST tests compare the two.
import { STATUS_CODES } from 'node:http'
import type { FastifyInstance } from 'fastify'
import { DOC_ID_PATTERN, ROLES } from '../../shared/protocol.js'
import { TEMPLATE_NAMES } from '../../shared/schema.js'
import { Analysis, Snapshot, named } from '../../shared/shapes.js'

export type SchemaName = 'Error' | 'Analysis' | 'Snapshot' | 'DocMeta' | 'DocSummary' | 'NewDoc' | 'TokenRequest' | 'Token' | 'RevokeRequest' | 'Ticket'

/** Shared schemas are registered once and referenced by name; OpenAPI shows them as components. */
export const ref = (name: SchemaName): { $ref: string } => ({ $ref: `${name}#` })

const docId = {
  type: 'string',
  pattern: DOC_ID_PATTERN.source,
  description: 'Document id (CONTRACT §3): a letter or digit, then up to 63 letters, digits, `_`, `.` or `-`.',
  example: 'team-a',
} as const

const isoTime = { type: 'string', format: 'date-time' } as const

export const docIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: docId },
} as const

// Defined once in shared/shapes.ts (TypeBox): the TypeScript types of analyze()/toSnapshot() and
// these schemas are the same definition.
const analysis = named(Analysis, 'Analysis')
const snapshot = named(Snapshot, 'Snapshot')

const updatedAt = { ...isoTime, description: 'when the last update was committed (written at most once a second while the map is being edited)' } as const

const docMeta = {
  $id: 'DocMeta',
  type: 'object',
  required: ['id', 'title', 'template', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'string' },
    title: { type: 'string', description: 'follows the title inside the document (meta.title)' },
    template: { type: 'string', description: 'the template the map was created from' },
    createdAt: isoTime,
    updatedAt,
  },
} as const

const docSummary = {
  $id: 'DocSummary',
  type: 'object',
  required: ['id', 'title', 'updatedAt', 'connections'],
  properties: {
    id: { type: 'string' },
    title: { type: 'string' },
    updatedAt,
    connections: {
      type: 'integer',
      minimum: 0,
      description: 'live sessions with this document on the instance that answered (not the cluster)',
    },
  },
} as const

const newDoc = {
  $id: 'NewDoc',
  type: 'object',
  additionalProperties: false,
  required: ['title'],
  properties: {
    id: { ...docId, description: 'optional: without it the id is made from the title (a slug, unique)' },
    title: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' },
    template: { type: 'string', enum: [...TEMPLATE_NAMES], default: 'backend' },
  },
} as const

const tokenRequest = {
  $id: 'TokenRequest',
  type: 'object',
  additionalProperties: false,
  required: ['role', 'doc'],
  properties: {
    role: { type: 'string', enum: [...ROLES] },
    doc: {
      type: 'string',
      pattern: `^\\*$|${DOC_ID_PATTERN.source}`,
      description: 'a document id, or `*` for every document (only an admin of `*` may mint those)',
    },
    name: { type: 'string', minLength: 1, maxLength: 100, description: 'shown to others in presence' },
    sub: { type: 'string', minLength: 1, maxLength: 128, description: 'the user id stamped into presence (default: a new random id)' },
    ttl: {
      description: 'lifetime: seconds, or a number with a unit s, m, h, d or w (default 7d, at most 366d)',
      oneOf: [
        { type: 'integer', minimum: 1 },
        { type: 'string', pattern: '^[1-9][0-9]{0,7}[smhdw]$' },
      ],
    },
  },
} as const

const token = {
  $id: 'Token',
  type: 'object',
  required: ['token', 'expiresAt'],
  properties: {
    token: { type: 'string', description: 'an HS256 JWT (CONTRACT §2) with a `jti` (for POST /api/tokens/revoke) and an `exp`' },
    expiresAt: isoTime,
  },
} as const

const revokeRequest = {
  $id: 'RevokeRequest',
  description: 'one token by its `jti`, or every token of a `sub` issued up to now',
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['jti'],
      properties: { jti: { type: 'string', minLength: 1, maxLength: 256, description: 'the id of one token' } },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['sub'],
      properties: { sub: { type: 'string', minLength: 1, maxLength: 256, description: 'a user id: every token of it issued up to now' } },
    },
  ],
} as const

const ticket = {
  $id: 'Ticket',
  type: 'object',
  required: ['ticket', 'expiresAt'],
  properties: {
    ticket: { type: 'string', description: 'single use, for `?ticket=` on /yjs or `auth: { ticket }` on Socket.IO' },
    expiresAt: { ...isoTime, description: '30 s after issue' },
  },
} as const

/** Fastify's error shape (CONTRACT §6); `code` is one of shared/protocol.ts' ErrorCode values. */
const errorBody = {
  $id: 'Error',
  type: 'object',
  required: ['statusCode', 'code', 'error', 'message'],
  properties: {
    statusCode: { type: 'integer' },
    code: { type: 'string', example: 'bad-request' },
    error: { type: 'string' },
    message: { type: 'string' },
  },
} as const

const SHARED: Readonly<Record<SchemaName, { $id: SchemaName }>> = {
  Error: errorBody,
  Analysis: analysis,
  Snapshot: snapshot,
  DocMeta: docMeta,
  DocSummary: docSummary,
  NewDoc: newDoc,
  TokenRequest: tokenRequest,
  Token: token,
  RevokeRequest: revokeRequest,
  Ticket: ticket,
}

export function registerSchemas(app: FastifyInstance): void {
  for (const schema of Object.values(SHARED)) app.addSchema(schema)
}

const ERROR_MEANING: Record<number, string> = {
  400: 'invalid id, query or body',
  401: 'missing, invalid or expired token',
  403: 'the token is for another document, or its role may not do this',
  404: 'no such document',
  409: 'a document with this id exists',
  429: 'too many requests from this address',
}

/** Response schemas for the error statuses a route can answer. */
export function errors(...statuses: number[]): Record<number, object> {
  return Object.fromEntries(
    statuses.map((status) => [status, described(`${STATUS_CODES[status]}: ${ERROR_MEANING[status] ?? ''}`, 'Error')]),
  )
}

/** A response of a shared schema, with the description OpenAPI shows for it. */
export function described(description: string, name: SchemaName): { description: string; $ref: string } {
  return { description, ...ref(name) }
}

/** Every /api route takes a bearer token. */
export const bearer = [{ bearer: [] }]

