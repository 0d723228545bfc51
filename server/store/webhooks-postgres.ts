// The webhook tables on PostgreSQL (server/webhooks/store.ts says what each call does), shared by
// instances on any number of hosts. A pass moves its cursor with a compare-and-set UPDATE as the
// first statement of its transaction: a second pass of the same document waits on that row lock,
// then finds the cursor moved and writes nothing. A claim locks the rows it takes with FOR UPDATE
// SKIP LOCKED, so two instances claiming at once take different rows, and re-checks the lease on
// the row's latest version, so a row another instance claimed a moment ago is left alone.
import { and, desc, eq, gt, inArray, isNull, lt, lte, ne, notInArray, or, sql } from 'drizzle-orm'
import type { PgDb } from '../database.js'
import { docUpdates, documents, webhookCursors, webhookDeliveries, webhookEndpoints } from '../tables/pg.js'
import type { EventType } from '../webhooks/events.js'
import type { Claimed, Endpoint, WebhookStore } from '../webhooks/store.js'
import { cursorOf, deliveryOf, deliveryRecord, endpointOf, endpointRecord, windowColumns } from './webhooks-sqlite.js'

type Tx = Parameters<Parameters<PgDb['transaction']>[0]>[0]

/** Thrown to roll a pass back when its plan is void (the transaction rethrows what ends it). */
const ABORTED = new Error('pass aborted')

const held = (now: number) => and(eq(webhookDeliveries.status, 'pending'), eq(webhookDeliveries.attempts, 0), gt(webhookDeliveries.nextAttemptAt, now))

/** Per endpoint its oldest pending row that is not a held doc.changed; claimed if it is due and free. */
const CLAIM_SQL = `
with chosen as (
  select d.seq from webhook_deliveries d
  where d.seq in (
    select min(seq) from webhook_deliveries
    where status = 'pending' and (attempts > 0 or next_attempt_at <= $2)
    group by endpoint_id
  )
  and d.status = 'pending' and d.next_attempt_at <= $2 and (d.lease_until is null or d.lease_until <= $2)
  order by d.seq limit $4
  for update of d skip locked
), claimed as (
  update webhook_deliveries w set lease_owner = $1, lease_until = $3
  from chosen where w.seq = chosen.seq
  returning w.id, w.endpoint_id, w.doc_id, w.type, w.body, w.attempts, w.seq
)
select c.id, c.endpoint_id, c.doc_id, c.type, c.body, c.attempts, e.url, e.secret, e.format
from claimed c join webhook_endpoints e on e.id = c.endpoint_id
order by c.seq`

export function createPostgresWebhookStore(db: PgDb): WebhookStore {
  const endpoints = async (from: PgDb | Tx = db): Promise<Endpoint[]> => (await from.select().from(webhookEndpoints)).map(endpointOf)
  const head = sql`(select max(${docUpdates.seq}) from ${docUpdates} where ${docUpdates.docId} = ${webhookCursors.docId})`

  return {
    createEndpoint: (endpoint, coverage) =>
      db.transaction(async (tx) => {
        // One endpoint added at a time: two added at once would each think the other's documents uncovered.
        await tx.execute(sql`lock table ${webhookEndpoints} in share row exclusive mode`)
        const start = coverage(await endpoints(tx))
        await tx.insert(webhookEndpoints).values(endpointRecord(endpoint))
        const which = start.all ? (start.except.length > 0 ? notInArray(webhookCursors.docId, start.except) : undefined) : start.docs.length > 0 ? inArray(webhookCursors.docId, start.docs) : null
        if (which === null) return
        await tx
          .update(webhookCursors)
          .set({ seq: sql`coalesce(${head}, ${webhookCursors.seq})`, ...windowColumns(null) })
          .where(which)
      }),
    listEndpoints: () => endpoints(),
    getEndpoint: async (id) => {
      const r = (await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)))[0]
      return r === undefined ? undefined : endpointOf(r)
    },
    deleteEndpoint: async (id) => (await db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, id)).returning({ id: webhookEndpoints.id })).length > 0,

    cursor: async (doc) => {
      const r = (await db.select().from(webhookCursors).where(eq(webhookCursors.docId, doc)))[0]
      return r === undefined ? undefined : cursorOf(doc, r)
    },
    startCursor: async (doc, seq) => {
      await db.execute(sql`insert into webhook_cursors (doc_id, seq) select id, ${seq} from documents where id = ${doc} on conflict do nothing`)
    },
    behind: async (covered) => {
      const last = sql`(select max(${docUpdates.seq}) from ${docUpdates} where ${docUpdates.docId} = ${documents.id})`
      const which = covered.all ? (covered.except.length > 0 ? notInArray(documents.id, covered.except) : undefined) : covered.docs.length > 0 ? inArray(documents.id, covered.docs) : null
      if (which === null) return []
      const rows = await db
        .select({ id: documents.id })
        .from(documents)
        .leftJoin(webhookCursors, eq(webhookCursors.docId, documents.id))
        .where(and(which, or(isNull(webhookCursors.seq), gt(last, webhookCursors.seq))))
      return rows.map((r) => r.id)
    },
    commitPass: (doc, from, to, now, plan) =>
      db.transaction(async (tx) => {
        const moved = await tx.update(webhookCursors).set({ seq: to }).where(and(eq(webhookCursors.docId, doc), eq(webhookCursors.seq, from))).returning({ doc: webhookCursors.docId })
        if (moved.length === 0) return false
        const heldRows = await tx
          .select({ id: webhookDeliveries.id, endpointId: webhookDeliveries.endpointId })
          .from(webhookDeliveries)
          .where(and(eq(webhookDeliveries.docId, doc), eq(webhookDeliveries.type, 'doc.changed'), held(now), isNull(webhookDeliveries.leaseOwner)))
        const planned = plan(await endpoints(tx), heldRows)
        if (planned === null) throw ABORTED
        if (planned.deliveries.length > 0) await tx.insert(webhookDeliveries).values(planned.deliveries.map((d) => deliveryRecord(d, now)))
        for (const r of planned.rewrites) await tx.update(webhookDeliveries).set({ body: r.body }).where(and(eq(webhookDeliveries.id, r.id), held(now)))
        await tx.update(webhookCursors).set(windowColumns(planned.window)).where(eq(webhookCursors.docId, doc))
        return true
      }).catch((err: unknown) => {
        if (err === ABORTED) return false
        throw err
      }),
    enqueue: (now, plan, releaseHeldOf) =>
      db.transaction(async (tx) => {
        if (releaseHeldOf !== undefined) {
          await tx
            .update(webhookDeliveries)
            .set({ nextAttemptAt: now })
            .where(and(eq(webhookDeliveries.docId, releaseHeldOf), eq(webhookDeliveries.type, 'doc.changed'), held(now)))
        }
        const rows = plan(await endpoints(tx))
        if (rows.length > 0) await tx.insert(webhookDeliveries).values(rows.map((d) => deliveryRecord(d, now)))
      }),

    claim: async (owner, now, leaseMs, limit) => {
      const { rows } = await db.$client.query<{ id: string; endpoint_id: string; doc_id: string; type: string; body: string; attempts: number; url: string; secret: string; format: Claimed['format'] }>(
        CLAIM_SQL,
        [owner, now, now + leaseMs, limit],
      )
      return rows.map((r) => ({ id: r.id, endpointId: r.endpoint_id, doc: r.doc_id, type: r.type as EventType, body: r.body, attempts: r.attempts, url: r.url, secret: r.secret, format: r.format }))
    },
    settle: async (id, owner, outcome) => {
      const released = { leaseOwner: null, leaseUntil: null, attempts: sql`${webhookDeliveries.attempts} + 1` }
      const set =
        outcome.status === 'delivered'
          ? { ...released, status: 'delivered' as const, deliveredAt: outcome.at, lastError: null }
          : outcome.status === 'pending'
            ? { ...released, nextAttemptAt: outcome.retryAt, lastError: outcome.error }
            : { ...released, status: 'failed' as const, lastError: outcome.error }
      await db.update(webhookDeliveries).set(set).where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.leaseOwner, owner)))
    },
    release: async (id, owner) => {
      await db.update(webhookDeliveries).set({ leaseOwner: null, leaseUntil: null }).where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.leaseOwner, owner)))
    },
    nextWakeAt: async (now) => {
      const { rows } = await db.$client.query<{ at: string | null }>(
        `select least(
           (select min(next_attempt_at) from webhook_deliveries where status = 'pending' and next_attempt_at > $1),
           (select min(lease_until) from webhook_deliveries where status = 'pending' and lease_until > $1)
         ) as at`,
        [now],
      )
      const at = rows[0]?.at
      return at === null || at === undefined ? null : Number(at)
    },

    deliveries: async (endpointId, limit) =>
      (await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpointId)).orderBy(desc(webhookDeliveries.seq)).limit(limit)).map(deliveryOf),
    retry: async (endpointId, id, now) => {
      const where = and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.endpointId, endpointId))
      await db
        .update(webhookDeliveries)
        .set({ status: 'pending', nextAttemptAt: now })
        .where(and(where, or(isNull(webhookDeliveries.leaseUntil), lte(webhookDeliveries.leaseUntil, now), ne(webhookDeliveries.status, 'pending'))))
      const r = (await db.select().from(webhookDeliveries).where(where))[0]
      return r === undefined ? undefined : deliveryOf(r)
    },
    stats: async (now) => {
      const { rows } = await db.$client.query<{ depth: string; oldest: string | null }>(
        `select count(*) as depth, min(case when attempts > 0 or next_attempt_at <= $1 then event_at end) as oldest
         from webhook_deliveries where status = 'pending'`,
        [now],
      )
      const r = rows[0]
      return { depth: Number(r?.depth ?? 0), oldestEventAt: r?.oldest == null ? null : Number(r.oldest) }
    },
    prune: async (before) =>
      (await db.delete(webhookDeliveries).where(and(ne(webhookDeliveries.status, 'pending'), lt(webhookDeliveries.createdAt, before))).returning({ id: webhookDeliveries.id })).length,
  }
}
