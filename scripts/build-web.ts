// Bundles the browser app (public/app.ts and what it imports, shared/ included) into public/dist/,
// which @fastify/static serves next to index.html and style.css. Run by `npm run build`, before
// `npm start`, and by the browser suite, so a test never runs against a stale bundle.
// The bundle's name carries a hash of its content (`app-<hash>.js`), so browsers may cache it for
// a year; `public/dist/manifest.json` tells the server which name index.html must point at.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build, type BuildResult } from 'esbuild'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const DIST = path.join(ROOT, 'public/dist')

/** public/dist/manifest.json: the source entry's URL → the hashed bundle's URL. */
export interface WebManifest {
  '/dist/app.js': string
}

export async function buildWeb({ quiet = false } = {}): Promise<BuildResult> {
  const started = performance.now()
  const result = await build({
    entryPoints: [path.join(ROOT, 'public/app.ts')],
    outdir: DIST,
    entryNames: '[name]-[hash]',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    // Every browser with ES modules, IndexedDB and :has() in its stylesheet support this.
    target: ['es2022'],
    minify: true,
    sourcemap: true,
    metafile: true,
    logLevel: quiet ? 'error' : 'warning',
    legalComments: 'linked',
  })
  const outputs = result.metafile!.outputs
  const [entry, meta] = Object.entries(outputs).find(([file, o]) => file.endsWith('.js') && o.entryPoint !== undefined)!
  const bundle = path.basename(entry)
  const manifest: WebManifest = { '/dist/app.js': `/dist/${bundle}` }
  // Written after the bundle, and renamed into place: a server reading it never sees half a file.
  fs.writeFileSync(path.join(DIST, 'manifest.json.tmp'), JSON.stringify(manifest))
  fs.renameSync(path.join(DIST, 'manifest.json.tmp'), path.join(DIST, 'manifest.json'))
  // Older bundles go once a newer one is in place (pages still open keep what they loaded).
  const keep = new Set([bundle, `${bundle}.map`, `${bundle}.LEGAL.txt`, 'manifest.json'])
  for (const file of fs.readdirSync(DIST)) if (!keep.has(file) && /^app[-.]/.test(file)) fs.rmSync(path.join(DIST, file), { force: true })
  if (!quiet) console.log(`built public/dist/${bundle} (${Math.round((meta.bytes ?? 0) / 1024)} KiB) in ${Math.round(performance.now() - started)} ms`)
  return result
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await buildWeb()
}
