// The document store on PostgreSQL (node-postgres Pool through drizzle), shared by instances on any
// number of hosts. Seqs are allocated as max(seq)+1 under a row lock on the document: writers of one
// document queue on that lock, so its seqs are gap-free and in commit order (a global SERIAL would
// hand out numbers in allocation order, which is not commit order, and a reader of `seq > last`
// could skip a row committed late). The lock also tells a writer that the document is gone.
import { and, asc, desc, eq, gt, gte, inArray, isNotNull, lt, lte, notInArray, sql } from 'drizzle-orm'
import pg from 'pg'
import type { PgDb } from '../database.js'
import type { RevocationRows } from '../revocations.js'
import { docCheckpoints, docUpdates, docVersions, documents, revocations, usedTickets, webhookCursors } from '../tables/pg.js'
import type { UsedTicketRows } from '../tickets.js'
import type { AppendRequest, AppendResult, Author, Checkpoint, DocMeta, LoggedRow, LogRow, Store, StoredVersion } from './types.js'

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

/**
 * One append in three round trips (BEGIN with the lock, the insert, COMMIT), where a drizzle
 * transaction took five: with fsync on, an append's round trips were about half its 2.2 ms. The
 * seqs are computed by the insert itself, from max(seq) read by that statement: it starts after the
 * lock is held, so its snapshot holds every row of the writer before. The lock is one simple-query
 * string with the ids as literals (node-postgres sends parameters only with a single statement).
 */
async function append(pool: pg.Pool, requests: AppendRequest[], at: number): Promise<AppendResult[]> {
  const ids = [...new Set(requests.map((r) => r.docId))].sort()
  if (ids.length === 0) return []
  const client = await pool.connect()
  let failed: Error | undefined
  try {
    const list = ids.map((id) => client.escapeLiteral(id)).join(',')
    const [, locked] = (await client.query(`begin; select id from documents where id in (${list}) order by id for update`)) as unknown as pg.QueryResult[]
    const live = new Set(locked!.rows.map((r: { id: string }) => r.id))
    const rows = { docId: [] as string[], ord: [] as number[], data: [] as Buffer[], bySub: [] as (string | null)[], byName: [] as (string | null)[] }
    const count = new Map<string, number>()
    const starts = requests.map(({ docId, updates }) => {
      if (!live.has(docId)) return null
      const start = (count.get(docId) ?? 0) + 1
      count.set(docId, start + updates.length - 1)
      updates.forEach((u, i) => {
        rows.docId.push(docId)
        rows.ord.push(start + i)
        rows.data.push(bytes(u.data))
        rows.bySub.push(u.by?.sub ?? null)
        rows.byName.push(u.by?.name ?? null)
      })
      return start
    })
    const last = new Map<string, number>()
    if (live.size > 0) {
      const { rows: bases } = await client.query<{ id: string; last: string }>(INSERT_SQL, [[...live], rows.docId, rows.ord, rows.data, rows.bySub, rows.byName, at])
      for (const b of bases) last.set(b.id, Number(b.last))
    }
    const touched = [...new Set(requests.filter((r) => r.touch === true && live.has(r.docId)).map((r) => r.docId))]
    if (touched.length > 0) await client.query('update documents set updated_at = $1 where id = any($2)', [at, touched])
    for (const { docId, title } of requests) {
      if (title !== undefined && live.has(docId)) await client.query('update documents set title = $1 where id = $2', [title, docId])
    }
    await client.query('commit')
    return requests.map((r, i) => (starts[i] === null ? null : last.get(r.docId)! + starts[i]!))
  } catch (err) {
    failed = err as Error
    await client.query('rollback').catch(() => {})
    throw err
  } finally {
    // A client whose connection broke must not go back to the pool.
    client.release(failed !== undefined && !(failed instanceof pg.DatabaseError) ? failed : undefined)
  }
}

/**
 * The documents' last seqs (before this insert) and the insert of the new rows after them. max(seq)
 * as a correlated scalar subquery is one probe at the primary key's end (a `max … GROUP BY` scanned
 * the document's whole log: 4.7 ms at 20 000 rows).
 */
const INSERT_SQL = `
with base as (
  select d.id, coalesce((select max(u.seq) from doc_updates u where u.doc_id = d.id), 0) as last
  from documents d where d.id = any($1::text[])
), ins as (
  insert into doc_updates (doc_id, seq, data, by_sub, by_name, at)
  select r.doc_id, b.last + r.ord, r.data, r.by_sub, r.by_name, $7
  from unnest($2::text[], $3::bigint[], $4::bytea[], $5::text[], $6::text[]) as r(doc_id, ord, data, by_sub, by_name)
  join base b on b.id = r.doc_id
)
select id, last from base`

const HOUR_MS = 3_600_000

const versionRow = (docId: string, v: StoredVersion) => ({ docId, seq: v.seq, name: v.name, at: v.at, bySub: v.by?.sub ?? null, byName: v.by?.name ?? null })

/** 23503: the document a row would belong to is gone (deleted by any instance). */
const isForeignKeyViolation = (err: unknown): boolean => {
  const cause = (err as { cause?: unknown }).cause ?? err
  return (cause as { code?: string }).code === '23503' || (err as { code?: string }).code === '23503'
}

export function createPostgresStore(db: PgDb, now: () => number = Date.now): Store {
  const checkpointBefore = async (id: string, seq: number, from: PgDb | Tx = db): Promise<Checkpoint | undefined> =>
    (
      await from
        .select({ seq: docCheckpoints.seq, state: docCheckpoints.state })
        .from(docCheckpoints)
        .where(and(eq(docCheckpoints.docId, id), lte(docCheckpoints.seq, seq)))
        .orderBy(desc(docCheckpoints.seq))
        .limit(1)
    )[0]
  const checkpointRow = (id: string, c: Checkpoint) => ({ docId: id, seq: c.seq, state: bytes(c.state), lean: c.lean ? bytes(c.lean) : null })
  const readSince = async (id: string, afterSeq: number, from: PgDb | Tx = db): Promise<LogRow[]> =>
    from
      .select({ seq: docUpdates.seq, data: docUpdates.data })
      .from(docUpdates)
      .where(and(eq(docUpdates.docId, id), gt(docUpdates.seq, afterSeq)))
      .orderBy(asc(docUpdates.seq))

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
        // The webhook derivation starts right after the seed: every later update is analysed (webhooks/derivation.ts).
        await tx.insert(webhookCursors).values({ docId: meta.id, seq: 1 })
        return doc
      }),
    // Repeatable read: the meta and the rows are one snapshot, as SQLite's transaction gives.
    load: (id) =>
      db.transaction(
        async (tx) => {
          const meta = (await tx.select().from(documents).where(eq(documents.id, id)))[0]
          if (meta === undefined) return undefined
          const checkpoint = await checkpointBefore(id, Number.MAX_SAFE_INTEGER, tx)
          if (checkpoint === undefined) return { meta, rows: await readSince(id, 0, tx) }
          return { meta, rows: [{ seq: checkpoint.seq, data: checkpoint.state }, ...(await readSince(id, checkpoint.seq, tx))] }
        },
        { isolationLevel: 'repeatable read', accessMode: 'read only' },
      ),
    append: (requests) => append(db.$client, requests, now()),
    readSince: (id, afterSeq) => readSince(id, afterSeq),
    readHistory: async (id, afterSeq = 0, upToSeq = Number.MAX_SAFE_INTEGER, limit) => {
      const query = db
        .select()
        .from(docUpdates)
        .where(and(eq(docUpdates.docId, id), gt(docUpdates.seq, afterSeq), lte(docUpdates.seq, upToSeq)))
        .orderBy(asc(docUpdates.seq))
      return (await (limit === undefined ? query : query.limit(limit))).map((r): LoggedRow => ({ seq: r.seq, data: r.data, by: authorOf(r), at: r.at }))
    },
    firstSeq: async (id) => (await db.select({ seq: docUpdates.seq }).from(docUpdates).where(eq(docUpdates.docId, id)).orderBy(asc(docUpdates.seq)).limit(1))[0]?.seq ?? 0,
    firstSeqCommittedSince: async (id, at) =>
      Number((await db.select({ seq: sql<string | null>`min(${docUpdates.seq})` }).from(docUpdates).where(and(eq(docUpdates.docId, id), gte(docUpdates.at, at))))[0]?.seq ?? 0),
    checkpointAtOrBefore: (id, seq) => checkpointBefore(id, seq),
    leanCheckpointAtOrBefore: async (id, seq) =>
      (
        await db
          .select({ seq: docCheckpoints.seq, lean: docCheckpoints.lean })
          .from(docCheckpoints)
          .where(and(eq(docCheckpoints.docId, id), lte(docCheckpoints.seq, seq)))
          .orderBy(desc(docCheckpoints.seq))
          .limit(1)
      )[0],
    hourlyVersions: async (id) =>
      (
        await db
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
      ).map((r) => ({ seq: r.seq, name: null, at: r.at!, by: authorOf(r) })),
    storedVersions: async (id) =>
      (await db.select().from(docVersions).where(eq(docVersions.docId, id)).orderBy(desc(docVersions.seq))).map((r) => ({
        seq: r.seq,
        name: r.name,
        at: r.at,
        by: authorOf(r),
      })),
    nameVersion: async (id, version) => {
      const row = versionRow(id, version)
      try {
        await db
          .insert(docVersions)
          .values(row)
          .onConflictDoUpdate({ target: [docVersions.docId, docVersions.seq], set: { name: row.name, at: row.at, bySub: row.bySub, byName: row.byName } })
        return true
      } catch (err) {
        if (isForeignKeyViolation(err)) return false
        throw err
      }
    },
    lastSeq: async (id) => (await db.select({ seq: docUpdates.seq }).from(docUpdates).where(eq(docUpdates.docId, id)).orderBy(desc(docUpdates.seq)).limit(1))[0]?.seq ?? 0,
    rowCount: async (id) => (await db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(docUpdates).where(eq(docUpdates.docId, id)))[0]!.n,
    setTitle: async (id, title) => {
      await db.update(documents).set({ title }).where(eq(documents.id, id))
    },
    touch: async (id) => {
      await db.update(documents).set({ updatedAt: now() }).where(eq(documents.id, id))
    },
    checkpoint: async (id, checkpoint) => {
      try {
        await db.insert(docCheckpoints).values(checkpointRow(id, checkpoint)).onConflictDoNothing()
      } catch (err) {
        // Gone meanwhile: the cascade took its rows, and a checkpoint would bring nothing back.
        if (!isForeignKeyViolation(err)) throw err
      }
    },
    fold: (id, upToSeq, checkpoints, versions) =>
      db.transaction(async (tx) => {
        // The document's lock: one fold at a time per document, and a document deleted meanwhile stays deleted.
        if (!(await lockDocuments(tx, [id])).has(id)) return
        // The next seq is counted from the last row: it never goes.
        const last = (await tx.select({ seq: docUpdates.seq }).from(docUpdates).where(eq(docUpdates.docId, id)).orderBy(desc(docUpdates.seq)).limit(1))[0]?.seq ?? 0
        if (upToSeq >= last) throw new Error(`fold of ${id} up to ${upToSeq} would delete its last row`)
        if (checkpoints.length > 0) await tx.insert(docCheckpoints).values(checkpoints.map((c) => checkpointRow(id, c))).onConflictDoNothing()
        if ((await checkpointBefore(id, upToSeq, tx))?.seq !== upToSeq) throw new Error(`fold of ${id} up to ${upToSeq} without a checkpoint there`)
        if (versions.length > 0) await tx.insert(docVersions).values(versions.map((v) => versionRow(id, v))).onConflictDoNothing()
        await tx.delete(docUpdates).where(and(eq(docUpdates.docId, id), lte(docUpdates.seq, upToSeq)))
        const keep = (await tx.select({ seq: docVersions.seq }).from(docVersions).where(eq(docVersions.docId, id))).map((v) => v.seq)
        await tx
          .delete(docCheckpoints)
          .where(and(eq(docCheckpoints.docId, id), lt(docCheckpoints.seq, upToSeq), ...(keep.length > 0 ? [notInArray(docCheckpoints.seq, keep)] : [])))
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
