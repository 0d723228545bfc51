// Cold-load, inside the generator process. Seed: one client writes a long history of small
// updates while an observer confirms the server has all of it. Load (after the orchestrator
// restarted the server): fresh clients sync the document one after the other, timed until they
// hold all of it (a server that answers sync before its storage is loaded is caught here).
import * as Y from 'yjs'
import { BenchClient } from './clients.js'
import { readRssMB, sleep } from './proc.js'
import type { ColdJob, ColdLoadResult, SeedResult } from './types.js'

const CONNECT_TIMEOUT_MS = 30_000
/** send this many updates, then let the socket drain: bounded memory, no burst of 20 000 frames at once */
const SEED_BATCH = 200
const SEED_MAX_BUFFERED = 1 << 20

export async function seed(job: ColdJob): Promise<SeedResult> {
  const t0 = performance.now()
  const doc = new Y.Doc()
  const seeder = new BenchClient({ docId: job.docId, endpoint: job.endpoint, doc, apply: true, events: {}, name: 'seeder' })
  const observed = new Y.Doc()
  const observer = new BenchClient({ docId: job.docId, endpoint: job.endpoint, doc: observed, apply: true, events: {}, name: 'observer' })
  try {
    await seeder.connect(CONNECT_TIMEOUT_MS)
    await observer.connect(CONNECT_TIMEOUT_MS)
    let pending: Uint8Array | undefined
    doc.on('update', (u: Uint8Array, origin: unknown) => {
      if (origin !== 'remote') pending = u
    })
    const text = doc.getText('text')
    const map = doc.getMap('meta-bench')
    const random = mulberry32(20_000)
    const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1))
    for (let i = 0; i < job.updates; i++) {
      // one transaction, one message: 90 % insert 1–6 chars, 10 % delete 1–3, a map set every 50th
      doc.transact(() => {
        if (random() < 0.1 && text.length > 3) {
          const n = int(1, 3)
          text.delete(int(0, text.length - n), n)
        } else {
          text.insert(int(0, text.length), 'abcdef'.slice(0, int(1, 6)))
        }
        if (i % 50 === 49) map.set(`k${i % 500}`, i)
      })
      seeder.sendUpdate(pending!)
      if (i % SEED_BATCH === SEED_BATCH - 1) {
        await sleep(1)
        for (let w = 0; seeder.buffered > SEED_MAX_BUFFERED && w < 1000; w++) await sleep(5)
      }
    }
    // the observer applies everything the server relays; once it covers the seeder's state, the server has it all
    const deadline = performance.now() + job.timeoutMs
    while (!covers(Y.encodeStateVector(observed), Y.encodeStateVector(doc))) {
      if (performance.now() > deadline) throw new Error('the observer did not receive the whole history in time')
      await sleep(50)
    }
    return {
      kind: 'seed',
      updates: job.updates,
      stateVector: Buffer.from(Y.encodeStateVector(doc)).toString('base64'),
      stateBytes: Y.encodeStateAsUpdate(doc).length,
      textLength: text.length,
      seedMs: performance.now() - t0,
    }
  } finally {
    seeder.close()
    observer.close()
  }
}

export async function coldLoad(job: ColdJob): Promise<ColdLoadResult> {
  const expected = Buffer.from(job.expectedStateVector ?? '', 'base64')
  const firstStateMs: number[] = []
  const completeMs: number[] = []
  const errors: string[] = []
  for (let i = 0; i < job.loads; i++) {
    const doc = new Y.Doc()
    let first = NaN
    const t0 = performance.now()
    const client = new BenchClient({
      docId: job.docId,
      endpoint: job.endpoint,
      doc,
      apply: true,
      name: `loader-${i}`,
      events: {
        onFrame: (_c, frame) => {
          // the first frame big enough to carry content (an empty document's sync step 2 is a few bytes)
          if (Number.isNaN(first) && frame.length > 64) first = performance.now() - t0
        },
      },
    })
    try {
      const complete = new Promise<void>((resolve, reject) => {
        const check = () => {
          if (covers(Y.encodeStateVector(doc), expected)) {
            doc.off('update', check)
            resolve()
          }
        }
        doc.on('update', check)
        setTimeout(() => reject(new Error(`load ${i}: document incomplete after ${job.timeoutMs} ms`)), job.timeoutMs).unref()
      })
      await client.connect(CONNECT_TIMEOUT_MS)
      await complete
      completeMs.push(performance.now() - t0)
      firstStateMs.push(first)
    } catch (err) {
      errors.push((err as Error).message)
      break
    } finally {
      client.close()
    }
  }
  const rssMB = job.serverPids.reduce((a, pid) => a + readRssMB(pid), 0)
  return { kind: 'cold', firstStateMs, completeMs, rssMB, errors }
}

/** true when state vector `have` includes every clock of `want` */
export function covers(have: Uint8Array, want: Uint8Array): boolean {
  const h = Y.decodeStateVector(have)
  for (const [client, clock] of Y.decodeStateVector(want)) if ((h.get(client) ?? 0) < clock) return false
  return true
}

/** small deterministic PRNG so every target gets the same history */
export function mulberry32(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
