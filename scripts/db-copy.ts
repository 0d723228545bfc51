// `npm run db:copy -- --from data/skillmap.db --to postgres://…`: moves a single-host installation
// (SQLite: documents, history, versions, revocations, tickets, webhooks) into an empty PostgreSQL
// database (issue 15, CONTRACT §7 v2). Every table is copied in one PostgreSQL transaction, so a
// failed copy leaves the target as empty as it was. The SQLite side is read in one read transaction
// (one WAL snapshot), and history rows are streamed per document in bounded chunks, never the whole
// database in memory. Before commit, the per-table counts, the bytes of history and each document's
// last seq are compared with the source; a mismatch rolls back.
// Exit codes: 2 bad or missing arguments, 1 an error (nothing committed), 0 copied.
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import cliProgress from 'cli-progress'
import { sql } from 'drizzle-orm'
import { postgresUrlProblem } from '../server/config.js'
import { openPostgres, openSqlite, type PgDb, type SqliteDb } from '../server/database.js'
import { docCheckpoints, docUpdates, docVersions, documents, revocations, usedTickets, webhookCursors, webhookDeliveries, webhookEndpoints } from '../server/tables/pg.js'

const USAGE = 'usage: npm run db:copy -- --from <DATA_DIR>/skillmap.db --to postgres://user:password@host:5432/database'

/** Rows per INSERT: far below PostgreSQL's 65535 bound parameters (six a row) … */
const CHUNK_ROWS = 1000
/** … and about this many bytes, so a log of large (compacted) rows is not held whole either. */
const CHUNK_BYTES = 8 * 1024 * 1024
/** Documents read (and inserted) per page. */
const DOC_PAGE = 500
/** A server still running on the target holds its tables' locks briefly; anything longer is a mistake. */
const LOCK_TIMEOUT = '10s'

type Tx = Parameters<Parameters<PgDb['transaction']>[0]>[0]

/** Bad or missing arguments: exit 2 with the usage line. */
class UsageError extends Error {}
/** A refusal or a failed check: exit 1 with this message, nothing committed. */
class CopyError extends Error {}

interface Args {
  from: string
  to: string
}

function parse(argv: string[]): Args | 'help' {
  let values
  try {
    ;({ values } = parseArgs({ args: argv, options: { from: { type: 'string' }, to: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }))
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  if (values.help === true) return 'help'
  const { from, to } = values
  if (from === undefined || from === '') throw new UsageError('--from is required: the SQLite database (DATA_DIR/skillmap.db)')
  if (to === undefined || to === '') throw new UsageError('--to is required: the PostgreSQL database (postgres://…)')
  const problem = postgresUrlProblem(to)
  if (problem !== undefined) throw new UsageError(`--to: expected postgres://user:password@host:5432/database (or postgresql://…), ${problem}`)
  // openSqlite would create a missing file (an empty database, copied as such): refuse first.
  const stat = fs.statSync(from, { throwIfNoEntry: false })
  if (stat === undefined) throw new UsageError(`--from: no such file: ${from}`)
  if (stat.isDirectory()) {
    const inside = path.join(from, 'skillmap.db')
    throw new UsageError(`--from: ${from} is a directory${fs.existsSync(inside) ? `; did you mean ${inside}?` : ''}`)
  }
  return { from, to }
}

/** host:port/database, for messages: the URL without its credentials. */
function describe(raw: string): string {
  const url = new URL(raw)
  return `${url.host}${url.pathname}`
}

/** What both sides must agree on after the copy. */
interface Tally {
  documents: number
  updates: number
  updateBytes: number
  revocations: number
  usedTickets: number
  checkpoints: number
  versions: number
  webhookEndpoints: number
  webhookDeliveries: number
  webhookCursors: number
}

function sqliteTally(src: SqliteDb): Tally {
  const row = src.$client
    .prepare(
      `SELECT (SELECT count(*) FROM documents) AS documents,
              (SELECT count(*) FROM doc_updates) AS updates,
              (SELECT coalesce(sum(length(data)), 0) FROM doc_updates) AS updateBytes,
              (SELECT count(*) FROM revocations) AS revocations,
              (SELECT count(*) FROM used_tickets) AS usedTickets,
              (SELECT count(*) FROM doc_checkpoints) AS checkpoints,
              (SELECT count(*) FROM doc_versions) AS versions,
              (SELECT count(*) FROM webhook_endpoints) AS webhookEndpoints,
              (SELECT count(*) FROM webhook_deliveries) AS webhookDeliveries,
              (SELECT count(*) FROM webhook_cursors) AS webhookCursors`,
    )
    .get() as Tally
  return row
}

async function pgTally(tx: Tx): Promise<Tally> {
  // count(*) and sum() are bigint and numeric, which node-postgres hands over as strings.
  const { rows } = await tx.execute<Record<keyof Tally, string>>(
    sql`SELECT (SELECT count(*) FROM ${documents}) AS "documents",
               (SELECT count(*) FROM ${docUpdates}) AS "updates",
               (SELECT coalesce(sum(octet_length(data)), 0) FROM ${docUpdates}) AS "updateBytes",
               (SELECT count(*) FROM ${revocations}) AS "revocations",
               (SELECT count(*) FROM ${usedTickets}) AS "usedTickets",
               (SELECT count(*) FROM ${docCheckpoints}) AS "checkpoints",
               (SELECT count(*) FROM ${docVersions}) AS "versions",
               (SELECT count(*) FROM ${webhookEndpoints}) AS "webhookEndpoints",
               (SELECT count(*) FROM ${webhookDeliveries}) AS "webhookDeliveries",
               (SELECT count(*) FROM ${webhookCursors}) AS "webhookCursors"`,
  )
  const row = rows[0]!
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)])) as unknown as Tally
}

function sqliteLastSeqs(src: SqliteDb): Map<string, number> {
  const rows = src.$client.prepare('SELECT doc_id AS docId, max(seq) AS seq FROM doc_updates GROUP BY doc_id').all() as Array<{ docId: string; seq: number }>
  return new Map(rows.map((r) => [r.docId, r.seq]))
}

async function pgLastSeqs(tx: Tx): Promise<Map<string, number>> {
  const rows = await tx
    .select({ docId: docUpdates.docId, seq: sql<number>`max(${docUpdates.seq})`.mapWith(Number) })
    .from(docUpdates)
    .groupBy(docUpdates.docId)
  return new Map(rows.map((r) => [r.docId, r.seq]))
}

type UpdateRow = typeof docUpdates.$inferInsert

/** Groups rows into chunks of at most CHUNK_ROWS rows and about CHUNK_BYTES (a bigger row goes alone). */
function* chunked(rows: Iterable<UpdateRow>): Generator<UpdateRow[]> {
  let chunk: UpdateRow[] = []
  let bytes = 0
  for (const row of rows) {
    if (chunk.length > 0 && (chunk.length >= CHUNK_ROWS || bytes + row.data.byteLength > CHUNK_BYTES)) {
      yield chunk
      chunk = []
      bytes = 0
    }
    chunk.push(row)
    bytes += row.data.byteLength
  }
  if (chunk.length > 0) yield chunk
}

interface Progress {
  documents(n: number): void
  rows(n: number): void
  stop(): void
}

/**
 * Two bars on stderr, when it is a terminal. Not otherwise: cli-progress skips the updates there but
 * still prints its unstarted bars (placeholders and all) on stop, which is noise in a log.
 */
function progress(total: Tally): Progress {
  if (process.stderr.isTTY !== true) return { documents: () => {}, rows: () => {}, stop: () => {} }
  const bars = new cliProgress.MultiBar(
    { format: '{what} |{bar}| {value}/{total}', hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  )
  const docs = bars.create(total.documents, 0, { what: 'documents   ' })
  const rows = bars.create(total.updates, 0, { what: 'history rows' })
  return { documents: (n) => docs.increment(n), rows: (n) => rows.increment(n), stop: () => bars.stop() }
}

async function copy(src: SqliteDb, tx: Tx, bar: Progress): Promise<void> {
  const docPage = src.$client.prepare(
    'SELECT id, title, template, created_at AS createdAt, updated_at AS updatedAt FROM documents WHERE id > ? ORDER BY id LIMIT ?',
  )
  const history = src.$client.prepare('SELECT doc_id AS docId, seq, data, by_sub AS bySub, by_name AS byName, at FROM doc_updates WHERE doc_id = ? ORDER BY seq')
  const checkpoints = src.$client.prepare('SELECT doc_id AS docId, seq, state, lean FROM doc_checkpoints WHERE doc_id = ? ORDER BY seq')
  let after = ''
  for (;;) {
    const page = docPage.all(after, DOC_PAGE) as Array<typeof documents.$inferInsert>
    if (page.length === 0) break
    await tx.insert(documents).values(page)
    for (const doc of page) {
      // The iterator stays open across the awaits: nothing else uses the SQLite connection meanwhile.
      for (const chunk of chunked(history.iterate(doc.id) as Iterable<UpdateRow>)) {
        await tx.insert(docUpdates).values(chunk)
        bar.rows(chunk.length)
      }
      // A checkpoint is a whole state: one at a time.
      for (const checkpoint of checkpoints.iterate(doc.id) as Iterable<typeof docCheckpoints.$inferInsert>) await tx.insert(docCheckpoints).values(checkpoint)
      bar.documents(1)
    }
    after = page.at(-1)!.id
  }
  // Small tables, but read the same bounded way.
  for (const [table, select] of [
    [revocations, 'SELECT kind, value, revoked_at AS revokedAt FROM revocations'],
    [usedTickets, 'SELECT id, expires_at AS expiresAt FROM used_tickets'],
    [docVersions, 'SELECT doc_id AS docId, seq, name, at, by_sub AS bySub, by_name AS byName FROM doc_versions'],
    // Webhooks (CONTRACT §6c): the endpoints with their secrets, each document's cursor, and the outbox
    // with its seqs, so pending deliveries go on in order and none is derived twice.
    [webhookEndpoints, 'SELECT id, url, doc, events, format, secret, created_at AS createdAt FROM webhook_endpoints'],
    [webhookCursors, 'SELECT doc_id AS docId, seq, window_version AS windowVersion, window_by AS windowBy, window_due_at AS windowDueAt FROM webhook_cursors'],
    [
      webhookDeliveries,
      `SELECT seq, id, endpoint_id AS endpointId, doc_id AS docId, type, body, status, attempts, next_attempt_at AS nextAttemptAt,
              lease_owner AS leaseOwner, lease_until AS leaseUntil, last_error AS lastError, delivered_at AS deliveredAt,
              event_at AS eventAt, created_at AS createdAt
       FROM webhook_deliveries ORDER BY seq`,
    ],
  ] as const) {
    let chunk: object[] = []
    for (const row of src.$client.prepare(select).iterate() as Iterable<object>) {
      chunk.push(row)
      if (chunk.length === CHUNK_ROWS) {
        await tx.insert(table).values(chunk as never)
        chunk = []
      }
    }
    if (chunk.length > 0) await tx.insert(table).values(chunk as never)
  }
  // The seqs came with the rows: the identity sequence goes on after the last one.
  await tx.execute(sql`SELECT setval(pg_get_serial_sequence('webhook_deliveries', 'seq'), coalesce(max(seq), 0) + 1, false) FROM ${webhookDeliveries}`)
}

/** 402.4 MB, 12.0 kB, 512 B: the size of the copied history, for the summary. */
function size(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`
  const [unit, div] = bytes < 1e6 ? ['kB', 1e3] : bytes < 1e9 ? ['MB', 1e6] : ['GB', 1e9]
  return `${(bytes / div).toFixed(1)} ${unit}`
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`

async function main(args: Args): Promise<string> {
  const started = Date.now()
  let src: SqliteDb
  try {
    src = openSqlite(args.from, { sync: 'normal' })
  } catch (err) {
    throw new CopyError(`cannot open ${args.from} as a skillmap SQLite database: ${driverError(err).message}`)
  }
  let target: PgDb | undefined
  try {
    try {
      target = await openPostgres(args.to)
    } catch (err) {
      throw new CopyError(`cannot open the PostgreSQL database ${describe(args.to)}: ${driverError(err).message}`)
    }
    // One snapshot of the source for the whole copy (WAL: the first read fixes it), so counts,
    // rows and last seqs agree even if something wrote to the file meanwhile.
    src.$client.exec('BEGIN')
    const total = sqliteTally(src)
    await inTransaction(target, args, async (tx) => {
      await tx.execute(sql.raw(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`))
      // Writers (a server started too early, a second copy) wait for this commit, then see rows.
      await tx.execute(
        sql`LOCK TABLE ${documents}, ${docUpdates}, ${docCheckpoints}, ${docVersions}, ${revocations}, ${usedTickets}, ${webhookEndpoints}, ${webhookDeliveries}, ${webhookCursors} IN EXCLUSIVE MODE`,
      )
      const before = await pgTally(tx)
      if (before.documents + before.updates + before.revocations + before.usedTickets + before.webhookEndpoints > 0) {
        const webhooks = before.webhookEndpoints > 0 ? `, ${plural(before.webhookEndpoints, 'webhook endpoint')}` : ''
        throw new CopyError(
          `refusing to copy into ${describe(args.to)}: it is not empty (${plural(before.documents, 'document')}, ${plural(before.updates, 'history row')}, ` +
            `${plural(before.revocations, 'revocation')}, ${plural(before.usedTickets, 'used ticket')}${webhooks}); db:copy only fills an empty database`,
        )
      }
      const bar = progress(total)
      try {
        await copy(src, tx, bar)
      } finally {
        bar.stop()
      }
      await verify(src, tx, total)
    })
    const seconds = ((Date.now() - started) / 1000).toFixed(1)
    return (
      `copied ${plural(total.documents, 'document')} (${plural(total.updates, 'history row')}, ${size(total.updateBytes)}), ` +
      `${plural(total.revocations, 'revocation')} and ${plural(total.usedTickets, 'used ticket')} from ${args.from} to ${describe(args.to)} in ${seconds} s; verified`
    )
  } finally {
    if (src.$client.inTransaction) src.$client.exec('ROLLBACK')
    src.$client.close()
    await target?.$client.end()
  }
}

/** drizzle wraps a failed query's error (its message holds every parameter: history bytes too); the driver's is the cause. */
function driverError(err: unknown): Error & { code?: string } {
  let e = err as Error & { code?: string; cause?: unknown }
  while (e.cause instanceof Error) e = e.cause as typeof e
  return e
}

const pgCode = (err: unknown): string | undefined => driverError(err).code

/** The target's transaction; a lock not granted in LOCK_TIMEOUT means something else is using that database. */
async function inTransaction(target: PgDb, args: Args, work: (tx: Tx) => Promise<void>): Promise<void> {
  try {
    await target.transaction(work)
  } catch (err) {
    if (pgCode(err) !== '55P03') throw err
    throw new CopyError(`${describe(args.to)} is in use (a skillmap server running on it?): its tables stayed locked for ${LOCK_TIMEOUT}; stop it and run the copy again`)
  }
}

/** Before commit: every count, the bytes of history and each document's last seq equal the source's. */
async function verify(src: SqliteDb, tx: Tx, total: Tally): Promise<void> {
  const copied = await pgTally(tx)
  const wrong = (Object.keys(total) as Array<keyof Tally>).filter((k) => copied[k] !== total[k]).map((k) => `${k}: ${total[k]} in SQLite, ${copied[k]} in PostgreSQL`)
  const want = sqliteLastSeqs(src)
  const got = await pgLastSeqs(tx)
  for (const [id, seq] of want) if (got.get(id) !== seq) wrong.push(`document ${JSON.stringify(id)}: last seq ${seq} in SQLite, ${got.get(id) ?? 'none'} in PostgreSQL`)
  for (const id of got.keys()) if (!want.has(id)) wrong.push(`document ${JSON.stringify(id)}: in PostgreSQL only`)
  if (wrong.length > 0) throw new CopyError(`the copy does not match the source, rolled back (nothing was written):\n  ${wrong.slice(0, 20).join('\n  ')}`)
}

let exitCode: number
try {
  const args = parse(process.argv.slice(2))
  if (args === 'help') {
    console.log(USAGE)
    exitCode = 0
  } else {
    console.log(await main(args))
    exitCode = 0
  }
} catch (err) {
  if (err instanceof UsageError) {
    console.error(`${err.message}\n${USAGE}`)
    exitCode = 2
  } else {
    console.error(err instanceof CopyError ? err.message : `db:copy failed, nothing was written: ${err instanceof Error ? driverError(err).message : String(err)}`)
    exitCode = 1
  }
}
process.exit(exitCode)
