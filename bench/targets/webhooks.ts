// Webhook endpoints for the skillmap-yws-hooks target (issue 14): receivers in the orchestrator
// process (small node:http servers answering 200 to every POST, counting them) and one dead URL (a
// free port nobody listens on), registered through POST /api/webhooks with an admin token for `*`
// after the server started and before any measured client connects.
import { createServer, type Server } from 'node:http'
import { SignJWT } from 'jose'
import { EVENT_TYPES } from '../../server/webhooks/events.js'
import { freePort } from '../proc.js'
import { AUTH_SECRET } from './skillmap.js'

export interface WebhookPlan {
  /** receivers answering 200 */
  live: number
  /** URLs nobody listens on (every attempt: ECONNREFUSED, then the retry schedule) */
  dead: number
}

export interface Hooks {
  /** POSTs the live receivers answered since registration, in total and per event type */
  deliveries(): { total: number; byType: Record<string, number>; perReceiver: number[] }
  close(): Promise<void>
}

/** An admin token for every document, valid for an hour (as mintToken, role admin). */
export function mintAdminToken(sub = 'bench-admin'): Promise<string> {
  return new SignJWT({ name: 'Bench admin', role: 'admin', doc: '*' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(AUTH_SECRET))
}

function receiver(counts: { n: number }, byType: Record<string, number>): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      if (req.method === 'POST') {
        counts.n++
        try {
          const type = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type?: string }).type ?? '?'
          byType[type] = (byType[type] ?? 0) + 1
        } catch {
          byType['?'] = (byType['?'] ?? 0) + 1
        }
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok')
    })
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port }))
  })
}

/** Starts the receivers and registers every endpoint on the skillmap server at `base` (http://127.0.0.1:port). */
export async function registerHooks(base: string, plan: WebhookPlan): Promise<Hooks> {
  const counts = Array.from({ length: plan.live }, () => ({ n: 0 }))
  const byType: Record<string, number> = {}
  const servers: Server[] = []
  const close = () => Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r())))).then(() => undefined)
  try {
    const urls: string[] = []
    for (const c of counts) {
      const { server, port } = await receiver(c, byType)
      servers.push(server)
      urls.push(`http://127.0.0.1:${port}/hook`)
    }
    for (let i = 0; i < plan.dead; i++) urls.push(`http://127.0.0.1:${await freePort()}/dead`)
    const token = await mintAdminToken()
    for (const url of urls) {
      const res = await fetch(`${base}/api/webhooks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ url, doc: '*', events: [...EVENT_TYPES], format: 'standard' }),
      })
      if (res.status !== 201) throw new Error(`POST /api/webhooks ${url}: HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`)
    }
  } catch (err) {
    for (const s of servers) s.closeAllConnections()
    await close()
    throw err
  }
  return {
    deliveries: () => ({ total: counts.reduce((a, c) => a + c.n, 0), byType: { ...byType }, perReceiver: counts.map((c) => c.n) }),
    close: async () => {
      for (const s of servers) s.closeAllConnections()
      await close()
    },
  }
}
