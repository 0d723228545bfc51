// Several hosts (CONTRACT §7 v2, issue 15): two instances with DATA_DIRs of their own, as on two
// machines, sharing only one private PostgreSQL (a fresh database) and one private redis-server.
// Both transports across hosts, read-your-writes, a gap-free log under concurrent writers, kill -9
// and SIGTERM of one host, and a PostgreSQL outage after which everything converges and nothing a
// client was sent was left uncommitted. Runs on every `npm test` (it brings its own PostgreSQL).
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { connectIo, connectYws, converged, joinIo, valueIn } from './helpers/clients.js'
import { withPgClient } from './helpers/database.js'
import { http } from './helpers/http.js'
import { startPostgres, type TestPostgres } from './helpers/postgres.js'
import { startRedis, type TestRedis } from './helpers/redis.js'
import { recordingYws, resilientIo, type RecordingYws, type ResilientIo } from './helpers/resilient.js'
import { startChild, tempDir, token, type ChildServer } from './helpers/server.js'
import { suite } from './helpers/suite.js'
import { until, within } from './helpers/wait.js'

interface Ctx {
  pg?: TestPostgres
  redis?: TestRedis
  databaseUrl: string
  dirs: { a: string; b: string }
  a?: ChildServer
  b?: ChildServer
  closers: Array<() => void>
}

const MultiHost = suite<Ctx>('multi-host', { databaseUrl: '', dirs: { a: '', b: '' }, closers: [] })

const env = (ctx: Ctx, dataDir: string): Record<string, string> => ({
  DATA_DIR: dataDir,
  DATABASE_URL: ctx.databaseUrl,
  REDIS_URL: ctx.redis!.url,
  UNLOAD_DELAY_MS: '1000',
})

/** Stops a child for good: SIGTERM, and SIGKILL if it does not exit in time. */
async function stop(node: ChildServer | undefined): Promise<void> {
  if (node === undefined || node.child.exitCode !== null || node.child.signalCode !== null) return
  node.child.kill('SIGTERM')
  try {
    await within(node.exited, 12_000, 'an instance to exit')
  } catch (err) {
    node.child.kill('SIGKILL')
    await within(node.exited, 5000, 'an instance to exit after SIGKILL')
    throw err
  }
}

MultiHost.before(async (ctx) => {
  ;[ctx.pg, ctx.redis] = await Promise.all([startPostgres(), startRedis()])
  ctx.databaseUrl = await ctx.pg.createDatabase()
  ctx.dirs = { a: tempDir(), b: tempDir() }
  // One at a time: both run the migrations at start (under an advisory lock), no need to race them here.
  ctx.a = await startChild(env(ctx, ctx.dirs.a))
  ctx.b = await startChild(env(ctx, ctx.dirs.b))
})

MultiHost.after.each((ctx) => {
  ctx.closers.splice(0).forEach((close) => close())
})

MultiHost.after(async (ctx) => {
  ctx.closers.splice(0).forEach((close) => close())
  try {
    await Promise.all([stop(ctx.a), stop(ctx.b)])
  } finally {
    await ctx.redis?.stop()
    await ctx.pg?.close()
  }
})

const items = (doc: Y.Doc): string[] => doc.getArray<string>('items').toArray()

/** The committed log of a document, straight from PostgreSQL. */
async function committedLog(ctx: Ctx, docId: string): Promise<Array<{ seq: number; data: Uint8Array }>> {
  return withPgClient(ctx.databaseUrl, async (client) =>
    // seq is a bigint: pg hands it over as a string.
    (await client.query('SELECT seq, data FROM doc_updates WHERE doc_id = $1 ORDER BY seq', [docId])).rows.map((r) => ({ seq: Number(r.seq), data: new Uint8Array(r.data) })),
  )
}

/** The document the committed log makes. */
function replay(log: Array<{ data: Uint8Array }>): Y.Doc {
  const doc = new Y.Doc()
  for (const row of log) Y.applyUpdate(doc, row.data)
  return doc
}

/** All documents hold the same CRDT state. */
function allConverged(docs: Y.Doc[], timeout: number): Promise<void> {
  const same = (): boolean => docs.every((d) => Y.equalSnapshots(Y.snapshot(d), Y.snapshot(docs[0]!)))
  return until(same, { on: docs.map((d): [Y.Doc, string] => [d, 'update']), timeout, what: `${docs.length} documents to converge` })
}

MultiHost('co-editing across hosts on both transports: y-websocket on A with Socket.IO on B, and the reverse', async (ctx) => {
  for (const [ywsHost, ioHost, id] of [
    [ctx.a!, ctx.b!, 'ab'],
    [ctx.b!, ctx.a!, 'ba'],
  ] as const) {
    const yws = connectYws(ywsHost.wsUrl, id, await token('editor', id, 'Ana', 'ana'))
    const socket = connectIo(ioHost.url, await token('editor', id, 'Ben', 'ben'))
    ctx.closers.push(yws.close, () => socket.close())
    // The y-websocket client creates the map; then the Socket.IO client joins it on the other host.
    await yws.synced()
    const sio = await joinIo(socket, id)
    assert.ok(sio.ack.ok, `join ${id}`)
    await sio.synced
    yws.doc.getMap('skills').set('ts', 1)
    await valueIn(sio.doc.getMap('skills'), 'ts', 1)
    sio.doc.getMap('skills').set('go', 2)
    await valueIn(yws.doc.getMap('skills'), 'go', 2)
    for (let i = 0; i < 20; i++) {
      yws.doc.getArray('items').push([`y${i}`])
      sio.doc.getArray('items').push([`s${i}`])
    }
    await converged(yws.doc, sio.doc)
    assert.is(items(yws.doc).length, 40, id)
  }
})

MultiHost("read-your-writes across hosts: an edit A acknowledged is in B's JSON export at once", async (ctx) => {
  const editor = connectYws(ctx.a!.wsUrl, 'ryw', await token('editor', 'ryw', 'Ana', 'ana'))
  ctx.closers.push(editor.close)
  await editor.synced()
  // A second client on A: once it has an edit, A has committed it (nothing is relayed before that).
  const watcher = connectYws(ctx.a!.wsUrl, 'ryw', await token('viewer', 'ryw', 'Wu', 'wu'))
  // And one on B, so that B holds the document in memory and must not answer from a stale copy.
  const onB = connectYws(ctx.b!.wsUrl, 'ryw', await token('viewer', 'ryw', 'Bo', 'bo'))
  ctx.closers.push(watcher.close, onB.close)
  await Promise.all([watcher.synced(), onB.synced()])
  const exporter = await token('exporter', 'ryw')
  for (let round = 0; round < 10; round++) {
    const title = `title ${round}`
    editor.doc.getMap('meta').set('title', title)
    await valueIn(watcher.doc.getMap('meta'), 'title', title)
    const exported = await http(ctx.b!.url, 'GET', '/api/docs/ryw/snapshot?format=json', { token: exporter })
    assert.is(exported.status, 200, exported.text)
    assert.is(exported.json.title, title, `round ${round}`)
  }
})

MultiHost('four concurrent writers on two hosts converge, and the log in PostgreSQL has no gap in its seqs', async (ctx) => {
  const id = 'four'
  const first = connectYws(ctx.a!.wsUrl, id, await token('editor', id, 'W1', 'w1'))
  ctx.closers.push(first.close)
  await first.synced()
  const second = connectYws(ctx.b!.wsUrl, id, await token('editor', id, 'W2', 'w2'))
  const ioA = connectIo(ctx.a!.url, await token('editor', id, 'W3', 'w3'))
  const ioB = connectIo(ctx.b!.url, await token('editor', id, 'W4', 'w4'))
  ctx.closers.push(second.close, () => ioA.close(), () => ioB.close())
  const [third, fourth] = await Promise.all([joinIo(ioA, id), joinIo(ioB, id)])
  await Promise.all([second.synced(), third.synced, fourth.synced])

  const docs = [first.doc, second.doc, third.doc, fourth.doc]
  const PER_WRITER = 50
  for (let i = 0; i < PER_WRITER; i++) docs.forEach((doc, w) => doc.getArray('items').push([`w${w}-${i}`]))
  await allConverged(docs, 10_000)
  assert.is(items(first.doc).length, 4 * PER_WRITER)

  const log = await committedLog(ctx, id)
  const seqs = log.map((r) => r.seq)
  // Consecutive from the first row on (a compaction replaces a prefix by one row at its last seq).
  assert.equal(seqs, seqs.map((_, i) => seqs[0]! + i), 'gap-free seqs')
  assert.ok(Y.equalSnapshots(Y.snapshot(replay(log)), Y.snapshot(first.doc)), 'the log holds exactly what the clients converged on')
})

MultiHost('SIGKILL of A right after a client on B saw N updates made on A loses none of them', async (ctx) => {
  const id = 'killed'
  const N = 100
  const writer = connectYws(ctx.a!.wsUrl, id, await token('editor', id, 'W', 'w'))
  ctx.closers.push(writer.close)
  await writer.synced()
  const reader = connectYws(ctx.b!.wsUrl, id, await token('viewer', id, 'R', 'r'))
  ctx.closers.push(reader.close)
  await reader.synced()
  for (let i = 0; i < N; i++) writer.doc.getArray('items').push([`u${i}`])
  await until(() => items(reader.doc).length === N, { on: [[reader.doc, 'update']], what: `B's client to see ${N} updates` })
  ctx.a!.child.kill('SIGKILL')
  assert.is(await within(ctx.a!.exited, 5000, 'A to die'), 'SIGKILL')
  writer.close()

  const expected = [...Array(N).keys()].map((i) => `u${i}`)
  // Through B (which had them live), in the log itself, and through A started again on its DATA_DIR.
  const exported = await http(ctx.b!.url, 'GET', `/api/docs/${id}/snapshot?format=yjs`, { token: await token('exporter', id) })
  assert.is(exported.status, 200)
  const copy = new Y.Doc()
  Y.applyUpdate(copy, exported.bytes)
  assert.equal(items(copy), expected)
  assert.equal(items(replay(await committedLog(ctx, id))), expected)

  ctx.a = await startChild(env(ctx, ctx.dirs.a))
  const check = connectYws(ctx.a.wsUrl, id, await token('viewer', id))
  ctx.closers.push(check.close)
  await check.synced()
  assert.equal(items(check.doc), expected)
})

MultiHost("SIGTERM of A: B's clients on both transports stay connected and keep editing", async (ctx) => {
  const id = 'term'
  const editor = await token('editor', id, 'Ana', 'ana')
  const onA = connectYws(ctx.a!.wsUrl, id, editor)
  ctx.closers.push(onA.close)
  await onA.synced()
  const ywsOnB = connectYws(ctx.b!.wsUrl, id, editor)
  const ioOnB = connectIo(ctx.b!.url, editor)
  ctx.closers.push(ywsOnB.close, () => ioOnB.close())
  const sioOnB = await joinIo(ioOnB, id)
  await Promise.all([ywsOnB.synced(), sioOnB.synced])

  const dropped: string[] = []
  ioOnB.on('disconnect', (reason) => dropped.push(`socket.io: ${reason}`))
  ywsOnB.provider.on('status', ({ status }: { status: string }) => {
    if (status !== 'connected') dropped.push(`y-websocket: ${status}`)
  })
  onA.doc.getMap('meta').set('title', 'before the restart')
  await Promise.all([valueIn(ywsOnB.doc.getMap('meta'), 'title', 'before the restart'), valueIn(sioOnB.doc.getMap('meta'), 'title', 'before the restart')])

  ctx.a!.child.kill('SIGTERM')
  assert.is(await within(ctx.a!.exited, 12_000, 'A to exit'), 0)
  await until(() => onA.closes.includes(1012), { what: "A's client to see 1012" })
  onA.close()

  ywsOnB.doc.getMap('meta').set('title', 'after the restart')
  await valueIn(sioOnB.doc.getMap('meta'), 'title', 'after the restart')
  sioOnB.doc.getMap('meta').set('template', 'back again')
  await valueIn(ywsOnB.doc.getMap('meta'), 'template', 'back again')
  assert.equal(dropped, [])
  assert.ok(ioOnB.connected)

  // A comes back on its DATA_DIR and finds everything B committed while it was away.
  ctx.a = await startChild(env(ctx, ctx.dirs.a))
  const back = connectYws(ctx.a.wsUrl, id, editor)
  ctx.closers.push(back.close)
  await back.synced()
  assert.equal(back.doc.getMap('meta').toJSON(), { title: 'after the restart', template: 'back again' })
})

MultiHost('PostgreSQL stopped for 3 s while both hosts edit: all converge within 10 s, and nothing uncommitted was relayed', async (ctx) => {
  const id = 'outage'
  const tok = (name: string): Promise<string> => token('editor', id, name, name)
  const first = recordingYws(ctx.a!.wsUrl, id, await tok('ya'))
  ctx.closers.push(first.close)
  await first.synced()
  const yws: RecordingYws[] = [first, recordingYws(ctx.b!.wsUrl, id, await tok('yb'))]
  const ios: ResilientIo[] = [resilientIo(ctx.a!.url, id, await tok('ia')), resilientIo(ctx.b!.url, id, await tok('ib'))]
  ctx.closers.push(yws[1]!.close, ...ios.map((c) => c.close))
  await Promise.all([yws[1]!.synced(), until(() => ios.every((c) => c.joined()), { what: 'both Socket.IO clients to join' })])
  const docs = [...yws.map((c) => c.doc), ...ios.map((c) => c.doc)]
  const received = (): Uint8Array[][] => [...yws.map((c) => c.received), ...ios.map((c) => c.received)]
  const edit = (round: string): void => docs.forEach((doc, w) => doc.getArray('items').push([`${round}-w${w}`]))

  edit('before')
  await allConverged(docs, 5000)

  await ctx.pg!.stop()
  const readyz = async (node: ChildServer): Promise<number> => (await http(node.url, 'GET', '/readyz')).status
  // The outage lasts 3 s of wall time (the figure), with edits on every client all along; the
  // pause between rounds paces the writers, it waits for nothing.
  const stoppedAt = Date.now()
  let round = 0
  while (Date.now() - stoppedAt < 3000) {
    edit(`during${round++}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  assert.equal(await within(Promise.all([readyz(ctx.a!), readyz(ctx.b!)]), 3000, '/readyz during the outage'), [503, 503], '/readyz while PostgreSQL is down')
  await ctx.pg!.start()

  edit('after')
  await allConverged(docs, 10_000)
  const total = 4 * (round + 2)
  assert.is(items(docs[0]!).length, total, 'every edit of every client, from before, during and after the outage')

  // Committed means in doc_updates. Every client's edits reached the others through a server, so the
  // converged state is committed by now; and so must be every update any client was ever sent.
  const committed = Y.snapshot(replay(await committedLog(ctx, id)))
  assert.ok(Y.equalSnapshots(committed, Y.snapshot(docs[0]!)), 'the committed log holds the converged state')
  received().forEach((updates, client) =>
    updates.forEach((update, i) => assert.ok(Y.snapshotContainsUpdate(committed, update), `client ${client}, update ${i}: relayed but not committed`)),
  )
  assert.ok(received().every((updates) => updates.length > 0))
  assert.equal(await Promise.all([readyz(ctx.a!), readyz(ctx.b!)]), [200, 200], '/readyz after the outage')
})

MultiHost.run()
