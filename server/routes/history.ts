// History, versions, restore and blame of one document (CONTRACT §6a). Reads come from the committed
// log (server/history.ts); a restore is one forward update through the room, like an import, so live
// clients on every instance receive it, it is durable before the reply, and it is the caller's edit.
import type { FastifyInstance } from 'fastify'
import { ErrorCode } from '../../shared/protocol.js'
import { restoreUpdate } from '../../shared/restore.js'
import { AppError } from '../errors.js'
import { blame, historyPage, listVersions, stateAt } from '../history.js'
import { writeThroughRoom } from '../room-write.js'
import type { Rooms } from '../rooms.js'
import type { DocMeta, Store } from '../store/types.js'
import type { Webhooks } from '../webhooks/webhooks.js'
import type { Access } from './access.js'
import { bearer, docIdParams, errors } from './schemas.js'

export interface HistoryDeps {
  rooms: Rooms
  store: Store
  access: Access
  /** doc.restored (CONTRACT §6c) */
  webhooks: Pick<Webhooks, 'restored'>
}

/** A page holds at most this many changes, whatever `limit` asks. */
export const HISTORY_LIMIT_MAX = 1000
const HISTORY_LIMIT_DEFAULT = 100

const isoTime = { type: 'string', format: 'date-time' } as const
const author = {
  type: 'object',
  required: ['sub', 'name'],
  properties: { sub: { type: 'string' }, name: { type: 'string' } },
  description: "the token's `sub` and `name` the server verified, never a client-written `by`",
} as const
const json = { description: 'a JSON value: a letter cell `{ letter }`, a level, a name, …' }
/** A whole number in a query string (the API does not coerce types: CONTRACT §6). */
export const count = { type: 'string', pattern: '^[0-9]{1,15}$' } as const
/** A seq in a query string: 1 or more. */
export const seqQuery = { type: 'string', pattern: '^[1-9][0-9]{0,14}$' } as const
const seq = { type: 'integer', minimum: 1, description: 'an update of the log: the version right after it' } as const
const version = {
  type: 'object',
  required: ['version', 'at', 'by', 'name'],
  properties: {
    version: seq,
    at: isoTime,
    by: { anyOf: [author, { type: 'null' }] },
    name: { type: ['string', 'null'], description: 'null for an automatic (hourly) version' },
  },
} as const

export function registerHistory(app: FastifyInstance, { rooms, store, access, webhooks }: HistoryDeps): void {
  /** 404 for a document that does not exist (the log of a missing document is empty, not an error of its own). */
  const existing = async (id: string): Promise<DocMeta> => {
    const meta = await store.get(id)
    if (meta === undefined) throw new AppError(ErrorCode.notFound)
    return meta
  }

  app.get<{ Params: { id: string }; Querystring: { after?: string; limit?: string } }>(
    '/api/docs/:id/history',
    {
      onRequest: access.require('read'),
      schema: {
        summary: 'Who changed what, and when',
        description:
          'The cell- and field-level changes of the accepted updates after `after`, in seq order, each with the author the server verified. ' +
          'A page holds whole updates: it ends before the update that would take it past `limit` changes (the first is always included). ' +
          '`next` is the `after` of the next page, or null at the end. Rows without an author (logs merged before history was kept) are not listed; ' +
          'with HISTORY_DAYS, folded updates are gone and the first page starts after them.',
        tags: ['history'],
        security: bearer,
        params: docIdParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            after: { ...count, description: 'a seq: the changes of the updates after it (default 0: from the start)', example: '120' },
            limit: { ...seqQuery, description: `changes per page (default ${HISTORY_LIMIT_DEFAULT}); at most ${HISTORY_LIMIT_MAX}, larger values are capped`, example: '100' },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['changes', 'next'],
            properties: {
              changes: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['seq', 'at', 'by', 'path', 'kind'],
                  properties: {
                    seq,
                    at: isoTime,
                    by: author,
                    path: { type: 'string', example: 'assignments/api-rest/ana', description: '`<root map>/<key>` for cells, `<root map>/<key>/<field>` for fields' },
                    kind: { type: 'string', enum: ['set', 'delete'] },
                    from: json,
                    to: json,
                  },
                },
              },
              next: { type: ['integer', 'null'] },
            },
          },
          ...errors(400, 401, 403, 404, 429),
        },
      },
    },
    async (req) => {
      const { id } = req.params
      access.forDoc(req, id)
      await existing(id)
      await rooms.flush()
      const after = Number(req.query.after ?? 0)
      const limit = Math.min(Number(req.query.limit ?? HISTORY_LIMIT_DEFAULT), HISTORY_LIMIT_MAX)
      return historyPage(store, id, after, limit)
    },
  )

  app.get<{ Params: { id: string } }>(
    '/api/docs/:id/versions',
    {
      onRequest: access.require('read'),
      schema: {
        summary: 'Named versions and one automatic version per hour with edits',
        description: 'Newest first. An automatic version is the last update of a clock hour (UTC) in which the document was edited; a named one was named with POST.',
        tags: ['history'],
        security: bearer,
        params: docIdParams,
        response: { 200: { type: 'array', items: version }, ...errors(400, 401, 403, 404, 429) },
      },
    },
    async (req) => {
      const { id } = req.params
      access.forDoc(req, id)
      await existing(id)
      await rooms.flush()
      return listVersions(store, id)
    },
  )

  app.post<{ Params: { id: string }; Body: { name: string } }>(
    '/api/docs/:id/versions',
    {
      onRequest: access.require('create'),
      schema: {
        summary: 'Name the current version',
        tags: ['history'],
        security: bearer,
        params: docIdParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: { name: { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S', example: 'before the reorg' } },
        },
        response: { 201: version, ...errors(400, 401, 403, 404, 429) },
      },
    },
    async (req, reply) => {
      const { id } = req.params
      const principal = access.forDoc(req, id)
      await existing(id)
      await rooms.flush()
      const head = await store.lastSeq(id)
      const at = Date.now()
      const by = { sub: principal.sub, name: principal.name }
      if (head === 0 || !(await store.nameVersion(id, { seq: head, name: req.body.name.trim(), at, by }))) throw new AppError(ErrorCode.notFound)
      return reply.code(201).send({ version: head, at: new Date(at).toISOString(), by, name: req.body.name.trim() })
    },
  )

  app.post<{ Params: { id: string }; Body: { version: number } }>(
    '/api/docs/:id/restore',
    {
      onRequest: access.require('create'),
      schema: {
        summary: 'Restore a version',
        description:
          "The document's content becomes exactly what it was at `version`, by one new update: nothing is removed from history, live clients on every instance receive it, " +
          'the history shows it as a change by the caller, and restoring the version before it undoes it.',
        tags: ['history'],
        security: bearer,
        params: docIdParams,
        body: { type: 'object', additionalProperties: false, required: ['version'], properties: { version: seq } },
        response: {
          200: {
            type: 'object',
            required: ['version', 'restoredFrom'],
            properties: { version: { ...seq, description: 'the document version after the restore' }, restoredFrom: seq },
          },
          ...errors(400, 401, 403, 404, 413, 429),
        },
      },
    },
    async (req) => {
      const { id } = req.params
      const principal = access.forDoc(req, id)
      await existing(id)
      await rooms.flush()
      const target = await stateAt(store, id, req.body.version)
      if (target === undefined) throw new AppError(ErrorCode.versionNotFound, `version ${req.body.version} is not in the kept history`)
      const head = await writeThroughRoom({ rooms, store }, id, principal, (doc) => restoreUpdate(doc, target))
      await webhooks.restored(id, head)
      return { version: head, restoredFrom: req.body.version }
    },
  )

  app.get<{ Params: { id: string } }>(
    '/api/docs/:id/blame',
    {
      onRequest: access.require('read'),
      schema: {
        summary: 'Who last set each cell and field',
        description: 'For every current cell and field that the kept history set, the accepted update that last set it (with HISTORY_DAYS, values set only before the folded part are not listed).',
        tags: ['history'],
        security: bearer,
        params: docIdParams,
        response: {
          200: {
            type: 'object',
            required: ['cells'],
            properties: {
              cells: {
                type: 'array',
                items: { type: 'object', required: ['path', 'by', 'at', 'seq'], properties: { path: { type: 'string' }, by: author, at: isoTime, seq } },
              },
            },
          },
          ...errors(400, 401, 403, 404, 429),
        },
      },
    },
    async (req) => {
      const { id } = req.params
      access.forDoc(req, id)
      const meta = await existing(id)
      await rooms.flush()
      return { cells: await blame(store, id, meta.createdAt) }
    },
  )
}
