// PostgreSQL's tables (drizzle): the same as server/tables/sqlite.ts, whose comments say what each
// holds. No logic: drizzle-kit reads this file to generate drizzle/pg/.
import { bigint, customType, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core'

/** Yjs updates as bytea; node-postgres reads bytea as a Buffer and binds a Buffer as one. */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({
  dataType: () => 'bytea',
})

/** Epoch milliseconds: beyond int4, and a JS number is exact up to 2^53. */
const epochMs = (name: string) => bigint(name, { mode: 'number' })

export const documents = pgTable('documents', {
  id: text('id').primaryKey(),
  title: text('title').notNull(),
  template: text('template').notNull(),
  createdAt: epochMs('created_at').notNull(),
  updatedAt: epochMs('updated_at').notNull(),
})

export const docUpdates = pgTable(
  'doc_updates',
  {
    docId: text('doc_id')
      .notNull()
      .references(() => documents.id, { onDelete: 'cascade' }),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    data: bytea('data').notNull(),
    bySub: text('by_sub'),
    byName: text('by_name'),
    at: epochMs('at'),
  },
  (t) => [primaryKey({ columns: [t.docId, t.seq] })],
)

export const docCheckpoints = pgTable(
  'doc_checkpoints',
  {
    docId: text('doc_id')
      .notNull()
      .references(() => documents.id, { onDelete: 'cascade' }),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    state: bytea('state').notNull(),
    /** the same map without the values it replaced (server/lean-state.ts), for reading versions; null: read `state` */
    lean: bytea('lean'),
  },
  (t) => [primaryKey({ columns: [t.docId, t.seq] })],
)

export const docVersions = pgTable(
  'doc_versions',
  {
    docId: text('doc_id')
      .notNull()
      .references(() => documents.id, { onDelete: 'cascade' }),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    name: text('name'),
    at: epochMs('at').notNull(),
    bySub: text('by_sub'),
    byName: text('by_name'),
  },
  (t) => [primaryKey({ columns: [t.docId, t.seq] })],
)

export const revocations = pgTable(
  'revocations',
  {
    kind: text('kind', { enum: ['jti', 'sub'] }).notNull(),
    value: text('value').notNull(),
    revokedAt: epochMs('revoked_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.value] })],
)

export const usedTickets = pgTable(
  'used_tickets',
  {
    id: text('id').primaryKey(),
    expiresAt: epochMs('expires_at').notNull(),
  },
  (t) => [index('used_tickets_expires_at').on(t.expiresAt)],
)

export const webhookEndpoints = pgTable('webhook_endpoints', {
  id: text('id').primaryKey(),
  url: text('url').notNull(),
  doc: text('doc').notNull(),
  events: text('events').notNull(),
  format: text('format', { enum: ['standard', 'slack'] }).notNull(),
  secret: text('secret').notNull(),
  createdAt: epochMs('created_at').notNull(),
})

export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    id: text('id').notNull().unique(),
    endpointId: text('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    docId: text('doc_id').notNull(),
    type: text('type').notNull(),
    body: text('body').notNull(),
    status: text('status', { enum: ['pending', 'delivered', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull(),
    nextAttemptAt: epochMs('next_attempt_at').notNull(),
    leaseOwner: text('lease_owner'),
    leaseUntil: epochMs('lease_until'),
    lastError: text('last_error'),
    deliveredAt: epochMs('delivered_at'),
    eventAt: epochMs('event_at').notNull(),
    createdAt: epochMs('created_at').notNull(),
  },
  (t) => [index('webhook_deliveries_claim').on(t.status, t.endpointId, t.seq), index('webhook_deliveries_endpoint').on(t.endpointId, t.seq)],
)

export const webhookCursors = pgTable('webhook_cursors', {
  docId: text('doc_id')
    .primaryKey()
    .references(() => documents.id, { onDelete: 'cascade' }),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  windowVersion: bigint('window_version', { mode: 'number' }),
  windowBy: text('window_by'),
  windowDueAt: epochMs('window_due_at'),
})
