// createServer(config): the whole service as one story. Open the database, make the store, the bus
// and the rooms, serve both live transports and the routes on one port, and undo it all in reverse.
import { fileURLToPath } from 'node:url'
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify'
import { CloseCode } from '../shared/protocol.js'
import { createAuth, loadSecret, type Auth } from './auth.js'
import { createLocalBus, type Bus } from './bus.js'
import type { Config, TrustProxy } from './config.js'
import { openDatabase } from './database.js'
import { createCreations, type CreationLimit } from './creations.js'
import { createGate } from './gate.js'
import { createIdpVerifier } from './idp.js'
import { leanStatesWork } from './lean-state.js'
import { attachIo, useRedisAdapter, type IoServer } from './io.js'
import { createMetrics, type Metrics } from './metrics.js'
import { createRedisBus } from './redis-bus.js'
import { registerRest, type RestRateLimit } from './rest.js'
import { createRevocations } from './revocations.js'
import type { ApplyUpdate } from './room.js'
import { createRooms, type Rooms } from './rooms.js'
import { demoUpdate, templateUpdate } from './seed.js'
import type { Store } from './store/types.js'
import { registerWeb } from './web.js'
import { registerYws } from './yws.js'
import { createRetention } from './retention.js'
import { createWebhooks, type Webhooks } from './webhooks/webhooks.js'

const PUBLIC_DIR = fileURLToPath(new URL('../public', import.meta.url))

export interface SkillmapServer {
  readonly app: FastifyInstance
  readonly config: Config
  readonly auth: Auth
  readonly store: Store
  readonly rooms: Rooms
  readonly bus: Bus
  readonly io: IoServer
  readonly metrics: Metrics
  readonly webhooks: Webhooks
  /** Whether this start seeded the `demo` map (a fresh data directory): only then is its link printed. */
  readonly seededDemo: boolean
  /** Every HTTP route, as registered (HEAD routes aside): what the OpenAPI document is checked against. */
  readonly routes: readonly Pick<RouteOptions, 'method' | 'url'>[]
  /** Listens on config.host:config.port; resolves to the base URL, e.g. http://127.0.0.1:3000 */
  listen(): Promise<string>
  /** Stops accepting, commits everything, closes live connections with 1012, releases everything. */
  close(): Promise<void>
  /** Retention (HISTORY_DAYS) once, as the hourly job runs it, as of `now`; the fold point per document folded. */
  foldHistory(now?: number): Promise<Map<string, number>>
}

export interface ServerDeps {
  /** Another bus than the config's (tests: several instances in one process). */
  bus?: Bus
  /** Another REST rate limit than the default (tests). */
  restRateLimit?: RestRateLimit
  /** Applies client updates to documents (tests wrap Y.applyUpdate to see what reaches Yjs). */
  applyUpdate?: ApplyUpdate
  /** Another per-token document creation limit than the default (tests). */
  creationLimit?: CreationLimit
  /** How often rooms look for what the bus did not bring (tests lengthen it to show the bus alone suffices). */
  sweepMs?: number
}

export async function createServer(config: Config, deps: ServerDeps = {}): Promise<SkillmapServer> {
  const secret = loadSecret(config)
  const metrics = createMetrics()
  const creations = createCreations(deps.creationLimit)

  const app = Fastify({
    logger: {
      level: config.logLevel,
      // Live connections carry their token in the query (CONTRACT §3a): keep it out of the logs.
      serializers: { req: (req) => ({ method: req.method, url: redactToken(req.url), remoteAddress: req.ip }) },
    },
    bodyLimit: config.maxMessageBytes,
    // Behind a reverse proxy every client would share the proxy's address, and one rate-limit bucket.
    trustProxy: fastifyTrustProxy(config.trustProxy),
    // The API is strict (CONTRACT §6 "validated by JSON schema"): a wrong type or an unknown field is
    // a 400, not silently coerced or dropped. `example` is OpenAPI's annotation, not a rule.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, keywords: ['example'] } },
  })
  // Checked at start (it also runs those code paths once before the first request).
  if (!leanStatesWork()) app.log.warn('lean states do not read right with the Yjs installed: versions are read from whole states (slower)')

  const database = await openDatabase(config, { log: app.log.child({ module: 'database' }) })
  const store = database.store
  const seededDemo = config.seedDemo && (await seedDemo(store))
  const routes: Pick<RouteOptions, 'method' | 'url'>[] = []
  app.addHook('onRoute', ({ method, url }) => {
    if (method !== 'HEAD') routes.push({ method, url })
  })

  const redisBus = deps.bus === undefined && config.redisUrl !== undefined
    ? await createRedisBus({ url: config.redisUrl, log: app.log.child({ module: 'bus' }), onLag: metrics.busLag })
    : undefined
  const bus = deps.bus ?? redisBus ?? createLocalBus()
  const revocations = await createRevocations({ rows: database.revocationRows, bus, log: app.log.child({ module: 'auth' }) })
  const auth = createAuth(secret, {
    revocations,
    tickets: database.tickets,
    idp: config.idp === undefined ? undefined : createIdpVerifier(config.idp),
  })

  // Before the rooms: they tell it of every commit.
  const webhooks = createWebhooks({
    store,
    webhooks: database.webhooks,
    bus,
    schedule: config.webhookRetrySchedule,
    allowPrivate: config.webhookAllowPrivate,
    publicUrl: config.publicUrl,
    log: app.log.child({ module: 'webhooks' }),
    outcome: metrics.webhookDelivery,
  })
  metrics.watchOutbox(() => webhooks.stats())

  const rooms = createRooms({
    store,
    bus,
    log: app.log.child({ module: 'rooms' }),
    metrics,
    seed: (docId) => templateUpdate('empty', docId),
    maxDocBytes: config.maxDocBytes,
    compactThreshold: config.compactThreshold,
    unloadDelayMs: config.unloadDelayMs,
    sweepMs: deps.sweepMs,
    applyUpdate: deps.applyUpdate,
    committed: webhooks.committed,
    // routeEvent logs its own failures: nothing to catch here
    created: (meta) => void webhooks.created(meta),
  })

  // One HTTP server, two WebSocket stacks: Socket.IO's engine takes /socket.io/ upgrades itself
  // (with destroyUpgrade off, it leaves the others alone); /yjs/ is a Fastify route (yws.ts).
  // Both refuse a foreign Origin before the upgrade: the route's hook, Socket.IO in allowRequest.
  const gate = createGate({ config, log: app.log.child({ module: 'gate' }) })
  const yws = await registerYws(app, { rooms, auth, config, log: app.log.child({ module: 'yws' }), gate, metrics, creations })
  const io = attachIo(app.server, { rooms, auth, config, log: app.log.child({ module: 'io' }), metrics, gate, creations })
  const closeAdapter = redisBus === undefined ? async () => {} : await useRedisAdapter(io, redisBus.clients.pub, app.log.child({ module: 'io' }))

  await registerRest(app, {
    auth,
    revocations,
    store,
    rooms,
    registry: metrics.registry,
    // The Redis bus reports its connection through bus.healthy(); add a probe here for anything else.
    probes: [
      { name: 'database', check: () => database.ping() },
      { name: 'bus', check: () => bus.healthy() },
    ],
    creations,
    webhooks,
    webhookRows: database.webhooks,
    webhookTargets: { allowPrivate: config.webhookAllowPrivate },
    rateLimit: deps.restRateLimit,
  })
  await registerWeb(app, { root: PUBLIC_DIR })

  const retention = createRetention({ store, historyDays: config.historyDays, log: app.log.child({ module: 'history' }) })

  let closing: Promise<void> | undefined
  return {
    app,
    config,
    auth,
    store,
    rooms,
    bus,
    io,
    metrics,
    webhooks,
    seededDemo,
    routes,
    async listen() {
      const url = await app.listen({ port: config.port, host: config.host })
      retention.start()
      webhooks.start(url)
      return url
    },
    foldHistory: (now) => retention.run(now),
    close() {
      closing ??= (async () => {
        await retention.stop()
        await rooms.flush()
        // Only this instance's sockets: with the Redis adapter, io.disconnectSockets reaches every
        // instance, and a rolling restart would drop every Socket.IO user of the cluster.
        io.local.disconnectSockets(true)
        io.engine.close()
        await yws.closeAll(CloseCode.serviceRestart, 'server restart')
        await rooms.close(undefined)
        await app.close()
        await webhooks.close()
        await closeAdapter()
        await bus.close()
        await database.close()
      })()
      return closing
    },
  }
}

/** The first start of a fresh data directory gets a map to open (CONTRACT §1). */
export const DEMO_DOC = 'demo'

/** Creates `demo` unless it exists; true when it did. */
async function seedDemo(store: Store): Promise<boolean> {
  if ((await store.get(DEMO_DOC)) !== undefined) return false
  return undefined !== await store.create({ id: DEMO_DOC, title: 'Demo: backend team', template: 'backend' }, demoUpdate('Demo: backend team'))
}

/** Fastify's option, which takes a hop count only as a function in its types. */
function fastifyTrustProxy(trust: TrustProxy): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_address, hop) => hop < trust
  return typeof trust === 'boolean' ? trust : [...trust]
}

export function redactToken(url: string): string {
  return url.replace(/([?&](?:token|ticket)=)[^&#]*/g, '$1[redacted]')
}
