// PostgreSQL's tables (drizzle): the same as server/tables/sqlite.ts, whose comments say what each
// holds. No logic: drizzle-kit reads this file to generate drizzle/pg/.
import { bigint, customType, index, pgTable, primaryKey, text } from 'drizzle-orm/pg-core'

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
