// The webhook tables (CONTRACT §6c) behind one interface for both backends (store/webhooks-sqlite.ts,
// store/webhooks-postgres.ts), beside the document store rather than inside it: the outbox is
// written in transactions of its own (a derivation pass, a route's event, a claim), which the
// document store's calls do not expose, and nothing on the hot path of an edit touches it.
// The pure decisions (which rows a pass writes, which cursors start at the head) come in as
// callbacks run inside those transactions (outbox.ts), so both backends decide alike.
import type { ChangeWindow } from './debounce.js'
import type { EventType } from './events.js'
import type { Format } from './format.js'

export interface Endpoint {
  id: string
  url: string
  /** a document id or `*` */
  doc: string
  events: EventType[]
  format: Format
  secret: string
  /** epoch ms */
  createdAt: number
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed'

/** A delivery as the deliveries list shows it (times in epoch ms). */
export interface Delivery {
  id: string
  endpointId: string
  doc: string
  type: EventType
  status: DeliveryStatus
  attempts: number
  nextAttemptAt: number
  lastError: string | null
  deliveredAt: number | null
  eventAt: number
  createdAt: number
}

/** An outbox row to write: pending, no attempt yet. */
export interface NewDelivery {
  /** the `webhook-id` (sign.ts newMessageId) */
  id: string
  endpointId: string
  doc: string
  type: EventType
  /** the exact bytes every attempt sends */
  body: string
  /** now, or a doc.changed window's due time (held until then) */
  nextAttemptAt: number
  eventAt: number
}

/** A claimed row with what its attempt needs. */
export interface Claimed {
  id: string
  endpointId: string
  doc: string
  type: EventType
  body: string
  /** attempts before this one */
  attempts: number
  url: string
  secret: string
  format: Format
}

/** How an attempt ended, as it is recorded. */
export type Outcome =
  | { status: 'delivered'; at: number }
  | { status: 'pending'; retryAt: number; error: string }
  | { status: 'failed'; error: string }

export interface Cursor {
  /** the last seq whose events are in the outbox */
  seq: number
  /** the document's newest doc.changed window (sent or held), for the 10 s spacing */
  window: ChangeWindow | null
}

/** A doc.changed row of the document not sent yet, waiting for its window's due time. */
export interface HeldChange {
  id: string
  endpointId: string
}

/** What one derivation pass writes with its cursor. */
export interface PassPlan {
  deliveries: NewDelivery[]
  /** held doc.changed rows whose window grew: their new body */
  rewrites: Array<{ id: string; body: string }>
  window: ChangeWindow | null
}

/**
 * Documents whose cursors jump to their head when an endpoint is added, so it hears of changes
 * made from now on and not of old ones: the documents no other endpoint derived events for.
 * `all` with the documents to leave alone, or a list.
 */
export type CoverageStart = { all: true; except: string[] } | { all: false; docs: string[] }

export interface OutboxStats {
  /** pending rows, held doc.changed rows included */
  depth: number
  /** the event time of the oldest pending row that is due (held ones left out); null when none */
  oldestEventAt: number | null
}

export interface WebhookStore {
  /** Adds an endpoint and, in the same transaction, starts the cursors `coverage` names (given the other endpoints) at their heads. */
  createEndpoint(endpoint: Endpoint, coverage: (others: Endpoint[]) => CoverageStart): Promise<void>
  listEndpoints(): Promise<Endpoint[]>
  getEndpoint(id: string): Promise<Endpoint | undefined>
  /** Deletes it and its deliveries; false if there was none. */
  deleteEndpoint(id: string): Promise<boolean>

  cursor(doc: string): Promise<Cursor | undefined>
  /** A cursor for a document that has none (created before webhooks existed): it starts at `seq`. Nothing if the document is gone. */
  startCursor(doc: string, seq: number): Promise<void>
  /** Documents, among those `covered` says, whose head is past their cursor (or that have no cursor): what the safety-net sweep derives. */
  behind(covered: { all: true; except: string[] } | { all: false; docs: string[] }): Promise<string[]>
  /**
   * One pass, in one transaction: moves the cursor from `from` to `to` (false, writing nothing, if
   * it is not at `from` any more: another pass or instance did it), then writes what `plan` returns
   * for the endpoints and the held doc.changed rows of the document as they are in that transaction.
   * `plan` returning null aborts the pass (false): its events were derived for other endpoints.
   */
  commitPass(doc: string, from: number, to: number, now: number, plan: (endpoints: Endpoint[], held: HeldChange[]) => PassPlan | null): Promise<boolean>
  /**
   * Writes the rows `plan` returns for the endpoints as they are in the transaction (route events:
   * doc.created, doc.deleted, doc.restored). With `releaseHeldOf`, that document's held doc.changed
   * rows fall due now first, so they go before its doc.deleted.
   */
  enqueue(now: number, plan: (endpoints: Endpoint[]) => NewDelivery[], releaseHeldOf?: string): Promise<void>

  /**
   * Claims up to `limit` rows for `owner` until `now + leaseMs`: per endpoint its oldest pending
   * row (held doc.changed rows aside), if it is due and not leased to anyone else. So each row goes
   * to one worker, and an endpoint has at most one row in flight, in order.
   */
  claim(owner: string, now: number, leaseMs: number, limit: number): Promise<Claimed[]>
  /** Records an attempt of a row `owner` holds (nothing if its lease went to another meanwhile). */
  settle(id: string, owner: string, outcome: Outcome): Promise<void>
  /** Gives a claimed row back untried (shutdown). */
  release(id: string, owner: string): Promise<void>
  /** The earliest time after `now` at which a pending row falls due or a lease runs out; null when none. */
  nextWakeAt(now: number): Promise<number | null>

  /** An endpoint's deliveries, newest first. */
  deliveries(endpointId: string, limit: number): Promise<Delivery[]>
  /** Makes a delivery of that endpoint due now (pending again if it was delivered or failed), unless it is in flight; undefined if there is none. */
  retry(endpointId: string, id: string, now: number): Promise<Delivery | undefined>
  stats(now: number): Promise<OutboxStats>
  /** Deletes delivered and failed rows created before `before`; how many. */
  prune(before: number): Promise<number>
}
