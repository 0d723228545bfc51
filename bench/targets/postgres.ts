// A private PostgreSQL for skillmap-pg: one server per bench run, a fresh database per measurement.
// Started like test/helpers/postgres.ts (initdb into a temp directory, then `postgres` on a free port
// from `pg_config --bindir`, both as the `postgres` user under runuser when root), but its own copy:
// the test helper turns fsync off and hooks signals for a test process, and the bench measures with
// the durability a deployment has (fsync, synchronous_commit: the defaults), pinned to the server core
// like redis-server, because the database's CPU is part of what the server costs.
import { execFileSync, spawnSync, type ChildProcess } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { exited, freePort, sleep, spawnPinned, stopChild, tail, waitExit } from '../proc.js'
import { SERVER_CORE } from './index.js'

const START_TIMEOUT_MS = 30_000
const STOP_TIMEOUT_MS = 10_000

export interface BenchPostgres {
  port: number
  /** a fresh, empty database; its URL (no password: trust authentication on 127.0.0.1) */
  createDatabase(): Promise<string>
  /** drops a database made by createDatabase (its servers are gone); errors are ignored */
  dropDatabase(url: string): Promise<void>
  stop(): Promise<void>
}

/** Why PostgreSQL cannot run here, or undefined when it can. */
export function postgresMissing(): string | undefined {
  try {
    const bin = bindir()
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'postgres'))) return undefined
    return `PostgreSQL server binaries not found in ${bin} (install the postgresql package)`
  } catch {
    return 'PostgreSQL not installed: `pg_config` not found (install the postgresql package)'
  }
}

const bindir = (): string => execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()

/** As root: PostgreSQL refuses to run as root, so the directory goes to `postgres` and the binaries run under runuser. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim())
  return { uid: id('-u'), gid: id('-g') }
}

let shared: Promise<BenchPostgres> | undefined
let liveDir: string | undefined

/** The run's PostgreSQL, started on first use. */
export function benchPostgres(logDir: string): Promise<BenchPostgres> {
  shared ??= startPostgres(logDir).catch((err) => {
    shared = undefined // a later measurement tries again, and reports its own failure
    throw err
  })
  return shared
}

/** Stops the run's PostgreSQL if one was started (end of run). */
export async function stopBenchPostgres(): Promise<void> {
  const running = shared
  shared = undefined
  if (running) await (await running.catch(() => undefined))?.stop()
}

// run.ts's exit hook SIGKILLs the process group (proc.ts killAll); the directory goes with it.
process.on('exit', () => {
  if (liveDir) killPostmaster(liveDir, 'SIGKILL')
  if (liveDir) rmSync(liveDir, { recursive: true, force: true })
})

/** Under runuser the child is runuser: signals go to the postmaster itself, named in postmaster.pid. */
function killPostmaster(dir: string, signal: NodeJS.Signals): boolean {
  try {
    const pid = Number(readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n')[0])
    if (!pid) return false
    process.kill(pid, signal)
    return true
  } catch {
    return false
  }
}

async function startPostgres(logDir: string): Promise<BenchPostgres> {
  const missing = postgresMissing()
  if (missing) throw new Error(missing)
  const bin = bindir()
  const user = postgresUser()
  const dir = mkdtempSync(join(tmpdir(), 'skillmap-bench-pg-'))
  liveDir = dir
  const remove = () => {
    rmSync(dir, { recursive: true, force: true })
    if (liveDir === dir) liveDir = undefined
  }
  if (user) chownSync(dir, user.uid, user.gid)
  const command = (name: string, args: string[]): [string, string[]] =>
    user ? ['runuser', ['-u', 'postgres', '--', join(bin, name), ...args]] : [join(bin, name), args]

  // --no-sync only skips initdb's own flush of the template files; the server below fsyncs its commits.
  const [initdb, initArgs] = command('initdb', ['-D', dir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'])
  const init = spawnSync(initdb, initArgs, { encoding: 'utf8', timeout: 60_000 })
  if (init.status !== 0) {
    remove()
    throw new Error(`initdb failed (${init.status ?? init.signal}):\n${init.stdout}\n${init.stderr}`)
  }

  const port = await freePort()
  const logFile = join(logDir, `postgres-${port}.log`)
  const [postgres, args] = command('postgres', ['-D', dir, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1'])
  const child = spawnPinned(postgres, args, { core: SERVER_CORE, logFile })
  child.on('error', () => {}) // reported below through exited()
  const admin = `postgres://postgres@127.0.0.1:${port}/postgres`

  const stop = async (): Promise<void> => {
    // SIGINT: fast shutdown (clients are disconnected, a checkpoint is written); then the group is killed.
    if (!exited(child) && !killPostmaster(dir, 'SIGINT')) child.kill('SIGINT')
    await waitExit(child, STOP_TIMEOUT_MS)
    await stopChild(child, 0)
    remove()
  }

  try {
    await waitReady(admin, child, logFile)
  } catch (err) {
    await stop()
    throw err
  }

  let made = 0
  return {
    port,
    createDatabase: async () => {
      const name = `bench_${++made}`
      await withClient(admin, (c) => c.query(`CREATE DATABASE ${name}`))
      return `postgres://postgres@127.0.0.1:${port}/${name}`
    },
    dropDatabase: async (url) => {
      const name = new URL(url).pathname.slice(1)
      // FORCE: a killed server's backends may not have noticed yet that their client is gone
      await withClient(admin, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).catch(() => {})
    },
    stop,
  }
}

async function waitReady(url: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS
  for (;;) {
    if (exited(child)) throw new Error(`postgres exited (${child.exitCode ?? child.signalCode}) at start\n--- ${logFile}\n${tail(logFile)}`)
    try {
      await withClient(url, (c) => c.query('SELECT 1'))
      return
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections within ${START_TIMEOUT_MS} ms: ${(err as Error).message}\n--- ${logFile}\n${tail(logFile)}`)
    }
    await sleep(100)
  }
}

export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 })
  client.on('error', () => {}) // a connection the server drops fails the query in flight instead
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end().catch(() => {})
  }
}

/**
 * Throws unless the server behind `url` really holds skillmap's tables (its migrations ran there);
 * with `rows`, also unless doc_updates has rows: a server that ignored DATABASE_URL (and wrote to
 * SQLite in its DATA_DIR) must fail the measurement, not pass as PostgreSQL.
 */
export async function checkSkillmapDatabase(url: string, opts: { rows: boolean }): Promise<number> {
  const name = new URL(url).pathname.slice(1)
  return withClient(url, async (c) => {
    const t = await c.query<{ ok: boolean }>(`SELECT to_regclass('public.documents') IS NOT NULL AND to_regclass('public.doc_updates') IS NOT NULL AS ok`)
    if (!t.rows[0]?.ok) throw new Error(`skillmap answered, but PostgreSQL database ${name} has no documents / doc_updates table: the server did not use DATABASE_URL`)
    const n = Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM doc_updates')).rows[0]?.n ?? 0)
    if (opts.rows && n === 0) throw new Error(`PostgreSQL database ${name} has no doc_updates rows after the measurement: the server did not store its updates there`)
    return n
  })
}

/** The seqs of a document's checkpoints (doc_checkpoints), read-only: what its loads and versions start from. */
export async function checkpointSeqsPostgres(url: string, docId: string): Promise<number[]> {
  return withClient(url, async (c) => (await c.query<{ seq: string }>('SELECT seq FROM doc_checkpoints WHERE doc_id = $1 ORDER BY seq', [docId])).rows.map((r) => Number(r.seq)))
}
