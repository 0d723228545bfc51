// Medians over repeats, ratios to the raw relay and to Hocuspocus from the same repeat (and of
// skillmap on PostgreSQL to skillmap on SQLite), the targets of the issue (reported, never
// asserted), and the printed / Markdown tables.
import { median, type Row } from './scenarios.js'
import { HISTORY_FULL_UPDATES, type Scenario } from './options.js'

type Metric = 'p99' | 'cpuPct' | 'rssPerConnKB' | 'maxRate' | 'coldCompleteMs' | 'p99Remote' | 'histColdMs' | 'snapshotP99' | 'pageP99'
const RATIO_METRICS: Metric[] = ['p99', 'cpuPct', 'rssPerConnKB', 'maxRate', 'coldCompleteMs', 'p99Remote', 'histColdMs', 'snapshotP99', 'pageP99']
const BASELINES = ['raw', 'hocuspocus', 'sqlite', 'none'] as const
type Baseline = (typeof BASELINES)[number]
/** the target each baseline is */
const BASELINE_TARGET: Record<Baseline, string> = { raw: 'raw', hocuspocus: 'hocuspocus', sqlite: 'skillmap-yws', none: 'skillmap-yws' }
/**
 * Targets a baseline is reported for, when not every one: ×sqlite is skillmap on PostgreSQL against
 * skillmap on SQLite, the same server and transport, so the ratio is the database's share alone;
 * ×none is skillmap-yws with 5 webhook endpoints against the same without any (issue 14).
 */
const COMPARED: Partial<Record<Baseline, string[]>> = { sqlite: ['skillmap-pg'], none: ['skillmap-yws-hooks'] }
const compared = (base: Baseline, target: string) => COMPARED[base]?.includes(target) ?? true

export interface Summary {
  scenario: Scenario
  variant: string
  target: string
  runs: number
  failed: number
  /** medians of every numeric field of the rows */
  median: Record<string, number>
  /** ratio[baseline][metric] = median over repeats of (this ÷ baseline in the same repeat) */
  ratio: Record<Baseline, Partial<Record<Metric, number>>>
  /** min–max of p99 (or max rate) over repeats */
  spread?: [number, number]
  lagging: boolean
  errors: string[]
}

export function summarize(rows: Row[]): Summary[] {
  const groups = new Map<string, Row[]>()
  for (const r of rows) {
    const key = `${r.scenario}\u0000${r.variant}\u0000${r.target}`
    groups.set(key, [...(groups.get(key) ?? []), r])
  }
  const out: Summary[] = []
  for (const group of groups.values()) {
    const first = group[0]!
    const measured = group.filter((r) => !r.error)
    const numeric = new Set<string>()
    for (const r of measured) for (const [k, v] of Object.entries(r)) if (typeof v === 'number' && k !== 'repeat') numeric.add(k)
    const med: Record<string, number> = {}
    for (const k of numeric) med[k] = median(measured.map((r) => (r as unknown as Record<string, number>)[k]!))
    const ratio = { raw: {}, hocuspocus: {}, sqlite: {}, none: {} } as Summary['ratio']
    for (const base of BASELINES) {
      if (!compared(base, first.target)) continue
      for (const m of RATIO_METRICS) {
        const per = measured.map((r) => {
          const b = rows.find((x) => x.scenario === r.scenario && x.variant === r.variant && x.repeat === r.repeat && x.target === BASELINE_TARGET[base] && !x.error)
          const a = r[m]
          const bv = b?.[m]
          return typeof a === 'number' && typeof bv === 'number' && bv > 0 ? a / bv : NaN
        })
        const v = median(per)
        if (Number.isFinite(v)) ratio[base][m] = v
      }
    }
    const key: Metric =
      first.scenario === 'saturation' ? 'maxRate' : first.scenario === 'coldload' ? 'coldCompleteMs' : first.scenario === 'history' ? 'histColdMs' : 'p99'
    const vals = measured.map((r) => r[key]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v))
    out.push({
      scenario: first.scenario,
      variant: first.variant,
      target: first.target,
      runs: group.length,
      failed: group.length - measured.length,
      median: med,
      ratio,
      ...(vals.length > 1 ? { spread: [Math.min(...vals), Math.max(...vals)] as [number, number] } : {}),
      lagging: measured.some((r) => r.lagging),
      errors: [...new Set(group.flatMap((r) => [...(r.error ? [r.error] : []), ...(r.errors ?? [])]))].slice(0, 5),
    })
  }
  return out
}

// ---------------------------------------------------------------- targets of the issue

export interface Check {
  name: string
  value: string
  met: boolean | null
  note: string
}

export function evaluate(summaries: Summary[], rows: Row[]): Check[] {
  const find = (scenario: Scenario, target: string, variant?: string) =>
    summaries.find((s) => s.scenario === scenario && s.target === target && (variant === undefined || s.variant === variant) && s.failed < s.runs)
  const checks: Check[] = []
  const ratioCheck = (name: string, s: Summary | undefined, base: Baseline, metric: Metric, op: '<=' | '>=', limit: number) => {
    const v = s?.ratio[base][metric]
    if (v === undefined || !Number.isFinite(v)) return checks.push({ name, value: '—', met: null, note: 'not measured' })
    // a latency ratio means nothing when the generator, not the servers, set the latency
    const baseline = find(s!.scenario, BASELINE_TARGET[base], s!.variant)
    const doubt = metric === 'p99' ? [s!, baseline].flatMap((x) => (x ? unreliable(x) : [])) : []
    if (doubt.length) return checks.push({ name, value: `${fmt(v, 2)}×`, met: null, note: `not judged: ${[...new Set(doubt)].join('; ')}` })
    const met = op === '<=' ? v <= limit : v >= limit
    checks.push({ name, value: `${fmt(v, 2)}×`, met, note: s!.variant })
  }
  ratioCheck('fan-out N=500 yws p99 ≤ 1.0× Hocuspocus+SQLite', find('fanout', 'skillmap-yws', 'N=500'), 'hocuspocus', 'p99', '<=', 1.0)
  ratioCheck('fan-out N=500 yws p99 ≤ 1.5× raw', find('fanout', 'skillmap-yws', 'N=500'), 'raw', 'p99', '<=', 1.5)
  ratioCheck('saturation yws ≥ 1.2× Hocuspocus', find('saturation', 'skillmap-yws'), 'hocuspocus', 'maxRate', '>=', 1.2)
  ratioCheck('fan-out N=500 Socket.IO p99 ≤ 5× raw', find('fanout', 'skillmap-sio', 'N=500'), 'raw', 'p99', '<=', 5)
  ratioCheck('many-docs 1000 yws RSS/conn ≤ 0.6× Hocuspocus+SQLite', find('manydocs', 'skillmap-yws', 'D=1000'), 'hocuspocus', 'rssPerConnKB', '<=', 0.6)
  ratioCheck('many-docs 1000 yws CPU ≤ 0.5× Hocuspocus+SQLite', find('manydocs', 'skillmap-yws', 'D=1000'), 'hocuspocus', 'cpuPct', '<=', 0.5)
  ratioCheck('cold-load yws ≤ 0.1× Hocuspocus+SQLite', find('coldload', 'skillmap-yws'), 'hocuspocus', 'coldCompleteMs', '<=', 0.1)
  // issue 15: PostgreSQL against SQLite, both skillmap over y-websocket, in the same repeat
  ratioCheck('fan-out N=500 PostgreSQL p99 ≤ 1.5× SQLite', find('fanout', 'skillmap-pg', 'N=500'), 'sqlite', 'p99', '<=', 1.5)
  ratioCheck('saturation PostgreSQL ≥ 0.5× SQLite', find('saturation', 'skillmap-pg'), 'sqlite', 'maxRate', '>=', 0.5)
  // issue 14: 5 webhook endpoints (4 live, 1 dead) against none, same run and repeat; fan-out at
  // N=500 when measured, else at the largest N measured (the quick run's 100)
  const hooked = summaries
    .filter((s) => s.scenario === 'fanout' && s.target === 'skillmap-yws-hooks' && s.failed < s.runs)
    .sort((a, b) => (a.variant === 'N=500' ? 1 : b.variant === 'N=500' ? -1 : (a.median.clients ?? 0) - (b.median.clients ?? 0)))
    .at(-1)
  const before = checks.length
  ratioCheck('fan-out webhooks p99 ≤ 1.1× none', hooked, 'none', 'p99', '<=', 1.1)
  ratioCheck('saturation webhooks ≥ 1/1.1 (0.91×) of none', find('saturation', 'skillmap-yws-hooks'), 'none', 'maxRate', '>=', 1 / 1.1)
  // a reader must see the webhooks worked: what the live receivers got in that measurement
  for (const [c, s] of [
    [checks[before], hooked],
    [checks[before + 1], find('saturation', 'skillmap-yws-hooks')],
  ] as const)
    if (c && s && Number.isFinite(s.median.hookDeliveries)) {
      // both sides on a noisy host: the verdict stands, but says so (the machine is shared)
      const base = find(s.scenario, 'skillmap-yws', s.variant)
      const noisy = [s, base].filter((x) => (x?.median.hostOtherCpuPct ?? 0) > NOISY_HOST_PCT).map((x) => x!.target)
      c.note =
        `${c.note ? `${c.note}; ` : ''}${fmt(s.median.hookDeliveries, 0)} deliveries to ${fmt(s.median.hookLive, 0)} live receivers (fewest ${fmt(s.median.hookMinPerReceiver, 0)}), ${fmt((s.median.hookEndpoints ?? 0) - (s.median.hookLive ?? 0), 0)} dead` +
        (noisy.length ? `; noisy host on ${noisy.join(' and ')}` : '')
    }

  for (const target of ['skillmap-yws', 'skillmap-sio']) {
    const s = find('abuse', target)
    const name = `abuse ${target === 'skillmap-yws' ? 'yws' : 'Socket.IO'}: p99 under attack ≤ 2× alone`
    const v = s?.median.p99AttackRatio
    if (v === undefined || !Number.isFinite(v)) checks.push({ name, value: '—', met: null, note: 'not measured' })
    else if (unreliable(s!).length) checks.push({ name, value: `${fmt(v, 2)}×`, met: null, note: `not judged: ${unreliable(s!).join('; ')}` })
    else checks.push({ name, value: `${fmt(v, 2)}×`, met: v <= 2, note: `${fmt(s!.median.bombs, 0)} bombs in the window` })
  }

  for (const [target, crossName] of [
    ['skillmap-yws', 'cross-instance p99 ≤ 50 ms'],
    ['skillmap-pg', 'cross-instance PostgreSQL p99 ≤ 50 ms'],
  ] as const) {
    const cross = find('cross', target)
    const remote = cross?.median.p99Remote
    if (cross && cross.median.remoteReceipts === 0)
      checks.push({ name: crossName, value: 'nothing arrived', met: false, note: 'no update reached the readers on the other instance' })
    else if (remote === undefined || !Number.isFinite(remote)) checks.push({ name: crossName, value: '—', met: null, note: 'not measured' })
    else if (unreliable(cross!).length)
      checks.push({ name: crossName, value: `${fmt(remote, 1)} ms`, met: null, note: `not judged: ${unreliable(cross!).join('; ')}` })
    else checks.push({ name: crossName, value: `${fmt(remote, 1)} ms`, met: remote <= 50, note: 'readers on the other instance' })
  }

  // CONTRACT §9 v2: history kept whole must not slow what it used to make fast; set for 100 000 updates
  for (const [target, label] of [
    ['skillmap-yws', 'yws'],
    ['skillmap-pg', 'PostgreSQL'],
  ] as const) {
    const s = find('history', target, `${HISTORY_FULL_UPDATES} updates`)
    const other = s ? undefined : find('history', target)
    const absent = other ? `measured at ${other.variant} only: the goals are for ${HISTORY_FULL_UPDATES} (full run)` : 'not measured'
    const goal = (name: string, value: number | undefined, unit: string, limit: number, note: string) => {
      if (!s || value === undefined || !Number.isFinite(value)) return checks.push({ name, value: '—', met: null, note: absent })
      checks.push({ name, value: `${fmt(value, unit === '×' ? 2 : 1)}${unit === '×' ? '×' : ` ${unit}`}`, met: value <= limit, note })
    }
    const m = s?.median ?? {}
    goal(`history ${label}: cold load of ${HISTORY_FULL_UPDATES} updates ≤ 1.2× compacted`, m.histColdRatio, '×', 1.2, `${fmt(m.histColdMs, 0)} ms vs ${fmt(m.compactColdMs, 0)} ms`)
    goal(`history ${label}: snapshot?version= p99 ≤ 200 ms`, m.snapshotP99, 'ms', 200, `p50 ${fmt(m.snapshotP50, 1)} ms, ${fmt(m.snapshots, 0)} versions`)
    goal(`history ${label}: history page p99 ≤ 50 ms`, m.pageP99, 'ms', 50, `p50 ${fmt(m.pageP50, 1)} ms, ${fmt(m.pages, 0)} pages of ${fmt(m.pageChanges, 0)} changes`)
  }

  // SQLITE_SYNC=full against normal, per repeat like every other ratio
  const perRepeat = rows
    .filter((r) => r.scenario === 'saturation' && r.target === 'skillmap-yws-full' && !r.error)
    .map((r) => {
      const normal = rows.find((x) => x.scenario === 'saturation' && x.target === 'skillmap-yws' && x.repeat === r.repeat && !x.error)
      return normal?.maxRate ? (r.maxRate ?? NaN) / normal.maxRate : NaN
    })
  const full = median(perRepeat)
  checks.push(
    Number.isFinite(full)
      ? { name: 'SQLITE_SYNC=full saturation ≥ 0.5× normal', value: `${fmt(full, 2)}×`, met: full >= 0.5, note: '' }
      : { name: 'SQLITE_SYNC=full saturation ≥ 0.5× normal', value: '—', met: null, note: 'not measured' },
  )
  return checks
}

/** why a latency summary cannot be compared: incomplete delivery or a generator that was the limit */
function unreliable(s: Summary): string[] {
  const why: string[] = []
  if ((s.median.deliveryPct ?? 100) < 99) why.push(`${s.target} delivered ${fmt(s.median.deliveryPct, 1)} %`)
  if (s.lagging) why.push(`generator lag on ${s.target}`)
  if ((s.median.generatorElu ?? 0) > GENERATOR_BUSY_ELU) why.push(`generator busy on ${s.target}`)
  return why
}

// ---------------------------------------------------------------- tables

interface Column {
  title: string
  get: (s: Summary) => string
}

const med = (k: string, digits = 1) => (s: Summary) => fmt(s.median[k], digits)
const rat = (base: Baseline, m: Metric) => (s: Summary) =>
  s.target === BASELINE_TARGET[base] ? '1' : compared(base, s.target) ? fmt(s.ratio[base][m], 2) : ''
/** a generator event loop busier than this is the limit, not the server */
const GENERATOR_BUSY_ELU = 0.9
/** other processes using more than this share of a core made the window noisy */
const NOISY_HOST_PCT = 25
const flags = (s: Summary) =>
  [
    s.failed ? `${s.failed}/${s.runs} failed` : '',
    s.lagging ? 'generator lag' : '',
    s.scenario === 'saturation' && s.median.maxRate === 0 ? 'failed the first step' : '',
    (s.median.generatorElu ?? 0) > GENERATOR_BUSY_ELU ? 'generator busy' : '',
    (s.median.hostOtherCpuPct ?? 0) > NOISY_HOST_PCT ? `noisy host (+${fmt(s.median.hostOtherCpuPct, 0)} % CPU elsewhere)` : '',
    s.errors.length ? `${s.errors.length} error(s)` : '',
  ]
    .filter(Boolean)
    .join(', ')
/** webhook POSTs the live receivers got during the measurement (skillmap-yws-hooks), blank elsewhere */
const hookCol = (s: Summary) => (Number.isFinite(s.median.hookDeliveries) ? `${fmt(s.median.hookDeliveries, 0)} to ${fmt(s.median.hookLive, 0)} live` : '')
const spread = (digits: number) => (s: Summary) => (s.spread ? `${fmt(s.spread[0], digits)}–${fmt(s.spread[1], digits)}` : '')

const LATENCY: Column[] = [
  { title: 'p50 ms', get: med('p50', 2) },
  { title: 'p95 ms', get: med('p95', 2) },
  { title: 'p99 ms', get: med('p99', 2) },
  { title: 'p99 range', get: spread(1) },
  { title: 'p99 ×raw', get: rat('raw', 'p99') },
  { title: 'p99 ×hocus', get: rat('hocuspocus', 'p99') },
  { title: 'p99 ×sqlite', get: rat('sqlite', 'p99') },
  { title: 'p99 ×none', get: rat('none', 'p99') },
  { title: 'upd/s delivered', get: med('deliveredPerSec', 0) },
  { title: 'deliv %', get: med('deliveryPct', 2) },
  { title: 'CPU %', get: med('cpuPct', 1) },
  { title: 'CPU ×raw', get: rat('raw', 'cpuPct') },
  { title: 'CPU ×hocus', get: rat('hocuspocus', 'cpuPct') },
  { title: 'CPU ×sqlite', get: rat('sqlite', 'cpuPct') },
  { title: 'CPU ×none', get: rat('none', 'cpuPct') },
  { title: 'RSS MB', get: med('rssMB', 1) },
  { title: 'gen CPU %', get: med('generatorCpuPct', 0) },
]

const COLUMNS: Record<Scenario, Column[]> = {
  fanout: [
    ...LATENCY,
    { title: 'KB/conn', get: med('rssPerConnKB', 1) },
    { title: 'connect ms', get: med('connectMs', 0) },
    { title: 'gen lag p99 ms', get: med('lagP99Ms', 1) },
    { title: 'hook deliveries', get: hookCol },
  ],
  manydocs: [
    ...LATENCY,
    { title: 'KB/conn', get: med('rssPerConnKB', 1) },
    { title: 'KB/doc', get: med('rssPerDocKB', 1) },
    { title: 'RSS/conn ×hocus', get: rat('hocuspocus', 'rssPerConnKB') },
    { title: 'connect ms', get: med('connectMs', 0) },
  ],
  saturation: [
    { title: 'max upd/s', get: med('maxRate', 0) },
    { title: 'range', get: spread(0) },
    { title: '×raw', get: rat('raw', 'maxRate') },
    { title: '×hocus', get: rat('hocuspocus', 'maxRate') },
    { title: '×sqlite', get: rat('sqlite', 'maxRate') },
    { title: '×none', get: rat('none', 'maxRate') },
    { title: 'p50 ms at max', get: med('p50', 2) },
    { title: 'p99 ms at max', get: med('p99', 2) },
    { title: 'deliveries/s at max', get: med('deliveredPerSec', 0) },
    { title: 'CPU % at max', get: med('cpuPct', 1) },
    { title: 'RSS MB', get: med('rssMB', 1) },
    { title: 'hook deliveries', get: hookCol },
  ],
  coldload: [
    { title: 'state KB', get: med('stateKB', 0) },
    { title: 'first state ms', get: med('coldFirstStateMs', 0) },
    { title: 'complete ms', get: med('coldCompleteMs', 0) },
    { title: 'range', get: spread(0) },
    { title: '×hocus', get: rat('hocuspocus', 'coldCompleteMs') },
    { title: '×sqlite', get: rat('sqlite', 'coldCompleteMs') },
    { title: 'warm complete ms', get: med('warmCompleteMs', 0) },
    { title: 'RSS MB', get: med('rssMB', 1) },
  ],
  cross: [
    ...LATENCY,
    { title: 'p99 other instance ms', get: med('p99Remote', 2) },
    { title: 'p99 other ×sqlite', get: rat('sqlite', 'p99Remote') },
    { title: 'gen lag p99 ms', get: med('lagP99Ms', 1) },
  ],
  abuse: [
    { title: 'p99 ms alone', get: med('p99', 2) },
    { title: 'p99 ms attacked', get: med('p99Attack', 2) },
    { title: 'p99 attacked ÷ alone', get: med('p99AttackRatio', 2) },
    { title: 'p50 ms alone', get: med('p50', 2) },
    { title: 'p50 ms attacked', get: med('p50Attack', 2) },
    { title: 'deliv % attacked', get: med('deliveryPctAttack', 2) },
    { title: 'bombs', get: med('bombs', 0) },
    { title: 'bombers closed', get: med('bombsClosed', 0) },
    { title: 'CPU % alone', get: med('cpuPct', 1) },
    { title: 'CPU % attacked', get: med('cpuPctAttack', 1) },
  ],
  history: [
    { title: 'rows', get: med('histLastSeq', 0) },
    { title: 'seed upd/s', get: med('seedRate', 0) },
    { title: 'checkpoints', get: med('checkpoints', 0) },
    { title: 'max replay rows', get: med('maxReplayRows', 0) },
    { title: 'state KB', get: med('stateKB', 0) },
    { title: 'cold ms', get: med('histColdMs', 0) },
    { title: 'compacted cold ms', get: med('compactColdMs', 0) },
    { title: 'cold ÷ compacted', get: med('histColdRatio', 2) },
    { title: 'cold ×sqlite', get: rat('sqlite', 'histColdMs') },
    { title: 'warm ms', get: med('histWarmMs', 0) },
    { title: 'compacted warm ms', get: med('compactWarmMs', 0) },
    { title: 'snapshot p50 ms', get: med('snapshotP50', 1) },
    { title: 'snapshot p99 ms', get: med('snapshotP99', 1) },
    { title: 'snapshot ×sqlite', get: rat('sqlite', 'snapshotP99') },
    { title: 'first snapshot ms', get: med('snapshotFirstMs', 1) },
    { title: 'page p50 ms', get: med('pageP50', 1) },
    { title: 'page p99 ms', get: med('pageP99', 1) },
    { title: 'page ×sqlite', get: rat('sqlite', 'pageP99') },
    { title: 'first page ms', get: med('pageFirstMs', 1) },
    { title: 'changes/page', get: med('pageChanges', 0) },
    { title: 'RSS MB', get: med('rssMB', 1) },
  ],
}

const TITLES: Record<Scenario, string> = {
  fanout: 'fan-out: 1 document, N clients, 10 writers × 5 updates/s',
  saturation: 'saturation: 20 clients, 10 writers, rate doubled until p99 > 100 ms (highest passing rate)',
  manydocs: 'many-docs: D documents × 2 clients, each writing 0.2 updates/s',
  coldload: 'cold-load: long history, server restarted, time until a new client holds the whole document',
  cross: 'cross-instance: 2 skillmap instances through Redis (SQLite: one DATA_DIR; PostgreSQL: one database), writers on one, readers on both',
  abuse: 'abuse: fan-out on one document alone, then while one connection sends update bombs (yjs#687) to another, reconnecting whenever closed',
  history:
    'history: a long log (one rating per update) against the same state as one update, each after a restart; snapshot?version= and history pages of 100 (one request at a time, nearest-rank p50/p99)',
}

function table(scenario: Scenario, list: Summary[]): string[][] {
  const cols = COLUMNS[scenario]
  const header = ['target', 'variant', ...cols.map((c) => c.title), 'notes']
  return [header, ...list.map((s) => [s.target, s.variant, ...cols.map((c) => c.get(s)), flags(s)])]
}

/**
 * Memory per connection between the smallest and the largest many-docs size, from the loaded RSS
 * medians: free of the start-up baseline, which at small sizes can even make growth negative.
 */
export function marginalMemory(summaries: Summary[]): string[] {
  const out: string[] = []
  const many = summaries.filter((s) => s.scenario === 'manydocs' && Number.isFinite(s.median.rssMB) && s.median.clients)
  for (const target of new Set(many.map((s) => s.target))) {
    const sizes = many.filter((s) => s.target === target).sort((a, b) => a.median.clients! - b.median.clients!)
    const lo = sizes[0]
    const hi = sizes.at(-1)
    if (!lo || !hi || lo === hi) continue
    const grownKB = (hi.median.rssMB! - lo.median.rssMB!) * 1024
    const perConn = grownKB / (hi.median.clients! - lo.median.clients!)
    const perDoc = grownKB / (hi.median.docs! - lo.median.docs!)
    out.push(`${target}: ${fmt(perConn, 1)} KB per connection, ${fmt(perDoc, 1)} KB per document (${lo.variant} → ${hi.variant})`)
  }
  return out
}

export function renderText(summaries: Summary[], checks: Check[]): string {
  const lines: string[] = []
  for (const scenario of Object.keys(COLUMNS) as Scenario[]) {
    const list = summaries.filter((s) => s.scenario === scenario)
    if (!list.length) continue
    const t = table(scenario, list)
    const widths = t[0]!.map((_, i) => Math.max(...t.map((r) => r[i]!.length)))
    lines.push('', `== ${TITLES[scenario]}`)
    for (const r of t) lines.push(r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd())
    if (scenario === 'manydocs') for (const m of marginalMemory(summaries)) lines.push(`marginal RSS, ${m}`)
  }
  lines.push('', '== targets (reported, not asserted)')
  for (const c of checks) lines.push(`${verdict(c).padStart(6)}  ${c.name}: ${c.value}${c.note ? ` (${c.note})` : ''}`)
  return lines.join('\n')
}

export function renderMarkdown(summaries: Summary[], checks: Check[], meta: Record<string, unknown>): string {
  const out: string[] = ['# skillmap benchmark', '']
  for (const [k, v] of Object.entries(meta)) out.push(`- ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
  for (const scenario of Object.keys(COLUMNS) as Scenario[]) {
    const list = summaries.filter((s) => s.scenario === scenario)
    if (!list.length) continue
    const t = table(scenario, list)
    out.push('', `## ${TITLES[scenario]}`, '', `| ${t[0]!.join(' | ')} |`, `|${t[0]!.map(() => '---').join('|')}|`)
    for (const r of t.slice(1)) out.push(`| ${r.join(' | ')} |`)
    if (scenario === 'manydocs') {
      const m = marginalMemory(summaries)
      if (m.length) out.push('', 'Marginal RSS (between the many-docs sizes):', '', ...m.map((x) => `- ${x}`))
    }
  }
  out.push('', '## targets (reported, not asserted)', '', '| target | value | met | note |', '|---|---|---|---|')
  for (const c of checks) out.push(`| ${c.name} | ${c.value} | ${verdict(c)} | ${c.note} |`)
  const errors = summaries.filter((s) => s.errors.length)
  if (errors.length) {
    out.push('', '## errors', '')
    for (const s of errors) for (const e of s.errors) out.push(`- ${s.scenario} ${s.variant} ${s.target}: ${e.split('\n')[0]}`)
  }
  return out.join('\n') + '\n'
}

/** MET / MISS; `n/a` when not measured; `?` when measured but not comparable */
function verdict(c: Check): string {
  if (c.met !== null) return c.met ? 'MET' : 'MISS'
  return c.value === '—' ? 'n/a' : '?'
}

export function fmt(v: number | undefined, digits: number): string {
  if (v === undefined || !Number.isFinite(v)) return '—'
  return v.toFixed(digits)
}
