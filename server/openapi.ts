// The OpenAPI 3 document, generated from the routes' JSON schemas by @fastify/swagger, served at
// /openapi.json and browsable at /docs (CONTRACT §6). Register before the routes it describes.
import type { FastifyInstance } from 'fastify'
import fastifySwagger from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import pkg from '../package.json' with { type: 'json' }

export const OPENAPI_PATH = '/openapi.json'
export const DOCS_PREFIX = '/docs'

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'skillmap',
        version: pkg.version,
        description:
          'REST API of skillmap (CONTRACT §6). Live editing is not REST: use y-websocket at `/yjs/<docId>?token=…` or Socket.IO at `/socket.io` (CONTRACT §3). ' +
          'Errors have the shape `{ statusCode, code, error, message }`.',
      },
      tags: [
        { name: 'documents', description: 'Create, list, inspect and delete skill maps' },
        { name: 'export', description: 'Snapshots and analytics' },
        { name: 'tokens', description: 'Mint tokens (admins)' },
        { name: 'webhooks', description: 'Signed deliveries of map events to other systems (admins)' },
        { name: 'operations', description: 'Health, readiness, metrics' },
      ],
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
    // Shared schemas appear as named components (DocMeta, Snapshot, …) instead of def-0, def-1, …
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  })
  // swagger-ui's default validatorUrl is null: the page makes no call to validator.swagger.io.
  await app.register(fastifySwaggerUi, { routePrefix: DOCS_PREFIX })
  app.get(
    OPENAPI_PATH,
    {
      schema: {
        summary: 'This OpenAPI document',
        tags: ['operations'],
        response: { 200: { description: 'OpenAPI 3.0', type: 'object', additionalProperties: true } },
      },
    },
    async () => app.swagger(),
  )
}
