// Drizzle tables. No logic: drizzle-kit reads this file to generate the migrations in drizzle/.
import { blob, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'

export const documents = sqliteTable('documents', {
  id: text('id').primaryKey(),
  title: text('title').notNull(),
  template: text('template').notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
})

/**
 * The append-only log of accepted Yjs updates. `seq` grows by one per document and is never reused,
 * so an instance that missed a message knows exactly which rows to read. Compaction replaces the rows
 * up to some seq by one row at that seq holding their merged state.
 */
export const docUpdates = sqliteTable(
  'doc_updates',
  {
    docId: text('doc_id')
      .notNull()
      .references(() => documents.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    data: blob('data', { mode: 'buffer' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.docId, t.seq] })],
)
