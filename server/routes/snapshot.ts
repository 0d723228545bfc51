// Exports and analytics of one document (CONTRACT §5, §6). Both read through rooms.read, which
// commits first and repairs from the database, so they show every update the cluster accepted
// and nothing that is not committed.
import type { FastifyInstance, FastifyReply } from 'fastify'
import type * as Y from 'yjs'
import { analyze } from '../../shared/analytics.js'
import { toCsv, toMarkdown, toSnapshot, toYjs } from '../../shared/export.js'
import { toRatingsCsv } from '../../shared/ratings-csv.js'
import { ErrorCode } from '../../shared/protocol.js'
import { AppError } from '../errors.js'
import { docAt } from '../history.js'
import { seqQuery } from './history.js'
import type { Rooms } from '../rooms.js'
import type { Store } from '../store/types.js'
import { XLSX_MEDIA_TYPE, toXlsx } from '../xlsx.js'
import type { Access } from './access.js'
import { bearer, described, docIdParams, errors, ref } from './schemas.js'

export interface SnapshotDeps {
  rooms: Rooms
  store: Store
  access: Access
}

const FORMATS = ['json', 'csv', 'md', 'yjs', 'xlsx', 'ratings-csv'] as const
type Format = (typeof FORMATS)[number]

const MEDIA_TYPES: Readonly<Record<Exclude<Format, 'json'>, string>> = {
  csv: 'text/csv; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  yjs: 'application/octet-stream',
  xlsx: XLSX_MEDIA_TYPE,
  'ratings-csv': 'text/csv; charset=utf-8',
}

/** The download's file name: `team-a.csv`, `team-a.ratings.csv`, `team-a.xlsx`. */
const EXTENSIONS: Readonly<Record<Exclude<Format, 'json'>, string>> = {
  csv: 'csv',
  md: 'md',
  yjs: 'yjs',
  xlsx: 'xlsx',
  'ratings-csv': 'ratings.csv',
}

/** Person ids (CONTRACT §4), comma-separated. */
const WITHOUT_PATTERN = '^[A-Za-z0-9_-]{1,64}(,[A-Za-z0-9_-]{1,64})*$'

export function registerSnapshot(app: FastifyInstance, { rooms, store, access }: SnapshotDeps): void {
  app.get<{ Params: { id: string }; Querystring: { format: Format; version?: string } }>(
    '/api/docs/:id/snapshot',
    {
      onRequest: access.require('read'),
      schema: {
        summary: 'Export a document',
        description:
          'Every role, exporters included. `json`: the snapshot; `csv`: one row per assignment (RFC 4180); `md`: a RACI table; `yjs`: the state as one Yjs update; ' +
          '`xlsx`: a workbook with the sheets RACI, Skills, People, Responsibilities, Analytics (plus Roles and Skill list, the keys and ids the matrices show as labels), styled like the app; ' +
          '`ratings-csv`: one row per rating, header `person_id,person,skill_id,skill,category,level` (`level` 0–4 or `N/A`). ' +
          'CSV values a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR) get a leading `\'`. ' +
          'The `ETag` is the document version, the same for every format: send it back in `If-None-Match` to get 304 while nothing changed. ' +
          'With `version`, the document as it was right after that update (CONTRACT §6a): any seq of the kept history; it never changes, so it is sent `immutable`.',
        tags: ['export'],
        security: bearer,
        params: docIdParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            format: { type: 'string', enum: [...FORMATS], default: 'json' },
            version: { ...seqQuery, description: 'a seq of the kept history: the export as of right after that update (404 `version-not-found` otherwise)', example: '42' },
          },
        },
        headers: {
          type: 'object',
          properties: { 'if-none-match': { type: 'string', description: 'an ETag from an earlier export' } },
        },
        response: {
          200: {
            description: 'The export, in the format asked for',
            headers: { ETag: { type: 'string', description: 'the document version, quoted' } },
            content: {
              'application/json': { schema: ref('Snapshot') },
              'text/csv': { schema: { type: 'string', description: '`csv` and `ratings-csv`' } },
              [XLSX_MEDIA_TYPE]: { schema: { type: 'string', format: 'binary' } },
              'text/markdown': { schema: { type: 'string' } },
              'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
            },
          },
          304: { description: 'Not modified: the ETag in If-None-Match is current', type: 'null' },
          ...errors(400, 401, 403, 404, 429),
        },
      },
    },
    async (req, reply) => {
      const { id } = req.params
      const { format } = req.query
      access.forDoc(req, id)
      if (req.query.version !== undefined) {
        const version = Number(req.query.version)
        if ((await store.get(id)) === undefined) throw new AppError(ErrorCode.notFound)
        await rooms.flush()
        // Every format but yjs is read from the map, which the lean read model has too (much faster on a long history).
        const doc = await docAt(store, id, version, { lean: format !== 'yjs' })
        if (doc === undefined) throw new AppError(ErrorCode.versionNotFound, `version ${version} is not in the kept history`)
        try {
          const etag = `"${version}"`
          reply.header('etag', etag).header('cache-control', 'private, max-age=31536000, immutable')
          if (matchesEtag(req.headers['if-none-match'], etag)) return reply.code(304).send()
          return await render(reply, id, doc, version, format)
        } finally {
          doc.destroy()
        }
      }
      const snapshot = await rooms.read(id, (view) => {
        const etag = `"${view.version}"`
        // Behind a token: shared caches must not keep it, browsers must ask again (cheaply, with the ETag).
        reply.header('etag', etag).header('cache-control', 'private, no-cache')
        if (matchesEtag(req.headers['if-none-match'], etag)) return { done: reply.code(304).send() }
        // The workbook is written asynchronously: read the document into plain data while it is held.
        if (format === 'xlsx' || format === 'ratings-csv') return { plain: toSnapshot(view.doc, { id, version: view.version, exportedAt: Date.now() }), format }
        return { done: render(reply, id, view.doc, view.version, format) }
      })
      if ('done' in snapshot) return snapshot.done
      return renderPlain(reply, id, snapshot.plain, snapshot.format)
    },
  )

  app.get<{ Params: { id: string }; Querystring: { without?: string } }>(
    '/api/docs/:id/analytics',
    {
      onRequest: access.require('read'),
      schema: {
        summary: "A document's analytics, optionally without some people (what-if)",
        description: 'Coverage, bus factor, conflicts (CONTRACT §5). With `without`, the figures treat those people as inactive and `whatIf.changed` lists what changed status.',
        tags: ['export'],
        security: bearer,
        params: docIdParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            without: { type: 'string', pattern: WITHOUT_PATTERN, maxLength: 4096, description: 'person ids, comma-separated', example: 'ana,ben' },
          },
        },
        response: { 200: described('The analytics', 'Analysis'), ...errors(400, 401, 403, 404, 429) },
      },
    },
    async (req) => {
      access.forDoc(req, req.params.id)
      const without = req.query.without?.split(',') ?? []
      return rooms.read(req.params.id, (view) => analyze(view.doc, { without }))
    },
  )
}

/** RFC 9110 If-None-Match: `*`, or a list of entity tags compared weakly (a `W/` prefix is ignored). */
export function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  return header.split(',').some((tag) => {
    const t = tag.trim()
    return t === '*' || t.replace(/^W\//, '') === etag
  })
}

/** The export of `doc` in `format`; the workbook formats go through plain data (renderPlain). */
function render(reply: FastifyReply, id: string, doc: Y.Doc, version: number, format: Format): unknown {
  const plain = (): ReturnType<typeof toSnapshot> => toSnapshot(doc, { id, version, exportedAt: Date.now() })
  if (format === 'json') return plain()
  if (format === 'xlsx' || format === 'ratings-csv') return renderPlain(reply, id, plain(), format)
  download(reply, id, format)
  if (format === 'csv') return toCsv(doc)
  if (format === 'md') return toMarkdown(doc)
  return Buffer.from(toYjs(doc))
}

function renderPlain(reply: FastifyReply, id: string, plain: ReturnType<typeof toSnapshot>, format: 'xlsx' | 'ratings-csv'): Promise<Buffer> | string {
  download(reply, id, format)
  return format === 'ratings-csv' ? toRatingsCsv(plain) : toXlsx(plain)
}

function download(reply: FastifyReply, id: string, format: Exclude<Format, 'json'>): void {
  reply.type(MEDIA_TYPES[format]).header('content-disposition', `attachment; filename="${id}.${EXTENSIONS[format]}"`)
}
