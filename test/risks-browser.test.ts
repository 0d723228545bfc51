// Flow: shared/read.ts + shared/analytics.ts bundled by esbuild (minified, as the app ships) run in
// headless Chromium on the same documents as Node; the analysis and the problems must be equal.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import type { Browser, Page } from 'playwright-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { analyze } from '../shared/analytics.js'
import { applyTemplate, readMap } from '../shared/schema.js'
import { launchChromium } from './helpers/browser.js'
import { smallMap } from './helpers/model.js'
import { riskMap } from './helpers/risks.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

// What the page runs: apply the update to a fresh Y.Doc, read it once, analyze the data.
const ENTRY = `
import * as Y from 'yjs'
import { readMap } from './shared/read.ts'
import { analyze } from './shared/analytics.ts'
globalThis.analyzeUpdate = (base64, without) => {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)))
  const data = readMap(doc)
  return { analysis: analyze(data, { without }), problems: data.problems }
}
`

interface Ctx {
  browser?: Browser
  page?: Page
}

const Browser = suite<Ctx>('risks in the browser')

Browser.before(async (ctx) => {
  const bundle = await build({
    stdin: { contents: ENTRY, resolveDir: ROOT, loader: 'ts' },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    write: false,
    logLevel: 'error',
  })
  ctx.browser = await launchChromium()
  ctx.page = await ctx.browser.newPage()
  await ctx.page.setContent('<!doctype html><title>analytics</title>')
  await ctx.page.addScriptTag({ content: bundle.outputFiles[0]!.text })
})

Browser.after(async (ctx) => {
  await ctx.browser?.close()
})

function garbageMap(): Y.Doc {
  const doc = smallMap()
  doc.transact(() => {
    doc.getMap('meta').set('title', 12)
    doc.getMap('people').set('eve', 'Eve')
    doc.getMap('skills').set('rust', new Y.Map<unknown>([['name', 'Rust'], ['hidden', 'yes']]))
    doc.getMap('assignments').set('api/@frontend', { letter: 'A', by: 'x', at: 1 })
    doc.getMap('assignments').set('docs/zed', { letter: 'A', by: 'x', at: 1 })
    doc.getMap('ratings').set('ben/postgres', { level: 7, by: 'x', at: 1 })
    doc.getMap('ratings').set('a/b/c', { level: 1, by: 'x', at: 1 })
  })
  return doc
}

function backendMap(): Y.Doc {
  const doc = new Y.Doc()
  applyTemplate(doc, 'backend', { title: 'Backend' })
  return doc
}

const CASES: Array<[string, () => Y.Doc, string[]]> = [
  ['the risk map', riskMap, []],
  ['the risk map without ana', riskMap, ['ana']],
  ['the risk map without cid and eve', riskMap, ['cid', 'eve']],
  ['the small map', smallMap, []],
  ['a fresh backend map', backendMap, []],
  ['a map with garbage', garbageMap, ['ben']],
]

for (const [name, make, without] of CASES) {
  Browser(`${name}: the browser computes what the server computes`, async (ctx) => {
    const doc = make()
    const update = Buffer.from(Y.encodeStateAsUpdate(doc)).toString('base64')
    const inBrowser = await ctx.page!.evaluate(
      ([base64, people]) => (globalThis as unknown as { analyzeUpdate: (b: string, w: string[]) => unknown }).analyzeUpdate(base64, people),
      [update, without] as const,
    )
    const data = readMap(doc)
    assert.equal(inBrowser, { analysis: analyze(data, { without }), problems: data.problems })
  })
}

Browser.run()
