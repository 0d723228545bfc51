// Real servers for tests: in this process on 127.0.0.1:0, or as a child process (crash tests),
// each on a fresh temporary DATA_DIR unless one is given. Under SKILLMAP_TEST_DB=postgres both also
// get the PostgreSQL database of that DATA_DIR (database.ts).
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createAuth } from '../../server/auth.js'
import { createServer, type ServerDeps, type SkillmapServer } from '../../server/app.js'
import { loadConfig } from '../../server/config.js'
import type { Role } from '../../shared/protocol.js'
import { withDatabase } from './database.js'
import { nextEvent, within } from './wait.js'

export const TEST_SECRET = 'test-secret-that-is-long-enough-for-hs256'
const ROOT = fileURLToPath(new URL('../..', import.meta.url))

export function tempDir(prefix = 'skillmap-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix))
}

export function testEnv(env: Record<string, string> = {}): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: env.DATA_DIR ?? tempDir(),
    AUTH_SECRET: TEST_SECRET,
    LOG_LEVEL: 'silent',
    SEED_DEMO: 'false',
    UNLOAD_DELAY_MS: '20',
    ...env,
  }
}

const auth = createAuth(TEST_SECRET)

/** A token signed with the test secret. */
export function token(role: Role, doc = '*', name?: string, sub?: string): Promise<string> {
  return auth.mint({ role, doc, name: name ?? `${role} user`, sub: sub ?? `${role}-${doc}` })
}

export interface TestServer {
  server: SkillmapServer
  url: string
  wsUrl: string
  dataDir: string
  /** the PostgreSQL database it serves from; undefined on SQLite (the file in dataDir) */
  databaseUrl: string | undefined
  close(): Promise<void>
}

export async function startServer(env: Record<string, string> = {}, deps: ServerDeps = {}): Promise<TestServer> {
  const vars = await withDatabase(testEnv(env))
  const server = await createServer(loadConfig(vars), deps)
  const url = await server.listen()
  return { server, url, wsUrl: url.replace(/^http/, 'ws'), dataDir: vars.DATA_DIR!, databaseUrl: vars.DATABASE_URL || undefined, close: () => server.close() }
}

export interface ChildServer {
  child: ChildProcess
  url: string
  wsUrl: string
  /** resolves with the exit code (or signal) once the process ended */
  exited: Promise<number | string | null>
  output: () => string
  databaseUrl: string | undefined
}

/** `npm start`'s entry point in a child process; resolves once it prints its URL. */
export async function startChild(env: Record<string, string>): Promise<ChildServer> {
  const vars = await withDatabase(testEnv(env))
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    // DATABASE_URL always set, so that one in the shell running the tests never leaks into a test.
    env: { ...process.env, ...vars, DATABASE_URL: vars.DATABASE_URL ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()))
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => {
      // A grandchild (tsx's esbuild service) may still hold the pipes; they must not keep the tests alive.
      child.stdout!.destroy()
      child.stderr!.destroy()
      resolve(code ?? signal)
    }),
  )
  try {
    await within(
      Promise.race([
        nextEvent(child.stdout!, 'data', { accept: () => /skillmap is running at/.test(out), timeout: 20_000 }),
        exited.then((code) => Promise.reject(new Error(`server exited (${code}) before listening:\n${out}`))),
      ]),
      20_000,
      'the child server to listen',
    )
  } catch (err) {
    // A server that did not come up in time must not outlive the failed test (nor keep the run alive).
    child.kill('SIGKILL')
    throw err
  }
  const url = /skillmap is running at (\S+)/.exec(out)![1]!
  return { child, url, wsUrl: url.replace(/^http/, 'ws'), exited, output: () => out, databaseUrl: vars.DATABASE_URL || undefined }
}
