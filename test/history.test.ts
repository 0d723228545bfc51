// History, versions, restore, blame and retention (CONTRACT §6a), over REST against real servers
// whose documents are edited by stock y-websocket providers. Runs on SQLite and on PostgreSQL.
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { appliesExactly } from '../server/lean-state.js'
import { toSnapshot } from '../shared/export.js'
import { replayChanges } from '../shared/replay.js'
import {
  addPerson,
  addResponsibility,
  addSkill,
  removePerson,
  renameRole,
  setAssignment,
  setHidden,
  setPersonActive,
  setRating,
  setTitle,
  updateResponsibility,
  updateSkill,
} from '../shared/schema.js'
import { connectYws, converged, type YwsClient } from './helpers/clients.js'
import { assertError, http } from './helpers/http.js'
import { startRedis, type TestRedis } from './helpers/redis.js'
import { startServer, tempDir, token, type TestServer } from './helpers/server.js'
import { suite } from './helpers/suite.js'
import { eventually } from './helpers/wait.js'

interface Ctx {
  srv?: TestServer
  admin?: string
  closers: Array<() => unknown>
}

const History = suite<Ctx>('history', { closers: [] })

// Checkpoints every 5 rows: the versions below span several of them.
const ENV = { COMPACT_THRESHOLD: '5' }

History.before(async (ctx) => {
  ctx.srv = await startServer(ENV)
  ctx.admin = await token('admin')
})
History.after.each(async (ctx) => {
  for (const close of ctx.closers.splice(0).reverse()) await close()
})
History.after(async (ctx) => ctx.srv?.close())

async function newMap(srv: TestServer, id: string): Promise<void> {
  const created = await http(srv.url, 'POST', '/api/docs', { token: await token('admin'), body: { id, title: 'History', template: 'empty' } })
  assert.is(created.status, 201, created.text)
}

async function editor(ctx: Ctx, srv: TestServer, docId: string, sub: string, name: string): Promise<YwsClient> {
  const client = connectYws(srv.wsUrl, docId, await token('editor', docId, name, sub))
  ctx.closers.push(client.close)
  await client.synced()
  return client
}

/** Waits until the server has committed `seq` rows for the document. */
async function committedUpTo(srv: TestServer, docId: string, seq: number): Promise<void> {
  await eventually(async () => (await srv.server.store.lastSeq(docId)) >= seq, { what: `${docId} committed up to ${seq}` })
}

/** One edit (one transaction, so one update), committed: the document's new version. */
async function edit(srv: TestServer, client: YwsClient, docId: string, change: (doc: Y.Doc) => void): Promise<number> {
  const before = await srv.server.store.lastSeq(docId)
  client.doc.transact(() => change(client.doc))
  await committedUpTo(srv, docId, before + 1)
  return srv.server.store.lastSeq(docId)
}

const get = async (srv: TestServer, path: string, tok?: string) => http(srv.url, 'GET', path, { token: tok ?? (await token('viewer')) })

/** A snapshot without what differs between two reads of the same content. */
const content = (snapshot: Record<string, unknown>): Record<string, unknown> => {
  const { exportedAt: _e, version: _v, ...rest } = snapshot
  return rest
}
const contentOf = (doc: Y.Doc, id: string): Record<string, unknown> => content(JSON.parse(JSON.stringify(toSnapshot(doc, { id, version: 0, exportedAt: 0 }))))

History('every kind of change has a path, a kind and the token\'s author, even when the cell\'s by is forged', async (ctx) => {
  const srv = ctx.srv!
  await newMap(srv, 'kinds')
  const ana = await editor(ctx, srv, 'kinds', 'ana', 'Ana Lee')
  const start = await srv.server.store.lastSeq('kinds')
  await edit(srv, ana, 'kinds', (d) => setTitle(d, 'Payments backend'))
  await edit(srv, ana, 'kinds', (d) => {
    addPerson(d, { id: 'ben', name: 'Ben', role: 'backend' })
    addSkill(d, { id: 'go', name: 'Go', category: 'Languages' })
    addResponsibility(d, { id: 'api', title: 'API design', area: 'APIs' })
  })
  // a forged `by` inside the cell: the history names the connection's token, not it
  await edit(srv, ana, 'kinds', (d) => setAssignment(d, 'api', 'ben', 'A', 'mallory'))
  await edit(srv, ana, 'kinds', (d) => setRating(d, 'ben', 'go', 3, 'mallory'))
  await edit(srv, ana, 'kinds', (d) => {
    setPersonActive(d, 'ben', false)
    updateSkill(d, 'go', { name: 'Golang' })
    updateResponsibility(d, 'api', { area: 'Platform' })
    renameRole(d, 'backend', 'Backend dev')
    setHidden(d, 'roles', 'backend', true)
  })
  await edit(srv, ana, 'kinds', (d) => setAssignment(d, 'api', 'ben', null, 'ana'))
  await edit(srv, ana, 'kinds', (d) => removePerson(d, 'ben'))

  const page = await get(srv, `/api/docs/kinds/history?after=${start}&limit=1000`)
  assert.is(page.status, 200, page.text)
  assert.is(page.json.next, null)
  const changes = page.json.changes as Array<{ seq: number; at: string; by: unknown; path: string; kind: string; from?: unknown; to?: unknown }>
  // the last change of a path and kind: a field is first set when its entity is created
  const find = (path: string, kind: string) => [...changes].reverse().find((c) => c.path === path && c.kind === kind)
  for (const [path, kind] of [
    ['meta/title', 'set'],
    ['people/ben/name', 'set'],
    ['skills/go/category', 'set'],
    ['responsibilities/api/title', 'set'],
    ['assignments/api/ben', 'set'],
    ['ratings/ben/go', 'set'],
    ['people/ben/active', 'set'],
    ['skills/go/name', 'set'],
    ['responsibilities/api/area', 'set'],
    ['roles/backend/label', 'set'],
    ['roles/backend/hidden', 'set'],
    ['assignments/api/ben', 'delete'],
    ['people/ben/name', 'delete'],
  ] as const) {
    assert.ok(find(path, kind), `${kind} ${path} in ${changes.map((c) => `${c.kind} ${c.path}`).join(', ')}`)
  }
  assert.equal(find('meta/title', 'set')!.to, 'Payments backend')
  assert.equal(find('people/ben/active', 'set')!.from, true)
  assert.equal(find('people/ben/active', 'set')!.to, false)
  assert.equal(find('skills/go/name', 'set')!.from, 'Go')
  for (const c of changes) {
    assert.equal(c.by, { sub: 'ana', name: 'Ana Lee' }, c.path)
    assert.ok(!Number.isNaN(Date.parse(c.at)), c.at)
  }
  assert.ok(changes.every((c, i) => i === 0 || changes[i - 1]!.seq <= c.seq), 'ordered by seq')

  // paging: whole updates per page, `next` continues where the page ended
  const small = await get(srv, `/api/docs/kinds/history?after=${start}&limit=2`)
  assert.ok(small.json.changes.length >= 1)
  assert.ok(small.json.next > start)
  const rest = await get(srv, `/api/docs/kinds/history?after=${small.json.next}&limit=1000`)
  assert.equal([...small.json.changes, ...rest.json.changes], changes)

  // blame: the last accepted update that set each current field, by the token's author
  const blame = await get(srv, '/api/docs/kinds/blame')
  assert.is(blame.status, 200, blame.text)
  const cells = blame.json.cells as Array<{ path: string; by: unknown; seq: number }>
  assert.ok(cells.some((c) => c.path === 'skills/go/name' && (c.by as { sub: string }).sub === 'ana'))
  assert.ok(!cells.some((c) => c.path.startsWith('people/ben/')), 'a removed person has no blame')
  assert.ok(!cells.some((c) => c.path === 'assignments/api/ben'), 'a cleared cell has no blame')
})

History('snapshot?version=N is the document as it was at N, across several checkpoints, in every format', async (ctx) => {
  const srv = ctx.srv!
  await newMap(srv, 'versions')
  const ana = await editor(ctx, srv, 'versions', 'ana', 'Ana')
  const expected = new Map<number, Record<string, unknown>>()
  // every edit through edit(): one sent without waiting for its commit would be counted as the next one's
  await edit(srv, ana, 'versions', (d) => setTitle(d, 'v'))
  for (let i = 0; i < 18; i++) {
    const seq = await edit(srv, ana, 'versions', (d) => (i % 3 === 0 ? addPerson(d, { id: `p${i}`, name: `Person ${i}`, role: 'backend' }) : setTitle(d, `Title ${i}`)))
    expected.set(seq, contentOf(ana.doc, 'versions'))
  }
  const head = await srv.server.store.lastSeq('versions')
  assert.ok((await srv.server.store.checkpointAtOrBefore('versions', head - 1)) !== undefined, 'checkpoints were written')
  for (const [seq, want] of expected) {
    const res = await get(srv, `/api/docs/versions/snapshot?version=${seq}`)
    assert.is(res.status, 200, `${seq}: ${res.text}`)
    assert.equal(content(res.json), want, `version ${seq}`)
    assert.is(res.json.version, seq)
    assert.is(res.headers.get('etag'), `"${seq}"`)
    assert.match(res.headers.get('cache-control') ?? '', /immutable/)
  }
  const some = [...expected.keys()][4]!
  for (const format of ['csv', 'md', 'yjs', 'xlsx', 'ratings-csv']) {
    const res = await get(srv, `/api/docs/versions/snapshot?version=${some}&format=${format}`)
    assert.is(res.status, 200, `${format}: ${res.text}`)
  }
  const csv = await get(srv, `/api/docs/versions/snapshot?version=${some}&format=md`)
  assert.match(csv.text, /Title/)
  assertError(await get(srv, `/api/docs/versions/snapshot?version=${head + 1}`), 404, 'version-not-found', 'past the head')
  assertError(await get(srv, '/api/docs/versions/snapshot?version=0'), 400, 'bad-request', 'version 0')
  assertError(await get(srv, '/api/docs/nope/snapshot?version=1'), 404, 'not-found', 'unknown document')
  assertError(await get(srv, '/api/docs/versions/history?limit=0'), 400, 'bad-request', 'limit 0')
})

History('a long history with an edit made offline: versions and pages read from lean checkpoints are those of the real document', async (ctx) => {
  const srv = ctx.srv!
  const { store } = srv.server
  await newMap(srv, 'lean')
  // Late's client id is the higher: its concurrent values win over Ana's (Yjs orders them by it)
  const withClient = (id: number) => Object.assign(new Y.Doc(), { clientID: id })
  const ana = connectYws(srv.wsUrl, 'lean', await token('editor', 'lean', 'Ana', 'ana'), withClient(1))
  ctx.closers.push(ana.close)
  await ana.synced()
  await edit(srv, ana, 'lean', (d) => {
    addPerson(d, { id: 'ana', name: 'Ana', role: 'backend' })
    addSkill(d, { id: 'go', name: 'Go', category: 'Languages' })
  })
  // Late works offline from here: its edits will name values that later ones replaced.
  const late = connectYws(srv.wsUrl, 'lean', await token('editor', 'lean', 'Late', 'late'), withClient(2))
  await late.synced()
  await converged(ana.doc, late.doc)
  late.close()
  for (let i = 0; i < 80; i++) await edit(srv, ana, 'lean', (d) => (i % 2 ? setRating(d, 'ana', 'go', (i % 5) as 0 | 1 | 2 | 3 | 4, 'ana') : setTitle(d, `Title ${i}`)))
  late.doc.transact(() => {
    setRating(late.doc, 'ana', 'go', 4, 'late')
    setTitle(late.doc, 'Offline title')
  })
  const before = await store.lastSeq('lean')
  const back = connectYws(srv.wsUrl, 'lean', await token('editor', 'lean', 'Late', 'late'), late.doc)
  ctx.closers.push(back.close)
  await committedUpTo(srv, 'lean', before + 1)
  const lateSeq = before + 1
  await converged(ana.doc, late.doc)
  assert.is(ana.doc.getMap('meta').get('title'), 'Offline title', "Late's value won")
  for (let i = 0; i < 8; i++) await edit(srv, ana, 'lean', (d) => setTitle(d, `After ${i}`))
  const head = await store.lastSeq('lean')

  // Lean checkpoints were written, and Late's row does not apply on one exactly: the reads below
  // go through both paths.
  const checkpoint = (await store.leanCheckpointAtOrBefore('lean', lateSeq - 1))!
  assert.ok(checkpoint.lean !== null, 'a lean checkpoint before the offline edit')
  const model = new Y.Doc()
  Y.applyUpdate(model, checkpoint.lean!)
  const rows = await store.readHistory('lean', checkpoint.seq, lateSeq)
  for (const row of rows.slice(0, -1)) Y.applyUpdate(model, row.data)
  assert.not.ok(appliesExactly(model, rows.at(-1)!.data), "Late's row needs the real document")

  for (let seq = 1; seq <= head; seq++) {
    const json = await get(srv, `/api/docs/lean/snapshot?version=${seq}`)
    const yjs = await get(srv, `/api/docs/lean/snapshot?version=${seq}&format=yjs`)
    assert.is(json.status, 200, json.text)
    const real = new Y.Doc()
    Y.applyUpdate(real, yjs.bytes)
    assert.equal(content(json.json), contentOf(real, 'lean'), `version ${seq}`)
  }

  // The pages, however small, list what a replay of the whole log on the real document finds.
  const all = await store.readHistory('lean')
  const steps = [...replayChanges(null, all.map((r) => r.data))]
  const want = all.flatMap((row, i) => (row.by === undefined ? [] : steps[i]!.map((c) => ({ seq: row.seq, by: row.by, ...c }))))
  const listed: unknown[] = []
  for (let after: number | null = 0; after !== null; ) {
    const page = await get(srv, `/api/docs/lean/history?after=${after}&limit=3`)
    assert.is(page.status, 200, page.text)
    listed.push(...page.json.changes.map(({ at: _at, ...c }: { at: string }) => c))
    after = page.json.next
  }
  assert.equal(listed, want)
  assert.ok(listed.some((c) => (c as { by: { sub: string } }).by.sub === 'late'))
})

History('a page holds at most 1000 changes whatever limit asks, ending at an update boundary', async (ctx) => {
  const srv = ctx.srv!
  await newMap(srv, 'big')
  const ana = await editor(ctx, srv, 'big', 'ana', 'Ana')
  await edit(srv, ana, 'big', (d) => {
    for (let i = 0; i < 10; i++) addPerson(d, { id: `p${i}`, name: `P ${i}`, role: 'backend' })
    for (let i = 0; i < 10; i++) addSkill(d, { id: `s${i}`, name: `S ${i}`, category: 'C' })
  })
  const after = await srv.server.store.lastSeq('big')
  // eleven updates of 100 cells each
  for (let round = 0; round < 11; round++) {
    await edit(srv, ana, 'big', (d) =>
      d.transact(() => {
        for (let p = 0; p < 10; p++) for (let s = 0; s < 10; s++) setRating(d, `p${p}`, `s${s}`, ((round + p + s) % 5) as 0 | 1 | 2 | 3 | 4, 'ana')
      }),
    )
  }
  const page = await get(srv, `/api/docs/big/history?after=${after}&limit=100000`)
  assert.is(page.status, 200, page.text)
  const perSeq = new Map<number, number>()
  for (const c of page.json.changes) perSeq.set(c.seq, (perSeq.get(c.seq) ?? 0) + 1)
  assert.is(page.json.changes.length, 1000, JSON.stringify([...perSeq]))
  assert.is(page.json.next, after + 10)
  const last = await get(srv, `/api/docs/big/history?after=${page.json.next}&limit=100000`)
  assert.is(last.json.changes.length, 100)
  assert.is(last.json.next, null)
})

History('named versions, restore through the room, undone by restoring the version before it; who may', async (ctx) => {
  const srv = ctx.srv!
  await newMap(srv, 'restore')
  const ana = await editor(ctx, srv, 'restore', 'ana', 'Ana')
  await edit(srv, ana, 'restore', (d) => {
    addPerson(d, { id: 'ana', name: 'Ana', role: 'backend' })
    addResponsibility(d, { id: 'auth', title: 'Auth', area: 'Security' })
    setAssignment(d, 'auth', 'ana', 'A', 'ana')
  })
  const good = contentOf(ana.doc, 'restore')
  const named = await http(srv.url, 'POST', '/api/docs/restore/versions', { token: await token('editor', 'restore', 'Ana', 'ana'), body: { name: 'before the intern' } })
  assert.is(named.status, 201, named.text)
  const goodVersion = named.json.version as number
  assert.equal(named.json.by, { sub: 'ana', name: 'Ana' })

  const intern = await editor(ctx, srv, 'restore', 'intern', 'Intern')
  await converged(ana.doc, intern.doc)
  await edit(srv, intern, 'restore', (d) => {
    setAssignment(d, 'auth', 'ana', null, 'intern')
    setTitle(d, 'oops')
  })
  await converged(ana.doc, intern.doc)
  const bad = contentOf(ana.doc, 'restore')
  const badVersion = await srv.server.store.lastSeq('restore')

  const versions = await get(srv, '/api/docs/restore/versions')
  assert.is(versions.status, 200, versions.text)
  assert.ok(versions.json.some((v: { version: number; name: string | null }) => v.version === goodVersion && v.name === 'before the intern'), versions.text)
  assert.ok(versions.json.some((v: { version: number; name: string | null }) => v.version === badVersion && v.name === null), 'the hour\'s automatic version')

  const lead = await token('editor', 'restore', 'Lead', 'lead')
  const restored = await http(srv.url, 'POST', '/api/docs/restore/restore', { token: lead, body: { version: goodVersion } })
  assert.is(restored.status, 200, restored.text)
  assert.equal(restored.json, { version: badVersion + 1, restoredFrom: goodVersion })
  // both live clients hold the restored content, and so does the export
  await eventually(async () => JSON.stringify(contentOf(ana.doc, 'restore')) === JSON.stringify(good), { what: 'ana sees the restore' })
  await converged(ana.doc, intern.doc)
  assert.equal(content((await get(srv, '/api/docs/restore/snapshot')).json), good)
  // the restore is the lead's change in the history, and in blame
  const history = await get(srv, `/api/docs/restore/history?after=${badVersion}`)
  assert.ok(history.json.changes.length > 0)
  assert.ok(history.json.changes.every((c: { by: { sub: string }; seq: number }) => c.by.sub === 'lead' && c.seq === badVersion + 1), history.text)
  const blame = await get(srv, '/api/docs/restore/blame')
  assert.equal(blame.json.cells.find((c: { path: string }) => c.path === 'assignments/auth/ana')?.by, { sub: 'lead', name: 'Lead' })
  assert.equal(blame.json.cells.find((c: { path: string }) => c.path === 'responsibilities/auth/title')?.by, { sub: 'ana', name: 'Ana' })

  // restoring the version before the restore undoes it
  const undone = await http(srv.url, 'POST', '/api/docs/restore/restore', { token: lead, body: { version: badVersion } })
  assert.is(undone.status, 200, undone.text)
  await eventually(async () => JSON.stringify(contentOf(ana.doc, 'restore')) === JSON.stringify(bad), { what: 'ana sees the undo' })

  // who may, and what may not be restored
  assertError(await http(srv.url, 'POST', '/api/docs/restore/restore', { token: await token('viewer'), body: { version: goodVersion } }), 403, 'forbidden', 'viewer')
  assertError(await http(srv.url, 'POST', '/api/docs/restore/versions', { token: await token('viewer'), body: { name: 'x' } }), 403, 'forbidden', 'viewer names')
  assertError(await http(srv.url, 'POST', '/api/docs/restore/restore', { token: lead, body: { version: 10_000 } }), 404, 'version-not-found', 'unknown version')
  assertError(await http(srv.url, 'POST', '/api/docs/restore/restore', { token: lead, body: { version: 'one' } }), 400, 'bad-request', 'not a seq')
  assertError(await http(srv.url, 'POST', '/api/docs/restore/versions', { token: lead, body: { name: '  ' } }), 400, 'bad-request', 'a blank name')
  assertError(await http(srv.url, 'POST', '/api/docs/nope/restore', { token: await token('admin'), body: { version: 1 } }), 404, 'not-found', 'unknown document')
})

History('a restore racing live edits converges: every client, and the export, end on the same content', async (ctx) => {
  const srv = ctx.srv!
  await newMap(srv, 'race')
  const ana = await editor(ctx, srv, 'race', 'ana', 'Ana')
  const ben = await editor(ctx, srv, 'race', 'ben', 'Ben')
  const version = await edit(srv, ana, 'race', (d) => {
    addPerson(d, { id: 'ana', name: 'Ana', role: 'backend' })
    addSkill(d, { id: 'sql', name: 'SQL', category: 'Data' })
  })
  await converged(ana.doc, ben.doc)
  // Ben keeps rating while the lead restores the version before his ratings
  const lead = await token('editor', 'race', 'Lead', 'lead')
  const restores: Promise<unknown>[] = []
  for (let i = 0; i < 20; i++) {
    ben.doc.transact(() => setRating(ben.doc, 'ana', 'sql', (i % 5) as 0 | 1 | 2 | 3 | 4, 'ben'))
    if (i % 5 === 2) restores.push(http(srv.url, 'POST', '/api/docs/race/restore', { token: lead, body: { version } }).then((r) => assert.is(r.status, 200, r.text)))
  }
  await Promise.all(restores)
  await converged(ana.doc, ben.doc)
  const head = await srv.server.store.lastSeq('race')
  await eventually(async () => {
    const exported = await get(srv, '/api/docs/race/snapshot')
    return exported.json.version === head && JSON.stringify(content(exported.json)) === JSON.stringify(contentOf(ana.doc, 'race'))
  }, { what: 'the export to equal the clients' })
  assert.equal(contentOf(ben.doc, 'race'), contentOf(ana.doc, 'race'))
})

History('a restore reaches the live clients of another instance; history survives a restart of both', async (ctx) => {
  const redis: TestRedis = await startRedis()
  ctx.closers.push(() => redis.stop())
  const dataDir = tempDir()
  const env = { ...ENV, DATA_DIR: dataDir, REDIS_URL: redis.url }
  let a = await startServer(env)
  let b = await startServer(env)
  ctx.closers.push(() => a.close(), () => b.close())
  await newMap(a, 'two')
  const onA = await editor(ctx, a, 'two', 'ana', 'Ana')
  await edit(a, onA, 'two', (d) => addPerson(d, { id: 'ana', name: 'Ana', role: 'backend' }))
  const v1 = await a.server.store.lastSeq('two')
  const onB = await editor(ctx, b, 'two', 'ben', 'Ben')
  await converged(onA.doc, onB.doc)
  await edit(b, onB, 'two', (d) => setTitle(d, 'changed on B'))
  await converged(onA.doc, onB.doc)

  const restored = await http(a.url, 'POST', '/api/docs/two/restore', { token: await token('editor', 'two', 'Lead', 'lead'), body: { version: v1 } })
  assert.is(restored.status, 200, restored.text)
  await eventually(async () => onB.doc.getMap('meta').get('title') === 'History', { what: "B's client sees the restore" })
  await converged(onA.doc, onB.doc)
  const before = (await get(a, '/api/docs/two/history')).json

  onA.close()
  onB.close()
  await a.close()
  await b.close()
  a = await startServer(env)
  b = await startServer(env)
  assert.equal((await get(b, '/api/docs/two/history')).json, before)
  assert.equal((await get(a, `/api/docs/two/snapshot?version=${v1}`)).json.people, (await get(b, `/api/docs/two/snapshot?version=${v1}`)).json.people)
})

History('retention folds old rows into checkpoints and keeps every version readable', async (ctx) => {
  const srv = await startServer({ ...ENV, HISTORY_DAYS: '1' })
  ctx.closers.push(() => srv.close())
  await newMap(srv, 'old')
  const ana = await editor(ctx, srv, 'old', 'ana', 'Ana')
  const states = new Map<number, Record<string, unknown>>()
  for (let i = 0; i < 12; i++) states.set(await edit(srv, ana, 'old', (d) => setTitle(d, `Title ${i}`)), contentOf(ana.doc, 'old'))
  const seqs = [...states.keys()]
  const namedSeq = seqs[3]!
  // a name given to a past version (the route names the head; the store takes any seq)
  await srv.server.store.nameVersion('old', { seq: namedSeq, name: 'kick-off', at: Date.now(), by: { sub: 'ana', name: 'Ana' } })
  const versionsBefore = (await get(srv, '/api/docs/old/versions')).json
  const hourly = versionsBefore.find((v: { name: string | null }) => v.name === null).version as number

  const folded = await srv.server.foldHistory(Date.now() + 2 * 86_400_000)
  const upTo = folded.get('old')
  assert.is(upTo, seqs.at(-2), 'every row was older than a day; the last stays (the next seq counts from it)')
  assert.is(await srv.server.store.firstSeq('old'), seqs.at(-1))
  // the versions are still listed and readable, from their checkpoints
  assert.equal((await get(srv, '/api/docs/old/versions')).json, versionsBefore)
  for (const seq of [namedSeq, hourly]) {
    const res = await get(srv, `/api/docs/old/snapshot?version=${seq}`)
    assert.is(res.status, 200, `${seq}: ${res.text}`)
    assert.equal(content(res.json), states.get(seq), `version ${seq}`)
  }
  // a folded seq that was no version is gone
  assertError(await get(srv, `/api/docs/old/snapshot?version=${seqs[1]}`), 404, 'version-not-found', 'a folded seq')
  // editing goes on after the fold; the history starts after it
  const next = await edit(srv, ana, 'old', (d) => setTitle(d, 'after the fold'))
  assert.is(next, seqs.at(-1)! + 1)
  const history = await get(srv, '/api/docs/old/history')
  assert.equal(history.json.changes.map((c: { seq: number; path: string }) => [c.seq, c.path]), [[seqs.at(-1), 'meta/title'], [next, 'meta/title']])
  // and the document still loads whole in a fresh room
  ana.close()
  await eventually(async () => srv.server.rooms.get('old') === undefined, { what: 'the room to unload' })
  const again = await editor(ctx, srv, 'old', 'ana', 'Ana')
  assert.is(again.doc.getMap('meta').get('title'), 'after the fold')
  // a second pass has nothing more to fold
  assert.is((await srv.server.foldHistory(Date.now() + 2 * 86_400_000)).get('old'), next - 1)
})

History.run()
