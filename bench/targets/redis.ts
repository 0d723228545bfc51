// A real redis-server for the cross-instance scenario: fresh, on a free port, no persistence.
import { connect } from 'node:net'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { freePort, spawnPinned, stopChild, tail, sleep, exited } from '../proc.js'
import { SERVER_CORE } from './index.js'

const REDIS_BINARY = '/usr/bin/redis-server'

export interface RunningRedis {
  url: string
  pid: number
  stop(): Promise<boolean>
}

export async function startRedis(logDir: string): Promise<RunningRedis> {
  const binary = existsSync(REDIS_BINARY) ? REDIS_BINARY : 'redis-server'
  const port = await freePort()
  const logFile = join(logDir, `redis-${port}.log`)
  const child = spawnPinned(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    core: SERVER_CORE,
    logFile,
  })
  child.on('error', () => {}) // reported below through exited()
  const deadline = Date.now() + 10_000
  while (!(await ping(port))) {
    if (exited(child) || Date.now() > deadline) {
      await stopChild(child, 1000)
      throw new Error(`redis-server did not start on port ${port}\n${tail(logFile)}`)
    }
    await sleep(50)
  }
  return { url: `redis://127.0.0.1:${port}`, pid: child.pid!, stop: () => stopChild(child, 5000) }
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.on('error', () => done(false))
    socket.on('connect', () => socket.write('PING\r\n'))
    socket.on('data', (d) => done(d.toString().startsWith('+PONG')))
  })
}
