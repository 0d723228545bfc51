// SQLite's tables (drizzle). No logic: drizzle-kit reads this file to generate drizzle/sqlite/.
// server/tables/pg.ts has the same tables for PostgreSQL; keep the two in step.
import { blob, index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'

export const documents = sqliteTable('documents', {
  id: text('id').primaryKey(),
  title: text('title').notNull(),
  template: text('template').notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
})

/**
 * The append-only log of accepted Yjs updates. `seq` grows by one per document and is never reused,
 * so an instance that missed a message knows exactly which rows to read. Rows are the history
 * (CONTRACT §6a): they stay for HISTORY_DAYS (0: forever), loads start from a checkpoint. Logs
 * written before checkpoints existed may begin with one merged row holding the state up to its seq.
 */
export const docUpdates = sqliteTable(
  'doc_updates',
  {
    docId: text('doc_id')
      .notNull()
      .references(() => documents.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    data: blob('data', { mode: 'buffer' }).notNull(),
    /** the verified author (the token's sub and name); null for the server's own updates and merged rows */
    bySub: text('by_sub'),
    byName: text('by_name'),
    /** epoch milliseconds of the commit that accepted it; null for rows stored before it was recorded */
    at: integer('at'),
  },
  (t) => [primaryKey({ columns: [t.docId, t.seq] })],
)

/**
 * The document's whole state right after update `seq` (Y.encodeStateAsUpdate): loads apply the
 * latest one and the rows after it; a version is read from the checkpoint at or before it and the
 * rows up to it. Written every COMPACT_THRESHOLD rows, and at each version whose rows retention folds.
 */
export const docCheckpoints = sqliteTable(
  'doc_checkpoints',
  {
    docId: text('doc_id')
      .notNull()
      .references(() => documents.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    state: blob('state', { mode: 'buffer' }).notNull(),
    /** the same map without the values it replaced (server/lean-state.ts), for reading versions; null: read `state` */
    lean: blob('lean', { mode: 'buffer' }),
  },
  (t) => [primaryKey({ columns: [t.docId, t.seq] })],
)

/**
 * Versions that outlive the rows (CONTRACT §6a): named ones (`POST …/versions`), and automatic hourly
 * ones once retention has folded the rows they were computed from (`name` null). Automatic versions of
 * kept rows are computed from the rows, not stored.
 */
export const docVersions = sqliteTable(
  'doc_versions',
  {
    docId: text('doc_id')
      .notNull()
      .references(() => documents.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    name: text('name'),
    /** epoch milliseconds: when the update at `seq` was committed */
    at: integer('at').notNull(),
    /** who named it, or the author of the update at `seq` for an automatic one */
    bySub: text('by_sub'),
    byName: text('by_name'),
  },
  (t) => [primaryKey({ columns: [t.docId, t.seq] })],
)

/**
 * Revoked tokens (CONTRACT §2 v2): `kind` 'jti' refuses that one token, 'sub' every token of that
 * subject issued (`iat`) at or before `revoked_at`. Kept in the database so a restart forgets none.
 */
export const revocations = sqliteTable(
  'revocations',
  {
    kind: text('kind', { enum: ['jti', 'sub'] }).notNull(),
    value: text('value').notNull(),
    /** epoch milliseconds of the (latest) revocation */
    revokedAt: integer('revoked_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.value] })],
)

/**
 * Live tickets that have been used (CONTRACT §2 v2): the primary key makes a ticket single-use across
 * every instance sharing the database. Rows past `expires_at` are useless (the ticket is expired
 * anyway) and are deleted.
 */
export const usedTickets = sqliteTable(
  'used_tickets',
  {
    id: text('id').primaryKey(),
    /** epoch milliseconds */
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('used_tickets_expires_at').on(t.expiresAt)],
)

/**
 * Webhook endpoints (CONTRACT §6c): where events go, which ones, in which body format, and the
 * secret their deliveries are signed with (kept: every attempt is signed anew). `doc` is a
 * document id or `*`; it is no foreign key, so an endpoint of a deleted map still hears its
 * doc.deleted. `events` is a JSON array of event types.
 */
export const webhookEndpoints = sqliteTable('webhook_endpoints', {
  id: text('id').primaryKey(),
  url: text('url').notNull(),
  doc: text('doc').notNull(),
  events: text('events').notNull(),
  format: text('format', { enum: ['standard', 'slack'] }).notNull(),
  secret: text('secret').notNull(),
  /** epoch milliseconds */
  createdAt: integer('created_at').notNull(),
})

/**
 * The outbox: one row per event and endpoint, written in the transaction that derived the event,
 * so an event is sent however the instance that derived it ends. `id` is the Standard Webhooks
 * `webhook-id`, the same at every attempt. `seq` orders an endpoint's rows (one in flight per
 * endpoint, oldest first). A worker claims a row by writing its `lease_owner` and `lease_until`;
 * a lease that ran out (its instance died) may be claimed again. `doc_id` is no foreign key: a
 * doc.deleted outlives its map. `event_at`: when the event happened (a doc.changed: when its window
 * is due). A pending row with no attempt whose `next_attempt_at` is ahead is a held doc.changed.
 */
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    id: text('id').notNull().unique(),
    endpointId: text('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    docId: text('doc_id').notNull(),
    type: text('type').notNull(),
    body: text('body').notNull(),
    status: text('status', { enum: ['pending', 'delivered', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull(),
    /** epoch milliseconds, as every time below */
    nextAttemptAt: integer('next_attempt_at').notNull(),
    leaseOwner: text('lease_owner'),
    leaseUntil: integer('lease_until'),
    lastError: text('last_error'),
    deliveredAt: integer('delivered_at'),
    eventAt: integer('event_at').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('webhook_deliveries_claim').on(t.status, t.endpointId, t.seq), index('webhook_deliveries_endpoint').on(t.endpointId, t.seq)],
)

/**
 * Per document, the last seq whose events are in the outbox (the derivation's cursor), and the
 * doc.changed window of the last one sent or held (debounce.ts), written in the same transaction
 * as the rows. Created with the document at its first row; gone with it.
 */
export const webhookCursors = sqliteTable('webhook_cursors', {
  docId: text('doc_id')
    .primaryKey()
    .references(() => documents.id, { onDelete: 'cascade' }),
  seq: integer('seq').notNull(),
  windowVersion: integer('window_version'),
  /** a JSON array of subs */
  windowBy: text('window_by'),
  windowDueAt: integer('window_due_at'),
})
