// The spreadsheet benchmark (issue 12): a 200-person × 60-responsibility × 40-skill map as our
// workbook, imported into an empty map over REST (dry run, then for real: time, the server's peak
// memory, the size of the one update it makes), and the map exported as XLSX and as JSON. Timings
// are absolute (there is no peer for this); the ratios are to the JSON export of the same map, in
// the same run. `npm run bench:sheets [-- --quick]`.
import { mkdtempSync, rmSync, readFileSync } from 'node:fs'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import Database from 'better-sqlite3'
import * as Y from 'yjs'
import { toSnapshot } from '../shared/export.js'
import { addPerson, addResponsibility, addSkill, applyTemplate, setAssignment, setRating, LETTERS } from '../shared/schema.js'
import { toXlsx } from '../server/xlsx.js'
import { freePort, spawnPinned, stopChild, waitHttp } from './proc.js'
import { mintToken, REPO_ROOT, SKILLMAP_ENTRY, skillmapEnv } from './targets/skillmap.js'
import { SERVER_CORE } from './targets/index.js'

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, repeat: { type: 'string' } } })
const REPEAT = values.repeat ? Number(values.repeat) : values.quick ? 1 : 3
const SIZE = { people: 200, responsibilities: 60, skills: 40 }
/** Letters per person: 12 of 60 responsibilities (a dense but realistic matrix: 2 400 letters). */
const LETTERS_PER_PERSON = 12
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/** A deterministic map of SIZE: every person rates every skill (8 000 levels). */
function bigMap(): Y.Doc {
  const doc = new Y.Doc()
  applyTemplate(doc, 'empty', { title: 'Benchmark org' })
  const roles = ['backend', 'frontend', 'devops', 'dba', 'qa']
  for (let s = 0; s < SIZE.skills; s++) addSkill(doc, { id: `s${s}`, name: `Skill ${s}`, category: ['languages', 'databases', 'apis', 'infrastructure'][s % 4]! })
  for (let r = 0; r < SIZE.responsibilities; r++) {
    addResponsibility(doc, { id: `r${r}`, title: `Responsibility ${r}`, area: `Area ${r % 8}`, criticality: ((r % 3) + 1) as 1 | 2 | 3, skills: [`s${r % SIZE.skills}`, `s${(r * 7) % SIZE.skills}`] })
  }
  for (let p = 0; p < SIZE.people; p++) {
    addPerson(doc, { id: `p${p}`, name: `Person ${String(p).padStart(3, '0')}`, role: roles[p % roles.length]!, team: `team-${p % 10}` })
    for (let k = 0; k < LETTERS_PER_PERSON; k++) setAssignment(doc, `r${(p * 5 + k * 5) % SIZE.responsibilities}`, `p${p}`, LETTERS[(p + k) % 4]!, 'bench', 1)
    for (let s = 0; s < SIZE.skills; s++) setRating(doc, `p${p}`, `s${s}`, (p + s) % 6 === 5 ? null : (((p * 3 + s) % 5) as 0 | 1 | 2 | 3 | 4), 'bench', 1)
  }
  return doc
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const ms = (start: number) => performance.now() - start

function statusKB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) : NaN
}

async function main(): Promise<void> {
  const doc = bigMap()
  const snapshot = toSnapshot(doc, { id: 'bench', version: 0, exportedAt: Date.now() })
  const workbook = await toXlsx(snapshot)
  const letters = snapshot.responsibilities.reduce((n, r) => n + r.accountable.length + r.responsible.length + r.consulted.length + r.informed.length, 0)

  const dataDir = mkdtempSync(join(tmpdir(), 'skillmap-bench-sheets-'))
  const port = await freePort()
  const server = spawnPinned('node', ['--import', 'tsx', SKILLMAP_ENTRY], {
    core: SERVER_CORE,
    cwd: REPO_ROOT,
    env: skillmapEnv({ port, dataDir, extra: { SEED_DEMO: 'false' } }),
    logFile: join(dataDir, 'server.log'),
  })
  const base = `http://127.0.0.1:${port}`
  try {
    await waitHttp(`${base}/healthz`, server, 30_000)
    const auth = { authorization: `Bearer ${await mintToken()}` }
    const call = async (method: string, path: string, body?: Buffer | string, type?: string) => {
      const res = await fetch(base + path, { method, headers: { ...auth, ...(type ? { 'content-type': type } : {}) }, body: typeof body === 'string' || body === undefined ? body : new Uint8Array(body) })
      const bytes = Buffer.from(await res.arrayBuffer())
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${bytes.toString().slice(0, 300)}`)
      return bytes
    }
    const timed = async (method: string, path: string, body?: Buffer | string, type?: string) => {
      const start = performance.now()
      const bytes = await call(method, path, body, type)
      return { ms: ms(start), bytes }
    }

    const pid = server.pid!
    const rows = { dry: [] as number[], real: [] as number[], again: [] as number[], xlsx: [] as number[], json: [] as number[] }
    let rssBefore = 0
    let peakAfter = 0
    let updateBytes = 0
    let xlsxBytes = 0
    let jsonBytes = 0
    for (let i = 0; i < REPEAT; i++) {
      const id = `sheets-${i}`
      await call('POST', '/api/docs', JSON.stringify({ id, title: id, template: 'empty' }), 'application/json')
      if (i === 0) rssBefore = statusKB(pid, 'VmRSS')
      rows.dry.push((await timed('POST', `/api/docs/${id}/import?mode=replace&dryRun=true`, workbook, XLSX)).ms)
      const real = await timed('POST', `/api/docs/${id}/import?mode=replace`, workbook, XLSX)
      rows.real.push(real.ms)
      if (i === 0) {
        peakAfter = statusKB(pid, 'VmHWM')
        const db = new Database(join(dataDir, 'skillmap.db'), { readonly: true, fileMustExist: true })
        const version = (JSON.parse(real.bytes.toString()) as { version: number }).version
        const row = db.prepare('select length(data) as n from doc_updates where doc_id = ? and seq = ?').get(id, version) as { n: number } | undefined
        db.close()
        updateBytes = row?.n ?? NaN
      }
      rows.again.push((await timed('POST', `/api/docs/${id}/import?mode=replace`, workbook, XLSX)).ms)
      const xlsx = await timed('GET', `/api/docs/${id}/snapshot?format=xlsx`)
      const json = await timed('GET', `/api/docs/${id}/snapshot?format=json`)
      rows.xlsx.push(xlsx.ms)
      rows.json.push(json.ms)
      xlsxBytes = xlsx.bytes.byteLength
      jsonBytes = json.bytes.byteLength
    }
    const json = median(rows.json)
    const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1))
    const line = (what: string, x: number, extra = '') => `| ${what} | ${fmt(x)} ms | ${(x / json).toFixed(1)}× | ${extra} |`
    const cpu = cpus()[0]?.model ?? 'unknown CPU'
    console.log(
      [
        `Spreadsheets: ${SIZE.people} people × ${SIZE.responsibilities} responsibilities × ${SIZE.skills} skills (${letters} letters, ${snapshot.ratings.length} levels); workbook ${(workbook.byteLength / 1024).toFixed(0)} KB`,
        `${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}; server pinned to core ${SERVER_CORE}; median of ${REPEAT}`,
        '',
        '| what | time | ÷ JSON export | notes |',
        '| --- | --- | --- | --- |',
        line('import XLSX, dry run (preview)', median(rows.dry), 'read + plan, nothing written'),
        line('import XLSX, replace into an empty map', median(rows.real), `one update of ${(updateBytes / 1024).toFixed(0)} KB; server peak RSS ${(peakAfter / 1024).toFixed(0)} MB (+${((peakAfter - rssBefore) / 1024).toFixed(0)} MB over its RSS before)`),
        line('the same import again', median(rows.again), 'changes nothing: no update'),
        line('export XLSX', median(rows.xlsx), `${(xlsxBytes / 1024).toFixed(0)} KB`),
        line('export JSON (the baseline)', json, `${(jsonBytes / 1024).toFixed(0)} KB`),
      ].join('\n'),
    )
  } finally {
    await stopChild(server, 5000)
    rmSync(dataDir, { recursive: true, force: true })
  }
}

await main()
