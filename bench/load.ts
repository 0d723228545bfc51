// The load of the fan-out, many-docs, saturation and cross-instance scenarios, run inside the
// generator process: connect every client, then drive writers at a planned rate and measure
// end-to-end latency from a writer's send to each other client's receipt.
import { performance as nodePerformance } from 'node:perf_hooks'
import * as Y from 'yjs'
import { startAttacker, type Attacker } from './attacker.js'
import { BenchClient } from './clients.js'
import { Histogram } from './histogram.js'
import { readCpu, readHostBusy, readRssMB, sleep } from './proc.js'
import type { LoadJob, LoadResult, LoadStep, StepResult, CpuSample } from './types.js'

/** Marks the timestamped value inside an update: receivers find it with a byte scan, without decoding. */
const MARKER = Buffer.from('@@bm:')
const VALUE_LENGTH = 40
/** a send more than this far behind schedule is dropped (and counted) rather than burst out */
const MAX_BEHIND_MS = 1000
/** generator lag above this at p99 means the measured rate is not the planned one */
const LAG_LIMIT_MS = 50
const CONNECT_TIMEOUT_MS = 30_000

interface Writer {
  index: number
  client: BenchClient
  doc: Y.Doc
  map: Y.Map<string>
  seq: number
  /** receipts per sequence number, to find duplicates */
  seen: Uint16Array
  receivers: number
  lastUpdate?: Uint8Array
}

export async function runLoad(job: LoadJob): Promise<LoadResult> {
  const errors: string[] = []
  const clients: BenchClient[] = []
  const writers: Writer[] = []
  const writerOf = new Map<BenchClient, number>()
  const docClients: BenchClient[][] = []

  // ---- per-window state, read by the receive path ----
  let windowStart = Infinity
  let windowEnd = Infinity
  const hist = new Histogram()
  const histByEndpoint = job.endpoints.map(() => new Histogram())
  let delivered = 0
  let duplicates = 0
  let framesRx = 0
  let lostInWindow = 0

  const onUpdate = (client: BenchClient, frame: Buffer) => {
    const now = performance.now()
    const self = writerOf.get(client) ?? -1
    // a server may merge several updates into one frame: take every marker
    for (let at = frame.indexOf(MARKER); at !== -1; at = frame.indexOf(MARKER, at + MARKER.length)) {
      const m = parseMarker(frame, at + MARKER.length)
      if (!m || m.writer === self) continue // echo of our own write
      if (m.ts < windowStart || m.ts >= windowEnd) continue
      const w = writers[m.writer]
      if (!w) continue
      const count = ++w.seen[m.seq]!
      if (count > w.receivers) {
        duplicates++
        continue
      }
      delivered++
      const latency = now - m.ts
      hist.record(latency)
      histByEndpoint[endpointOf.get(client)!]!.record(latency)
    }
  }
  const endpointOf = new Map<BenchClient, number>()
  const events = {
    onUpdate,
    onFrame: () => {
      framesRx++
    },
    onLost: (_c: BenchClient, reason: string) => {
      lostInWindow++
      if (errors.length < 20) errors.push(`connection lost: ${reason}`)
    },
    onError: (_c: BenchClient, reason: string) => {
      if (errors.length < 20) errors.push(reason)
    },
  }

  // ---- create clients: docs × clientsPerDoc, the first writersPerDoc of each doc write ----
  let readerCount = 0
  for (let d = 0; d < job.docs; d++) {
    const docId = `${job.docPrefix}-${d}`
    docClients.push([])
    for (let c = 0; c < job.clientsPerDoc; c++) {
      const isWriter = c < job.writersPerDoc
      const ep =
        job.placement === 'writers-on-first'
          ? isWriter
            ? 0
            : readerCount++ % job.endpoints.length
          : c % job.endpoints.length
      const doc = isWriter ? new Y.Doc() : undefined
      const client = new BenchClient({
        docId,
        endpoint: job.endpoints[ep]!,
        events,
        name: `bench-${clients.length}`,
        ...(doc ? { doc } : {}),
      })
      endpointOf.set(client, ep)
      clients.push(client)
      docClients[d]!.push(client)
      if (doc) {
        const w: Writer = { index: writers.length, client, doc, map: doc.getMap('bench'), seq: 0, seen: new Uint16Array(1024), receivers: 0 }
        doc.on('update', (u: Uint8Array, origin: unknown) => {
          if (origin !== 'remote') w.lastUpdate = u
        })
        writerOf.set(client, w.index)
        writers.push(w)
      }
    }
  }

  const rssIdleMB = sum(job.serverPids.map(readRssMB))

  // ---- connect with bounded concurrency ----
  const t0 = performance.now()
  let failed = 0
  await pool(clients, job.connectConcurrency, async (client) => {
    try {
      await client.connect(CONNECT_TIMEOUT_MS)
    } catch (err) {
      failed++
      if (errors.length < 20) errors.push(`connect ${client.opts.docId}: ${(err as Error).message}`)
    }
  })
  const connectMs = performance.now() - t0
  const connected = clients.filter((c) => c.ready).length
  for (const w of writers) {
    const peers = docClients.find((list) => list.includes(w.client))!
    w.receivers = peers.filter((c) => c.ready && c !== w.client).length
  }
  const activeWriters = writers.filter((w) => w.client.ready)

  // ---- awareness renewals, staggered like browsers that connected at different times ----
  const renewTimers: NodeJS.Timeout[] = []
  for (const client of clients) {
    if (!client.ready) continue
    const first = setTimeout(() => {
      client.sendAwareness()
      renewTimers.push(setInterval(() => client.sendAwareness(), job.awarenessRenewMs))
    }, Math.random() * job.awarenessRenewMs)
    renewTimers.push(first)
  }

  // ---- one step: warm-up, then a measured window, then a bounded drain ----
  let nextWriter = 0
  /** sends the next writer's update; returns how many deliveries it should make if it is in the window */
  const sendOne = (): number => {
    const w = activeWriters[nextWriter++ % activeWriters.length]!
    if (w.client.lost) return 0
    const seq = w.seq++
    if (seq >= w.seen.length) {
      const grown = new Uint16Array(w.seen.length * 2)
      grown.set(w.seen)
      w.seen = grown
    }
    const ts = performance.now()
    w.map.set(`w${w.index}`, markerValue(w.index, seq, ts))
    w.client.sendUpdate(w.lastUpdate!)
    return ts >= windowStart && ts < windowEnd ? w.receivers : 0
  }

  const runStep = async (step: LoadStep): Promise<StepResult> => {
    hist.reset()
    histByEndpoint.forEach((h) => h.reset())
    const lag = new Histogram()
    delivered = duplicates = framesRx = lostInWindow = 0
    let sent = 0
    let expected = 0
    let skipped = 0
    const start = performance.now()
    windowStart = start + step.warmupMs
    windowEnd = windowStart + step.durationMs
    let cpuStart: ReturnType<typeof sampleCpu> | undefined
    const sampleAtStart = setTimeout(() => {
      cpuStart = sampleCpu(job.serverPids)
      framesRx = 0
      lostInWindow = 0
    }, step.warmupMs)
    const attacker: Attacker | undefined = step.attack && job.attack ? startAttacker(job.attack.endpoint, job.attack.docId) : undefined

    if (activeWriters.length > 0 && step.rate > 0) {
      const interval = 1000 / step.rate
      let due = start
      await new Promise<void>((resolve) => {
        const tick = () => {
          let now = performance.now()
          if (now >= windowEnd) return resolve()
          // bounded per tick so that receipts are still processed while the schedule catches up
          for (let budget = 5000; due <= now && due < windowEnd && budget > 0; budget--) {
            if (now - due > MAX_BEHIND_MS) {
              const n = Math.floor((now - due) / interval)
              if (due >= windowStart) skipped += n
              due += n * interval
              continue
            }
            const receivers = sendOne()
            if (due >= windowStart) lag.record(Math.max(0, now - due))
            if (receivers > 0) {
              sent++
              expected += receivers
            }
            due += interval
            now = performance.now()
          }
          const wait = Math.min(due, windowEnd) - performance.now()
          setTimeout(tick, wait > 1 ? wait : 1)
        }
        tick()
      })
    } else {
      await sleep(windowEnd - performance.now())
    }
    clearTimeout(sampleAtStart)
    const cpuEnd = sampleCpu(job.serverPids)
    // The attack ends with the window: the drain waits for writes, not for bombs.
    const attack = await attacker?.stop()
    const rssMB = sum(job.serverPids.map(readRssMB))
    const rxFrames = framesRx
    const lost = lostInWindow
    const windowMs = windowEnd - windowStart
    // writes sent in the window may still be in flight: wait for them, boundedly
    const drainUntil = performance.now() + job.drainMs
    while (delivered < expected && performance.now() < drainUntil) await sleep(10)
    windowStart = windowEnd = Infinity

    const planned = (step.rate * windowMs) / 1000
    const lagP99 = lag.count ? lag.quantile(0.99) : 0
    const lagging = lagP99 > LAG_LIMIT_MS || skipped > 0 || (activeWriters.length > 0 && sent < planned * 0.95)
    const cpu = cpuStart ? cpuDiff(cpuStart, cpuEnd) : { server: nanCpu(), generator: NaN, elu: NaN, otherPct: NaN }
    return {
      rate: step.rate,
      windowMs,
      sent,
      expected,
      delivered,
      duplicates,
      deliveryPct: expected ? (100 * delivered) / expected : NaN,
      deliveredPerSec: (delivered * 1000) / windowMs,
      framesRxPerSec: (rxFrames * 1000) / windowMs,
      latency: hist.summary(),
      latencyByEndpoint: histByEndpoint.map((h) => h.summary()),
      lagP99Ms: lagP99,
      lagMaxMs: lag.count ? lag.summary().max : 0,
      skipped,
      lagging,
      serverCpu: cpu.server,
      serverRssMB: rssMB,
      generatorCpuPct: cpu.generator,
      generatorElu: cpu.elu,
      hostOtherCpuPct: cpu.otherPct,
      unexpectedCloses: lost,
      ...(attack ? { attack } : {}),
    }
  }

  const steps: StepResult[] = []
  let rssLoadedMB = NaN
  try {
    if (connected === 0) throw new Error(`no client connected: ${errors.slice(0, 3).join('; ')}`)
    if (job.ramp) {
      const r = job.ramp
      let rate = r.startRate
      let retries = 0
      for (let i = 0; i < r.maxSteps + r.retries; i++) {
        const s = await runStep({ rate, warmupMs: r.warmupMs, durationMs: r.durationMs })
        s.passed = s.latency.p99 <= r.p99LimitMs && s.deliveryPct >= r.minDeliveryPct && !s.lagging && s.unexpectedCloses === 0
        steps.push(s)
        if (i === 0) rssLoadedMB = s.serverRssMB
        if (!s.passed) {
          // one noisy window on a shared host must not end the ramp: a rate fails when it fails again
          if (retries++ < r.retries) continue
          break
        }
        retries = 0
        if (steps.filter((x) => x.passed).length >= r.maxSteps) break
        rate *= r.factor
      }
    } else {
      for (const step of job.steps ?? []) {
        const s = await runStep(step)
        if (steps.length === 0) rssLoadedMB = s.serverRssMB
        steps.push(s)
      }
    }
  } finally {
    renewTimers.forEach((t) => clearTimeout(t))
    for (const c of clients) c.close()
  }
  return { kind: 'load', clients: clients.length, connected, failed, connectMs, rssIdleMB, rssLoadedMB, steps, errors }
}

function markerValue(writer: number, seq: number, ts: number): string {
  return `@@bm:${writer}:${seq}:${ts.toFixed(3)}:`.padEnd(VALUE_LENGTH, '.')
}

/** Parses `writer:seq:ts:` (ASCII) starting at `at`, without allocating strings. */
function parseMarker(b: Buffer, at: number): { writer: number; seq: number; ts: number } | undefined {
  let i = at
  const readInt = () => {
    let v = 0
    let digits = 0
    while (i < b.length && b[i]! >= 48 && b[i]! <= 57) {
      v = v * 10 + (b[i++]! - 48)
      digits++
    }
    return digits ? v : -1
  }
  const writer = readInt()
  if (writer < 0 || b[i++] !== 58) return undefined
  const seq = readInt()
  if (seq < 0 || b[i++] !== 58) return undefined
  const whole = readInt()
  if (whole < 0) return undefined
  let ts = whole
  if (b[i] === 46) {
    i++
    let scale = 0.1
    while (i < b.length && b[i]! >= 48 && b[i]! <= 57) {
      ts += (b[i++]! - 48) * scale
      scale /= 10
    }
  }
  return { writer, seq, ts }
}

function sampleCpu(pids: number[]) {
  const times = pids.map(readCpu)
  return {
    at: performance.now(),
    user: sum(times.map((t) => t.user)),
    sys: sum(times.map((t) => t.sys)),
    gen: process.cpuUsage(),
    elu: nodePerformance.eventLoopUtilization(),
    host: readHostBusy(),
  }
}

function cpuDiff(a: ReturnType<typeof sampleCpu>, b: ReturnType<typeof sampleCpu>) {
  const sec = (b.at - a.at) / 1000
  const userPct = (100 * (b.user - a.user)) / sec
  const sysPct = (100 * (b.sys - a.sys)) / sec
  const genMicros = b.gen.user - a.gen.user + (b.gen.system - a.gen.system)
  const server: CpuSample = { pct: userPct + sysPct, userPct, sysPct }
  const generator = (100 * genMicros) / 1e6 / sec
  // everything else that ran on the machine meanwhile (other processes, interrupts): the noise of a shared host
  const otherPct = (100 * (b.host - a.host)) / sec - server.pct - generator
  return { server, generator, elu: nodePerformance.eventLoopUtilization(b.elu, a.elu).utilization, otherPct }
}

function nanCpu(): CpuSample {
  return { pct: NaN, userPct: NaN, sysPct: NaN }
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0)
}

async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}
