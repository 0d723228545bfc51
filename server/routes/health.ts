// Liveness. Readiness and metrics come with the REST API.
import type { FastifyInstance } from 'fastify'

export function registerHealth(app: FastifyInstance): void {
  app.get('/healthz', async () => ({ status: 'ok' }))
}
