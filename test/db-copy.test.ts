// `npm run db:copy` (issue 15): a real skillmap server on SQLite gets three maps edited live over
// y-websocket and Socket.IO, a revoked token and a used ticket; the script, run as a child process,
// copies its file into a fresh database of a private PostgreSQL. The copy holds the same rows (every
// table, seqs, authors, commit times), a server on that database serves the same exports and ETags
// and refuses the revoked token, and the script refuses what it must: bad arguments (2), a non-empty
// target, a file that is not SQLite, a copy that does not match its source (1, nothing written).
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { decodeJwt } from 'jose'
import * as assert from 'uvu/assert'
import { WebSocket } from 'ws'
import * as Y from 'yjs'
import { openDatabase, openPostgres, type SkillmapDatabase } from '../server/database.js'
import type { Cursor, Delivery } from '../server/webhooks/store.js'
import { addPerson, addRole, setAssignment, setTitle } from '../shared/schema.js'
import { connectIo, connectYws, converged, joinIo, type YwsClient } from './helpers/clients.js'
import { http } from './helpers/http.js'
import { startPostgres, type TestPostgres } from './helpers/postgres.js'
import { freePort } from './helpers/redis.js'
import { startServer, tempDir, token, type TestServer } from './helpers/server.js'
import { suite } from './helpers/suite.js'
import { nextEvent } from './helpers/wait.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const MAPS = ['alpha', 'beta', 'gamma'] as const
/** A copy of a few maps takes a second or two, most of it tsx starting. */
const COPY_TIMEOUT_MS = 60_000

interface Exported {
  etag: string | null
  snapshot: unknown
}

interface Ctx {
  pg?: TestPostgres
  /** the SQLite installation's DATA_DIR and database file */
  dataDir: string
  file: string
  /** the database the copy went into */
  target: string
  admin: string
  revoked: string
  /** a token of the subject revoked by sub (issued before the revocation) */
  revokedSub: string
  exported: Map<string, Exported>
  servers: TestServer[]
  closers: Array<() => void>
}

const DbCopy = suite<Ctx>('db:copy', { dataDir: '', file: '', target: '', admin: '', revoked: '', revokedSub: '', exported: new Map(), servers: [], closers: [] })

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/** The script as `npm run db:copy` runs it; killed if it outlives the timeout. */
function dbCopy(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'scripts/db-copy.ts', ...args], { cwd: ROOT, timeout: COPY_TIMEOUT_MS, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : null, stdout, stderr })
    })
  })
}

/** Every map's JSON export (without its export time) and ETag, as an admin reads them. */
async function exportsOf(srv: TestServer, admin: string): Promise<Map<string, Exported>> {
  const out = new Map<string, Exported>()
  for (const id of MAPS) {
    const res = await http(srv.url, 'GET', `/api/docs/${id}/snapshot?format=json`, { token: admin })
    assert.is(res.status, 200, `${id}: ${res.text}`)
    const { exportedAt: _exportedAt, ...snapshot } = res.json
    out.set(id, { etag: res.headers.get('etag'), snapshot })
  }
  return out
}

/** Everything a database holds, comparable across dialects (bytes as base64). */
async function contents(db: SkillmapDatabase) {
  const docs = await db.store.list()
  const history: Record<string, unknown[]> = {}
  const versions: Record<string, unknown[]> = {}
  for (const doc of docs) {
    history[doc.id] = (await db.store.readHistory(doc.id)).map((r) => ({ ...r, data: Buffer.from(r.data).toString('base64') }))
    versions[doc.id] = await db.store.storedVersions(doc.id)
  }
  const checkpointRows: Array<{ docId: string; seq: number | string; state: Uint8Array }> =
    db.dialect === 'sqlite'
      ? db.db.$client.prepare('SELECT doc_id AS "docId", seq, state FROM doc_checkpoints ORDER BY doc_id, seq').all()
      : (await db.db.$client.query('SELECT doc_id AS "docId", seq, state FROM doc_checkpoints ORDER BY doc_id, seq')).rows
  const checkpoints = checkpointRows.map((c) => ({ docId: c.docId, seq: Number(c.seq), state: Buffer.from(c.state).toString('base64') }))
  const revocations = (await db.revocationRows.all()).map((r) => ({ ...r })).sort((a, b) => `${a.kind}:${a.value}`.localeCompare(`${b.kind}:${b.value}`))
  const tickets =
    db.dialect === 'sqlite'
      ? db.db.$client.prepare('SELECT id, expires_at AS "expiresAt" FROM used_tickets ORDER BY id').all()
      : (await db.db.$client.query('SELECT id, expires_at::float8 AS "expiresAt" FROM used_tickets ORDER BY id')).rows
  const endpoints = (await db.webhooks.listEndpoints()).sort((a, b) => a.id.localeCompare(b.id))
  const cursors: Record<string, Cursor | undefined> = Object.fromEntries(await Promise.all(docs.map(async (d) => [d.id, await db.webhooks.cursor(d.id)])))
  const deliveries: Record<string, Delivery[]> = Object.fromEntries(await Promise.all(endpoints.map(async (e) => [e.id, await db.webhooks.deliveries(e.id, 1000)])))
  return { docs, history, versions, checkpoints, revocations, tickets, webhooks: { endpoints, cursors, deliveries } }
}

async function sqliteContents(ctx: Ctx) {
  const db = await openDatabase({ dataDir: ctx.dataDir, sqliteSync: 'normal', databaseUrl: undefined })
  try {
    return await contents(db)
  } finally {
    await db.close()
  }
}

async function pgContents(url: string) {
  const db = await openDatabase({ dataDir: tempDir(), sqliteSync: 'normal', databaseUrl: url })
  try {
    return await contents(db)
  } finally {
    await db.close()
  }
}

/** Edits `doc` through `writer` and waits until a second connection has it: the server committed it. */
async function editAndWait(writer: Y.Doc, watcher: YwsClient, edit: (doc: Y.Doc) => void): Promise<void> {
  edit(writer)
  await converged(writer, watcher.doc)
}

DbCopy.before(async (ctx) => {
  ctx.pg = await startPostgres()
  ctx.dataDir = tempDir()
  ctx.file = path.join(ctx.dataDir, 'skillmap.db')
  // Checkpoints every 2 rows, so doc_checkpoints has rows to copy. A webhook to a closed port, so the
  // outbox holds deliveries waiting for their retry.
  const srv = await startServer({ DATA_DIR: ctx.dataDir, COMPACT_THRESHOLD: '2', WEBHOOK_ALLOW_PRIVATE: 'true' })
  ctx.servers.push(srv)
  ctx.admin = await token('admin', '*', 'Root', 'root')
  const hook = await http(srv.url, 'POST', '/api/webhooks', { token: ctx.admin, body: { url: `http://127.0.0.1:${await freePort()}/hook`, doc: '*', events: ['doc.created', 'responsibility.risk_changed'] } })
  assert.is(hook.status, 201, hook.text)
  for (const [id, template] of [['alpha', 'backend'], ['beta', 'empty'], ['gamma', 'backend']] as const) {
    const res = await http(srv.url, 'POST', '/api/docs', { token: ctx.admin, body: { id, title: `Map ${id}`, template } })
    assert.is(res.status, 201, res.text)
  }

  // Live edits by named editors (their sub and name land in doc_updates), on both transports.
  for (const id of ['alpha', 'beta'] as const) {
    const writer = connectYws(srv.wsUrl, id, await token('editor', id, 'Ana', 'ana'))
    const watcher = connectYws(srv.wsUrl, id, await token('viewer', id, 'Vic', 'vic'))
    ctx.closers.push(writer.close, watcher.close)
    await Promise.all([writer.synced(), watcher.synced()])
    await editAndWait(writer.doc, watcher, (doc) => addRole(doc, 'sre', 'Site reliability'))
    await editAndWait(writer.doc, watcher, (doc) => addPerson(doc, { id: `${id}-dev`, name: `Dev of ${id}`, role: 'sre' }))
    await editAndWait(writer.doc, watcher, (doc) => setTitle(doc, `Map ${id}, edited`))
  }
  const socket = connectIo(srv.url, await token('editor', 'gamma', 'Bo', 'bo'))
  ctx.closers.push(() => socket.close())
  const io = await joinIo(socket, 'gamma')
  await io.synced
  const watcher = connectYws(srv.wsUrl, 'gamma', await token('viewer', 'gamma', 'Vic', 'vic'))
  ctx.closers.push(watcher.close)
  await watcher.synced()
  await editAndWait(io.doc, watcher, (doc) => addPerson(doc, { id: 'gamma-ops', name: 'Ops', role: 'devops' }))
  await editAndWait(io.doc, watcher, (doc) => setAssignment(doc, 'observability', 'gamma-ops', 'R', 'bo', Date.now()))

  // A named version (doc_versions).
  assert.is((await http(srv.url, 'POST', '/api/docs/alpha/versions', { token: ctx.admin, body: { name: 'before the copy' } })).status, 201)

  // A revoked token (revocations) and a used ticket (used_tickets).
  ctx.revoked = await token('editor', '*', 'Leaked', 'lee')
  assert.is((await http(srv.url, 'POST', '/api/tokens/revoke', { token: ctx.admin, body: { jti: decodeJwt(ctx.revoked).jti } })).status, 204)
  ctx.revokedSub = await token('viewer', '*', 'Gone', 'gone')
  assert.is((await http(srv.url, 'POST', '/api/tokens/revoke', { token: ctx.admin, body: { sub: 'gone' } })).status, 204)
  const ticket = await http(srv.url, 'POST', '/api/tokens/ticket', { token: await token('viewer', 'alpha', 'Tia', 'tia') })
  assert.is(ticket.status, 200, ticket.text)
  const ws = new WebSocket(`${srv.wsUrl}/yjs/alpha?ticket=${ticket.json.ticket}`)
  ctx.closers.push(() => ws.close())
  await nextEvent(ws, 'message') // admitted: the ticket is spent

  ctx.closers.splice(0).forEach((close) => close())
  await srv.close()
  ctx.servers.splice(ctx.servers.indexOf(srv), 1)

  // A clean stop merges each room's log into one row; a crashed server leaves its last rows, with
  // their authors and commit times, unmerged. Two such rows on beta, through the real SQLite store.
  const db = await openDatabase({ dataDir: ctx.dataDir, sqliteSync: 'normal', databaseUrl: undefined })
  try {
    const doc = new Y.Doc()
    Y.applyUpdate(doc, Y.mergeUpdates((await db.store.load('beta'))!.rows.map((r) => r.data)))
    const updates: Uint8Array[] = []
    doc.on('update', (u: Uint8Array) => updates.push(u))
    addPerson(doc, { id: 'beta-late', name: 'Late', role: 'sre' })
    setTitle(doc, 'Map beta, after the crash')
    await db.store.append([{ docId: 'beta', updates: updates.map((data) => ({ data, by: { sub: 'ana', name: 'Ana' } })) }])
    doc.destroy()
  } finally {
    await db.close()
  }
  // The exports to compare with: a server reads unloaded documents without loading (or merging) them.
  const again = await startServer({ DATA_DIR: ctx.dataDir })
  ctx.servers.push(again)
  ctx.exported = await exportsOf(again, ctx.admin)
  await again.close()
  ctx.servers.splice(ctx.servers.indexOf(again), 1)
  assert.match(JSON.stringify(ctx.exported.get('beta')!.snapshot), /Late/)
})

DbCopy.after(async (ctx) => {
  ctx.closers.splice(0).forEach((close) => close())
  for (const srv of ctx.servers.splice(0)) await srv.close()
  await ctx.pg?.close()
})

DbCopy('bad or missing arguments exit 2 with the usage line, and a missing --from file is not created', async (ctx) => {
  const target = await ctx.pg!.createDatabase()
  const missing = path.join(tempDir(), 'skillmap.db')
  for (const [args, message] of [
    [[], /--from is required/],
    [['--from', ctx.file], /--to is required/],
    [['--to', target], /--from is required/],
    [['--from', ctx.file, '--to', 'mysql://user@host/db'], /--to: expected postgres:\/\/.*got a mysql:\/\/ URL/],
    [['--from', ctx.file, '--to', 'not a url'], /--to: expected postgres:\/\//],
    [['--from', missing, '--to', target], /--from: no such file/],
    [['--from', ctx.dataDir, '--to', target], /is a directory; did you mean .*skillmap\.db\?/],
    [['--from', ctx.file, '--to', target, '--force'], /Unknown option '--force'/],
  ] as Array<[string[], RegExp]>) {
    const run = await dbCopy(...args)
    assert.is(run.code, 2, `${args.join(' ')}: ${run.stderr}`)
    assert.match(run.stderr, message)
    assert.match(run.stderr, /usage: npm run db:copy -- --from/)
  }
  assert.not.ok(fs.existsSync(missing), 'no empty SQLite file was created')
  assert.equal((await pgContents(target)).docs, [])
})

DbCopy('copies every table into an empty database: the same documents, history rows, checkpoints, versions, revocations and used tickets', async (ctx) => {
  ctx.target = await ctx.pg!.createDatabase()
  const run = await dbCopy('--from', ctx.file, '--to', ctx.target)
  assert.is(run.code, 0, run.stderr)
  const summary = run.stdout.trim().split('\n')
  assert.is(summary.length, 1, run.stdout)
  assert.match(summary[0]!, /^copied 3 documents \(\d+ history rows, [\d.]+ [kMG]?B\), 2 revocations and 1 used ticket from .* to 127\.0\.0\.1:\d+\/\S+ in [\d.]+ s; verified$/)

  const want = await sqliteContents(ctx)
  const got = await pgContents(ctx.target)
  assert.equal(want.docs.map((d) => d.id), [...MAPS])
  assert.ok(want.checkpoints.length > 0 && want.versions.alpha!.length === 1, 'checkpoints and a named version to copy')
  assert.is(want.webhooks.endpoints.length, 1)
  assert.ok(Object.values(want.webhooks.deliveries)[0]!.length >= 3, 'deliveries to copy')
  assert.ok(Object.values(want.webhooks.cursors).every((c) => c !== undefined && c.seq > 1), 'cursors past the seeds')
  assert.equal(got, want)
  // merged rows and beta's unmerged tail with its author and commit time came along
  const beta = got.history.beta as Array<{ seq: number; by?: { sub: string }; at: number | null }>
  assert.ok(beta.length >= 3, `beta: ${beta.length} rows`)
  assert.equal(beta.at(-1)!.by, { sub: 'ana', name: 'Ana' })
  assert.type(beta.at(-1)!.at, 'number')
})

DbCopy('a server on the copy serves the same exports and ETags, and refuses the revoked token', async (ctx) => {
  const srv = await startServer({ DATABASE_URL: ctx.target, DATA_DIR: tempDir() })
  ctx.servers.push(srv)
  const exported = await exportsOf(srv, ctx.admin)
  for (const id of MAPS) {
    assert.is(exported.get(id)!.etag, ctx.exported.get(id)!.etag, `${id}: ETag`)
    assert.equal(exported.get(id)!.snapshot, ctx.exported.get(id)!.snapshot, `${id}: JSON export`)
  }
  const refused = await http(srv.url, 'GET', '/api/docs', { token: ctx.revoked })
  assert.is(refused.status, 401)
  assert.is(refused.json.message, 'token revoked')
  assert.is((await http(srv.url, 'GET', '/api/docs', { token: ctx.revokedSub })).status, 401)

  // Editing goes on where the SQLite log stopped: the next seq, so the next ETag.
  const writer = connectYws(srv.wsUrl, 'gamma', await token('editor', 'gamma', 'Bo', 'bo'))
  const watcher = connectYws(srv.wsUrl, 'gamma', await token('viewer', 'gamma', 'Vic', 'vic'))
  ctx.closers.push(writer.close, watcher.close)
  await Promise.all([writer.synced(), watcher.synced()])
  await editAndWait(writer.doc, watcher, (doc) => setTitle(doc, 'Map gamma, on PostgreSQL'))
  const after = await http(srv.url, 'GET', '/api/docs/gamma/snapshot?format=json', { token: ctx.admin })
  assert.is(after.headers.get('etag'), `"${Number(JSON.parse(ctx.exported.get('gamma')!.etag!)) + 1}"`)
  assert.is(after.json.title, 'Map gamma, on PostgreSQL')
  // the outbox goes on after the copied seqs: a new map's doc.created is queued behind the copied ones
  const [endpoint] = (await http(srv.url, 'GET', '/api/webhooks', { token: ctx.admin })).json
  const copied = (await http(srv.url, 'GET', `/api/webhooks/${endpoint.id}/deliveries`, { token: ctx.admin })).json.length
  assert.is((await http(srv.url, 'POST', '/api/docs', { token: ctx.admin, body: { id: 'delta', title: 'Delta', template: 'empty' } })).status, 201)
  const list = (await http(srv.url, 'GET', `/api/webhooks/${endpoint.id}/deliveries`, { token: ctx.admin })).json
  assert.is(list.length, copied + 1)
  assert.equal([list[0].event, list[0].doc], ['doc.created', 'delta'])
  assert.is((await http(srv.url, 'DELETE', '/api/docs/delta', { token: ctx.admin })).status, 204)
  ctx.closers.splice(0).forEach((close) => close())
  await srv.close()
  ctx.servers.splice(ctx.servers.indexOf(srv), 1)
})

DbCopy('a second copy into the same database is refused (exit 1) and changes nothing', async (ctx) => {
  const before = await pgContents(ctx.target)
  const run = await dbCopy('--from', ctx.file, '--to', ctx.target)
  assert.is(run.code, 1, run.stderr)
  assert.match(run.stderr, /^refusing to copy into 127\.0\.0\.1:\d+\/\S+: it is not empty \(3 documents, \d+ history rows, 2 revocations, 1 used ticket, 1 webhook endpoint\)/)
  assert.not.match(run.stderr, /postgres:\/\//, 'the URL (which may hold a password) is not repeated')
  assert.is(run.stdout, '')
  assert.equal(await pgContents(ctx.target), before)
})

DbCopy('a copy that does not match its source is rolled back (exit 1) and leaves the target empty', async (ctx) => {
  const target = await ctx.pg!.createDatabase()
  // A trigger on the target that silently drops one history row stands in for any copy gone wrong.
  const db = await openPostgres(target)
  try {
    await db.$client.query(`
      CREATE FUNCTION drop_one() RETURNS trigger AS $$
        BEGIN IF NEW.doc_id = 'beta' AND NEW.by_sub = 'ana' THEN RETURN NULL; END IF; RETURN NEW; END
      $$ LANGUAGE plpgsql;
      CREATE TRIGGER drop_one BEFORE INSERT ON doc_updates FOR EACH ROW EXECUTE FUNCTION drop_one();`)
  } finally {
    await db.$client.end()
  }
  const run = await dbCopy('--from', ctx.file, '--to', target)
  assert.is(run.code, 1, run.stderr)
  assert.match(run.stderr, /does not match the source, rolled back/)
  assert.match(run.stderr, /updates: \d+ in SQLite, \d+ in PostgreSQL/)
  assert.match(run.stderr, /document "beta": last seq \d+ in SQLite, \d+ in PostgreSQL/)
  const left = await pgContents(target)
  assert.equal(left, { docs: [], history: {}, versions: {}, checkpoints: [], revocations: [], tickets: [], webhooks: { endpoints: [], cursors: {}, deliveries: {} } })
})

DbCopy('a --from file that is not a SQLite database is an error (exit 1), named clearly', async (ctx) => {
  const notSqlite = path.join(tempDir(), 'notes.txt')
  fs.writeFileSync(notSqlite, 'these are not the tables you are looking for\n'.repeat(200))
  const run = await dbCopy('--from', notSqlite, '--to', await ctx.pg!.createDatabase())
  assert.is(run.code, 1, run.stderr)
  assert.match(run.stderr, /cannot open .*notes\.txt as a skillmap SQLite database: file is not a database/)
})

DbCopy('an unreachable PostgreSQL is an error (exit 1) that names the target without its password', async (ctx) => {
  const port = await freePort()
  const run = await dbCopy('--from', ctx.file, '--to', `postgres://skillmap:hunter2@127.0.0.1:${port}/skillmap`)
  assert.is(run.code, 1, run.stderr)
  assert.match(run.stderr, new RegExp(`^cannot open the PostgreSQL database 127\\.0\\.0\\.1:${port}/skillmap: .*ECONNREFUSED`))
  assert.not.match(run.stderr, /hunter2/)
})

DbCopy.run()
