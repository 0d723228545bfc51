// A real redis-server per suite, on a free port, that a test can stop and start again.
import { spawn, type ChildProcess } from 'node:child_process'
import net from 'node:net'
import { nextEvent, within } from './wait.js'

export async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

export interface TestRedis {
  url: string
  /** stops the server (SIGTERM) and waits for it to exit */
  stop(): Promise<void>
  /** starts it again on the same port */
  start(): Promise<void>
}

export async function startRedis(): Promise<TestRedis> {
  const port = await freePort()
  let proc: ChildProcess | undefined

  const start = async (): Promise<void> => {
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    proc = child
    let out = ''
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
    await within(
      Promise.race([
        nextEvent(child.stdout!, 'data', { accept: () => /Ready to accept connections/.test(out), timeout: 10_000 }),
        nextEvent(child, 'exit', { timeout: 10_000 }).then(() => Promise.reject(new Error(`redis-server exited:\n${out}`))),
      ]),
      10_000,
      'redis-server to start',
    )
  }
  const stop = async (): Promise<void> => {
    const child = proc
    proc = undefined
    if (child === undefined || child.exitCode !== null) return
    const exited = nextEvent(child, 'exit', { timeout: 10_000 })
    child.kill('SIGTERM')
    await exited
  }
  await start()
  return { url: `redis://127.0.0.1:${port}`, stop, start }
}
