// Exports and analytics over REST (CONTRACT §5, §6): read-your-writes, durability, ETag, formats.
import { suite } from './helpers/suite.js'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { analyze } from '../shared/analytics.js'
import { toCsv, toMarkdown, toSnapshot } from '../shared/export.js'
import { addPerson, addResponsibility, readMeta, setAssignment, setRating } from '../shared/schema.js'
import { connectYws, valueIn } from './helpers/clients.js'
import { assertError, http } from './helpers/http.js'
import { startServer, tempDir, token, type TestServer } from './helpers/server.js'
import { eventually, until } from './helpers/wait.js'

const Snapshot = suite<{ srv?: TestServer; admin?: string; closers: Array<() => void> }>('snapshot api', { closers: [] })

Snapshot.before(async (ctx) => {
  ctx.srv = await startServer()
  ctx.admin = await token('admin')
})
Snapshot.after.each((ctx) => {
  ctx.closers.splice(0).forEach((close) => close())
})
Snapshot.after(async (ctx) => {
  await ctx.srv?.close()
})

/** What the server has committed for a document, as a fresh Y.Doc. */
async function committed(srv: TestServer, docId: string): Promise<Y.Doc> {
  const doc = new Y.Doc()
  for (const r of (await srv.server.store.load(docId))!.rows) Y.applyUpdate(doc, r.data)
  return doc
}

Snapshot('a live edit through a y-websocket provider shows in the next export, json and csv', async (ctx) => {
  // provider → server (room, commit) → REST export, with no wait for any persistence delay
  const { url, wsUrl, server } = ctx.srv!
  await http(url, 'POST', '/api/docs', { token: ctx.admin, body: { id: 'ryw', title: 'Read your writes', template: 'empty' } })
  const client = connectYws(wsUrl, 'ryw', await token('editor', 'ryw', 'Ana', 'ana'))
  ctx.closers.push(client.close)
  await client.synced()
  const room = server.rooms.get('ryw')!

  client.doc.transact(() => {
    addPerson(client.doc, { id: 'ana', name: 'Ana', role: 'backend' })
    addResponsibility(client.doc, { id: 'api', title: 'REST, "quoted"', area: 'API design', criticality: 3 })
    setAssignment(client.doc, 'api', 'ana', 'A', 'ana', 1000)
  })
  // The export is asked for as soon as the server holds the edit in memory.
  await until(() => room.doc.getMap('assignments').has('api/ana'), { on: [[room.doc, 'update']], what: 'the server to apply the edit' })
  const [json, csv] = await Promise.all([
    http(url, 'GET', '/api/docs/ryw/snapshot', { token: ctx.admin }),
    http(url, 'GET', '/api/docs/ryw/snapshot?format=csv', { token: ctx.admin }),
  ])
  assert.equal(json.json.people.map((p: { id: string }) => p.id), ['ana'])
  assert.equal(json.json.responsibilities[0].accountable, ['ana'])
  assert.is(csv.text.split('\r\n')[1], 'api,API design,"REST, ""quoted""",ana,person,A')
  // and what was exported is committed
  assert.ok((await committed(ctx.srv!, 'ryw')).getMap('assignments').has('api/ana'))
  assert.is(json.json.version, (await server.store.lastSeq('ryw')))
})

Snapshot('rooms.read commits the updates of the current turn before anyone reads them', async (ctx) => {
  // provider → server applies the update; in that same turn, before the group commit, a read
  const { url, wsUrl, server } = ctx.srv!
  await http(url, 'POST', '/api/docs', { token: ctx.admin, body: { id: 'same-turn', title: 'Same turn', template: 'empty' } })
  const client = connectYws(wsUrl, 'same-turn', await token('editor', 'same-turn'))
  ctx.closers.push(client.close)
  await client.synced()
  const room = server.rooms.get('same-turn')!
  const seen = new Promise<{ pending: number; seqBefore: number; title: string; version: number; seqAfter: number }>((resolve, reject) => {
    const onUpdate = (): void => {
      room.doc.off('update', onUpdate)
      // A microtask runs after this message's handler and before the setImmediate group commit.
      queueMicrotask(() => {
        const pending = room.hasPending ? 1 : 0
        void (async () => {
          const seqBefore = await server.store.lastSeq('same-turn')
          const view = await server.rooms.read('same-turn', (v) => ({ title: readMeta(v.doc).title, version: v.version }))
          resolve({ pending, seqBefore, ...view, seqAfter: await server.store.lastSeq('same-turn') })
        })().catch(reject)
      })
    }
    room.doc.on('update', onUpdate)
  })
  client.doc.getMap('meta').set('title', 'Renamed in this turn')
  const r = await seen
  assert.ok(r.pending > 0, 'the read happened before the group commit')
  assert.is(r.title, 'Renamed in this turn')
  assert.ok(r.seqAfter > r.seqBefore, 'the read committed it first')
  assert.is(r.version, r.seqAfter)
  assert.not.ok(room.hasPending)
})

Snapshot('ETag: 304 while nothing changed, for every format; 200 with a new ETag after an edit', async (ctx) => {
  const { url, wsUrl } = ctx.srv!
  await http(url, 'POST', '/api/docs', { token: ctx.admin, body: { id: 'tagged', title: 'Tagged' } })
  const exporter = await token('exporter', 'tagged')
  const first = await http(url, 'GET', '/api/docs/tagged/snapshot', { token: exporter })
  assert.is(first.status, 200)
  const etag = first.headers.get('etag')!
  assert.is(etag, `"${first.json.version}"`)
  assert.is(first.headers.get('cache-control'), 'private, no-cache')
  for (const format of ['json', 'csv', 'md', 'yjs']) {
    const res = await http(url, 'GET', `/api/docs/tagged/snapshot?format=${format}`, { token: exporter, headers: { 'if-none-match': etag } })
    assert.is(res.status, 304, format)
    assert.is(res.headers.get('etag'), etag)
    assert.is(res.bytes.byteLength, 0)
  }
  // weak comparison, lists and * (RFC 9110)
  for (const header of [`W/${etag}`, `"nope", ${etag}`, '*']) {
    assert.is((await http(url, 'GET', '/api/docs/tagged/snapshot?format=csv', { token: exporter, headers: { 'if-none-match': header } })).status, 304, header)
  }

  const client = connectYws(wsUrl, 'tagged', await token('editor', 'tagged'))
  ctx.closers.push(client.close)
  await client.synced()
  client.doc.getMap('meta').set('title', 'Tagged again')
  await until(() => ctx.srv!.server.rooms.get('tagged')?.doc.getMap('meta').get('title') === 'Tagged again', { what: 'the edit to arrive' })
  const after = await http(url, 'GET', '/api/docs/tagged/snapshot', { token: exporter, headers: { 'if-none-match': etag } })
  assert.is(after.status, 200)
  assert.is(after.json.title, 'Tagged again')
  const newTag = after.headers.get('etag')!
  assert.is.not(newTag, etag)
  assert.ok(after.json.version > first.json.version)
  assert.is((await http(url, 'GET', '/api/docs/tagged/snapshot?format=md', { token: exporter, headers: { 'if-none-match': newTag } })).status, 304)
})

Snapshot('each format: its media type, a file name, and the same content as shared/export.ts', async (ctx) => {
  const { url, wsUrl } = ctx.srv!
  await http(url, 'POST', '/api/docs', { token: ctx.admin, body: { id: 'formats', title: 'Formats | pipes' } })
  const client = connectYws(wsUrl, 'formats', await token('editor', 'formats'))
  ctx.closers.push(client.close)
  await client.synced()
  client.doc.transact(() => {
    addPerson(client.doc, { id: 'ana', name: 'Ana', role: 'backend', team: 'core' })
    addPerson(client.doc, { id: 'ben', name: 'Ben', role: 'dba' })
    setAssignment(client.doc, 'api-rest', 'ana', 'A', 'u', 1000)
    setAssignment(client.doc, 'api-rest', 'ben', 'R', 'u', 1000)
    setRating(client.doc, 'ana', 'postgresql', 4, 'u', 2000)
    setRating(client.doc, 'ben', 'postgresql', null, 'u', 2000)
    // something that breaks the schema is reported, not hidden
    client.doc.getMap('ratings').set('ghost/postgresql', { level: 7, by: 'u', at: 1 })
  })
  const admin = ctx.admin
  await until(() => ctx.srv!.server.rooms.get('formats')?.doc.getMap('ratings').has('ghost/postgresql') === true, { what: 'the edit to arrive' })

  const json = await http(url, 'GET', '/api/docs/formats/snapshot?format=json', { token: admin })
  assert.match(json.headers.get('content-type')!, /^application\/json/)
  const stored = await committed(ctx.srv!, 'formats')
  // The response schema drops nothing: the JSON is exactly what toSnapshot makes of the committed doc.
  const expected = toSnapshot(stored, { id: 'formats', version: json.json.version, exportedAt: json.json.exportedAt })
  assert.equal(json.json, JSON.parse(JSON.stringify(expected)))
  assert.ok(json.json.problems.length > 0)
  assert.equal(json.json.people.find((p: { id: string }) => p.id === 'ben').team, null)

  const csv = await http(url, 'GET', '/api/docs/formats/snapshot?format=csv', { token: admin })
  assert.is(csv.headers.get('content-type'), 'text/csv; charset=utf-8')
  assert.is(csv.headers.get('content-disposition'), 'attachment; filename="formats.csv"')
  assert.is(csv.text, toCsv(stored))
  assert.ok(csv.text.startsWith('responsibility_id,area,responsibility,assignee,assignee_kind,letter\r\n'))

  const md = await http(url, 'GET', '/api/docs/formats/snapshot?format=md', { token: admin })
  assert.is(md.headers.get('content-type'), 'text/markdown; charset=utf-8')
  assert.is(md.text, toMarkdown(stored))
  assert.ok(md.text.startsWith('# Formats \\| pipes') || md.text.startsWith('# Formats | pipes'))

  const yjs = await http(url, 'GET', '/api/docs/formats/snapshot?format=yjs', { token: admin })
  assert.is(yjs.headers.get('content-type'), 'application/octet-stream')
  assert.is(yjs.headers.get('content-disposition'), 'attachment; filename="formats.yjs"')
  const copy = new Y.Doc()
  Y.applyUpdate(copy, yjs.bytes)
  assert.equal(copy.getMap('ratings').toJSON(), stored.getMap('ratings').toJSON())
  assert.ok(Y.equalSnapshots(Y.snapshot(copy), Y.snapshot(stored)))
})

Snapshot('analytics, with and without people (what-if), equal shared/analytics.ts', async (ctx) => {
  const { url, wsUrl } = ctx.srv!
  await http(url, 'POST', '/api/docs', { token: ctx.admin, body: { id: 'whatif', title: 'What if', template: 'empty' } })
  const client = connectYws(wsUrl, 'whatif', await token('editor', 'whatif'))
  ctx.closers.push(client.close)
  await client.synced()
  client.doc.transact(() => {
    addPerson(client.doc, { id: 'ana', name: 'Ana', role: 'backend' })
    addPerson(client.doc, { id: 'ben', name: 'Ben', role: 'backend' })
    addResponsibility(client.doc, { id: 'api', title: 'API', area: 'API design', criticality: 3 })
    setAssignment(client.doc, 'api', 'ana', 'A', 'u', 1)
    setAssignment(client.doc, 'api', 'ben', 'R', 'u', 1)
  })
  await until(() => ctx.srv!.server.rooms.get('whatif')?.doc.getMap('assignments').has('api/ben') === true, { what: 'the edit to arrive' })
  const viewer = await token('viewer', 'whatif')
  const plain = await http(url, 'GET', '/api/docs/whatif/analytics', { token: viewer })
  assert.is(plain.status, 200)
  assert.equal(plain.json, analyze(await committed(ctx.srv!, 'whatif')))
  assert.is(plain.json.whatIf, undefined)
  const without = await http(url, 'GET', '/api/docs/whatif/analytics?without=ana,ben', { token: viewer })
  assert.equal(without.json, analyze(await committed(ctx.srv!, 'whatif'), { without: ['ana', 'ben'] }))
  assert.equal(without.json.whatIf.without, ['ana', 'ben'])
  assert.equal(without.json.whatIf.changed, [{ kind: 'responsibility', id: 'api', from: 'ok', to: 'no-accountable' }])
})

Snapshot('a document that is not loaded is exported from the database without loading it', async (ctx) => {
  const { url, server } = ctx.srv!
  await http(url, 'POST', '/api/docs', { token: ctx.admin, body: { id: 'cold', title: 'Cold' } })
  assert.is(server.rooms.get('cold'), undefined)
  const res = await http(url, 'GET', '/api/docs/cold/snapshot', { token: ctx.admin })
  assert.is(res.json.title, 'Cold')
  assert.is(res.json.version, 1)
  assert.is(server.rooms.get('cold'), undefined)
})

Snapshot('a document whose stored rows cannot be read is a 503 with a fixed message, never an empty export', async (ctx) => {
  const { url, server } = ctx.srv!
  await http(url, 'POST', '/api/docs', { token: ctx.admin, body: { id: 'broken', title: 'Broken' } })
  // The same garbage row as the durability suite's, appended behind the store's back.
  const garbage = new Uint8Array([0x01, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x05, 0x07, 0x09, 0x00])
  await server.store.append([{ docId: 'broken', updates: [{ data: garbage }] }])
  for (const path of ['/api/docs/broken/snapshot', '/api/docs/broken/snapshot?format=yjs', '/api/docs/broken/analytics']) {
    const res = await http(url, 'GET', path, { token: ctx.admin })
    assertError(res, 503, 'unavailable', path)
    assert.is(res.json.message, 'the document could not be loaded')
  }
})

Snapshot('an instance whose bus missed an update still exports it: it reads the rows from the database', async () => {
  // provider → A commits; B shares the database but not a bus (a lost message) → B's export repairs
  const dataDir = tempDir()
  const a = await startServer({ DATA_DIR: dataDir })
  const b = await startServer({ DATA_DIR: dataDir })
  const closers: Array<() => void> = []
  try {
    // the editor's join creates the document; the viewer's then loads it on B
    const writer = connectYws(a.wsUrl, 'shared', await token('editor', 'shared'))
    closers.push(writer.close)
    await writer.synced()
    const watcher = connectYws(b.wsUrl, 'shared', await token('viewer', 'shared'))
    closers.push(watcher.close)
    await watcher.synced()
    writer.doc.getMap('meta').set('title', 'Written on A')
    await eventually(async () => (await a.server.store.rowCount('shared')) > 1 && !a.server.rooms.get('shared')!.hasPending, { what: 'A to commit' })
    assert.ok(b.server.rooms.appliedSeq('shared')! < (await b.server.store.lastSeq('shared')), 'B has not seen it')

    const res = await http(b.url, 'GET', '/api/docs/shared/snapshot', { token: await token('exporter', 'shared') })
    assert.is(res.json.title, 'Written on A')
    assert.is(res.json.version, await a.server.store.lastSeq('shared'))
    // the repair reached B's live clients too
    await valueIn(watcher.doc.getMap('meta'), 'title', 'Written on A')
  } finally {
    closers.forEach((close) => close())
    await Promise.all([a.close(), b.close()])
  }
})

Snapshot('a document deleted on another instance is a 404 here at once, even while loaded', async () => {
  const dataDir = tempDir()
  const a = await startServer({ DATA_DIR: dataDir })
  const b = await startServer({ DATA_DIR: dataDir })
  const closers: Array<() => void> = []
  try {
    const admin = await token('admin')
    await http(a.url, 'POST', '/api/docs', { token: admin, body: { id: 'gone-elsewhere', title: 'Gone' } })
    const watcher = connectYws(b.wsUrl, 'gone-elsewhere', await token('viewer', 'gone-elsewhere'))
    closers.push(watcher.close)
    await watcher.synced()
    assert.is((await http(a.url, 'DELETE', '/api/docs/gone-elsewhere', { token: admin })).status, 204)
    assertError(await http(b.url, 'GET', '/api/docs/gone-elsewhere/snapshot', { token: admin }), 404, 'not-found')
    await until(() => watcher.closes.includes(4410), { what: "B's client to be closed with 4410" })
  } finally {
    closers.forEach((close) => close())
    await Promise.all([a.close(), b.close()])
  }
})

Snapshot.run()
