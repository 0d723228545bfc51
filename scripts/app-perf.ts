// The browser app under a big map: 200 people × 60 responsibilities × 40 skills, opened in headless
// Chromium, while a Node y-websocket client makes remote edits one at a time. The page records (only
// in this mode, window.__skillmapPerf) how long each model read with analytics and each repaint
// (render + layout) takes; this prints p50/p95 for the big map and for a small one measured in the
// same run (the demo's size), so the big figures are also a ratio to that baseline.
// Run: `npm run bench:app` (add `--edits 200` for more samples).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'
import { createAuth } from '../server/auth.js'
import { createServer } from '../server/app.js'
import { loadConfig } from '../server/config.js'
import { addPerson, addResponsibility, addSkill, applyTemplate, setAssignment, setRating, type Letter } from '../shared/schema.js'
import { launchChromium } from '../test/helpers/browser.js'
import { buildWeb } from './build-web.js'

const { values: args } = parseArgs({ options: { edits: { type: 'string', default: '100' } } })
const EDITS = Number(args.edits)
const SECRET = 'app-perf-secret-that-is-long-enough-for-hs256'

interface Size {
  name: string
  people: number
  responsibilities: number
  skills: number
}

const SIZES: Size[] = [
  { name: 'small (baseline)', people: 8, responsibilities: 16, skills: 25 },
  { name: 'big', people: 200, responsibilities: 60, skills: 40 },
]

/** A deterministic pseudo-random sequence, so every run measures the same map. */
function random(seed: number): () => number {
  let x = seed
  return () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
}

function buildMap(size: Size): Uint8Array {
  const doc = new Y.Doc()
  const rnd = random(42)
  applyTemplate(doc, 'empty', { title: `perf ${size.name}` })
  const skills = Array.from({ length: size.skills }, (_, i) => addSkill(doc, { id: `s${i}`, name: `Skill ${i}`, category: ['languages', 'databases', 'apis', 'infrastructure'][i % 4]! }))
  const people = Array.from({ length: size.people }, (_, i) => addPerson(doc, { id: `p${i}`, name: `Person ${i}`, role: 'backend', team: `team-${i % 8}` }))
  const rows = Array.from({ length: size.responsibilities }, (_, i) =>
    addResponsibility(doc, { id: `r${i}`, title: `Responsibility ${i}`, area: `Area ${i % 10}`, criticality: ((i % 3) + 1) as 1 | 2 | 3, skills: [skills[i % skills.length]!, skills[(i * 7) % skills.length]!] }),
  )
  const at = 1_700_000_000_000
  // About 8 letters per row and 15 rated skills per person: a map a real team would fill in.
  for (const row of rows) {
    const holders = new Set<number>()
    while (holders.size < Math.min(8, people.length)) holders.add(Math.floor(rnd() * people.length))
    let i = 0
    for (const p of holders) setAssignment(doc, row, people[p]!, (['A', 'R', 'R', 'C', 'C', 'I', 'I', 'I'] as Letter[])[i++]!, 'seed', at)
  }
  for (const person of people) {
    for (let k = 0; k < Math.min(15, skills.length); k++) setRating(doc, person, skills[Math.floor(rnd() * skills.length)]!, Math.floor(rnd() * 5) as 0 | 1 | 2 | 3 | 4, 'seed', at)
  }
  const update = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return update
}

const quantile = (xs: number[], q: number): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN
}

async function main(): Promise<void> {
  await buildWeb({ quiet: true })
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'skillmap-app-perf-'))
  const server = await createServer(loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, AUTH_SECRET: SECRET, LOG_LEVEL: 'silent', SEED_DEMO: 'false' }))
  const url = await server.listen()
  const auth = createAuth(SECRET)
  const browser = await launchChromium()
  const results: Array<{ size: Size; analyze: number[]; paint: number[]; layout: number[] }> = []
  try {
    for (const size of SIZES) {
      const id = `perf-${size.people}`
      await server.store.create({ id, title: `perf ${size.name}`, template: 'empty' }, buildMap(size))
      const context = await browser.newContext({ viewport: { width: 1366, height: 800 } })
      await context.addInitScript(() => {
        window.__skillmapPerf = { analyze: [], paint: [], layout: [] }
      })
      const page = await context.newPage()
      const editor = await auth.mint({ role: 'editor', doc: id, name: 'Perf page', sub: 'perf-page' })
      await page.goto(`${url}/#/d/${id}?token=${editor}`)
      await page.locator('.conn[data-status="online"]').waitFor({ timeout: 60_000 })
      await page.locator('tr[data-row]').first().waitFor()

      // The remote editor: a stock y-websocket client in this process.
      const doc = new Y.Doc()
      const remote = new WebsocketProvider(url.replace(/^http/, 'ws') + '/yjs', id, doc, {
        WebSocketPolyfill: WebSocket as never,
        params: { token: await auth.mint({ role: 'editor', doc: id, name: 'Remote', sub: 'remote' }) },
        disableBc: true,
      })
      await new Promise<void>((resolve) => remote.once('sync', () => resolve()))
      // Warm-up edits are not counted (JIT, first layout of new cells).
      const counts = () => page.evaluate(() => window.__skillmapPerf!.paint.length)
      const rnd = random(7)
      const letters: Letter[] = ['R', 'C', 'I']
      let before = await counts()
      const start = { analyze: 0, paint: 0 }
      for (let i = 0; i < EDITS + 10; i++) {
        if (i === 10) {
          start.analyze = await page.evaluate(() => window.__skillmapPerf!.analyze.length)
          start.paint = await counts()
        }
        const cell = `r${Math.floor(rnd() * size.responsibilities)}/p${Math.floor(rnd() * size.people)}`
        doc.getMap('assignments').set(cell, { letter: letters[i % 3], by: 'remote', at: Date.now() })
        // One edit at a time: wait until the page has repainted with it.
        await page.waitForFunction((n) => window.__skillmapPerf!.paint.length > n, before, { timeout: 30_000 })
        before = await counts()
      }
      const perf = await page.evaluate(() => window.__skillmapPerf!)
      results.push({ size, analyze: perf.analyze.slice(start.analyze), paint: perf.paint.slice(start.paint), layout: (perf.layout ?? []).slice(start.paint) })
      remote.destroy()
      doc.destroy()
      await context.close()
    }
  } finally {
    await browser.close()
    await server.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  }

  const base = results[0]!
  console.log(`app perf: ${EDITS} remote edits per map, one at a time, headless Chromium`)
  console.log('map                                  analyze p50 / p95 ms   repaint p50 / p95 ms')
  for (const r of results) {
    const line = `${r.size.name} ${r.size.people}×${r.size.responsibilities}×${r.size.skills}`.padEnd(37)
    const a = [quantile(r.analyze, 0.5), quantile(r.analyze, 0.95)]
    const p = [quantile(r.paint, 0.5), quantile(r.paint, 0.95)]
    const ratio = r === base ? '' : `   (×${(a[0]! / quantile(base.analyze, 0.5)).toFixed(1)} / ×${(p[0]! / quantile(base.paint, 0.5)).toFixed(1)} the baseline's p50)`
    console.log(`${line}${a.map((x) => x.toFixed(1)).join(' / ').padEnd(23)}${p.map((x) => x.toFixed(1)).join(' / ')}${ratio}`)
    console.log(`  (of the repaint, layout: p50 ${quantile(r.layout, 0.5).toFixed(1)} ms)`)
  }
  const big = results[1]!
  console.log(`targets: analyze < 20 ms ${quantile(big.analyze, 0.95) < 20 ? 'met' : 'MISSED'} (p95), repaint < 50 ms ${quantile(big.paint, 0.95) < 50 ? 'met' : 'MISSED'} (p95)`)
}

await main()
