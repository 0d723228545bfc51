// Messages between the orchestrator (run.ts) and the load process (generator.ts).
// Plain JSON over the child's IPC channel; nothing here imports Node or a protocol library.

/** How a client frames y-websocket messages for a target. */
export type Framing =
  /** one document per WebSocket, frames are plain y-websocket messages (y-websocket, skillmap, raw relay) */
  | 'yws'
  /** Hocuspocus: every frame starts with the document name, and an Auth message goes first */
  | 'hocus'
  /** skillmap's Socket.IO events: `doc:join`, then `doc:msg (docId, frame)` */
  | 'sio'

export interface Endpoint {
  framing: Framing
  /** WebSocket URL with `{doc}` where the document id goes and `{token}` its token (yws, hocus), or the Socket.IO base URL (sio) */
  url: string
  /**
   * Tokens of different subjects; a document's clients use one of them, chosen by its id. skillmap
   * limits how many documents one subject creates by joining (60 a minute): many-docs joins 1000.
   */
  tokens: string[]
  /** false for the raw relay: it never answers sync step 1, so a client is ready as soon as it is open */
  handshake: boolean
}

export interface LoadStep {
  /** planned updates per second over all writers */
  rate: number
  warmupMs: number
  durationMs: number
  /** abuse: the attacker (job.attack) runs through this step, warm-up included */
  attack?: boolean
}

export interface LoadJob {
  kind: 'load'
  endpoints: Endpoint[]
  /** server processes whose CPU and RSS are sampled (several for cross-instance) */
  serverPids: number[]
  docs: number
  clientsPerDoc: number
  writersPerDoc: number
  /** 'spread': clients of a doc go round-robin over endpoints; 'writers-on-first': writers on endpoint 0, readers alternate */
  placement: 'spread' | 'writers-on-first'
  /** fixed steps (fan-out, many-docs), or a saturation ramp */
  steps?: LoadStep[]
  ramp?: {
    startRate: number
    factor: number
    /** rates tried at most (retries come on top) */
    maxSteps: number
    /** how often a failed rate is tried again before the ramp stops */
    retries: number
    p99LimitMs: number
    minDeliveryPct: number
    warmupMs: number
    durationMs: number
  }
  connectConcurrency: number
  awarenessRenewMs: number
  drainMs: number
  docPrefix: string
  /** abuse: where the attacker connects (a document none of the measured clients is on) */
  attack?: { endpoint: Endpoint; docId: string }
}

/** What the abuse scenario's attacker did during one step. */
export interface AttackStats {
  /** update bombs sent, one per connection */
  bombs: number
  /** bombs the server answered by closing the connection (y-websocket 1002; Socket.IO disconnect) */
  closed: number
  failedConnects: number
}

export interface ColdJob {
  kind: 'cold'
  phase: 'seed' | 'load'
  endpoint: Endpoint
  serverPids: number[]
  docId: string
  updates: number
  loads: number
  /** base64 state vector the loaded document must reach (phase 'load') */
  expectedStateVector?: string
  timeoutMs: number
}

/**
 * History (CONTRACT §6a). Seed: writers send `updates` − 2 one-rating updates (after the server's
 * seed and one setup update) into `docId`, and one client sends their whole state as one update into
 * `compactDocId`. Load (after a restart): a fresh client's full sync of `docId`, then, with `query`,
 * timed `snapshot?version=` and history pages.
 */
export interface HistoryJob {
  kind: 'history'
  phase: 'seed' | 'load'
  endpoint: Endpoint
  serverPids: number[]
  docId: string
  /** seed: the document holding the same state as `docId` in one update */
  compactDocId: string
  /** rows the long document's log ends with (the server's seed and the setup update included) */
  updates: number
  writers: number
  /** load: base64 state vector the loaded document must reach */
  expectedStateVector?: string
  /** load: clients in turn (the first one is the cold load) */
  loads: number
  /** load: after the loads, time REST reads of `docId`'s history (its last seq is `lastSeq`) */
  query?: { lastSeq: number; versions: number; pages: number; limit: number; seed: number }
  timeoutMs: number
}

export type Job = LoadJob | ColdJob | HistoryJob

export interface Percentiles {
  count: number
  p50: number
  p95: number
  p99: number
  max: number
  mean: number
}

export interface CpuSample {
  /** % of one core over the window (user + kernel), all servers summed */
  pct: number
  userPct: number
  sysPct: number
}

export interface StepResult {
  rate: number
  windowMs: number
  sent: number
  expected: number
  delivered: number
  duplicates: number
  deliveryPct: number
  deliveredPerSec: number
  framesRxPerSec: number
  latency: Percentiles
  /** latency per endpoint group (cross-instance: index 1 = readers on the second instance) */
  latencyByEndpoint: Percentiles[]
  lagP99Ms: number
  lagMaxMs: number
  /** planned sends that were dropped because the schedule fell more than a second behind */
  skipped: number
  lagging: boolean
  serverCpu: CpuSample
  serverRssMB: number
  generatorCpuPct: number
  /** share of the window the generator's event loop was busy (near 1: the generator, not the server, limits) */
  generatorElu: number
  /** CPU % used by everything but the servers and the generator during the window (a shared host's noise) */
  hostOtherCpuPct: number
  unexpectedCloses: number
  passed?: boolean
  attack?: AttackStats
}

export interface LoadResult {
  kind: 'load'
  clients: number
  connected: number
  failed: number
  connectMs: number
  rssIdleMB: number
  rssLoadedMB: number
  steps: StepResult[]
  errors: string[]
}

export interface SeedResult {
  kind: 'seed'
  updates: number
  stateVector: string
  stateBytes: number
  textLength: number
  seedMs: number
}

export interface ColdLoadResult {
  kind: 'cold'
  /** per load, in order (the first one is the cold one) */
  firstStateMs: number[]
  completeMs: number[]
  rssMB: number
  errors: string[]
}

export interface HistorySeedResult {
  kind: 'history-seed'
  /** the long document's last seq, as the server reports it (its ETag) */
  lastSeq: number
  compactLastSeq: number
  /** base64 state vector of the writers' updates (both documents hold it) */
  stateVector: string
  /** the server's `format=yjs` export of each document */
  stateBytes: number
  compactStateBytes: number
  /** bytes of the one update the compacted document got */
  compactUpdateBytes: number
  /** from the first update sent until the server's version covers the last one */
  seedMs: number
  errors: string[]
}

export interface HistoryLoadResult {
  kind: 'history-load'
  completeMs: number[]
  rssMB: number
  /** with `query`: per request, in order; the warm-up requests (first of each kind) are apart */
  snapshotMs?: number[]
  snapshotFirstMs?: number
  snapshotBytes?: number[]
  pageMs?: number[]
  pageFirstMs?: number
  pageChanges?: number[]
  /** the seq each snapshot asked for and the `after` of each page, in the order of the timings above */
  snapshotVersions?: number[]
  pageAfters?: number[]
  errors: string[]
}

export type JobResult = LoadResult | SeedResult | ColdLoadResult | HistorySeedResult | HistoryLoadResult

export type GeneratorMessage =
  | { type: 'result'; result: JobResult }
  | { type: 'error'; message: string }
  | { type: 'log'; message: string }
