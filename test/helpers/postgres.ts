// A real PostgreSQL per suite (or per test process), the way redis.ts starts redis-server: initdb into
// a temporary directory, then `postgres` on a free port, from the folder `pg_config --bindir` names.
// PostgreSQL refuses to run as root, so as root the directory is given to the `postgres` user and
// both run under `runuser`. It is stopped when the suite closes it, and at the latest on process exit.
// A detached one (the matrix's shared server, see database.ts) is closed by nobody: it does not keep
// the event loop alive, so the test process ends when its tests do, and the exit hook stops it.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import type net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { freePort } from './redis.js'
import { nextEvent, within } from './wait.js'

export interface TestPostgres {
  /** the `postgres` database of the server, as the superuser */
  url: string
  /** stops the server (fast shutdown: clients are disconnected) and waits for it to exit */
  stop(): Promise<void>
  /** starts it again on the same port and data directory */
  start(): Promise<void>
  /** a fresh, empty database on this server; its URL */
  createDatabase(name?: string): Promise<string>
  /** stops the server for good and removes its directory */
  close(): Promise<void>
}

const START_TIMEOUT_MS = 20_000
const STOP_TIMEOUT_MS = 10_000

const bindir = (): string => execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim()

/** As root: the `postgres` user's ids, to hand it the directory and run the binaries under `runuser`. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim())
  return { uid: id('-u'), gid: id('-g') }
}

/** Every server still running, for the exit hook. */
const running = new Set<{ dir: string; pid(): number | undefined }>()

function killNow(server: { dir: string; pid(): number | undefined }): void {
  const pid = server.pid()
  if (pid !== undefined) {
    try {
      // Immediate shutdown: the process exits at once, and the next start would recover anyway.
      process.kill(pid, 'SIGQUIT')
      spawnSync('timeout', ['5', 'tail', `--pid=${pid}`, '-f', '/dev/null'])
    } catch {
      // already gone
    }
  }
  fs.rmSync(server.dir, { recursive: true, force: true })
}

process.on('exit', () => running.forEach(killNow))
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    running.forEach(killNow)
    process.kill(process.pid, signal)
  })
}

export interface PostgresOptions {
  /** neither the process nor its pipes hold the event loop; only the exit hook stops it */
  detached?: boolean
}

export async function startPostgres({ detached = false }: PostgresOptions = {}): Promise<TestPostgres> {
  const bin = bindir()
  const user = postgresUser()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skillmap-pg-'))
  if (user !== undefined) fs.chownSync(dir, user.uid, user.gid)
  const command = (name: string, args: string[]): [string, string[]] =>
    user === undefined ? [path.join(bin, name), args] : ['runuser', ['-u', 'postgres', '--', path.join(bin, name), ...args]]

  const [initdb, initArgs] = command('initdb', ['-D', dir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'])
  const init = spawnSync(initdb, initArgs, { encoding: 'utf8', timeout: 60_000 })
  if (init.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true })
    throw new Error(`initdb failed (${init.status ?? init.signal}):\n${init.stdout}\n${init.stderr}`)
  }

  const port = await freePort()
  let proc: ChildProcess | undefined
  /** The postmaster's own pid (under runuser, the child is runuser): signals go to it directly. */
  const pid = (): number | undefined => {
    try {
      return Number(fs.readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n')[0])
    } catch {
      return undefined
    }
  }
  const server = { dir, pid }
  running.add(server)

  const start = async (): Promise<void> => {
    const [postgres, args] = command('postgres', [
      '-D', dir, '-p', String(port), '-k', dir,
      '-c', 'listen_addresses=127.0.0.1',
      // A throwaway server: durability across power loss buys nothing here.
      '-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'synchronous_commit=off',
      '-c', 'max_connections=200',
    ])
    const child = spawn(postgres, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    proc = child
    let out = ''
    const onData = (d: Buffer): void => {
      out += d.toString()
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    await within(
      Promise.race([
        nextEvent(child.stderr!, 'data', { accept: () => /ready to accept connections/.test(out), timeout: START_TIMEOUT_MS }),
        nextEvent(child, 'exit', { timeout: START_TIMEOUT_MS }).then(() => Promise.reject(new Error(`postgres exited:\n${out}`))),
      ]),
      START_TIMEOUT_MS,
      'postgres to start',
    )
    if (detached) {
      child.unref()
      for (const pipe of [child.stdout, child.stderr]) (pipe as net.Socket).unref()
    }
  }

  const stop = async (): Promise<void> => {
    const child = proc
    proc = undefined
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
    const exited = nextEvent(child, 'exit', { timeout: STOP_TIMEOUT_MS })
    const postmaster = pid()
    // SIGINT is PostgreSQL's fast shutdown (SIGTERM would wait for every client to leave).
    if (postmaster !== undefined) process.kill(postmaster, 'SIGINT')
    else child.kill('SIGINT')
    await exited
  }

  let made = 0
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`
  const createDatabase = async (name = `t${process.pid}_${++made}`): Promise<string> => {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`)
    } finally {
      await client.end()
    }
    return `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(name)}`
  }

  const close = async (): Promise<void> => {
    try {
      await stop()
    } finally {
      running.delete(server)
      killNow(server)
    }
  }

  try {
    await start()
  } catch (err) {
    await close().catch(() => {})
    throw err
  }
  return { url, stop, start, createDatabase, close }
}
