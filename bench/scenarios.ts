// One measurement = one scenario variant against one target, on a freshly started server with a
// fresh data directory, driven by a freshly started generator. Each returns a flat Row.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnPinned, stopChild, sleep, tail } from './proc.js'
import { GENERATOR_CORE, startTarget, type RunningTarget, type TargetDef } from './targets/index.js'
import Database from 'better-sqlite3'
import { benchPostgres, checkpointSeqsPostgres } from './targets/postgres.js'
import { startRedis } from './targets/redis.js'
import { REPO_ROOT } from './targets/skillmap.js'
import type { Plan, Scenario } from './options.js'
import type { GeneratorMessage, Job, JobResult, LoadJob, LoadResult, SeedResult, ColdLoadResult, StepResult, HistoryJob, HistoryLoadResult, HistorySeedResult } from './types.js'

export interface Row {
  scenario: Scenario
  variant: string
  target: string
  repeat: number
  ok: boolean
  error?: string
  clients?: number
  docs?: number
  connected?: number
  connectMs?: number
  p50?: number
  p95?: number
  p99?: number
  /** cross-instance: p99 of the readers on the second instance only */
  p99Remote?: number
  /** cross-instance: updates the readers on the second instance received in the window */
  remoteReceipts?: number
  deliveredPerSec?: number
  deliveryPct?: number
  framesRxPerSec?: number
  cpuPct?: number
  userPct?: number
  sysPct?: number
  rssMB?: number
  rssIdleMB?: number
  rssPerConnKB?: number
  rssPerDocKB?: number
  generatorCpuPct?: number
  generatorElu?: number
  hostOtherCpuPct?: number
  lagP99Ms?: number
  lagging?: boolean
  unexpectedCloses?: number
  /** skillmap-yws-hooks: endpoints registered (live + dead), and the POSTs the live receivers got while the server ran */
  hookEndpoints?: number
  hookLive?: number
  hookDeliveries?: number
  /** the fewest any one live receiver got */
  hookMinPerReceiver?: number
  /** deliveries per event type, in the JSON only */
  hookByType?: Record<string, number>
  /** saturation: highest planned rate (updates/s) that passed, and every step */
  maxRate?: number
  steps?: { rate: number; p99: number; deliveryPct: number; cpuPct: number; lagging: boolean; passed: boolean }[]
  /** abuse: the same figures with the attacker running; p50/p99 etc. above are without it */
  p50Attack?: number
  p99Attack?: number
  /** abuse: p99 with the attack ÷ p99 without, same server and clients */
  p99AttackRatio?: number
  deliveryPctAttack?: number
  cpuPctAttack?: number
  bombs?: number
  bombsClosed?: number
  /** cold-load */
  coldFirstStateMs?: number
  coldCompleteMs?: number
  warmCompleteMs?: number
  stateKB?: number
  /** history: the long document's last seq, and how long writing it took */
  histLastSeq?: number
  seedMs?: number
  seedRate?: number
  /** history: cold (and warm) full sync of the long log and of the same state as one update; ratio per cycle */
  histColdMs?: number
  compactColdMs?: number
  histColdRatio?: number
  histWarmMs?: number
  compactWarmMs?: number
  /** history: each cycle's two cold loads (ms), in the JSON only */
  coldRuns?: { long: number; compact: number }[]
  /** history: every timed request, [seq asked for, ms], in the JSON only (a version's cost grows with the state at it) */
  requests?: { snapshots: [number, number][]; pages: [number, number][] }
  compactStateKB?: number
  /** history: the long document's checkpoints after the seed, and the most rows a version replays from one */
  checkpoints?: number
  maxReplayRows?: number
  /** history: `snapshot?version=` and history pages, one request at a time (nearest-rank percentiles) */
  snapshotP50?: number
  snapshotP99?: number
  snapshotFirstMs?: number
  snapshotKB?: number
  snapshots?: number
  pageP50?: number
  pageP99?: number
  pageFirstMs?: number
  pageChanges?: number
  pages?: number
  errors?: string[]
}

export interface Context {
  plan: Plan
  logDir: string
}

const GENERATOR_SLACK_MS = 90_000

export interface Generator {
  run(job: Job, timeoutMs: number): Promise<JobResult>
  stop(): Promise<void>
}

/**
 * Starts a generator process pinned to the generator core. It loads its modules while the server
 * starts (on the other core), then runs one job.
 */
export function startGenerator(ctx: Context): Generator {
  const logFile = join(ctx.logDir, 'generator.log')
  const child = spawnPinned(process.execPath, ['--import', 'tsx', 'bench/generator.ts'], { core: GENERATOR_CORE, cwd: REPO_ROOT, logFile, ipc: true })
  return {
    run: (job, timeoutMs) =>
      new Promise<JobResult>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`generator did not finish within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs)
        child.on('message', (msg: GeneratorMessage) => {
          if (msg.type === 'result') resolve(msg.result)
          else if (msg.type === 'error') reject(new Error(`generator: ${msg.message}`))
        })
        child.on('exit', (code, signal) => reject(new Error(`generator exited (${code ?? signal}) without a result\n${tail(logFile)}`)))
        child.on('error', reject)
        child.once('exit', () => clearTimeout(timer))
        child.send(job)
      }),
    stop: async () => {
      await stopChild(child, 2000)
    },
  }
}

/** Runs one job in a new generator process. */
export async function runGenerator(job: Job, ctx: Context, timeoutMs: number, generator = startGenerator(ctx)): Promise<JobResult> {
  try {
    return await generator.run(job, timeoutMs)
  } finally {
    await generator.stop()
  }
}

function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'skillmap-bench-'))
}

/**
 * A target on PostgreSQL gets a fresh database of the run's server for one measurement (dropped
 * after it); others get nothing. The first call starts that server, outside every measured window.
 */
async function withDatabase<T>(def: TargetDef, ctx: Context, fn: (databaseUrl: string | undefined) => Promise<T>): Promise<T> {
  if (def.db !== 'postgres') return fn(undefined)
  const postgres = await benchPostgres(ctx.logDir)
  const url = await postgres.createDatabase()
  try {
    return await fn(url)
  } finally {
    await postgres.dropDatabase(url)
  }
}

async function withTarget<T>(
  def: TargetDef,
  ctx: Context,
  opts: { instances?: number; redis?: boolean },
  fn: (t: RunningTarget, g: Generator) => Promise<T>,
): Promise<T> {
  return withDatabase(def, ctx, (databaseUrl) => withServers(def, ctx, { ...opts, databaseUrl }, fn))
}

async function withServers<T>(
  def: TargetDef,
  ctx: Context,
  opts: { instances?: number; redis?: boolean; databaseUrl: string | undefined },
  fn: (t: RunningTarget, g: Generator) => Promise<T>,
): Promise<T> {
  const dataDir = tempDataDir()
  const generator = startGenerator(ctx)
  const redis = opts.redis ? await startRedis(ctx.logDir).catch(async (err) => {
    await generator.stop()
    throw err
  }) : undefined
  try {
    const running = await startTarget(def, {
      dataDir,
      logDir: ctx.logDir,
      ...(opts.instances ? { instances: opts.instances } : {}),
      ...(redis ? { redisUrl: redis.url } : {}),
      ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {}),
    })
    try {
      const result = await fn(running, generator)
      await running.checkStored?.()
      return result
    } finally {
      await running.stop()
    }
  } finally {
    await generator.stop()
    await redis?.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

function loadTimeout(job: LoadJob): number {
  const steps = job.steps ?? []
  const ramp = job.ramp ? (job.ramp.maxSteps + job.ramp.retries) * (job.ramp.warmupMs + job.ramp.durationMs + job.drainMs) : 0
  const fixed = steps.reduce((a, s) => a + s.warmupMs + s.durationMs + job.drainMs, 0)
  return fixed + ramp + GENERATOR_SLACK_MS
}

function fromStep(row: Row, r: LoadResult, s: StepResult): Row {
  const conns = r.connected
  const grownKB = (r.rssLoadedMB - r.rssIdleMB) * 1024
  return {
    ...row,
    ok: r.connected === r.clients && r.errors.length === 0 ? true : row.ok,
    clients: r.clients,
    connected: r.connected,
    connectMs: r.connectMs,
    p50: s.latency.p50,
    p95: s.latency.p95,
    p99: s.latency.p99,
    deliveredPerSec: s.deliveredPerSec,
    deliveryPct: s.deliveryPct,
    framesRxPerSec: s.framesRxPerSec,
    cpuPct: s.serverCpu.pct,
    userPct: s.serverCpu.userPct,
    sysPct: s.serverCpu.sysPct,
    rssMB: s.serverRssMB,
    rssIdleMB: r.rssIdleMB,
    rssPerConnKB: conns ? grownKB / conns : NaN,
    ...(row.docs ? { rssPerDocKB: grownKB / row.docs } : {}),
    generatorCpuPct: s.generatorCpuPct,
    generatorElu: s.generatorElu,
    hostOtherCpuPct: s.hostOtherCpuPct,
    lagP99Ms: s.lagP99Ms,
    lagging: s.lagging,
    unexpectedCloses: s.unexpectedCloses,
    ...(r.errors.length ? { errors: r.errors.slice(0, 5) } : {}),
  }
}

function baseJob(plan: Plan, running: RunningTarget, docPrefix: string): Omit<LoadJob, 'docs' | 'clientsPerDoc' | 'writersPerDoc'> {
  return {
    kind: 'load',
    endpoints: running.endpoints,
    serverPids: running.pids,
    placement: 'spread',
    connectConcurrency: plan.connectConcurrency,
    awarenessRenewMs: plan.awarenessRenewMs,
    drainMs: plan.drainMs,
    docPrefix,
  }
}

/** What a target's webhook receivers got (skillmap-yws-hooks), read when the measurement ends. */
function hookFields(running: RunningTarget): Partial<Row> {
  const plan = running.def.webhooks
  if (!running.hooks || !plan) return {}
  const d = running.hooks.deliveries()
  return {
    hookEndpoints: plan.live + plan.dead,
    hookLive: plan.live,
    hookDeliveries: d.total,
    hookMinPerReceiver: Math.min(...d.perReceiver),
    hookByType: d.byType,
  }
}

export async function fanout(def: TargetDef, n: number, repeat: number, ctx: Context): Promise<Row> {
  const p = ctx.plan.fanout
  const writers = Math.min(p.writers, n)
  const row: Row = { scenario: 'fanout', variant: `N=${n}`, target: def.name, repeat, ok: false, docs: 1 }
  return withTarget(def, ctx, {}, async (running, generator) => {
    const job: LoadJob = {
      ...baseJob(ctx.plan, running, `fanout-${n}`),
      docs: 1,
      clientsPerDoc: n,
      writersPerDoc: writers,
      steps: [{ rate: writers * p.ratePerWriter, warmupMs: p.warmupMs, durationMs: p.durationMs }],
    }
    const r = (await runGenerator(job, ctx, loadTimeout(job), generator)) as LoadResult
    return { ...fromStep(row, r, r.steps[0]!), ...hookFields(running) }
  })
}

export async function manydocs(def: TargetDef, docs: number, repeat: number, ctx: Context): Promise<Row> {
  const p = ctx.plan.manydocs
  const row: Row = { scenario: 'manydocs', variant: `D=${docs}`, target: def.name, repeat, ok: false, docs }
  return withTarget(def, ctx, {}, async (running, generator) => {
    const job: LoadJob = {
      ...baseJob(ctx.plan, running, `many-${docs}`),
      docs,
      clientsPerDoc: p.clientsPerDoc,
      writersPerDoc: p.clientsPerDoc,
      steps: [{ rate: docs * p.clientsPerDoc * p.ratePerWriter, warmupMs: p.warmupMs, durationMs: p.durationMs }],
    }
    const r = (await runGenerator(job, ctx, loadTimeout(job), generator)) as LoadResult
    return fromStep(row, r, r.steps[0]!)
  })
}

export async function saturation(def: TargetDef, repeat: number, ctx: Context): Promise<Row> {
  const p = ctx.plan.saturation
  const row: Row = { scenario: 'saturation', variant: `N=${p.clients} W=${p.writers}`, target: def.name, repeat, ok: false, docs: 1 }
  return withTarget(def, ctx, {}, async (running, generator) => {
    const job: LoadJob = {
      ...baseJob(ctx.plan, running, 'saturate'),
      docs: 1,
      clientsPerDoc: p.clients,
      writersPerDoc: p.writers,
      ramp: { ...p, minDeliveryPct: 99 },
      drainMs: 500,
    }
    const r = (await runGenerator(job, ctx, loadTimeout(job), generator)) as LoadResult
    const passed = r.steps.filter((s) => s.passed)
    const best = passed.at(-1) ?? r.steps[0]!
    return {
      ...fromStep(row, r, best),
      ...hookFields(running),
      maxRate: passed.length ? best.rate : 0,
      steps: r.steps.map((s) => ({ rate: s.rate, p99: s.latency.p99, deliveryPct: s.deliveryPct, cpuPct: s.serverCpu.pct, lagging: s.lagging, passed: !!s.passed })),
    }
  })
}

export async function cross(def: TargetDef, repeat: number, ctx: Context): Promise<Row> {
  const p = ctx.plan.cross
  const row: Row = { scenario: 'cross', variant: `2 inst N=${p.clients}`, target: def.name, repeat, ok: false, docs: 1 }
  return withTarget(def, ctx, { instances: 2, redis: true }, async (running, generator) => {
    const job: LoadJob = {
      ...baseJob(ctx.plan, running, 'cross'),
      placement: 'writers-on-first',
      docs: 1,
      clientsPerDoc: p.clients,
      writersPerDoc: p.writers,
      steps: [{ rate: p.writers * p.ratePerWriter, warmupMs: p.warmupMs, durationMs: p.durationMs }],
    }
    const r = (await runGenerator(job, ctx, loadTimeout(job), generator)) as LoadResult
    const s = r.steps[0]!
    return { ...fromStep(row, r, s), p99Remote: s.latencyByEndpoint[1]?.p99 ?? NaN, remoteReceipts: s.latencyByEndpoint[1]?.count ?? 0 }
  })
}

/**
 * Fan-out on one document, then the same again while one attacker connection sends update bombs to
 * another document, reconnecting whenever it is closed: the measured document's p99 with and without
 * the attack, on one server with the same clients.
 */
export async function abuse(def: TargetDef, repeat: number, ctx: Context): Promise<Row> {
  const p = ctx.plan.abuse
  const row: Row = { scenario: 'abuse', variant: `N=${p.clients} +1 bomber`, target: def.name, repeat, ok: false, docs: 1 }
  return withTarget(def, ctx, {}, async (running, generator) => {
    const step = { rate: p.writers * p.ratePerWriter, warmupMs: p.warmupMs, durationMs: p.durationMs }
    const job: LoadJob = {
      ...baseJob(ctx.plan, running, 'abuse'),
      docs: 1,
      clientsPerDoc: p.clients,
      writersPerDoc: p.writers,
      steps: [step, { ...step, attack: true }],
      attack: { endpoint: running.endpoints[0]!, docId: 'abuse-bombed' },
    }
    const r = (await runGenerator(job, ctx, loadTimeout(job), generator)) as LoadResult
    const [calm, attacked] = [r.steps[0]!, r.steps[1]!]
    return {
      ...fromStep(row, r, calm),
      p50Attack: attacked.latency.p50,
      p99Attack: attacked.latency.p99,
      p99AttackRatio: attacked.latency.p99 / calm.latency.p99,
      deliveryPctAttack: attacked.deliveryPct,
      cpuPctAttack: attacked.serverCpu.pct,
      bombs: attacked.attack?.bombs ?? 0,
      bombsClosed: attacked.attack?.closed ?? 0,
      // the bomber's closes are expected; a measured client's are not
      unexpectedCloses: calm.unexpectedCloses + attacked.unexpectedCloses,
      lagging: calm.lagging || attacked.lagging,
    }
  })
}

export function coldload(def: TargetDef, repeat: number, ctx: Context): Promise<Row> {
  // one database for both starts: the restarted server loads what the first one stored
  return withDatabase(def, ctx, (databaseUrl) => coldloadOn(def, repeat, ctx, databaseUrl))
}

async function coldloadOn(def: TargetDef, repeat: number, ctx: Context, databaseUrl: string | undefined): Promise<Row> {
  const p = ctx.plan.coldload
  const row: Row = { scenario: 'coldload', variant: `${p.updates} updates`, target: def.name, repeat, ok: false, docs: 1 }
  const dataDir = tempDataDir()
  const startOpts = { dataDir, logDir: ctx.logDir, ...(databaseUrl ? { databaseUrl } : {}) }
  const timeoutMs = 120_000
  const docId = 'coldload'
  try {
    let generator = startGenerator(ctx)
    const started = await startTarget(def, startOpts).catch(async (err) => {
      await generator.stop()
      throw err
    })
    let seeded: SeedResult
    let cleanStop = false
    try {
      seeded = (await runGenerator(
        { kind: 'cold', phase: 'seed', endpoint: started.endpoints[0]!, serverPids: started.pids, docId, updates: p.updates, loads: 0, timeoutMs },
        ctx,
        timeoutMs + GENERATOR_SLACK_MS,
        generator,
      )) as SeedResult
      await sleep(def.settleBeforeStopMs)
      await started.checkStored?.()
    } finally {
      cleanStop = await started.stop({ graceful: true })
    }
    generator = startGenerator(ctx)
    const restarted = await startTarget(def, startOpts).catch(async (err) => {
      await generator.stop()
      throw err
    })
    try {
      const r = (await runGenerator(
        {
          kind: 'cold',
          phase: 'load',
          endpoint: restarted.endpoints[0]!,
          serverPids: restarted.pids,
          docId,
          updates: p.updates,
          loads: p.loads,
          expectedStateVector: seeded.stateVector,
          timeoutMs: 60_000,
        },
        ctx,
        p.loads * 60_000 + GENERATOR_SLACK_MS,
        generator,
      )) as ColdLoadResult
      // a server killed after the SIGTERM timeout may have lost what it had not stored yet
      if (!cleanStop) r.errors.unshift(`${def.name} did not exit within its stop timeout after SIGTERM (killed)`)
      return {
        ...row,
        ok: r.errors.length === 0 && r.completeMs.length === p.loads,
        coldFirstStateMs: r.firstStateMs[0],
        coldCompleteMs: r.completeMs[0],
        ...(r.completeMs.length > 1 ? { warmCompleteMs: median(r.completeMs.slice(1)) } : {}),
        stateKB: seeded.stateBytes / 1024,
        rssMB: r.rssMB,
        ...(r.errors.length ? { errors: r.errors, error: r.errors[0] } : {}),
      }
    } finally {
      await restarted.stop()
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}

export function history(def: TargetDef, repeat: number, ctx: Context): Promise<Row> {
  // one database for every start: each restarted server loads what the first one stored
  return withDatabase(def, ctx, (databaseUrl) => historyOn(def, repeat, ctx, databaseUrl))
}

/**
 * Seeds a long log and the same state as one update on one server, then, per cycle, restarts the
 * server once per document (SIGTERM, start on the same data) and times a fresh client's full sync of
 * it; the order of the two alternates per cycle. The server on which the long document was loaded
 * last also answers the timed `snapshot?version=` and history requests.
 */
async function historyOn(def: TargetDef, repeat: number, ctx: Context, databaseUrl: string | undefined): Promise<Row> {
  const p = ctx.plan.history
  const row: Row = { scenario: 'history', variant: `${p.updates} updates`, target: def.name, repeat, ok: false, docs: 2 }
  const dataDir = tempDataDir()
  const startOpts = { dataDir, logDir: ctx.logDir, ...(databaseUrl ? { databaseUrl } : {}) }
  const [docId, compactDocId] = ['history-long', 'history-compact']
  // 3 ms an update is far slower than any target seeds; a stuck seed fails instead of hanging the run
  const seedTimeoutMs = Math.max(60_000, p.updates * 3)
  const loadTimeoutMs = 60_000
  const job = (endpointOf: RunningTarget, phase: HistoryJob['phase']): HistoryJob => ({
    kind: 'history',
    phase,
    endpoint: endpointOf.endpoints[0]!,
    serverPids: endpointOf.pids,
    docId,
    compactDocId,
    updates: p.updates,
    writers: p.writers,
    loads: p.loads,
    timeoutMs: phase === 'seed' ? seedTimeoutMs : loadTimeoutMs,
  })
  const start = async (): Promise<{ running: RunningTarget; generator: Generator }> => {
    const generator = startGenerator(ctx)
    const running = await startTarget(def, startOpts).catch(async (err) => {
      await generator.stop()
      throw err
    })
    return { running, generator }
  }
  const errors: string[] = []
  try {
    let seeded: HistorySeedResult
    {
      const { running, generator } = await start()
      let clean = false
      try {
        seeded = (await runGenerator(job(running, 'seed'), ctx, seedTimeoutMs + GENERATOR_SLACK_MS, generator)) as HistorySeedResult
        await running.checkStored?.()
      } finally {
        clean = await running.stop({ graceful: true })
      }
      errors.push(...seeded.errors)
      if (!clean) errors.push(`${def.name} did not exit within its stop timeout after SIGTERM (killed)`)
    }
    const checkpoints = await checkpointSeqs(dataDir, databaseUrl, docId)
    const cold = {
      long: [] as number[],
      compact: [] as number[],
      ratio: [] as number[],
      runs: [] as { long: number; compact: number }[],
      longWarm: [] as number[],
      compactWarm: [] as number[],
    }
    let queried: HistoryLoadResult | undefined
    for (let c = 0; c < p.cycles && errors.length === 0; c++) {
      const order = c % 2 === 0 ? [docId, compactDocId] : [compactDocId, docId]
      const got = new Map<string, number>()
      for (const [k, id] of order.entries()) {
        const query = c === p.cycles - 1 && id === docId
        const { running, generator } = await start()
        let clean = true
        try {
          const timeoutMs = p.loads * loadTimeoutMs + (query ? (p.versions + p.pages + 2) * 10_000 : 0) + GENERATOR_SLACK_MS
          const r = (await runGenerator(
            {
              ...job(running, 'load'),
              docId: id,
              expectedStateVector: seeded.stateVector,
              ...(query ? { query: { lastSeq: seeded.lastSeq, versions: p.versions, pages: p.pages, limit: p.limit, seed: 1000 + repeat } } : {}),
            },
            ctx,
            timeoutMs,
            generator,
          )) as HistoryLoadResult
          errors.push(...r.errors)
          if (r.completeMs[0] !== undefined) got.set(id, r.completeMs[0])
          const warm = r.completeMs.slice(1)
          ;(id === docId ? cold.longWarm : cold.compactWarm).push(...warm)
          if (query) queried = r
        } finally {
          // the last server is not needed any more: no restart follows it
          const last = c === p.cycles - 1 && k === order.length - 1
          clean = await running.stop({ graceful: !last })
        }
        if (!clean && !(c === p.cycles - 1 && k === order.length - 1)) errors.push(`${def.name} did not exit within its stop timeout after SIGTERM (killed)`)
      }
      const [l, s] = [got.get(docId), got.get(compactDocId)]
      if (l !== undefined) cold.long.push(l)
      if (s !== undefined) cold.compact.push(s)
      if (l !== undefined && s !== undefined && s > 0) {
        cold.ratio.push(l / s)
        cold.runs.push({ long: l, compact: s })
      }
    }
    const snap = queried?.snapshotMs ?? []
    const pages = queried?.pageMs ?? []
    const complete = cold.ratio.length === p.cycles && snap.length === p.versions && pages.length === p.pages
    return {
      ...row,
      ok: errors.length === 0 && complete,
      histLastSeq: seeded.lastSeq,
      seedMs: seeded.seedMs,
      seedRate: (seeded.lastSeq / seeded.seedMs) * 1000,
      histColdMs: median(cold.long),
      compactColdMs: median(cold.compact),
      histColdRatio: median(cold.ratio),
      histWarmMs: median(cold.longWarm),
      compactWarmMs: median(cold.compactWarm),
      coldRuns: cold.runs,
      checkpoints: checkpoints.length,
      maxReplayRows: longestReplay(checkpoints, seeded.lastSeq),
      stateKB: seeded.stateBytes / 1024,
      compactStateKB: seeded.compactStateBytes / 1024,
      snapshotP50: rank(snap, 0.5),
      snapshotP99: rank(snap, 0.99),
      snapshotFirstMs: queried?.snapshotFirstMs ?? NaN,
      snapshotKB: median(queried?.snapshotBytes ?? []) / 1024,
      snapshots: snap.length,
      pageP50: rank(pages, 0.5),
      pageP99: rank(pages, 0.99),
      pageFirstMs: queried?.pageFirstMs ?? NaN,
      pageChanges: median(queried?.pageChanges ?? []),
      pages: pages.length,
      ...(queried
        ? {
            rssMB: queried.rssMB,
            requests: {
              snapshots: snap.map((ms, i): [number, number] => [queried!.snapshotVersions?.[i] ?? NaN, round2(ms)]),
              pages: pages.map((ms, i): [number, number] => [queried!.pageAfters?.[i] ?? NaN, round2(ms)]),
            },
          }
        : {}),
      ...(errors.length ? { errors: errors.slice(0, 5), error: errors[0] } : !complete ? { error: 'incomplete: a load or a request is missing' } : {}),
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/**
 * The seqs of a document's checkpoints, read-only from the target's database while no server runs
 * (SQLite: DATA_DIR/skillmap.db): how far a version or a history page may have to replay.
 */
async function checkpointSeqs(dataDir: string, databaseUrl: string | undefined, docId: string): Promise<number[]> {
  if (databaseUrl) return checkpointSeqsPostgres(databaseUrl, docId)
  const db = new Database(join(dataDir, 'skillmap.db'), { readonly: true, fileMustExist: true })
  try {
    return (db.prepare('SELECT seq FROM doc_checkpoints WHERE doc_id = ? ORDER BY seq').all(docId) as { seq: number }[]).map((r) => r.seq)
  } finally {
    db.close()
  }
}

/** The most rows a version has to replay: the longest run of seqs up to `lastSeq` not at a checkpoint. */
function longestReplay(checkpoints: number[], lastSeq: number): number {
  let longest = 0
  let from = 0
  for (const seq of [...checkpoints.filter((s) => s <= lastSeq), lastSeq + 1]) {
    longest = Math.max(longest, seq - from - 1)
    from = seq
  }
  return longest
}

const round2 = (ms: number): number => Math.round(ms * 100) / 100

/** Nearest-rank percentile: of 20 requests, p99 is the slowest one. */
export function rank(values: number[], q: number): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  if (v.length === 0) return NaN
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1))]!
}

export function median(values: number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  if (v.length === 0) return NaN
  const mid = v.length >> 1
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2
}
