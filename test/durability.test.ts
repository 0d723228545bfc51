// What another client has seen survives kill -9; a corrupt document is refused, never replaced;
// SIGTERM commits, closes live connections with 1012 and exits 0 (CONTRACT §1, §3c). On SQLite by
// default; on PostgreSQL under SKILLMAP_TEST_DB=postgres.
import Database from 'better-sqlite3'
import path from 'node:path'
import pg from 'pg'
import { suite } from './helpers/suite.js'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { connectIo, connectYws, joinIo, rawWs, type YwsClient } from './helpers/clients.js'
import { startChild, startServer, tempDir, token } from './helpers/server.js'
import { until, within } from './helpers/wait.js'

const Durability = suite('durability')

Durability('a server killed with SIGKILL right after a second client received N updates keeps all N', async () => {
  // writer → server (child) → reader sees N; SIGKILL; restart on the same DATA_DIR → all N are there
  const dataDir = tempDir()
  const N = 200
  const first = await startChild({ DATA_DIR: dataDir })
  const writer = connectYws(first.wsUrl, 'crash', await token('editor', 'crash', 'W', 'w'))
  let reader: YwsClient | undefined
  try {
    // The writer's join creates the map; a viewer arriving first would be refused (4404).
    await writer.synced()
    reader = connectYws(first.wsUrl, 'crash', await token('viewer', 'crash', 'R', 'r'))
    await reader.synced()
    const items = reader.doc.getArray<number>('items')
    for (let i = 0; i < N; i++) writer.doc.getArray<number>('items').push([i])
    await until(() => items.length === N, { on: [[reader.doc, 'update']], what: `the reader to see ${N} updates` })
    first.child.kill('SIGKILL')
    assert.is(await first.exited, 'SIGKILL')
  } finally {
    writer.close()
    reader?.close()
  }

  const second = await startChild({ DATA_DIR: dataDir })
  const check = connectYws(second.wsUrl, 'crash', await token('viewer', 'crash'))
  try {
    await check.synced()
    assert.equal(check.doc.getArray('items').toArray(), [...Array(N).keys()])
  } finally {
    check.close()
    second.child.kill('SIGTERM')
    await second.exited
  }
})

Durability('SIGTERM closes live connections with 1012, commits everything and exits 0', async () => {
  const dataDir = tempDir()
  const child = await startChild({ DATA_DIR: dataDir })
  const client = connectYws(child.wsUrl, 'graceful', await token('editor', 'graceful'))
  const socket = connectIo(child.url, await token('editor', 'graceful'))
  try {
    await client.synced()
    const sio = await joinIo(socket, 'graceful')
    await sio.synced
    client.doc.getMap('m').set('last words', 'kept')
    sio.doc.getMap('m').set('io words', 'kept too')
    await until(() => client.doc.getMap('m').get('io words') === 'kept too', { on: [[client.doc, 'update']] })
    child.child.kill('SIGTERM')
    assert.is(await within(child.exited, 10_000, 'the server to exit'), 0)
    await until(() => client.closes.includes(1012), { what: 'close 1012' })
  } finally {
    client.close()
    socket.close()
  }
  const again = await startServer({ DATA_DIR: dataDir })
  try {
    const check = connectYws(again.wsUrl, 'graceful', await token('viewer', 'graceful'))
    await check.synced()
    assert.equal(check.doc.getMap('m').toJSON(), { 'last words': 'kept', 'io words': 'kept too' })
    check.close()
  } finally {
    await again.close()
  }
})

Durability('a corrupt stored document refuses connections with an error and is not overwritten', async () => {
  const srv = await startServer()
  // The garbage goes into the log behind the server's back: into the SQLite file, or on the
  // PostgreSQL run (SKILLMAP_TEST_DB=postgres) into the server's database.
  const log = srv.databaseUrl === undefined ? sqliteLog(srv.dataDir) : await postgresLog(srv.databaseUrl)
  try {
    const seed = new Y.Doc()
    seed.getMap('m').set('k', 'v')
    await srv.server.store.create({ id: 'broken', title: 'Broken', template: 'empty' }, Y.encodeStateAsUpdate(seed))
    const garbage = Buffer.from([0x01, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x05, 0x07, 0x09, 0x00])
    await log.insert('broken', 2, garbage)
    const rowsBefore = await log.rows('broken')
    assert.is(rowsBefore.length, 2)

    const raw = rawWs(srv.wsUrl, 'broken', await token('editor', 'broken'))
    assert.is((await raw.closed).code, 4500)
    // refused before any document data
    assert.ok(raw.messages.every((m) => m[0] === 2))
    const socket = connectIo(srv.url, await token('editor', 'broken'))
    const joined = await joinIo(socket, 'broken')
    assert.equal(joined.ack, { ok: false, code: 'unavailable', message: 'the document could not be loaded' })
    socket.close()

    assert.is(srv.server.rooms.get('broken'), undefined)
    assert.equal(await log.rows('broken'), rowsBefore)
  } finally {
    await log.close()
    await srv.close()
  }
})

/** The doc_updates table, read and written directly. */
interface RawLog {
  insert(docId: string, seq: number, data: Buffer): Promise<void>
  rows(docId: string): Promise<Array<{ seq: number; data: Buffer }>>
  close(): Promise<void>
}

function sqliteLog(dataDir: string): RawLog {
  const sqlite = new Database(path.join(dataDir, 'skillmap.db'))
  return {
    insert: async (docId, seq, data) => {
      sqlite.prepare('INSERT INTO doc_updates (doc_id, seq, data) VALUES (?, ?, ?)').run(docId, seq, data)
    },
    rows: async (docId) => sqlite.prepare('SELECT seq, data FROM doc_updates WHERE doc_id = ? ORDER BY seq').all(docId) as Array<{ seq: number; data: Buffer }>,
    close: async () => {
      sqlite.close()
    },
  }
}

async function postgresLog(url: string): Promise<RawLog> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  return {
    insert: async (docId, seq, data) => {
      await client.query('INSERT INTO doc_updates (doc_id, seq, data) VALUES ($1, $2, $3)', [docId, seq, data])
    },
    // bigint comes back as a string from pg; the seqs here are small.
    rows: async (docId) =>
      (await client.query('SELECT seq, data FROM doc_updates WHERE doc_id = $1 ORDER BY seq', [docId])).rows.map((r) => ({ seq: Number(r.seq), data: r.data as Buffer })),
    close: () => client.end(),
  }
}

Durability.run()
