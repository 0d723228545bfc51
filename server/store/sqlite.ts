// The document store on SQLite (better-sqlite3 through drizzle). better-sqlite3 is synchronous, so
// each call has committed by the time its promise exists; the interface is asynchronous only because
// PostgreSQL's is (postgres.ts). Writers take SQLite's lock up front (IMMEDIATE): a deferred
// transaction that reads first and writes later fails with SQLITE_BUSY when another instance
// committed in between, whatever the busy timeout.
import { and, asc, desc, eq, gt, gte, inArray, isNotNull, lt, lte, notInArray, sql } from 'drizzle-orm'
import type { SqliteDb } from '../database.js'
import type { RevocationRows } from '../revocations.js'
import { docCheckpoints, docUpdates, docVersions, documents, revocations, usedTickets, webhookCursors } from '../tables/sqlite.js'
import type { UsedTicketRows } from '../tickets.js'
import type { AppendRequest, AppendResult, Author, Checkpoint, DocMeta, LoggedRow, LogRow, Store, StoredVersion } from './types.js'

/** A Buffer over the same bytes, which is what better-sqlite3 binds as a blob. */
const blob = (data: Uint8Array): Buffer => Buffer.from(data.buffer, data.byteOffset, data.byteLength)

const authorOf = (row: { bySub: string | null; byName: string | null }): Author | undefined =>
  row.bySub === null ? undefined : { sub: row.bySub, name: row.byName ?? row.bySub }

const HOUR_MS = 3_600_000

const versionRow = (docId: string, v: StoredVersion) => ({ docId, seq: v.seq, name: v.name, at: v.at, bySub: v.by?.sub ?? null, byName: v.by?.name ?? null })

export function createSqliteStore(db: SqliteDb, now: () => number = Date.now): Store {
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
          bySub: sql`${p('bySub')}`.as('by_sub'),
          byName: sql`${p('byName')}`.as('by_name'),
          at: sql`${p('at')}`.as('at'),
        })
        .from(docUpdates)
        .where(eq(docUpdates.docId, p('docId'))),
    )
    .returning({ seq: docUpdates.seq })
    .prepare()
  const insertUpdate = db
    .insert(docUpdates)
    .values({ docId: p('docId'), seq: p('seq'), data: p('data'), bySub: p('bySub'), byName: p('byName'), at: p('at') })
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
  const historyRange = db
    .select()
    .from(docUpdates)
    .where(and(eq(docUpdates.docId, p('docId')), gt(docUpdates.seq, p('after')), lte(docUpdates.seq, p('upTo'))))
    .orderBy(asc(docUpdates.seq))
    .limit(p('limit'))
    .prepare()
  const firstSeqOf = db
    .select({ seq: docUpdates.seq })
    .from(docUpdates)
    .where(eq(docUpdates.docId, p('docId')))
    .orderBy(asc(docUpdates.seq))
    .limit(1)
    .prepare()
  const checkpointBefore = db
    .select({ seq: docCheckpoints.seq, state: docCheckpoints.state })
    .from(docCheckpoints)
    .where(and(eq(docCheckpoints.docId, p('docId')), lte(docCheckpoints.seq, p('seq'))))
    .orderBy(desc(docCheckpoints.seq))
    .limit(1)
    .prepare()
  const leanCheckpointBefore = db
    .select({ seq: docCheckpoints.seq, lean: docCheckpoints.lean })
    .from(docCheckpoints)
    .where(and(eq(docCheckpoints.docId, p('docId')), lte(docCheckpoints.seq, p('seq'))))
    .orderBy(desc(docCheckpoints.seq))
    .limit(1)
    .prepare()
  const insertCheckpoint = db
    .insert(docCheckpoints)
    .values({ docId: p('docId'), seq: p('seq'), state: p('state'), lean: p('lean') })
    .onConflictDoNothing()
    .prepare()
  const checkpointRow = (id: string, c: Checkpoint) => ({ docId: id, seq: c.seq, state: blob(c.state), lean: c.lean ? blob(c.lean) : null })
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

  const row = (docId: string, data: Uint8Array, by: Author | undefined, at: number | null) => ({
    docId,
    data: blob(data),
    bySub: by?.sub ?? null,
    byName: by?.name ?? null,
    at,
  })

  const readSince = (id: string, afterSeq: number): LogRow[] =>
    rowsSince.all({ docId: id, after: afterSeq }).map((r) => ({ seq: r.seq, data: r.data }))

  const append = db.$client.transaction((requests: AppendRequest[]): AppendResult[] => {
    const at = now()
    return requests.map(({ docId, updates, title, touch: touchToo }) => {
      const [head, ...rest] = updates
      let first: number
      if (head === undefined) {
        // Nothing to store (a title or touch alone): the seq the next update will get.
        if (metaById.get({ id: docId }) === undefined) return null
        first = (lastSeqOf.get({ docId })?.seq ?? 0) + 1
      } else {
        try {
          first = appendUpdate.get(row(docId, head.data, head.by, at))!.seq
        } catch (err) {
          // The foreign key: a document deleted meanwhile (by any instance) takes no more updates.
          if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return null
          throw err
        }
      }
      rest.forEach((u, i) => insertUpdate.run({ ...row(docId, u.data, u.by, at), seq: first + 1 + i }))
      if (touchToo === true) touch.run({ id: docId, now: at })
      if (title !== undefined) retitle.run({ id: docId, title })
      return first
    })
  })

  const load = db.$client.transaction((id: string) => {
    const meta = metaById.get({ id })
    if (meta === undefined) return undefined
    const checkpoint = checkpointBefore.get({ docId: id, seq: Number.MAX_SAFE_INTEGER })
    if (checkpoint === undefined) return { meta, rows: readSince(id, 0) }
    return { meta, rows: [{ seq: checkpoint.seq, data: checkpoint.state }, ...readSince(id, checkpoint.seq)] }
  })

  const create = db.$client.transaction((meta: { id: string; title: string; template: string }, seed: Uint8Array, by?: Author) => {
    const at = now()
    const doc: DocMeta = { ...meta, createdAt: at, updatedAt: at }
    const inserted = db.insert(documents).values(doc).onConflictDoNothing().run()
    if (inserted.changes === 0) return undefined
    insertUpdate.run({ ...row(meta.id, seed, by, at), seq: 1 })
    // The webhook derivation starts right after the seed: every later update is analysed (webhooks/derivation.ts).
    db.insert(webhookCursors).values({ docId: meta.id, seq: 1 }).run()
    return doc
  })

  const checkpoint = db.$client.transaction((id: string, c: Checkpoint) => {
    // Gone meanwhile: the cascade took its rows, and a checkpoint would bring nothing back.
    if (metaById.get({ id }) === undefined) return
    insertCheckpoint.run(checkpointRow(id, c))
  })

  const fold = db.$client.transaction((id: string, upToSeq: number, checkpoints: Checkpoint[], versions: StoredVersion[]) => {
    if (metaById.get({ id }) === undefined) return
    // The next seq is counted from the last row: it never goes.
    if (upToSeq >= (lastSeqOf.get({ docId: id })?.seq ?? 0)) throw new Error(`fold of ${id} up to ${upToSeq} would delete its last row`)
    for (const c of checkpoints) insertCheckpoint.run(checkpointRow(id, c))
    if (checkpointBefore.get({ docId: id, seq: upToSeq })?.seq !== upToSeq) throw new Error(`fold of ${id} up to ${upToSeq} without a checkpoint there`)
    for (const v of versions) db.insert(docVersions).values(versionRow(id, v)).onConflictDoNothing().run()
    db.delete(docUpdates).where(and(eq(docUpdates.docId, id), lte(docUpdates.seq, upToSeq))).run()
    const keep = db.select({ seq: docVersions.seq }).from(docVersions).where(eq(docVersions.docId, id)).all().map((v) => v.seq)
    db.delete(docCheckpoints)
      .where(and(eq(docCheckpoints.docId, id), lt(docCheckpoints.seq, upToSeq), notInArray(docCheckpoints.seq, keep)))
      .run()
  })

  return {
    get: async (id) => metaById.get({ id }),
    list: async () => db.select().from(documents).orderBy(asc(documents.id)).all(),
    create: async (meta, seed, by) => create.immediate(meta, seed, by),
    load: async (id) => load(id),
    append: async (requests) => append.immediate(requests),
    readSince: async (id, afterSeq) => readSince(id, afterSeq),
    readHistory: async (id, afterSeq = 0, upToSeq = Number.MAX_SAFE_INTEGER, limit = -1) =>
      historyRange.all({ docId: id, after: afterSeq, upTo: upToSeq, limit }).map((r): LoggedRow => ({ seq: r.seq, data: r.data, by: authorOf(r), at: r.at })),
    firstSeq: async (id) => firstSeqOf.get({ docId: id })?.seq ?? 0,
    firstSeqCommittedSince: async (id, at) =>
      db
        .select({ seq: sql<number | null>`min(${docUpdates.seq})` })
        .from(docUpdates)
        .where(and(eq(docUpdates.docId, id), gte(docUpdates.at, at)))
        .get()?.seq ?? 0,
    checkpointAtOrBefore: async (id, seq) => checkpointBefore.get({ docId: id, seq }),
    leanCheckpointAtOrBefore: async (id, seq) => leanCheckpointBefore.get({ docId: id, seq }),
    hourlyVersions: async (id) =>
      db
        .select()
        .from(docUpdates)
        .where(
          and(
            eq(docUpdates.docId, id),
            inArray(
              docUpdates.seq,
              db
                .select({ seq: sql`max(${docUpdates.seq})` })
                .from(docUpdates)
                .where(and(eq(docUpdates.docId, id), isNotNull(docUpdates.bySub), isNotNull(docUpdates.at)))
                .groupBy(sql`${docUpdates.at} / ${sql.raw(String(HOUR_MS))}`),
            ),
          ),
        )
        .orderBy(desc(docUpdates.seq))
        .all()
        .map((r) => ({ seq: r.seq, name: null, at: r.at!, by: authorOf(r) })),
    storedVersions: async (id) =>
      db
        .select()
        .from(docVersions)
        .where(eq(docVersions.docId, id))
        .orderBy(desc(docVersions.seq))
        .all()
        .map((r) => ({ seq: r.seq, name: r.name, at: r.at, by: authorOf(r) })),
    nameVersion: async (id, version) => {
      if (metaById.get({ id }) === undefined) return false
      const row = versionRow(id, version)
      db.insert(docVersions).values(row).onConflictDoUpdate({ target: [docVersions.docId, docVersions.seq], set: { name: row.name, at: row.at, bySub: row.bySub, byName: row.byName } }).run()
      return true
    },
    lastSeq: async (id) => lastSeqOf.get({ docId: id })?.seq ?? 0,
    rowCount: async (id) => countOf.get({ docId: id })!.n,
    setTitle: async (id, title) => {
      retitle.run({ id, title })
    },
    touch: async (id) => {
      touch.run({ id, now: now() })
    },
    checkpoint: async (id, c) => {
      checkpoint.immediate(id, c)
    },
    fold: async (id, upToSeq, checkpoints, versions) => {
      fold.immediate(id, upToSeq, checkpoints, versions)
    },
    delete: async (id) => db.delete(documents).where(eq(documents.id, id)).run().changes > 0,
  }
}

export function sqliteRevocationRows(db: SqliteDb): RevocationRows {
  return {
    all: async () => db.select().from(revocations).all(),
    put: async (row) => {
      db.insert(revocations)
        .values(row)
        .onConflictDoUpdate({ target: [revocations.kind, revocations.value], set: { revokedAt: sql`max(${revocations.revokedAt}, excluded.revoked_at)` } })
        .run()
    },
  }
}

export function sqliteTicketRows(db: SqliteDb): UsedTicketRows {
  return {
    add: async (id, expiresAt) => db.insert(usedTickets).values({ id, expiresAt }).onConflictDoNothing().run().changes === 1,
    deleteExpired: async (before) => {
      db.delete(usedTickets).where(lt(usedTickets.expiresAt, before)).run()
    },
  }
}
