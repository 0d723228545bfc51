// Documents (CONTRACT §6): list, create, metadata, delete.
import type { FastifyInstance } from 'fastify'
import { ErrorCode } from '../../shared/protocol.js'
import { makeId, type TemplateName } from '../../shared/schema.js'
import { AppError } from '../errors.js'
import type { Rooms } from '../rooms.js'
import { templateUpdate } from '../seed.js'
import type { Author, DocMeta, Store } from '../store/types.js'
import type { Creations } from '../creations.js'
import type { Webhooks } from '../webhooks/webhooks.js'
import type { Access } from './access.js'
import { bearer, described, docIdParams, errors, ref } from './schemas.js'

export interface DocsDeps {
  store: Store
  rooms: Rooms
  access: Access
  /** the same per-token limit as documents created by joining (CONTRACT §3d) */
  creations: Creations
  /** doc.created and doc.deleted (CONTRACT §6c) */
  webhooks: Pick<Webhooks, 'created' | 'deleting' | 'deleted'>
}

interface NewDoc {
  id?: string
  title: string
  template: TemplateName
}

/** Attempts at a generated id before giving up: only concurrent creates of one title collide. */
const GENERATED_ID_ATTEMPTS = 5

export function registerDocs(app: FastifyInstance, { store, rooms, access, creations, webhooks }: DocsDeps): void {
  app.get(
    '/api/docs',
    {
      onRequest: access.require('read'),
      schema: {
        summary: 'List the documents this token can see',
        description: 'A token for `*` sees every document, any other token only its own (if it exists). `connections` counts the live sessions on the instance that answered.',
        tags: ['documents'],
        security: bearer,
        response: { 200: { description: 'The documents, by id', type: 'array', items: ref('DocSummary') }, ...errors(401, 429) },
      },
    },
    async (req) => {
      const p = access.principal(req)
      const metas = p.doc === '*' ? await store.list() : [await store.get(p.doc)].filter((m): m is DocMeta => m !== undefined)
      return metas.map((m) => ({
        id: m.id,
        title: m.title,
        updatedAt: iso(m.updatedAt),
        connections: rooms.get(m.id)?.peers.size ?? 0,
      }))
    },
  )

  app.post<{ Body: NewDoc }>(
    '/api/docs',
    {
      onRequest: access.require('create'),
      schema: {
        summary: 'Create a document from a template',
        description: 'Editors and admins. Without `id`, one is made from the title. A token for one document can create only that id.',
        tags: ['documents'],
        security: bearer,
        body: ref('NewDoc'),
        response: { 201: described('Created; `Location` names it', 'DocMeta'), ...errors(400, 401, 403, 409, 429) },
      },
    },
    async (req, reply) => {
      const p = access.principal(req)
      const title = req.body.title.trim()
      const template = req.body.template
      let meta: DocMeta | undefined
      if (req.body.id !== undefined) {
        const id = req.body.id
        access.forDoc(req, id)
        creations.take(p)
        meta = await store.create({ id, title, template }, templateUpdate(template, title), author(p))
        if (meta === undefined) throw new AppError(ErrorCode.conflict, `document ${id} already exists`)
      } else {
        if (p.doc !== '*') throw new AppError(ErrorCode.forbidden, `a token for document ${p.doc} must name it as id`)
        creations.take(p)
        for (let attempt = 0; meta === undefined && attempt < GENERATED_ID_ATTEMPTS; attempt++) {
          // The plain slug when it is free, else a random suffix (makeId's check is synchronous: the
          // store is asked about the slug only; a suffix that is taken fails the create and is tried again).
          const slug = makeId(title, () => false)
          const slugTaken = attempt > 0 || (await store.get(slug)) !== undefined
          const id = makeId(title, (candidate) => slugTaken && candidate === slug)
          // Undefined when a concurrent request (on any instance) took the same id in between.
          meta = await store.create({ id, title, template }, templateUpdate(template, title), author(p))
        }
        if (meta === undefined) throw new Error(`no free id for the title "${title}"`)
      }
      await webhooks.created(meta)
      reply.code(201).header('location', `/api/docs/${meta.id}`)
      return metaBody(meta)
    },
  )

  app.get<{ Params: { id: string } }>(
    '/api/docs/:id',
    {
      onRequest: access.require('read'),
      schema: {
        summary: "A document's metadata",
        tags: ['documents'],
        security: bearer,
        params: docIdParams,
        response: { 200: described('The metadata', 'DocMeta'), ...errors(400, 401, 403, 404, 429) },
      },
    },
    async (req) => {
      access.forDoc(req, req.params.id)
      const meta = await store.get(req.params.id)
      if (meta === undefined) throw new AppError(ErrorCode.notFound)
      return metaBody(meta)
    },
  )

  app.delete<{ Params: { id: string } }>(
    '/api/docs/:id',
    {
      onRequest: access.require('administer'),
      schema: {
        summary: 'Delete a document',
        description: 'Admins. Its live connections, on every instance, are closed with 4410 (Socket.IO: `doc:error` `gone`).',
        tags: ['documents'],
        security: bearer,
        params: docIdParams,
        response: { 204: { description: 'Deleted', type: 'null' }, ...errors(400, 401, 403, 404, 429) },
      },
    },
    async (req, reply) => {
      const id = req.params.id
      access.forDoc(req, id)
      const meta = await store.get(id)
      if (meta === undefined) throw new AppError(ErrorCode.notFound)
      // The events of its last edits go out before its doc.deleted.
      await rooms.flush()
      await webhooks.deleting(id)
      const version = await store.lastSeq(id)
      if (!(await store.delete(id))) throw new AppError(ErrorCode.notFound)
      await webhooks.deleted(meta, version)
      // Only once the rows are gone: instances told now find nothing to reload, and a commit
      // racing this request is refused by the store (its room closes with `gone` too).
      rooms.deleted(id)
      return reply.code(204).send()
    },
  )
}

function metaBody(meta: DocMeta) {
  return { id: meta.id, title: meta.title, template: meta.template, createdAt: iso(meta.createdAt), updatedAt: iso(meta.updatedAt) }
}

const iso = (ms: number): string => new Date(ms).toISOString()

/** Who created a document, as the token says. */
const author = (p: { sub: string; name: string }): Author => ({ sub: p.sub, name: p.name })
