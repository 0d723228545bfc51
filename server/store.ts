// The only module that touches the document tables: create, load, append, compact, delete.
// better-sqlite3 is synchronous, so a call returns only once SQLite has committed (CONTRACT §3c).
import { and, asc, desc, eq, gt, lte, sql } from 'drizzle-orm'
import type { SqliteDb as Db } from './database.js'
import { docUpdates, documents } from './tables/sqlite.js'

export interface DocMeta {
  id: string
  title: string
  template: string
  createdAt: number
  updatedAt: number
}

export interface LogRow {
  seq: number
  data: Uint8Array
}

export interface AppendRequest {
  docId: string
  updates: Uint8Array[]
  /** a new title for the documents table, committed with the updates */
  title?: string | undefined
  /** also set the document's updatedAt (rooms do it at most once a second: it costs a page write) */
  touch?: boolean
}

/** The seq given to the first update of a request (the others follow it), or null if the document is gone. */
export type AppendResult = number | null

export interface Store {
  get(id: string): DocMeta | undefined
  list(): DocMeta[]
  /** Creates a document whose log starts with `seed`; undefined if the id is taken. */
  create(meta: { id: string; title: string; template: string }, seed: Uint8Array): DocMeta | undefined
  /** Meta and every log row in order, read in one transaction; undefined if there is no such document. */
  load(id: string): { meta: DocMeta; rows: LogRow[] } | undefined
  /** Appends every request in one transaction (one commit, one fsync with SQLITE_SYNC=full). */
  append(requests: AppendRequest[]): AppendResult[]
  readSince(id: string, afterSeq: number): LogRow[]
  lastSeq(id: string): number
  rowCount(id: string): number
  setTitle(id: string, title: string): void
  /** Sets updatedAt to now. */
  touch(id: string): void
  /**
   * Replaces every row up to `upToSeq` by one row at `upToSeq` holding `state`, which must contain
   * all of them (a loaded room's state does). Rows after it stay: applying them again is harmless.
   */
  compact(id: string, upToSeq: number, state: Uint8Array): void
  delete(id: string): boolean
}

/** A Buffer over the same bytes, which is what better-sqlite3 binds as a blob. */
const blob = (data: Uint8Array): Buffer => Buffer.from(data.buffer, data.byteOffset, data.byteLength)

export function createStore(db: Db, now: () => number = Date.now): Store {
  const p = sql.placeholder
  const metaById = db.select().from(documents).where(eq(documents.id, p('id'))).prepare()
  // The next seq and the row in one statement: the hot path of every commit.
  const appendUpdate = db
    .insert(docUpdates)
    .select(
      db
        .select({
          docId: sql`${p('docId')}`.as('doc_id'),
          seq: sql`coalesce(max(${docUpdates.seq}), 0) + 1`.as('seq'),
          data: sql`${p('data')}`.as('data'),
          // This store is the rooms' until they use store/sqlite.ts: no authors, but the commit time.
          bySub: sql`null`.as('by_sub'),
          byName: sql`null`.as('by_name'),
          at: sql`${p('at')}`.as('at'),
        })
        .from(docUpdates)
        .where(eq(docUpdates.docId, p('docId'))),
    )
    .returning({ seq: docUpdates.seq })
    .prepare()
  const insertUpdate = db
    .insert(docUpdates)
    .values({ docId: p('docId'), seq: p('seq'), data: p('data'), at: p('at') })
    .prepare()
  const touch = db
    .update(documents)
    .set({ updatedAt: sql`${p('now')}` })
    .where(eq(documents.id, p('id')))
    .prepare()
  const retitle = db
    .update(documents)
    .set({ title: sql`${p('title')}` })
    .where(eq(documents.id, p('id')))
    .prepare()
  const rowsSince = db
    .select({ seq: docUpdates.seq, data: docUpdates.data })
    .from(docUpdates)
    .where(and(eq(docUpdates.docId, p('docId')), gt(docUpdates.seq, p('after'))))
    .orderBy(asc(docUpdates.seq))
    .prepare()
  const lastSeqOf = db
    .select({ seq: docUpdates.seq })
    .from(docUpdates)
    .where(eq(docUpdates.docId, p('docId')))
    .orderBy(desc(docUpdates.seq))
    .limit(1)
    .prepare()
  const countOf = db
    .select({ n: sql<number>`count(*)` })
    .from(docUpdates)
    .where(eq(docUpdates.docId, p('docId')))
    .prepare()

  const readSince = (id: string, afterSeq: number): LogRow[] =>
    rowsSince.all({ docId: id, after: afterSeq }).map((r) => ({ seq: r.seq, data: r.data }))

  const append = db.$client.transaction((requests: AppendRequest[]): AppendResult[] => {
    const at = now()
    return requests.map(({ docId, updates, title, touch: touchToo }) => {
      let first: number
      try {
        first = appendUpdate.get({ docId, data: blob(updates[0]!), at })!.seq
      } catch (err) {
        // The foreign key: a document deleted meanwhile (by any instance) takes no more updates.
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return null
        throw err
      }
      updates.slice(1).forEach((data, i) => insertUpdate.run({ docId, seq: first + 1 + i, data: blob(data), at }))
      if (touchToo === true) touch.run({ id: docId, now: at })
      if (title !== undefined) retitle.run({ id: docId, title })
      return first
    })
  })

  const load = db.$client.transaction((id: string) => {
    const meta = metaById.get({ id })
    return meta === undefined ? undefined : { meta, rows: readSince(id, 0) }
  })

  const create = db.$client.transaction((meta: { id: string; title: string; template: string }, seed: Uint8Array) => {
    const at = now()
    const row: DocMeta = { ...meta, createdAt: at, updatedAt: at }
    const inserted = db.insert(documents).values(row).onConflictDoNothing().run()
    if (inserted.changes === 0) return undefined
    insertUpdate.run({ docId: meta.id, seq: 1, data: blob(seed), at })
    return row
  })

  const compact = db.$client.transaction((id: string, upToSeq: number, state: Uint8Array) => {
    db.delete(docUpdates).where(and(eq(docUpdates.docId, id), lte(docUpdates.seq, upToSeq))).run()
    // Gone meanwhile: the delete above emptied nothing the insert should bring back.
    if (metaById.get({ id }) !== undefined) insertUpdate.run({ docId: id, seq: upToSeq, data: blob(state), at: now() })
  })

  return {
    get: (id) => metaById.get({ id }),
    touch: (id) => {
      touch.run({ id, now: now() })
    },
    list: () => db.select().from(documents).orderBy(asc(documents.id)).all(),
    // Writers take the lock up front (IMMEDIATE): a deferred transaction that reads first and writes
    // later fails with SQLITE_BUSY when another instance committed in between, whatever the timeout.
    create: (meta, seed) => create.immediate(meta, seed),
    load: (id) => load(id),
    append: (requests) => append.immediate(requests),
    readSince,
    lastSeq: (id) => lastSeqOf.get({ docId: id })?.seq ?? 0,
    rowCount: (id) => countOf.get({ docId: id })!.n,
    setTitle: (id, title) => {
      retitle.run({ id, title })
    },
    compact: (id, upToSeq, state) => {
      compact.immediate(id, upToSeq, state)
    },
    delete: (id) => db.delete(documents).where(eq(documents.id, id)).run().changes > 0,
  }
}
