// Command line and the scenario plan (full, or --quick for the CI smoke run).
import { parseArgs } from 'node:util'

export const SCENARIOS = ['fanout', 'saturation', 'manydocs', 'coldload', 'cross', 'abuse', 'history'] as const
export type Scenario = (typeof SCENARIOS)[number]
/** the size the history goals are set for (CONTRACT §9): judged in a full run only */
export const HISTORY_FULL_UPDATES = 100_000
export const DEFAULT_TARGETS = ['raw', 'hocuspocus', 'skillmap-yws', 'skillmap-pg', 'skillmap-sio', 'skillmap-yws-hooks']
/** targets measured in some scenarios only (skillmap-yws-hooks: fan-out and saturation, against skillmap-yws) */
export const SCENARIOS_OF: Record<string, readonly Scenario[]> = { 'skillmap-yws-hooks': ['fanout', 'saturation'] }

export interface Plan {
  quick: boolean
  repeat: number
  targets: string[]
  scenarios: Scenario[]
  /** run saturation a second time on skillmap-yws with SQLITE_SYNC=full */
  syncFull: boolean
  outDir: string
  fanout: { clients: number[]; writers: number; ratePerWriter: number; warmupMs: number; durationMs: number }
  saturation: { clients: number; writers: number; startRate: number; factor: number; maxSteps: number; retries: number; p99LimitMs: number; warmupMs: number; durationMs: number }
  manydocs: { docs: number[]; clientsPerDoc: number; ratePerWriter: number; warmupMs: number; durationMs: number }
  coldload: { updates: number; loads: number }
  cross: { clients: number; writers: number; ratePerWriter: number; warmupMs: number; durationMs: number }
  /** fan-out on one document, measured without and then with an attacker on another (same server, same clients) */
  abuse: { clients: number; writers: number; ratePerWriter: number; warmupMs: number; durationMs: number }
  /**
   * a document whose log holds `updates` rows, against the same state as one update: `cycles` × a
   * restart per document (cold load, then `loads` − 1 warm ones), then `versions` snapshots and
   * `pages` history pages of `limit` changes
   */
  history: { updates: number; writers: number; cycles: number; loads: number; versions: number; pages: number; limit: number }
  connectConcurrency: number
  awarenessRenewMs: number
  drainMs: number
}

const HELP = `npm run bench -- [options]

  --quick                 small scenarios, 1 repeat, short windows (CI smoke run, ~2.5 min)
  --targets a,b           ${DEFAULT_TARGETS.join(',')} (default: all six)
                          skillmap-yws-hooks (5 webhook endpoints, 1 dead): fan-out and saturation only
  --scenarios a,b         ${SCENARIOS.join(',')} (default: all)
                          history: skillmap-yws and skillmap-pg (quick: skillmap-yws, 3000 updates);
                          its goals are judged at ${HISTORY_FULL_UPDATES} updates (full run), n/a otherwise
  --repeat N              repeats per measurement, medians reported (default 3, quick 1)
  --clients a,b           fan-out sizes instead of the plan's (e.g. 500)
  --no-sync-full          skip the SQLITE_SYNC=full saturation run of skillmap-yws
  --out DIR               where JSON and Markdown go (default bench/results)
  --help
`

type Base = Omit<Plan, 'fanout' | 'saturation' | 'manydocs' | 'coldload' | 'cross' | 'abuse' | 'history'>

export function parsePlan(argv: string[]): Plan {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      targets: { type: 'string' },
      scenarios: { type: 'string' },
      repeat: { type: 'string' },
      clients: { type: 'string' },
      'no-sync-full': { type: 'boolean', default: false },
      out: { type: 'string', default: 'bench/results' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  })
  if (values.help) {
    process.stdout.write(HELP)
    process.exit(0)
  }
  const quick = values.quick!
  const list = (s: string | undefined) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : undefined)
  const targets = list(values.targets) ?? DEFAULT_TARGETS
  for (const t of targets) if (!DEFAULT_TARGETS.includes(t)) throw new Error(`unknown target ${t} (known: ${DEFAULT_TARGETS.join(', ')})`)
  const scenarios = (list(values.scenarios) ?? [...SCENARIOS]) as Scenario[]
  for (const s of scenarios) if (!SCENARIOS.includes(s)) throw new Error(`unknown scenario ${s} (known: ${SCENARIOS.join(', ')})`)
  const repeat = values.repeat ? Number(values.repeat) : quick ? 1 : 3
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 20) throw new Error('--repeat must be an integer from 1 to 20')

  const base = {
    quick,
    repeat,
    targets,
    scenarios,
    syncFull: !values['no-sync-full'],
    outDir: values.out!,
    connectConcurrency: 50,
    // y-protocols renews awareness every 15 s (half its 30 s timeout)
    awarenessRenewMs: 15_000,
    drainMs: 2_000,
  }
  const fanoutClients = list(values.clients)?.map(Number)
  if (fanoutClients?.some((n) => !Number.isInteger(n) || n < 2 || n > 5000)) throw new Error('--clients takes integers from 2 to 5000')
  const plan = quick ? quickPlan(base) : fullPlan(base)
  if (fanoutClients) plan.fanout.clients = fanoutClients
  return plan
}

function quickPlan(base: Base): Plan {
  return {
    ...base,
    fanout: { clients: [100], writers: 10, ratePerWriter: 5, warmupMs: 500, durationMs: 1500 },
    saturation: { clients: 20, writers: 10, startRate: 1000, factor: 2, maxSteps: 3, retries: 0, p99LimitMs: 100, warmupMs: 300, durationMs: 1000 },
    manydocs: { docs: [100], clientsPerDoc: 2, ratePerWriter: 0.2, warmupMs: 500, durationMs: 1500 },
    coldload: { updates: 2000, loads: 2 },
    cross: { clients: 20, writers: 10, ratePerWriter: 5, warmupMs: 500, durationMs: 1500 },
    abuse: { clients: 100, writers: 10, ratePerWriter: 5, warmupMs: 500, durationMs: 2000 },
    history: { updates: 3000, writers: 4, cycles: 1, loads: 2, versions: 10, pages: 10, limit: 100 },
    drainMs: 1000,
  }
}

function fullPlan(base: Base): Plan {
  return {
    ...base,
    fanout: { clients: [10, 100, 500], writers: 10, ratePerWriter: 5, warmupMs: 3000, durationMs: 10_000 },
    saturation: { clients: 20, writers: 10, startRate: 500, factor: 2, maxSteps: 8, retries: 1, p99LimitMs: 100, warmupMs: 2000, durationMs: 5000 },
    manydocs: { docs: [100, 1000], clientsPerDoc: 2, ratePerWriter: 0.2, warmupMs: 2000, durationMs: 10_000 },
    coldload: { updates: 20_000, loads: 3 },
    cross: { clients: 40, writers: 10, ratePerWriter: 5, warmupMs: 3000, durationMs: 10_000 },
    abuse: { clients: 100, writers: 10, ratePerWriter: 5, warmupMs: 2000, durationMs: 10_000 },
    history: { updates: HISTORY_FULL_UPDATES, writers: 4, cycles: 5, loads: 2, versions: 20, pages: 40, limit: 100 },
  }
}
