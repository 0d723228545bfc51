// The browser app's files (CONTRACT §8 v2): compressed as the browser accepts, the bundle named by
// its content hash and cached for a year, index.html revalidated on every load.
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import zlib from 'node:zlib'
import * as assert from 'uvu/assert'
import { buildWeb } from '../scripts/build-web.js'
import { startServer, type TestServer } from './helpers/server.js'
import { suite } from './helpers/suite.js'

interface Raw {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
}

/** A plain GET that leaves the body as sent (fetch would decompress it). */
function get(base: string, url: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    http
      .get(new URL(url, base), { headers }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
        res.on('error', reject)
      })
      .on('error', reject)
  })
}

const Web = suite<{ srv?: TestServer; bundle: string }>('web', { bundle: '' })
Web.before(async (ctx) => {
  await buildWeb({ quiet: true })
  ctx.srv = await startServer()
})
Web.after(async (ctx) => ctx.srv?.close())

Web('index.html points at the content-hashed bundle and is revalidated on every load', async (ctx) => {
  for (const url of ['/', '/index.html']) {
    const page = await get(ctx.srv!.url, url)
    assert.is(page.status, 200)
    assert.match(String(page.headers['content-type']), /^text\/html/)
    assert.is(page.headers['cache-control'], 'no-cache')
    const src = /<script type="module" src="(\/dist\/app-[A-Z0-9]+\.js)">/.exec(page.body.toString())
    assert.ok(src, page.body.toString())
    ctx.bundle = src![1]!
  }
  const manifest = JSON.parse(fs.readFileSync(path.resolve('public/dist/manifest.json'), 'utf8'))
  assert.is(manifest['/dist/app.js'], ctx.bundle)
})

Web('the bundle is immutable for a year, and served with brotli or gzip as accepted', async (ctx) => {
  const file = fs.readFileSync(path.resolve('public', ctx.bundle.slice(1)))
  const br = await get(ctx.srv!.url, ctx.bundle, { 'accept-encoding': 'br' })
  assert.is(br.status, 200)
  assert.is(br.headers['content-encoding'], 'br')
  assert.is(br.headers['cache-control'], 'public, max-age=31536000, immutable')
  assert.ok(zlib.brotliDecompressSync(br.body).equals(file))
  assert.ok(br.body.length < file.length / 2, `${br.body.length} of ${file.length} bytes`)

  const gzip = await get(ctx.srv!.url, ctx.bundle, { 'accept-encoding': 'gzip' })
  assert.is(gzip.headers['content-encoding'], 'gzip')
  assert.ok(zlib.gunzipSync(gzip.body).equals(file))

  const plain = await get(ctx.srv!.url, ctx.bundle)
  assert.is(plain.headers['content-encoding'], undefined)
  assert.ok(plain.body.equals(file))
})

Web('unhashed files are revalidated; an old bundle name is gone', async (ctx) => {
  const css = await get(ctx.srv!.url, '/style.css', { 'accept-encoding': 'br' })
  assert.is(css.status, 200)
  assert.is(css.headers['cache-control'], 'no-cache')
  assert.is((await get(ctx.srv!.url, '/dist/app.js')).status, 404)
})

Web.run()
