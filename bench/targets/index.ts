// The servers under test: what each one is, how to start it pinned to the server core, and the
// endpoints the generator's clients connect to.
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { freePort, spawnPinned, stopChild, tail, waitHttp } from '../proc.js'
import type { Endpoint, Framing } from '../types.js'
import { checkSkillmapDatabase, postgresMissing } from './postgres.js'
import { REPO_ROOT, SKILLMAP_ENTRY, mintToken, skillmapEnv, skillmapMissing } from './skillmap.js'
import { registerHooks, type Hooks, type WebhookPlan } from './webhooks.js'

/** servers run on core 0, the generator on core 1 (as in perf-anchors.md) */
export const SERVER_CORE = 0
export const GENERATOR_CORE = 1
const START_TIMEOUT_MS = 30_000
const STOP_TIMEOUT_MS = 15_000

export interface TargetDef {
  name: string
  server: 'raw' | 'hocuspocus' | 'skillmap'
  framing: Framing
  /** extra environment for the server (e.g. SQLITE_SYNC=full) */
  env?: Record<string, string>
  /** skillmap's database: SQLite in DATA_DIR (the default), or the run's PostgreSQL through DATABASE_URL */
  db?: 'sqlite' | 'postgres'
  /** keeps documents across a restart (cold-load applies) */
  persists: boolean
  /** wait this long after the last client left before a restart: extension-sqlite does not await its writes */
  settleBeforeStopMs: number
  /** webhook endpoints registered after start, before the measurement (skillmap only; needs WEBHOOK_ALLOW_PRIVATE=true) */
  webhooks?: WebhookPlan
}

export const TARGETS: Record<string, TargetDef> = {
  raw: { name: 'raw', server: 'raw', framing: 'yws', persists: false, settleBeforeStopMs: 0 },
  hocuspocus: { name: 'hocuspocus', server: 'hocuspocus', framing: 'hocus', persists: true, settleBeforeStopMs: 1500 },
  'skillmap-yws': { name: 'skillmap-yws', server: 'skillmap', framing: 'yws', persists: true, settleBeforeStopMs: 0 },
  'skillmap-pg': { name: 'skillmap-pg', server: 'skillmap', framing: 'yws', db: 'postgres', persists: true, settleBeforeStopMs: 0 },
  'skillmap-sio': { name: 'skillmap-sio', server: 'skillmap', framing: 'sio', persists: true, settleBeforeStopMs: 0 },
  'skillmap-yws-full': {
    name: 'skillmap-yws-full',
    server: 'skillmap',
    framing: 'yws',
    env: { SQLITE_SYNC: 'full' },
    persists: true,
    settleBeforeStopMs: 0,
  },
  // issue 14: skillmap-yws with 5 webhook endpoints for every event of every document, 4 live, 1 dead
  'skillmap-yws-hooks': {
    name: 'skillmap-yws-hooks',
    server: 'skillmap',
    framing: 'yws',
    env: { WEBHOOK_ALLOW_PRIVATE: 'true' },
    webhooks: { live: 4, dead: 1 },
    persists: true,
    settleBeforeStopMs: 0,
  },
}

export interface RunningTarget {
  def: TargetDef
  pids: number[]
  endpoints: Endpoint[]
  /**
   * graceful: SIGTERM every instance and wait (it must persist, as before a cold-load restart);
   * true when all exited on their own in time. Otherwise SIGKILL: the data directory is thrown away,
   * and a graceful shutdown would only lengthen the run.
   */
  stop(opts?: { graceful: boolean }): Promise<boolean>
  /**
   * After a measurement that wrote: throws unless the updates are where the target says it stores
   * them (skillmap-pg: rows in its PostgreSQL database). Absent when there is nothing to check.
   */
  checkStored?(): Promise<void>
  /** the target's webhook receivers (skillmap-yws-hooks): what they were sent so far */
  hooks?: Hooks
}

export interface StartOptions {
  dataDir: string
  logDir: string
  /** several skillmap instances through Redis (cross-instance): on SQLite they share dataDir, on PostgreSQL each has its own */
  instances?: number
  redisUrl?: string
  /** required for a target with db 'postgres': a fresh database of the run's PostgreSQL */
  databaseUrl?: string
}

/** Why a target cannot run on this checkout, or undefined when it can. */
export function unavailable(def: TargetDef): string | undefined {
  if (def.server === 'skillmap') return skillmapMissing() ?? (def.db === 'postgres' ? postgresMissing() : undefined)
  if (def.server === 'hocuspocus' && !existsSync(join(REPO_ROOT, 'bench', 'node_modules', '@hocuspocus', 'server')))
    return 'bench dependencies are not installed: run `npm ci --prefix bench`'
  return undefined
}

/** subjects the bench's tokens are spread over: 32 × skillmap's 60 creations a minute covers many-docs' 1000 joins */
const TOKEN_SUBJECTS = 32

/** how often a start is tried: a busy shared host sometimes loses one (a signal from elsewhere, a slow start) */
const START_ATTEMPTS = 2

export async function startTarget(def: TargetDef, opts: StartOptions): Promise<RunningTarget> {
  const reason = unavailable(def)
  if (reason) throw new Error(`${def.name}: ${reason}`)
  mkdirSync(opts.dataDir, { recursive: true })
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(def, opts)
    } catch (err) {
      if (attempt >= START_ATTEMPTS) throw err
      console.error(`${def.name}: start failed, trying once more: ${(err as Error).message.split('\n')[0]}`)
    }
  }
}

async function startOnce(def: TargetDef, opts: StartOptions): Promise<RunningTarget> {
  const instances = opts.instances ?? 1
  if (def.db === 'postgres' && !opts.databaseUrl) throw new Error(`${def.name}: no databaseUrl to start with`)
  const started: { pid: number; stop: (timeoutMs: number) => Promise<boolean> }[] = []
  const endpoints: Endpoint[] = []
  const tokens = def.server === 'skillmap' ? await Promise.all(Array.from({ length: TOKEN_SUBJECTS }, (_, i) => mintToken(`bench-${i}`))) : ['bench']
  // instances start side by side: each one's start-up is part of no measurement
  const results = await Promise.allSettled(
    Array.from({ length: instances }, async (_, i) => {
      const port = await freePort()
      const logFile = join(opts.logDir, `${def.name}-${port}.log`)
      // on PostgreSQL nothing is shared through the disk: each instance its own DATA_DIR, as on two hosts
      const dataDir = def.db === 'postgres' ? join(opts.dataDir, `instance-${i}`) : opts.dataDir
      mkdirSync(dataDir, { recursive: true })
      const { script, env, health } = launchSpec(def, port, { ...opts, dataDir })
      const child = spawnPinned(process.execPath, ['--import', 'tsx', script], { core: SERVER_CORE, cwd: REPO_ROOT, env, logFile })
      started.push({ pid: child.pid!, stop: (timeoutMs) => stopChild(child, timeoutMs) })
      try {
        await waitHttp(`http://127.0.0.1:${port}${health}`, child, START_TIMEOUT_MS)
      } catch (err) {
        const why = thrown(logFile)
        throw new Error(`${def.name} did not start: ${(err as Error).message}${why ? `: ${why}` : ''}\n--- ${logFile}\n${tail(logFile)}`)
      }
      return { pid: child.pid!, port, endpoint: endpointFor(def, port, tokens) }
    }),
  )
  const failure = results.find((r) => r.status === 'rejected')
  if (failure) {
    await Promise.all(started.map((s) => s.stop(0)))
    throw failure.reason
  }
  const ok = results.map((r) => (r as PromiseFulfilledResult<{ pid: number; port: number; endpoint: Endpoint }>).value)
  endpoints.push(...ok.map((r) => r.endpoint))
  let hooks: Hooks | undefined
  const stopServers = async (o?: { graceful: boolean }) => (await Promise.all(started.map((s) => s.stop(o?.graceful ? STOP_TIMEOUT_MS : 0)))).every(Boolean)
  // the receivers outlive the servers' stop: a graceful stop may still deliver
  const stop = async (o?: { graceful: boolean }) => {
    const clean = await stopServers(o)
    await hooks?.close()
    return clean
  }
  if (def.webhooks) {
    // the endpoints are stored rows: with several instances one registration serves them all
    try {
      hooks = await registerHooks(`http://127.0.0.1:${ok[0]!.port}`, def.webhooks)
    } catch (err) {
      await stop()
      throw new Error(`${def.name}: ${(err as Error).message}`)
    }
  }
  const databaseUrl = def.db === 'postgres' ? opts.databaseUrl : undefined
  if (databaseUrl) {
    // a server that ignored DATABASE_URL would be measured on SQLite under the PostgreSQL name: refuse it
    try {
      await checkSkillmapDatabase(databaseUrl, { rows: false })
    } catch (err) {
      await stop()
      throw new Error(`${def.name}: ${(err as Error).message}`)
    }
  }
  return {
    def,
    pids: ok.map((r) => r.pid),
    endpoints,
    stop,
    ...(hooks ? { hooks } : {}),
    ...(databaseUrl
      ? {
          checkStored: async () => {
            await checkSkillmapDatabase(databaseUrl, { rows: true })
          },
        }
      : {}),
  }
}

/**
 * The error a server died of, from its log (Node prints `Error: message` above the stack), so that
 * the one line a failed measurement is reported by says why (e.g. a refused DATABASE_URL).
 */
function thrown(logFile: string): string | undefined {
  return tail(logFile, 200)
    .split('\n')
    .filter((l) => /^(\w*Error|error)(\s\[[\w_]+\])?:\s/.test(l.trim()))
    .at(-1)
    ?.trim()
}

function launchSpec(def: TargetDef, port: number, opts: StartOptions) {
  switch (def.server) {
    case 'raw':
      return { script: 'bench/targets/raw-relay.ts', env: { PORT: String(port) }, health: '/' }
    case 'hocuspocus':
      return { script: 'bench/targets/hocuspocus-server.ts', env: { PORT: String(port), DATA_DIR: opts.dataDir }, health: '/' }
    case 'skillmap':
      return {
        script: SKILLMAP_ENTRY,
        env: skillmapEnv({
          port,
          dataDir: opts.dataDir,
          ...(opts.redisUrl ? { redisUrl: opts.redisUrl } : {}),
          ...(def.db === 'postgres' && opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {}),
          ...(def.env ? { extra: def.env } : {}),
        }),
        health: '/healthz',
      }
  }
}

function endpointFor(def: TargetDef, port: number, tokens: string[]): Endpoint {
  switch (def.server) {
    case 'raw':
      return { framing: 'yws', url: `ws://127.0.0.1:${port}/{doc}`, tokens, handshake: false }
    case 'hocuspocus':
      return { framing: 'hocus', url: `ws://127.0.0.1:${port}/`, tokens, handshake: true }
    case 'skillmap':
      return def.framing === 'sio'
        ? { framing: 'sio', url: `http://127.0.0.1:${port}`, tokens, handshake: true }
        : { framing: 'yws', url: `ws://127.0.0.1:${port}/yjs/{doc}?token={token}`, tokens, handshake: true }
  }
}
