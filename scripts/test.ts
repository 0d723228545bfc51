// `npm test`: the whole suite on SQLite, as always, then the suites that exercise the store again with
// SKILLMAP_TEST_DB=postgres (test/helpers/database.ts: every server the helpers start serves from a
// private PostgreSQL, one database per DATA_DIR). Both passes run even if the first fails, so that
// one CI run shows both; the exit code is non-zero if either failed.
//   npm test                   both passes
//   npm test -- sqlite         the first only
//   npm test -- postgres       the second only
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

/**
 * The suites that run on PostgreSQL too: everything that writes, reads, shares or survives documents
 * through the store, across instances and restarts, and the REST and viewer paths that read it.
 * Left out: browser suites (slow, and they reach the store only through these same routes), pure
 * unit suites (no server, nothing to do with the database), and store-contract, which runs both
 * backends by itself. multi-host is PostgreSQL-only and already ran in the first pass.
 */
export const POSTGRES_SUITES = [
  'abuse-limits',
  'backlog',
  'cluster',
  'collab',
  'docs-api',
  'durability',
  'health',
  'history',
  'import',
  'limits',
  'permissions',
  'revocation',
  'rolling-restart',
  'snapshot-api',
  'startup',
  'tickets',
  'tokens-api',
  'webhooks',
  'webhooks-cluster',
  'webhooks-crash',
]

function uvu(args: string[], env: Record<string, string>): boolean {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'node_modules/uvu/bin.js', 'test', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: 'inherit',
  })
  if (run.error !== undefined) console.error(run.error)
  return run.status === 0
}

const only = process.argv[2]
if (only !== undefined && only !== 'sqlite' && only !== 'postgres') {
  console.error(`usage: npm test [-- sqlite | postgres], got "${only}"`)
  process.exit(2)
}

const passes: Array<[string, () => boolean]> = [
  ['sqlite', () => uvu(['-i', 'helpers'], { SKILLMAP_TEST_DB: 'sqlite' })],
  ['postgres', () => uvu([`^(${POSTGRES_SUITES.join('|')})\\.test\\.ts$`], { SKILLMAP_TEST_DB: 'postgres' })],
]
const failed: string[] = []
for (const [name, run] of passes) {
  if (only !== undefined && only !== name) continue
  console.log(`\n== tests on ${name} ==`)
  if (!run()) failed.push(name)
}
if (failed.length > 0) {
  console.error(`\nfailed on: ${failed.join(', ')}`)
  process.exit(1)
}
