// JSON schemas of the REST API (CONTRACT §6): Fastify validates requests and serializes responses
// with them, and @fastify/swagger turns them into the OpenAPI document. A response schema also
// decides what is sent (properties it does not name are dropped), so these follow shared/export.ts
// and shared/analytics.ts field for field; the REST tests compare the two.
import { STATUS_CODES } from 'node:http'
import type { FastifyInstance } from 'fastify'
import { DOC_ID_PATTERN, ROLES } from '../../shared/protocol.js'
import { TEMPLATE_NAMES } from '../../shared/schema.js'

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
const stringList = { type: 'array', items: { type: 'string' } } as const

export const docIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: docId },
} as const

const analysis = {
  $id: 'Analysis',
  type: 'object',
  description: 'CONTRACT §5 (v1 and v2). `whatIf` only when people were left out with `without`.',
  required: ['coverage', 'responsibilities', 'skills', 'summary', 'people'],
  properties: {
    coverage: { type: 'number', minimum: 0, maximum: 1, description: 'share of responsibilities whose status is ok' },
    responsibilities: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'status', 'busFactor', 'accountable', 'risks', 'uncovered', 'backups'],
        properties: {
          id: { type: 'string' },
          status: { type: 'string', enum: ['multiple-accountable', 'no-accountable', 'thin', 'ok'] },
          busFactor: { type: 'integer', minimum: 0, description: 'distinct active people holding A or R' },
          accountable: { ...stringList, description: 'active people holding A' },
          risks: {
            type: 'array',
            items: { type: 'string', enum: ['multiple-accountable', 'no-accountable', 'thin', 'single-owner', 'skills-uncovered'] },
            description: 'every risk that applies, in this order',
          },
          uncovered: { ...stringList, description: 'needed skills none of its active A or R holders covers' },
          backups: { ...stringList, description: 'active people without A or R on it who cover every needed skill' },
        },
      },
    },
    skills: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'covered', 'status'],
        properties: {
          id: { type: 'string' },
          covered: { type: 'integer', minimum: 0, description: 'active people at level 3 or more' },
          status: { type: 'string', enum: ['gap', 'risk', 'ok'] },
        },
      },
    },
    summary: {
      type: 'object',
      description: 'how many responsibilities have each risk, and how many (not hidden) skills are gaps or risks',
      required: ['responsibilities', 'ok', 'conflicts', 'noAccountable', 'thin', 'singleOwner', 'skillsUncovered', 'skillGaps', 'skillRisks'],
      properties: Object.fromEntries(
        ['responsibilities', 'ok', 'conflicts', 'noAccountable', 'thin', 'singleOwner', 'skillsUncovered', 'skillGaps', 'skillRisks'].map(
          (name) => [name, { type: 'integer', minimum: 0 }],
        ),
      ),
    },
    people: {
      type: 'array',
      description: 'per active person: on how many responsibilities they hold each letter, and how many skills they cover',
      items: {
        type: 'object',
        required: ['id', 'accountable', 'responsible', 'consulted', 'informed', 'covers'],
        properties: {
          id: { type: 'string' },
          accountable: { type: 'integer', minimum: 0 },
          responsible: { type: 'integer', minimum: 0 },
          consulted: { type: 'integer', minimum: 0 },
          informed: { type: 'integer', minimum: 0 },
          covers: { type: 'integer', minimum: 0 },
        },
      },
    },
    whatIf: {
      type: 'object',
      required: ['without', 'changed', 'coverage'],
      properties: {
        without: stringList,
        coverage: {
          type: 'object',
          required: ['from', 'to'],
          properties: { from: { type: 'number', minimum: 0, maximum: 1 }, to: { type: 'number', minimum: 0, maximum: 1 } },
        },
        changed: {
          type: 'array',
          items: {
            type: 'object',
            required: ['kind', 'id', 'from', 'to'],
            properties: {
              kind: { type: 'string', enum: ['responsibility', 'skill'] },
              id: { type: 'string' },
              from: { type: 'string' },
              to: { type: 'string' },
            },
          },
        },
      },
    },
  },
} as const

const snapshot = {
  $id: 'Snapshot',
  type: 'object',
  description: 'The whole map (CONTRACT §6), every list in a fixed order; `problems` lists what breaks the schema.',
  required: ['id', 'title', 'version', 'exportedAt', 'roles', 'people', 'skills', 'responsibilities', 'ratings', 'analytics', 'problems'],
  properties: {
    id: { type: 'string' },
    title: { type: 'string' },
    version: { type: 'integer', description: 'the last seq of the document log; also the ETag' },
    exportedAt: isoTime,
    roles: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'label'],
        properties: { key: { type: 'string' }, label: { type: 'string' }, hidden: { type: 'boolean', description: 'present (true) when hidden' } },
      },
    },
    people: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name', 'role', 'team', 'active'],
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          role: { type: 'string', description: 'a role key' },
          team: { type: ['string', 'null'] },
          active: { type: 'boolean' },
        },
      },
    },
    skills: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name', 'category'],
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          category: { type: 'string' },
          hidden: { type: 'boolean', description: 'present (true) when hidden' },
        },
      },
    },
    responsibilities: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'area', 'title', 'description', 'criticality', 'order', 'skills', 'accountable', 'responsible', 'consulted', 'informed'],
        properties: {
          id: { type: 'string' },
          area: { type: 'string' },
          title: { type: 'string' },
          description: { type: 'string' },
          criticality: { type: 'integer', enum: [1, 2, 3] },
          order: { type: 'number' },
          skills: { ...stringList, description: 'skill ids' },
          accountable: { ...stringList, description: 'person ids, then `@roleKey` role columns' },
          responsible: stringList,
          consulted: stringList,
          informed: stringList,
        },
      },
    },
    ratings: {
      type: 'array',
      items: {
        type: 'object',
        required: ['person', 'skill', 'level', 'by', 'at'],
        properties: {
          person: { type: 'string' },
          skill: { type: 'string' },
          level: { type: ['integer', 'null'], minimum: 0, maximum: 4, description: '0 None … 4 Expert; null: not applicable' },
          by: { type: 'string' },
          at: isoTime,
        },
      },
    },
    analytics: ref('Analysis'),
    problems: {
      type: 'array',
      items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } },
    },
  },
} as const

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

