// A real webhook receiver for tests: node:http on 127.0.0.1, an ephemeral port (or a given one, to
// come back on after a stop), every request recorded whole, answers chosen per test.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { until } from './wait.js'

export interface Received {
  path: string
  headers: IncomingHttpHeaders
  body: string
  /** the body parsed (every body we send is JSON) */
  json: any
  id: string
  timestamp: string
  signature: string
}

export type Answer = (req: IncomingMessage, res: ServerResponse, got: Received) => void

export interface Receiver {
  /** http://127.0.0.1:<port> */
  url: string
  port: number
  received: Received[]
  /** what the receiver answers for a path (by default 200) */
  answers: Map<string, Answer>
  /** requests whose answer is still open (a receiver that hangs) */
  readonly open: number
  /** the requests to `path` so far */
  at(path: string): Received[]
  /** waits until `check` holds over the requests to `path` */
  waitFor(path: string, check: (got: Received[]) => boolean, what: string, timeout?: number): Promise<Received[]>
  /** closes the port (a receiver that is down: connections are refused) */
  stop(): Promise<void>
  /** listens on the same port again */
  start(): Promise<void>
}

export async function startReceiver(port = 0): Promise<Receiver> {
  const received: Received[] = []
  const answers = new Map<string, Answer>()
  let open = 0
  let server: Server | undefined

  const listen = async (on: number): Promise<number> => {
    const s = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8')
        const header = (name: string) => String(req.headers[name] ?? '')
        const path = (req.url ?? '/').split('?')[0]!
        let json: unknown
        try {
          json = JSON.parse(body)
        } catch {
          json = undefined
        }
        const got: Received = { path, headers: req.headers, body, json, id: header('webhook-id'), timestamp: header('webhook-timestamp'), signature: header('webhook-signature') }
        received.push(got)
        open++
        res.on('close', () => open--)
        const answer = answers.get(path) ?? ((_req, r) => r.writeHead(200).end('ok'))
        answer(req, res, got)
      })
    })
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject)
      s.listen(on, '127.0.0.1', () => resolve())
    })
    server = s
    return (s.address() as AddressInfo).port
  }

  const bound = await listen(port)
  const receiver: Receiver = {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    received,
    answers,
    get open() {
      return open
    },
    at: (path) => received.filter((r) => r.path === path),
    async waitFor(path, check, what, timeout = 10_000) {
      await until(() => check(receiver.at(path)), { timeout, what })
      return receiver.at(path)
    },
    async stop() {
      const s = server
      server = undefined
      if (s === undefined) return
      s.closeAllConnections()
      await new Promise((resolve) => s.close(resolve))
    },
    async start() {
      if (server === undefined) await listen(bound)
    },
  }
  return receiver
}
