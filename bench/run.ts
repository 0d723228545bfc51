// `npm run bench [-- --quick]`: starts every target, drives it from a separate generator process,
// repeats, and reports medians and ratios. Timings are never asserted; the exit code is non-zero
// only when a target fails to start or a scenario crashes.
import { mkdirSync, mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs'
import { tmpdir, cpus } from 'node:os'
import { join, resolve } from 'node:path'
import { canPin, killAll } from './proc.js'
import { parsePlan, SCENARIOS_OF, type Plan, type Scenario } from './options.js'
import { TARGETS, unavailable, type TargetDef } from './targets/index.js'
import { stopBenchPostgres } from './targets/postgres.js'
import { REPO_ROOT } from './targets/skillmap.js'
import { abuse, fanout, manydocs, saturation, coldload, cross, history, type Row, type Context } from './scenarios.js'
import { summarize, evaluate, renderText, renderMarkdown } from './report.js'

process.on('exit', killAll)
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
  process.on(sig, () => {
    console.error(`\n${sig}: stopping every child`)
    killAll()
    process.exit(130)
  })
process.on('uncaughtException', (err) => {
  console.error(err)
  killAll()
  process.exit(1)
})

type Measure = (def: TargetDef, repeat: number, ctx: Context) => Promise<Row>

interface Measurement {
  scenario: Scenario
  variant: string
  targets: TargetDef[]
  run: Measure
}

function measurements(plan: Plan): Measurement[] {
  const list: Measurement[] = []
  for (const scenario of plan.scenarios) {
    // a target with scenarios of its own (skillmap-yws-hooks) only in those
    const pick = (names: string[]) =>
      names.filter((n) => plan.targets.includes(n) && (SCENARIOS_OF[n]?.includes(scenario) ?? true)).map((n) => TARGETS[n]!)
    switch (scenario) {
      case 'fanout':
        for (const n of plan.fanout.clients)
          list.push({ scenario, variant: `N=${n}`, targets: pick(plan.targets), run: (d, r, c) => fanout(d, n, r, c) })
        break
      case 'saturation': {
        // quick: Socket.IO's ramp is the y-websocket one behind another transport; its time goes to margin
        const targets = pick(plan.targets).filter((t) => !(plan.quick && t.name === 'skillmap-sio'))
        if (plan.syncFull && plan.targets.includes('skillmap-yws')) targets.push(TARGETS['skillmap-yws-full']!)
        list.push({ scenario, variant: 'ramp', targets, run: saturation })
        break
      }
      case 'manydocs':
        for (const d of plan.manydocs.docs)
          list.push({ scenario, variant: `D=${d}`, targets: pick(plan.targets), run: (def, r, c) => manydocs(def, d, r, c) })
        break
      case 'coldload':
        // the quick run loads through one skillmap target only: a cold-load costs two server starts
        list.push({
          scenario,
          variant: 'restart',
          targets: pick(plan.targets).filter((t) => t.persists && !(plan.quick && (t.name === 'skillmap-sio' || t.name === 'skillmap-pg'))),
          run: coldload,
        })
        break
      case 'cross':
        // SQLite: two instances on one DATA_DIR; PostgreSQL: two DATA_DIRs, one database (as on two hosts)
        list.push({ scenario, variant: 'redis', targets: pick(['skillmap-yws', 'skillmap-pg']), run: cross })
        break
      case 'abuse':
        // the bomb check is skillmap's: the attacker speaks each of its transports in turn
        list.push({ scenario, variant: `N=${plan.abuse.clients} +1 bomber`, targets: pick(['skillmap-yws', 'skillmap-sio']), run: abuse })
        break
      case 'history':
        // the history routes and the log are the store's: one transport, both databases; the quick
        // run on SQLite only, as its cold-load: a history measurement costs three server starts
        list.push({
          scenario,
          variant: `${plan.history.updates} updates`,
          targets: pick(['skillmap-yws', 'skillmap-pg']).filter((t) => !(plan.quick && t.name === 'skillmap-pg')),
          run: history,
        })
        break
    }
  }
  return list.filter((m) => m.targets.length > 0)
}

function describe(r: Row): string {
  if (r.error) return `FAILED: ${r.error.split('\n')[0]}`
  const f = (v: number | undefined, d = 1) => (v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(d))
  if (r.scenario === 'abuse')
    return `p99 ${f(r.p99, 2)} ms alone, ${f(r.p99Attack, 2)} ms under attack (${f(r.p99AttackRatio, 2)}×), ${f(r.deliveryPctAttack, 2)} % delivered under attack, ${r.bombsClosed}/${r.bombs} bombers closed, CPU ${f(r.cpuPct)} → ${f(r.cpuPctAttack)} %${r.lagging ? ', GENERATOR LAG' : ''}${r.errors?.length ? `, ${r.errors.length} error(s): ${r.errors[0]}` : ''}`
  if (r.scenario === 'history')
    return `${f(r.histLastSeq, 0)} rows seeded at ${f(r.seedRate, 0)} upd/s; cold ${f(r.histColdMs, 0)} ms vs ${f(r.compactColdMs, 0)} ms compacted (${f(r.histColdRatio, 2)}×); snapshot?version= p50 ${f(r.snapshotP50)} p99 ${f(r.snapshotP99)} ms; page p50 ${f(r.pageP50)} p99 ${f(r.pageP99)} ms${r.errors?.length ? `, ${r.errors.length} error(s): ${r.errors[0]}` : ''}`
  if (r.scenario === 'coldload') return `complete ${f(r.coldCompleteMs, 0)} ms (first state ${f(r.coldFirstStateMs, 0)} ms), warm ${f(r.warmCompleteMs, 0)} ms`
  const head = r.scenario === 'saturation' ? `max ${f(r.maxRate, 0)} upd/s [${(r.steps ?? []).map((s) => `${s.rate}:${f(s.p99, 0)}ms${s.passed ? '' : '✗'}`).join(' ')}], ` : ''
  const hooks = r.hookEndpoints ? `, webhooks: ${r.hookDeliveries} deliveries to ${r.hookLive} live receivers (${JSON.stringify(r.hookByType ?? {})})` : ''
  return `${head}p50 ${f(r.p50, 2)} p99 ${f(r.p99, 2)} ms, ${f(r.deliveryPct, 2)} % delivered, CPU ${f(r.cpuPct)} %, RSS ${f(r.rssMB)} MB, ${r.connected}/${r.clients} connected${hooks}${r.lagging ? ', GENERATOR LAG' : ''}${r.errors?.length ? `, ${r.errors.length} error(s): ${r.errors[0]}` : ''}`
}

/** Every measurement × repeat, targets rotated per repeat; a crash becomes a failed row. */
async function measureAll(list: Measurement[], plan: Plan, ctx: Context, rows: Row[]): Promise<void> {
  for (const m of list) {
    for (let repeat = 1; repeat <= plan.repeat; repeat++) {
      // rotate the target order per repeat, so no target always runs first (or last) on a warm host
      const order = m.targets.map((_, i) => m.targets[(i + repeat - 1) % m.targets.length]!)
      for (const def of order) {
        const t0 = Date.now()
        let row: Row
        try {
          row = await m.run(def, repeat, ctx)
        } catch (err) {
          row = { scenario: m.scenario, variant: m.variant, target: def.name, repeat, ok: false, error: (err as Error).message }
        }
        rows.push(row)
        console.error(`[${m.scenario} ${row.variant} ${def.name} #${repeat}] ${describe(row)} (${((Date.now() - t0) / 1000).toFixed(1)} s)`)
      }
    }
  }
}

async function main(): Promise<number> {
  const plan = parsePlan(process.argv.slice(2))
  const started = Date.now()

  // a missing target is reported up front; the targets that can run still run
  const missing = new Map<string, string>()
  for (const name of plan.targets) {
    const why = unavailable(TARGETS[name]!)
    if (why) missing.set(name, why)
  }
  for (const [name, why] of missing) console.error(`✗ ${name}: ${why}`)
  const runnable = { ...plan, targets: plan.targets.filter((t) => !missing.has(t)) }
  if (!runnable.targets.length) return 1

  const logDir = mkdtempSync(join(tmpdir(), 'skillmap-bench-logs-'))
  const ctx: Context = { plan: runnable, logDir }
  const list = measurements(runnable)
  console.error(
    `bench: ${plan.quick ? 'quick' : 'full'} run, ${plan.repeat} repeat(s), targets ${runnable.targets.join(', ')}; ` +
      `${canPin ? 'server on core 0, generator on core 1 (taskset)' : 'NOT pinned (taskset or a second core missing)'}; logs in ${logDir}`,
  )

  const rows: Row[] = []
  try {
    await measureAll(list, plan, ctx, rows)
  } finally {
    // the run's PostgreSQL (skillmap-pg), started by its first measurement
    await stopBenchPostgres()
  }

  const summaries = summarize(rows)
  const checks = evaluate(summaries, rows)
  const meta = {
    date: new Date().toISOString(),
    mode: plan.quick ? 'quick' : 'full',
    repeat: plan.repeat,
    node: process.version,
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
    pinning: canPin ? 'server core 0, generator core 1' : 'none',
    skipped: Object.fromEntries(missing),
    durationSec: Math.round((Date.now() - started) / 1000),
  }
  console.log(renderText(summaries, checks))

  const outDir = resolve(REPO_ROOT, plan.outDir)
  mkdirSync(outDir, { recursive: true })
  const stamp = meta.date.replace(/[:.]/g, '-')
  const json = JSON.stringify({ meta, plan: runnable, rows, summaries, checks }, null, 2)
  const md = renderMarkdown(summaries, checks, meta)
  for (const name of [stamp, 'latest']) {
    writeFileSync(join(outDir, `${name}.json`), json)
    writeFileSync(join(outDir, `${name}.md`), md)
  }
  const crashed = rows.filter((r) => r.error)
  console.error(`\nbench: ${rows.length} measurements in ${meta.durationSec} s, ${crashed.length} failed; results in ${join(outDir, stamp)}.{json,md}`)
  if (!crashed.length && existsSync(logDir)) rmSync(logDir, { recursive: true, force: true })
  else console.error(`server and generator logs kept in ${logDir}`)
  return crashed.length || missing.size ? 1 : 0
}

main().then(
  (code) => {
    killAll()
    process.exit(code)
  },
  (err) => {
    console.error(err instanceof Error ? err.message : err)
    killAll()
    process.exit(1)
  },
)
