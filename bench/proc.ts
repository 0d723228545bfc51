// Child processes of the benchmark: pinned spawning, free ports, readiness polling, /proc sampling,
// and one registry so that every child (and its process group) dies with the orchestrator.
import { spawn, execFileSync, type ChildProcess, type StdioOptions } from 'node:child_process'
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { availableParallelism } from 'node:os'

const live = new Set<ChildProcess>()

export const canPin = availableParallelism() >= 2 && existsSync('/usr/bin/taskset') && !process.env.BENCH_NO_PIN

export interface SpawnOptions {
  /** CPU core to pin to (ignored when pinning is unavailable) */
  core: number
  env?: Record<string, string>
  cwd?: string
  /** stdout and stderr go to this file (so a chatty child can never block on a full pipe) */
  logFile: string
  ipc?: boolean
}

/** Starts `node <args>` (or another command) pinned to one core, in its own process group. */
export function spawnPinned(command: string, args: string[], opts: SpawnOptions): ChildProcess {
  const fd = openSync(opts.logFile, 'a')
  const stdio: StdioOptions = opts.ipc ? ['ignore', fd, fd, 'ipc'] : ['ignore', fd, fd]
  const [cmd, argv] = canPin ? ['taskset', ['-c', String(opts.core), command, ...args]] : [command, args]
  // taskset execs the command, so the pid we get is the pid of the command itself.
  const child = spawn(cmd, argv, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio,
    detached: true,
  })
  closeSync(fd)
  live.add(child)
  child.once('exit', () => live.delete(child))
  return child
}

export function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    // the group is already gone
  }
}

export function waitExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true)
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit)
      resolve(false)
    }, timeoutMs)
    const onExit = () => {
      clearTimeout(timer)
      resolve(true)
    }
    child.once('exit', onExit)
  })
}

/**
 * SIGTERM to the process, wait, then SIGKILL to its whole group. Returns true if it exited on its
 * own. With timeoutMs 0 it is SIGKILL at once (nothing of the server is needed any more).
 */
export async function stopChild(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (exited(child)) {
    killGroup(child, 'SIGKILL')
    return true
  }
  if (timeoutMs === 0) {
    killGroup(child, 'SIGKILL')
    await waitExit(child, 2000)
    return false
  }
  child.kill('SIGTERM')
  const clean = await waitExit(child, timeoutMs)
  killGroup(child, 'SIGKILL')
  if (!clean) await waitExit(child, 2000)
  return clean
}

export function killAll(): void {
  for (const child of live) killGroup(child, 'SIGKILL')
  live.clear()
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))))
    })
  })
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** Polls `url` until it answers 200, the child exits, or the timeout passes. */
export async function waitHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (exited(child)) throw new Error(`exited with ${child.exitCode ?? child.signalCode} before ${url} answered`)
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) })
      await res.arrayBuffer()
      if (res.status === 200) return
    } catch {
      // not listening yet
    }
    await sleep(50)
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`)
}

/** The last lines of a child's log, for error messages. */
export function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return ''
  }
}

let clkTck = 0
function ticksPerSecond(): number {
  if (!clkTck) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
    } catch {
      clkTck = 100
    }
  }
  return clkTck
}

export interface CpuTimes {
  /** seconds of user and kernel time of every thread of the process so far */
  user: number
  sys: number
}

export function readCpu(pid: number): CpuTimes {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // the command name (field 2) may contain spaces; fields after it are space-separated
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const tck = ticksPerSecond()
    return { user: Number(fields[11]) / tck, sys: Number(fields[12]) / tck }
  } catch {
    return { user: NaN, sys: NaN }
  }
}

export function readRssMB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) / 1024 : NaN
  } catch {
    return NaN
  }
}

/** Seconds of busy CPU time of the whole machine so far (every core): to see what else ran during a window. */
export function readHostBusy(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number)
    return (user! + nice! + system! + irq! + softirq! + steal!) / ticksPerSecond()
  } catch {
    return NaN
  }
}
