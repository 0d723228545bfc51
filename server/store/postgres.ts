// The document store on PostgreSQL (node-postgres Pool through drizzle), shared by instances on any
// number of hosts. Seqs are allocated as max(seq)+1 under a row lock on the document: writers of one
// document queue on that lock, so its seqs are gap-free and in commit order (a global SERIAL would
// hand out numbers in allocation order, which is not commit order, and a reader of `seq > last`
// could skip a row committed late). The lock also tells a writer that the document is gone.
import { and, asc, desc, eq, gt, inArray, lt, lte, sql } from 'drizzle-orm'
import type { PgDb } from '../database.js'
import type { RevocationRows } from '../revocations.js'
import { docUpdates, documents, revocations, usedTickets } from '../tables/pg.js'
import type { UsedTicketRows } from '../tickets.js'
import type { AppendResult, Author, DocMeta, LoggedRow, LogRow, Store } from './types.js'

const INSERT_CHUNK = 5000

type Tx = Parameters<Parameters<PgDb['transaction']>[0]>[0]

const bytes = (data: Uint8Array): Buffer => Buffer.from(data.buffer, data.byteOffset, data.byteLength)

const authorOf = (row: { bySub: string | null; byName: string | null }): Author | undefined =>
  row.bySub === null ? undefined : { sub: row.bySub, name: row.byName ?? row.bySub }

/** Locks the documents that exist among `ids`, in id order (so two writers never deadlock); returns their ids. */
async function lockDocuments(tx: Tx, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set()
  const rows = await tx.select({ id: documents.id }).from(documents).where(inArray(documents.id, ids)).orderBy(asc(documents.id)).for('update')
  return new Set(rows.map((r) => r.id))
}

export function createPostgresStore(db: PgDb, now: () => number = Date.now): Store {
  const readSince = async (id: string, afterSeq: number, from: PgDb | Tx = db): Promise<LogRow[]> =>
    from
      .select({ seq: docUpdates.seq, data: docUpdates.data })
      .from(docUpdates)
      .where(and(eq(docUpdates.docId, id), gt(docUpdates.seq, afterSeq)))
      .orderBy(asc(docUpdates.seq))

  // max(seq) per document as a correlated scalar subquery: PostgreSQL answers it from the primary
  // key's end (one index probe). The former `max … GROUP BY doc_id` scanned every row of the
  // document, so each append cost grew with the log (≈ 4.7 ms at 20 000 rows).
  const lastSeqs = async (tx: Tx, ids: string[]): Promise<Map<string, number>> => {
    const rows = await tx
      .select({
        docId: documents.id,
        seq: sql<string | null>`(select max(${docUpdates.seq}) from ${docUpdates} where ${docUpdates.docId} = ${documents.id})`,
      })
      .from(documents)
      .where(inArray(documents.id, ids))
    return new Map(rows.flatMap((r) => (r.seq === null ? [] : [[r.docId, Number(r.seq)] as const])))
  }

  return {
    get: async (id) => (await db.select().from(documents).where(eq(documents.id, id)))[0],
    list: () => db.select().from(documents).orderBy(asc(documents.id)),
    create: (meta, seed, by) =>
      db.transaction(async (tx) => {
        const at = now()
        const doc: DocMeta = { ...meta, createdAt: at, updatedAt: at }
        const inserted = await tx.insert(documents).values(doc).onConflictDoNothing().returning({ id: documents.id })
        if (inserted.length === 0) return undefined
        await tx.insert(docUpdates).values({ docId: meta.id, seq: 1, data: bytes(seed), bySub: by?.sub ?? null, byName: by?.name ?? null, at })
        return doc
      }),
    // Repeatable read: the meta and the rows are one snapshot, as SQLite's transaction gives.
    load: (id) =>
      db.transaction(
        async (tx) => {
          const meta = (await tx.select().from(documents).where(eq(documents.id, id)))[0]
          return meta === undefined ? undefined : { meta, rows: await readSince(id, 0, tx) }
        },
        { isolationLevel: 'repeatable read', accessMode: 'read only' },
      ),
    append: (requests) =>
      db.transaction(async (tx) => {
        const at = now()
        const ids = [...new Set(requests.map((r) => r.docId))].sort()
        const live = await lockDocuments(tx, ids)
        const next = await lastSeqs(tx, [...live])
        const rows: (typeof docUpdates.$inferInsert)[] = []
        const touched = new Set<string>()
        const results: AppendResult[] = requests.map(({ docId, updates, title, touch }) => {
          if (!live.has(docId)) return null
          const first = (next.get(docId) ?? 0) + 1
          next.set(docId, first + updates.length - 1)
          updates.forEach((u, i) =>
            rows.push({ docId, seq: first + i, data: bytes(u.data), bySub: u.by?.sub ?? null, byName: u.by?.name ?? null, at }),
          )
          if (touch === true) touched.add(docId)
          return first
        })
        // One statement per chunk: a statement binds at most 65535 parameters (six a row).
        for (let i = 0; i < rows.length; i += INSERT_CHUNK) await tx.insert(docUpdates).values(rows.slice(i, i + INSERT_CHUNK))
        if (touched.size > 0) await tx.update(documents).set({ updatedAt: at }).where(inArray(documents.id, [...touched]))
        for (const { docId, title } of requests) {
          if (title !== undefined && live.has(docId)) await tx.update(documents).set({ title }).where(eq(documents.id, docId))
        }
        return results
      }),
    readSince: (id, afterSeq) => readSince(id, afterSeq),
    readHistory: async (id, afterSeq = 0) =>
      (await db.select().from(docUpdates).where(and(eq(docUpdates.docId, id), gt(docUpdates.seq, afterSeq))).orderBy(asc(docUpdates.seq))).map(
        (r): LoggedRow => ({ seq: r.seq, data: r.data, by: authorOf(r), at: r.at }),
      ),
    lastSeq: async (id) => (await db.select({ seq: docUpdates.seq }).from(docUpdates).where(eq(docUpdates.docId, id)).orderBy(desc(docUpdates.seq)).limit(1))[0]?.seq ?? 0,
    rowCount: async (id) => (await db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(docUpdates).where(eq(docUpdates.docId, id)))[0]!.n,
    setTitle: async (id, title) => {
      await db.update(documents).set({ title }).where(eq(documents.id, id))
    },
    touch: async (id) => {
      await db.update(documents).set({ updatedAt: now() }).where(eq(documents.id, id))
    },
    compact: (id, upToSeq, state) =>
      db.transaction(async (tx) => {
        // The document's lock: no append interleaves, and a document deleted meanwhile stays deleted.
        if (!(await lockDocuments(tx, [id])).has(id)) return
        await tx.delete(docUpdates).where(and(eq(docUpdates.docId, id), lte(docUpdates.seq, upToSeq)))
        await tx.insert(docUpdates).values({ docId: id, seq: upToSeq, data: bytes(state), at: now() })
      }),
    delete: async (id) => (await db.delete(documents).where(eq(documents.id, id)).returning({ id: documents.id })).length > 0,
  }
}

export function postgresRevocationRows(db: PgDb): RevocationRows {
  return {
    all: () => db.select().from(revocations),
    put: async (row) => {
      await db
        .insert(revocations)
        .values(row)
        .onConflictDoUpdate({ target: [revocations.kind, revocations.value], set: { revokedAt: sql`greatest(${revocations.revokedAt}, excluded.revoked_at)` } })
    },
  }
}

export function postgresTicketRows(db: PgDb): UsedTicketRows {
  return {
    add: async (id, expiresAt) => (await db.insert(usedTickets).values({ id, expiresAt }).onConflictDoNothing().returning({ id: usedTickets.id })).length === 1,
    deleteExpired: async (before) => {
      await db.delete(usedTickets).where(lt(usedTickets.expiresAt, before))
    },
  }
}
