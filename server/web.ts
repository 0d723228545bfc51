// The browser app's files (CONTRACT §8 v2): compressed (brotli or gzip, as the browser accepts),
// the content-hashed bundle cached for a year, index.html revalidated on every load so that a new
// release is picked up at once.
import fs from 'node:fs'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import fastifyCompress from '@fastify/compress'
import fastifyStatic from '@fastify/static'

/** A hashed name never changes content: a year, and no revalidation (RFC 8246). */
const IMMUTABLE = 'public, max-age=31536000, immutable'
const HASHED = /^app-[A-Z0-9]+\.js(\.map)?$/

export async function registerWeb(app: FastifyInstance, { root }: { root: string }): Promise<void> {
  // Only what is worth it: the bundle, its map, styles, SVG, JSON and HTML above 1 KiB.
  await app.register(fastifyCompress, { global: true, threshold: 1024 })
  await app.register(fastifyStatic, {
    root,
    index: false,
    setHeaders(res, file) {
      res.header('cache-control', HASHED.test(path.basename(file)) ? IMMUTABLE : 'no-cache')
    },
  })

  const indexHtml = path.join(root, 'index.html')
  const manifest = path.join(root, 'dist/manifest.json')
  const sendIndex = async (_req: unknown, reply: import('fastify').FastifyReply) => {
    // Read per request (a few KB): a rebuild while the server runs is served at once, never stale.
    const html = await fs.promises.readFile(indexHtml, 'utf8')
    const names = await fs.promises.readFile(manifest, 'utf8').then((t) => JSON.parse(t) as Record<string, string>, () => ({}) as Record<string, string>)
    const page = Object.entries(names).reduce((text, [from, to]) => text.replaceAll(`"${from}"`, `"${to}"`), html)
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page)
  }
  app.get('/', { schema: { hide: true } }, sendIndex)
  app.get('/index.html', { schema: { hide: true } }, sendIndex)
}
