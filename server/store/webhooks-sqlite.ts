// The webhook tables on SQLite (server/webhooks/store.ts says what each call does). Every write is
// one IMMEDIATE transaction or one statement, so instances sharing the file queue on its lock: a
// claim is a single UPDATE … RETURNING, which no other writer can interleave with.
import { and, desc, eq, inArray, isNull, lt, lte, notInArray, or, sql, gt, ne } from 'drizzle-orm'
import type { SqliteDb } from '../database.js'
import { docUpdates, documents, webhookCursors, webhookDeliveries, webhookEndpoints } from '../tables/sqlite.js'
import type { ChangeWindow } from '../webhooks/debounce.js'
import type { EventType } from '../webhooks/events.js'
import type { Claimed, CoverageStart, Cursor, Delivery, Endpoint, HeldChange, NewDelivery, PassPlan, WebhookStore } from '../webhooks/store.js'

type EndpointRecord = typeof webhookEndpoints.$inferSelect
type DeliveryRecord = typeof webhookDeliveries.$inferSelect
type CursorRecord = typeof webhookCursors.$inferSelect
type ClaimedRecord = { id: string; endpoint_id: string; doc_id: string; type: string; body: string; attempts: number }

export const endpointOf = (r: EndpointRecord): Endpoint => ({ ...r, events: JSON.parse(r.events) as EventType[] })
export const endpointRecord = (e: Endpoint): EndpointRecord => ({ ...e, events: JSON.stringify(e.events) })

export const deliveryOf = (r: DeliveryRecord): Delivery => ({
  id: r.id,
  endpointId: r.endpointId,
  doc: r.docId,
  type: r.type as EventType,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.nextAttemptAt,
  lastError: r.lastError,
  deliveredAt: r.deliveredAt,
  eventAt: r.eventAt,
  createdAt: r.createdAt,
})

export const cursorOf = (doc: string, r: Pick<CursorRecord, 'seq' | 'windowVersion' | 'windowBy' | 'windowDueAt'>): Cursor => ({
  seq: r.seq,
  window:
    r.windowVersion === null || r.windowDueAt === null
      ? null
      : { doc, version: r.windowVersion, by: JSON.parse(r.windowBy ?? '[]') as string[], dueAt: r.windowDueAt },
})

export const windowColumns = (window: ChangeWindow | null) => ({
  windowVersion: window?.version ?? null,
  windowBy: window === null ? null : JSON.stringify(window.by),
  windowDueAt: window?.dueAt ?? null,
})

export const deliveryRecord = (d: NewDelivery, now: number) => ({
  id: d.id,
  endpointId: d.endpointId,
  docId: d.doc,
  type: d.type,
  body: d.body,
  status: 'pending' as const,
  attempts: 0,
  nextAttemptAt: d.nextAttemptAt,
  eventAt: d.eventAt,
  createdAt: now,
})

/** A pending row not sent yet whose time has not come: a doc.changed held for its window. */
const held = (now: number) => and(eq(webhookDeliveries.status, 'pending'), eq(webhookDeliveries.attempts, 0), gt(webhookDeliveries.nextAttemptAt, now))

export function createSqliteWebhookStore(db: SqliteDb): WebhookStore {
  const client = db.$client
  const head = sql`(select max(${docUpdates.seq}) from ${docUpdates} where ${docUpdates.docId} = ${webhookCursors.docId})`
  const endpoints = () => db.select().from(webhookEndpoints).all().map(endpointOf)

  const createEndpoint = client.transaction((endpoint: Endpoint, coverage: (others: Endpoint[]) => CoverageStart) => {
    const start = coverage(endpoints())
    db.insert(webhookEndpoints).values(endpointRecord(endpoint)).run()
    const which = start.all ? (start.except.length > 0 ? notInArray(webhookCursors.docId, start.except) : undefined) : start.docs.length > 0 ? inArray(webhookCursors.docId, start.docs) : null
    if (which === null) return
    db.update(webhookCursors)
      .set({ seq: sql`coalesce(${head}, ${webhookCursors.seq})`, ...windowColumns(null) })
      .where(which)
      .run()
  })

  const commitPass = client.transaction((doc: string, from: number, to: number, now: number, plan: (endpoints: Endpoint[], held: HeldChange[]) => PassPlan | null): boolean => {
    const cursor = db.select().from(webhookCursors).where(eq(webhookCursors.docId, doc)).get()
    if (cursor?.seq !== from) return false
    const heldRows = db
      .select({ id: webhookDeliveries.id, endpointId: webhookDeliveries.endpointId })
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.docId, doc), eq(webhookDeliveries.type, 'doc.changed'), held(now), isNull(webhookDeliveries.leaseOwner)))
      .all()
    const planned = plan(endpoints(), heldRows)
    if (planned === null) return false
    for (const d of planned.deliveries) db.insert(webhookDeliveries).values(deliveryRecord(d, now)).run()
    for (const r of planned.rewrites) db.update(webhookDeliveries).set({ body: r.body }).where(and(eq(webhookDeliveries.id, r.id), held(now))).run()
    db.update(webhookCursors)
      .set({ seq: to, ...windowColumns(planned.window) })
      .where(eq(webhookCursors.docId, doc))
      .run()
    return true
  })

  const enqueue = client.transaction((now: number, plan: (endpoints: Endpoint[]) => NewDelivery[], releaseHeldOf: string | undefined) => {
    if (releaseHeldOf !== undefined) {
      db.update(webhookDeliveries)
        .set({ nextAttemptAt: now })
        .where(and(eq(webhookDeliveries.docId, releaseHeldOf), eq(webhookDeliveries.type, 'doc.changed'), held(now)))
        .run()
    }
    for (const d of plan(endpoints())) db.insert(webhookDeliveries).values(deliveryRecord(d, now)).run()
  })

  // Per endpoint its oldest pending row that is not a held doc.changed; claimed if it is due and
  // free. One statement: SQLite runs it under the write lock, so no other instance claims between
  // the choice and the lease.
  const claimRows = client.prepare<{ owner: string; now: number; until: number; limit: number }, ClaimedRecord>(`
    update webhook_deliveries set lease_owner = @owner, lease_until = @until
    where seq in (
      select d.seq from webhook_deliveries d
      where d.seq in (
        select min(seq) from webhook_deliveries
        where status = 'pending' and (attempts > 0 or next_attempt_at <= @now)
        group by endpoint_id
      )
      and d.next_attempt_at <= @now and (d.lease_until is null or d.lease_until <= @now)
      order by d.seq limit @limit
    )
    returning id, endpoint_id, doc_id, type, body, attempts`)
  const claim = client.transaction((owner: string, now: number, leaseMs: number, limit: number): Claimed[] => {
    const rows = claimRows.all({ owner, now, until: now + leaseMs, limit })
    if (rows.length === 0) return []
    const byId = new Map(
      db
        .select()
        .from(webhookEndpoints)
        .where(inArray(webhookEndpoints.id, [...new Set(rows.map((r) => r.endpoint_id))]))
        .all()
        .map((e) => [e.id, e]),
    )
    return rows.flatMap((r) => {
      const e = byId.get(r.endpoint_id)
      return e === undefined ? [] : [{ id: r.id, endpointId: r.endpoint_id, doc: r.doc_id, type: r.type as EventType, body: r.body, attempts: r.attempts, url: e.url, secret: e.secret, format: e.format }]
    })
  })

  const mine = (id: string, owner: string) => and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.leaseOwner, owner))

  return {
    createEndpoint: async (endpoint, coverage) => {
      createEndpoint.immediate(endpoint, coverage)
    },
    listEndpoints: async () => endpoints(),
    getEndpoint: async (id) => {
      const r = db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)).get()
      return r === undefined ? undefined : endpointOf(r)
    },
    deleteEndpoint: async (id) => db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, id)).run().changes > 0,

    cursor: async (doc) => {
      const r = db.select().from(webhookCursors).where(eq(webhookCursors.docId, doc)).get()
      return r === undefined ? undefined : cursorOf(doc, r)
    },
    startCursor: async (doc, seq) => {
      // Through documents: a document deleted meanwhile gets no cursor (and no foreign key error).
      client
        .prepare('insert into webhook_cursors (doc_id, seq) select id, ? from documents where id = ? on conflict do nothing')
        .run(seq, doc)
    },
    behind: async (covered) => {
      const last = sql`(select max(${docUpdates.seq}) from ${docUpdates} where ${docUpdates.docId} = ${documents.id})`
      const which = covered.all ? (covered.except.length > 0 ? notInArray(documents.id, covered.except) : undefined) : covered.docs.length > 0 ? inArray(documents.id, covered.docs) : null
      if (which === null) return []
      return db
        .select({ id: documents.id })
        .from(documents)
        .leftJoin(webhookCursors, eq(webhookCursors.docId, documents.id))
        .where(and(which, or(isNull(webhookCursors.seq), gt(last, webhookCursors.seq))))
        .all()
        .map((r) => r.id)
    },
    commitPass: async (doc, from, to, now, plan) => commitPass.immediate(doc, from, to, now, plan),
    enqueue: async (now, plan, releaseHeldOf) => {
      enqueue.immediate(now, plan, releaseHeldOf)
    },

    claim: async (owner, now, leaseMs, limit) => claim.immediate(owner, now, leaseMs, limit),
    settle: async (id, owner, outcome) => {
      const released = { leaseOwner: null, leaseUntil: null, attempts: sql`${webhookDeliveries.attempts} + 1` }
      const set =
        outcome.status === 'delivered'
          ? { ...released, status: 'delivered' as const, deliveredAt: outcome.at, lastError: null }
          : outcome.status === 'pending'
            ? { ...released, nextAttemptAt: outcome.retryAt, lastError: outcome.error }
            : { ...released, status: 'failed' as const, lastError: outcome.error }
      db.update(webhookDeliveries).set(set).where(mine(id, owner)).run()
    },
    release: async (id, owner) => {
      db.update(webhookDeliveries).set({ leaseOwner: null, leaseUntil: null }).where(mine(id, owner)).run()
    },
    nextWakeAt: async (now) => {
      const r = client
        .prepare<{ now: number }, { at: number | null }>(
          `select min(at) as at from (
             select min(next_attempt_at) as at from webhook_deliveries where status = 'pending' and next_attempt_at > @now
             union all
             select min(lease_until) from webhook_deliveries where status = 'pending' and lease_until > @now
           )`,
        )
        .get({ now })
      return r?.at ?? null
    },

    deliveries: async (endpointId, limit) =>
      db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpointId)).orderBy(desc(webhookDeliveries.seq)).limit(limit).all().map(deliveryOf),
    retry: async (endpointId, id, now) => {
      const where = and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.endpointId, endpointId))
      db.update(webhookDeliveries)
        .set({ status: 'pending', nextAttemptAt: now })
        .where(and(where, or(isNull(webhookDeliveries.leaseUntil), lte(webhookDeliveries.leaseUntil, now), ne(webhookDeliveries.status, 'pending'))))
        .run()
      const r = db.select().from(webhookDeliveries).where(where).get()
      return r === undefined ? undefined : deliveryOf(r)
    },
    stats: async (now) => {
      const r = client
        .prepare<{ now: number }, { depth: number; oldest: number | null }>(
          `select count(*) as depth, min(case when attempts > 0 or next_attempt_at <= @now then event_at end) as oldest
           from webhook_deliveries where status = 'pending'`,
        )
        .get({ now })
      return { depth: r?.depth ?? 0, oldestEventAt: r?.oldest ?? null }
    },
    prune: async (before) => db.delete(webhookDeliveries).where(and(ne(webhookDeliveries.status, 'pending'), lt(webhookDeliveries.createdAt, before))).run().changes,
  }
}
