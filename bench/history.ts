// History (CONTRACT §6a), inside the generator process. Seed: a long log through the live protocol —
// one setup update (people and skills), then one rating per update from a few writers, each with
// its own token (the server records each update's author) — and the same final state as one update
// in a second document (today's compacted load). Load (after the orchestrator restarted the server):
// a fresh client's full sync, timed like cold-load; on the last restart also `snapshot?version=` of
// versions spread over the log and history pages at random `after`s, one request at a time.
import * as Y from 'yjs'
import { BACKEND_SKILLS, DEFAULT_ROLES } from '../shared/templates.js'
import { BenchClient } from './clients.js'
import { coldLoad, covers, mulberry32 } from './cold.js'
import { sleep } from './proc.js'
import type { Endpoint, HistoryJob, HistoryLoadResult, HistorySeedResult } from './types.js'

const CONNECT_TIMEOUT_MS = 30_000
/**
 * Send this many updates, then wait until the server has committed them. A room writes its
 * checkpoint (every COMPACT_THRESHOLD rows, default 1 000) only after a commit that leaves it with
 * no update pending, so a seed sent without a pause gets one checkpoint every few tens of thousands
 * of rows, not the one every 1 000 a document edited by people gets. Pausing at half the threshold
 * gives the server the quiet moment it waits for.
 */
const SEED_PAUSE_EVERY = 500
/** people on the map; skills are the backend template's (25): 40 × 25 = 1 000 rating cells */
const PEOPLE = 40
/** what the seed counts besides the writers' ratings: the server's seed (the template) and the setup update */
const NOT_RATINGS = 2
const POLL_MS = 100

/** The server's REST base and a token of the endpoint (an editor for `*`: it may read every document). */
function rest(endpoint: Endpoint, w = 0): { base: string; token: string } {
  const url = new URL(endpoint.url.replace('{doc}', 'x').replace('{token}', 'x'))
  return { base: `http://${url.host}`, token: endpoint.tokens[w % endpoint.tokens.length]! }
}

async function get(endpoint: Endpoint, path: string): Promise<{ ms: number; status: number; body: Buffer; etag: string | null }> {
  const { base, token } = rest(endpoint)
  const t0 = performance.now()
  const res = await fetch(base + path, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(60_000) })
  const body = Buffer.from(await res.arrayBuffer())
  return { ms: performance.now() - t0, status: res.status, body, etag: res.headers.get('etag') }
}

/** The document's version (its last seq) and its state, as the server exports them. */
async function exported(endpoint: Endpoint, docId: string): Promise<{ version: number; state: Uint8Array }> {
  const r = await get(endpoint, `/api/docs/${encodeURIComponent(docId)}/snapshot?format=yjs`)
  if (r.status !== 200) throw new Error(`snapshot of ${docId}: HTTP ${r.status} ${r.body.toString().slice(0, 200)}`)
  return { version: Number(r.etag?.replaceAll('"', '')), state: new Uint8Array(r.body) }
}

/** Polls the document's version until it reaches `seq`, then checks the server's state covers `sv`. */
async function waitStored(endpoint: Endpoint, docId: string, seq: number, sv: Uint8Array, deadline: number): Promise<{ version: number; state: Uint8Array }> {
  for (;;) {
    const e = await exported(endpoint, docId)
    if (e.version >= seq) {
      if (!covers(Y.encodeStateVectorFromUpdate(e.state), sv)) throw new Error(`${docId}: the server's version is ${e.version} but its state lacks updates that were sent`)
      return e
    }
    if (performance.now() > deadline) throw new Error(`${docId}: the server holds version ${e.version} of ${seq} after the seed's timeout`)
    await sleep(POLL_MS)
  }
}

interface Writer {
  doc: Y.Doc
  client: BenchClient
  /** the update of the writer's last transaction */
  last?: Uint8Array
  /** the people this writer rates: writers never write the same cell, so every update is a change */
  people: string[]
}

export async function seedHistory(job: HistoryJob): Promise<HistorySeedResult> {
  const errors: string[] = []
  const random = mulberry32(100_000)
  const int = (n: number) => Math.floor(random() * n)
  const people = Array.from({ length: PEOPLE }, (_, p) => `p${String(p).padStart(2, '0')}`)
  const writers: Writer[] = []
  let compact: BenchClient | undefined
  // the server sends each update to the other clients only once it is committed: the watcher
  // counts them (one frame per update), so it knows when everything sent so far is stored
  let committed = 0
  const watcher = new BenchClient({
    docId: job.docId,
    endpoint: job.endpoint,
    events: { onUpdate: () => committed++, onLost: (_c, reason) => errors.push(`the watcher lost its connection: ${reason}`) },
    name: 'watcher',
  })
  try {
    for (let w = 0; w < job.writers; w++) {
      const doc = new Y.Doc()
      // a token of its own per writer: the server records a different author for each
      const endpoint = { ...job.endpoint, tokens: [job.endpoint.tokens[w % job.endpoint.tokens.length]!] }
      const client = new BenchClient({
        docId: job.docId,
        endpoint,
        doc,
        events: { onLost: (_c, reason) => errors.push(`writer ${w} lost its connection: ${reason}`) },
        name: `writer-${w}`,
      })
      const writer: Writer = { doc, client, people: people.filter((_, p) => p % job.writers === w) }
      doc.on('update', (u: Uint8Array) => (writer.last = u))
      writers.push(writer)
      // one after the other: the first join creates the document
      await client.connect(CONNECT_TIMEOUT_MS)
    }
    await watcher.connect(CONNECT_TIMEOUT_MS)
    let sent = 0
    const deadline = performance.now() + job.timeoutMs
    const allCommitted = async () => {
      while (committed < sent) {
        if (performance.now() > deadline) throw new Error(`${job.docId}: ${committed} of ${sent} updates committed after the seed's timeout`)
        if (errors.length) throw new Error(errors[0])
        await sleep(1)
      }
    }
    const t0 = performance.now()
    const at0 = Date.now()
    // the setup update: the people (on the empty template's roles) and the backend template's skills,
    // as the app's addPerson / addSkill write them (shared/write.ts)
    const first = writers[0]!
    first.doc.transact(() => {
      const map = first.doc.getMap<unknown>('people')
      people.forEach((id, p) =>
        map.set(id, new Y.Map<unknown>([['name', `Person ${p}`], ['role', DEFAULT_ROLES[p % DEFAULT_ROLES.length]!.key], ['active', true], ['team', `team-${p % 5}`]])),
      )
      const skills = first.doc.getMap<unknown>('skills')
      for (const s of BACKEND_SKILLS) skills.set(s.id, new Y.Map<unknown>([['name', s.name], ['category', s.category]]))
    })
    first.client.sendUpdate(first.last!)
    sent++
    const ratings = job.updates - NOT_RATINGS
    for (let i = 0; i < ratings; i++) {
      // one rating per update, as the app's setRating writes it; `at` grows by 1 ms per update, so
      // each one is a change even when it writes the level the cell had
      const w = writers[i % writers.length]!
      const person = w.people[int(w.people.length)]!
      const skill = BACKEND_SKILLS[int(BACKEND_SKILLS.length)]!.id
      const level = random() < 0.1 ? null : int(5)
      w.doc.getMap<unknown>('ratings').set(`${person}/${skill}`, { level, by: w.client.opts.name, at: at0 + i })
      w.client.sendUpdate(w.last!)
      if (++sent % SEED_PAUSE_EVERY === 0) await allCommitted()
    }
    await allCommitted()
    const merged = Y.mergeUpdates(writers.map((w) => Y.encodeStateAsUpdate(w.doc)))
    const sv = Y.encodeStateVectorFromUpdate(merged)
    const long = await waitStored(job.endpoint, job.docId, job.updates, sv, deadline)
    const seedMs = performance.now() - t0
    if (long.version !== job.updates) errors.push(`${job.docId} ends at seq ${long.version}, ${job.updates} expected`)
    for (const w of writers) w.client.close()
    watcher.close()

    // today's compacted load: the same state as one update (after the new document's own seed)
    compact = new BenchClient({ docId: job.compactDocId, endpoint: job.endpoint, doc: new Y.Doc(), events: {}, name: 'compact' })
    await compact.connect(CONNECT_TIMEOUT_MS)
    compact.sendUpdate(merged)
    const short = await waitStored(job.endpoint, job.compactDocId, 2, sv, deadline)
    return {
      kind: 'history-seed',
      lastSeq: long.version,
      compactLastSeq: short.version,
      stateVector: Buffer.from(sv).toString('base64'),
      stateBytes: long.state.length,
      compactStateBytes: short.state.length,
      compactUpdateBytes: merged.length,
      seedMs,
      errors,
    }
  } finally {
    for (const w of writers) w.client.close()
    watcher.close()
    compact?.close()
  }
}

export async function loadHistory(job: HistoryJob): Promise<HistoryLoadResult> {
  const cold = await coldLoad({
    kind: 'cold',
    phase: 'load',
    endpoint: job.endpoint,
    serverPids: job.serverPids,
    docId: job.docId,
    updates: job.updates,
    loads: job.loads,
    expectedStateVector: job.expectedStateVector!,
    timeoutMs: job.timeoutMs,
  })
  const result: HistoryLoadResult = { kind: 'history-load', completeMs: cold.completeMs, rssMB: cold.rssMB, errors: cold.errors }
  if (job.query && cold.errors.length === 0) Object.assign(result, await query(job, job.query, result.errors))
  return result
}

/**
 * One request at a time. The first request of each kind warms the route up (the first call of a code
 * path after a start): it is reported apart, not in the percentiles.
 */
async function query(job: HistoryJob, q: NonNullable<HistoryJob['query']>, errors: string[]): Promise<Partial<HistoryLoadResult>> {
  const id = encodeURIComponent(job.docId)
  const random = mulberry32(q.seed)
  // versions spread uniformly over 1..lastSeq: one at random in each of `versions` equal slices
  const versions = Array.from({ length: q.versions }, (_, i) => 1 + Math.floor(((i + random()) * q.lastSeq) / q.versions))
  // shuffled, so that neither the database's cache nor anything else sees them in log order
  for (let i = versions.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[versions[i], versions[j]] = [versions[j]!, versions[i]!]
  }
  // a page of `limit` changes needs `limit` updates after `after` (one change each)
  const afters = Array.from({ length: q.pages }, () => Math.floor(random() * (q.lastSeq - q.limit)))
  const snapshot = async (v: number) => {
    const r = await get(job.endpoint, `/api/docs/${id}/snapshot?version=${v}&format=json`)
    if (r.status !== 200) throw new Error(`snapshot?version=${v}: HTTP ${r.status} ${r.body.toString().slice(0, 200)}`)
    const body = JSON.parse(r.body.toString()) as { version: number; ratings: unknown[] }
    if (body.version !== v) throw new Error(`snapshot?version=${v} answered version ${body.version}`)
    return { ms: r.ms, bytes: r.body.length }
  }
  const page = async (after: number) => {
    const r = await get(job.endpoint, `/api/docs/${id}/history?after=${after}&limit=${q.limit}`)
    if (r.status !== 200) throw new Error(`history?after=${after}: HTTP ${r.status} ${r.body.toString().slice(0, 200)}`)
    const body = JSON.parse(r.body.toString()) as { changes: { seq: number }[]; next: number | null }
    if (body.changes.length === 0 || body.changes[0]!.seq <= after) throw new Error(`history?after=${after}: ${body.changes.length} changes, the first at seq ${body.changes[0]?.seq}`)
    return { ms: r.ms, changes: body.changes.length }
  }
  const out: Partial<HistoryLoadResult> = { snapshotMs: [], snapshotBytes: [], pageMs: [], pageChanges: [], snapshotVersions: versions, pageAfters: afters }
  try {
    out.snapshotFirstMs = (await snapshot(Math.max(1, q.lastSeq >> 1))).ms
    for (const v of versions) {
      const r = await snapshot(v)
      out.snapshotMs!.push(r.ms)
      out.snapshotBytes!.push(r.bytes)
    }
    out.pageFirstMs = (await page(q.lastSeq >> 1)).ms
    for (const a of afters) {
      const r = await page(a)
      out.pageMs!.push(r.ms)
      out.pageChanges!.push(r.changes)
    }
  } catch (err) {
    errors.push((err as Error).message)
  }
  return out
}
