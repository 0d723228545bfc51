// POST /api/docs/:id/import (CONTRACT §6b): a file in any format the importer reads, applied to
// the map as one update through its room. A file that cannot be read is 400 and changes nothing;
// rows with problems are skipped and listed. `dryRun=true` (our addition) answers the same without
// writing: the app's Import dialog shows it as the preview.
import type { FastifyInstance } from 'fastify'
import * as Y from 'yjs'
import { ErrorCode } from '../../shared/protocol.js'
import { AppError } from '../errors.js'
import { applyImport, type ImportMode, type ImportResult } from '../import/apply.js'
import { UnreadableFile, type ImportData } from '../import/model.js'
import { readImport } from '../import/read.js'
import { writeThroughRoom } from '../room-write.js'
import type { Rooms } from '../rooms.js'
import type { Store } from '../store/types.js'
import { XLSX_MEDIA_TYPE } from '../xlsx.js'
import type { Access } from './access.js'
import { bearer, docIdParams, errors } from './schemas.js'

export interface ImportDeps {
  rooms: Rooms
  store: Store
  access: Access
}

/** CONTRACT §6b: up to 10 MB; Fastify answers 413 past it without reading the rest. */
export const IMPORT_BODY_LIMIT = 10 * 1024 * 1024

const count = { type: 'integer', minimum: 0 } as const
const counts = (names: string[]) => ({ type: 'object', required: names, properties: Object.fromEntries(names.map((n) => [n, count])) })
const entityCounts = counts(['people', 'skills', 'responsibilities'])
const nameLists = {
  type: 'object',
  required: ['people', 'skills', 'responsibilities'],
  properties: Object.fromEntries(['people', 'skills', 'responsibilities'].map((n) => [n, { type: 'array', items: { type: 'string' } }])),
}

const importReply = {
  type: 'object',
  required: ['version', 'created', 'cells', 'problems'],
  properties: {
    version: { type: 'integer', description: 'the document version after the import (unchanged for a dry run or a file that changes nothing)' },
    created: { ...entityCounts, description: 'how many people, skills and responsibilities the import created' },
    cells: { ...count, description: 'letters and levels set, changed or cleared' },
    problems: {
      type: 'array',
      description: 'rows and cells that were skipped, with where they are in the file; nothing in them was guessed',
      items: {
        type: 'object',
        required: ['row', 'column', 'message'],
        properties: {
          row: { type: 'integer', nullable: true, description: '1-based: a CSV record, a sheet row, a JSON list item' },
          column: { type: 'string', nullable: true, description: 'a column letter and header, a CSV column name, or a JSON field' },
          sheet: { type: 'string', description: 'the workbook sheet, for XLSX' },
          message: { type: 'string' },
        },
      },
    },
    // Our additions, for the preview: what the file was read as, and what else changes.
    format: { type: 'string', enum: ['json', 'xlsx', 'csv', 'ratings-csv', 'raci-csv', 'raci-xlsx'], description: 'how the body was read' },
    mode: { type: 'string', enum: ['merge', 'replace'] },
    dryRun: { type: 'boolean' },
    updated: { ...entityCounts, description: 'existing people, skills and responsibilities whose fields changed' },
    removed: { ...counts(['people', 'skills', 'responsibilities', 'cells']), description: 'what `replace` removed' },
    names: { ...nameLists, description: 'the names of what was created' },
  },
} as const

export function registerImport(app: FastifyInstance, { rooms, store, access }: ImportDeps): void {
  // Its own context: the body is read raw whatever its type, so that the route can sniff it and
  // answer a wrong or unreadable one with 400 bad-request (CONTRACT §6b) rather than Fastify's 415.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: IMPORT_BODY_LIMIT }, (_req, body, done) => done(null, body))

    scope.post<{ Params: { id: string }; Querystring: { mode: ImportMode; dryRun: 'true' | 'false' }; Body: Buffer }>(
      '/api/docs/:id/import',
      {
        bodyLimit: IMPORT_BODY_LIMIT,
        onRequest: access.require('create'),
        schema: {
          summary: 'Import a file into a document',
          description:
            'Editors and admins. The body is one of: the snapshot JSON; our `xlsx` workbook; our assignments CSV or `ratings-csv`; or a team\'s own RACI matrix as CSV or as the first sheet of an XLSX ' +
            '(a header row `Responsibility`, optionally `Area` before it, then one column per person (name or id) or role column (`@key` or its label); letters R, A, C, I in any case). ' +
            'The format is taken from the content type (`application/octet-stream` or none: sniffed). People, skills and responsibilities are matched by id, then by name or title (case-insensitive), and created when missing. ' +
            '`merge` writes what the file holds over the map; `replace` also removes what the file lacks from the parts it describes whole ' +
            '(JSON and our workbook: everything; a RACI matrix: responsibilities and letters; our assignments CSV: letters; ratings-csv: levels). ' +
            'One update through the document\'s room: live clients see it at once, durably, attributed to the caller. Importing the same file again changes nothing. ' +
            'A body that cannot be read (corrupt XLSX, broken CSV quoting, invalid JSON, an unsupported content type) is 400 `bad-request` with nothing changed; past 10 MB, 413. ' +
            '`dryRun=true` (our addition) answers the same without writing: a preview.',
        tags: ['documents'],
        security: bearer,
        params: docIdParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            mode: { type: 'string', enum: ['merge', 'replace'], default: 'merge' },
            dryRun: { type: 'string', enum: ['true', 'false'], default: 'false', description: 'preview: read and plan, write nothing' },
          },
        },
        body: {
          content: {
            // Untyped schemas: the body reaches the route as raw bytes and is validated by the importer.
            'application/json': { schema: { description: 'the snapshot JSON of GET …/snapshot (`analytics`, `problems`, `version` are ignored)' } },
            'text/csv': { schema: { description: 'our assignments CSV, our ratings CSV, or a RACI matrix (UTF-8; `,` or `;`)' } },
            [XLSX_MEDIA_TYPE]: { schema: { description: 'our workbook (format=xlsx), or any workbook whose first sheet is a RACI matrix' } },
            'application/octet-stream': { schema: { description: 'any of the above, recognised by its bytes' } },
          },
        },
        response: {
          200: { description: 'What the import created and changed, and the problems', ...importReply },
          ...errors(400, 401, 403, 404, 413, 429),
        },
      },
    },
      async (req) => {
        const { id } = req.params
        const { mode } = req.query
        const dryRun = req.query.dryRun === 'true'
        const principal = access.forDoc(req, id)
        let data: ImportData
        try {
          data = await readImport(req.headers['content-type'], Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0))
        } catch (err) {
          if (err instanceof UnreadableFile) throw new AppError(ErrorCode.badRequest, err.message)
          throw err
        }
        let result: ImportResult | undefined
        const options = { mode, by: principal.sub, at: Date.now() }
        const plan = (doc: Y.Doc): Uint8Array | null => {
          // A copy of the committed state: the import is built on it and sent as the difference.
          const scratch = new Y.Doc()
          try {
            Y.applyUpdate(scratch, Y.encodeStateAsUpdate(doc))
            const before = Y.encodeStateVector(scratch)
            let changed = false
            scratch.on('update', () => (changed = true))
            result = applyImport(scratch, data, options)
            return changed && !dryRun ? Y.encodeStateAsUpdate(scratch, before) : null
          } finally {
            scratch.destroy()
          }
        }
        let version: number
        if (dryRun) {
          version = await rooms.read(id, (view) => {
            plan(view.doc)
            return view.version
          })
        } else {
          version = await writeThroughRoom({ rooms, store }, id, principal, plan)
        }
        const r = result!
        return { version, created: r.created, cells: r.cells, problems: r.problems, format: data.format, mode, dryRun, updated: r.updated, removed: r.removed, names: r.names }
      },
    )
  })
}
