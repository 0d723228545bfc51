// Bundles the browser app (public/app.ts and what it imports, shared/ included) into public/dist/,
// which @fastify/static serves next to index.html and style.css. Run by `npm run build`, before
// `npm start`, and by the browser suite, so a test never runs against a stale bundle.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build, type BuildResult } from 'esbuild'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

export async function buildWeb({ quiet = false } = {}): Promise<BuildResult> {
  const started = performance.now()
  const result = await build({
    entryPoints: [path.join(ROOT, 'public/app.ts')],
    outfile: path.join(ROOT, 'public/dist/app.js'),
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
  if (!quiet) {
    const bytes = Object.values(result.metafile!.outputs).reduce((n, o) => n + (o.bytes ?? 0), 0)
    const js = result.metafile!.outputs[path.relative(process.cwd(), path.join(ROOT, 'public/dist/app.js'))]?.bytes ?? bytes
    console.log(`built public/dist/app.js (${Math.round(js / 1024)} KiB) in ${Math.round(performance.now() - started)} ms`)
  }
  return result
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await buildWeb()
}
