// Liveness, readiness and metrics (CONTRACT §6): for load balancers, orchestrators and Prometheus.
// No token: expose them only on the network that should see them.
import type { FastifyInstance } from 'fastify'
import type { Registry } from 'prom-client'

/** One dependency readiness waits for: the database, the bus (Redis when clustered), … */
export interface Probe {
  readonly name: string
  /** true when the dependency answers; false or a throw when it does not */
  check(): boolean | Promise<boolean>
}

export interface HealthDeps {
  probes: readonly Probe[]
  registry: Registry
}

/** Below Kubernetes' default probe timeout (1 s): a hung dependency reads as "not ready", not as a timeout. */
const PROBE_TIMEOUT_MS = 800

const checksSchema = {
  type: 'object',
  required: ['status', 'checks'],
  properties: {
    status: { type: 'string', enum: ['ready', 'unavailable'] },
    checks: { type: 'object', additionalProperties: { type: 'string', enum: ['ok', 'failing'] }, example: { database: 'ok', bus: 'ok' } },
  },
} as const

export function registerHealth(app: FastifyInstance, { probes, registry }: HealthDeps): void {
  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Liveness: 200 while the process runs',
        tags: ['operations'],
        response: { 200: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } } },
      },
    },
    async () => ({ status: 'ok' }),
  )

  app.get(
    '/readyz',
    {
      schema: {
        summary: 'Readiness: 200 when every dependency answers (the database, the bus), 503 otherwise',
        tags: ['operations'],
        response: {
          200: { ...checksSchema, description: 'Ready' },
          503: { ...checksSchema, description: 'A dependency does not answer; `checks` says which' },
        },
      },
    },
    async (req, reply) => {
      const results = await Promise.all(
        probes.map(async (probe) => {
          try {
            return (await withTimeout(probe.check(), PROBE_TIMEOUT_MS)) === true
          } catch (err) {
            req.log.warn({ err, probe: probe.name }, 'readiness probe failed')
            return false
          }
        }),
      )
      const checks = Object.fromEntries(probes.map((probe, i) => [probe.name, results[i] ? 'ok' : 'failing']))
      const ready = results.every(Boolean)
      reply.code(ready ? 200 : 503)
      return { status: ready ? 'ready' : 'unavailable', checks }
    },
  )

  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics of this instance',
        description:
          'skillmap_connections{transport}, skillmap_documents_loaded, skillmap_updates_accepted_total (rate() = updates/s), skillmap_persist_seconds, skillmap_fanout_seconds, skillmap_redis_lag_seconds (with REDIS_URL), and the process_* / nodejs_* defaults.',
        tags: ['operations'],
        response: {
          200: { description: 'Prometheus text exposition format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } },
        },
      },
    },
    async (_req, reply) => {
      reply.type(registry.contentType)
      return registry.metrics()
    },
  )
}

function withTimeout<T>(value: T | Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
  })
  return Promise.race([Promise.resolve(value), late]).finally(() => clearTimeout(timer))
}
