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
