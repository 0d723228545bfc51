// Tokens decide who edits, who watches and who is refused, on both live transports (CONTRACT §2).
import { suite } from './helpers/suite.js'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { SignJWT } from 'jose'
import { createAuth } from '../server/auth.js'
import { http } from './helpers/http.js'
import { connectIo, connectYws, joinIo, rawWs, valueIn } from './helpers/clients.js'
import { startChild, startServer, TEST_SECRET, token, type TestServer } from './helpers/server.js'
import { nextEvent, until, within } from './helpers/wait.js'

const Auth = suite<{ srv?: TestServer; closers: Array<() => void> }>('auth', { closers: [] })

Auth.before(async (ctx) => {
  ctx.srv = await startServer()
})
Auth.after.each((ctx) => {
  ctx.closers.splice(0).forEach((close) => close())
})
Auth.after(async (ctx) => {
  await ctx.srv?.close()
})

/** What the server has committed for a document, as a fresh Y.Doc. */
async function stored(srv: TestServer, docId: string): Promise<Y.Doc> {
  await srv.server.rooms.flush()
  const doc = new Y.Doc()
  for (const r of (await srv.server.store.load(docId))!.rows) Y.applyUpdate(doc, r.data)
  return doc
}

Auth("a viewer's writes reach neither other clients nor storage, and the viewer still sees live edits", async (ctx) => {
  // viewer (yws, io) → server refuses; editor → server → viewers
  const srv = ctx.srv!
  const editor = connectYws(srv.wsUrl, 'watched', await token('editor', 'watched', 'Ed', 'ed'))
  ctx.closers.push(editor.close)
  // The editor's join creates the map; a viewer arriving first would be refused (4404).
  await editor.synced()
  const viewer = connectYws(srv.wsUrl, 'watched', await token('viewer', 'watched', 'Vi', 'vi'))
  const socket = connectIo(srv.url, await token('viewer', 'watched', 'Io', 'io-viewer'))
  ctx.closers.push(viewer.close, () => socket.close())
  await viewer.synced()
  const ioViewer = await joinIo(socket, 'watched')
  assert.equal(ioViewer.ack, { ok: true, role: 'viewer' })
  await ioViewer.synced

  viewer.doc.getMap('m').set('forged', 'by yws viewer')
  ioViewer.doc.getMap('m').set('forged-io', 'by io viewer')
  await until(() => viewer.denied.includes('read-only'), { what: 'permissionDenied read-only' })
  await until(() => ioViewer.errors.some((e) => e.code === 'read-only'), { what: 'doc:error read-only' })

  // Anything relayed from the viewers would have been sent before this marker.
  editor.doc.getMap('m').set('marker', 1)
  await valueIn(viewer.doc.getMap('m'), 'marker', 1)
  await valueIn(ioViewer.doc.getMap('m'), 'marker', 1)
  assert.is(editor.doc.getMap('m').get('forged'), undefined)
  assert.is(editor.doc.getMap('m').get('forged-io'), undefined)
  const saved = (await stored(srv, 'watched')).getMap('m')
  assert.is(saved.get('marker'), 1)
  assert.is(saved.get('forged'), undefined)
  assert.is(saved.get('forged-io'), undefined)

  // at most one permissionDenied per y-websocket connection
  viewer.doc.getMap('m').set('again', 2)
  editor.doc.getMap('m').set('marker', 2)
  await valueIn(viewer.doc.getMap('m'), 'marker', 2)
  assert.is(viewer.denied.filter((d) => d === 'read-only').length, 1)
})

Auth('a forged awareness user is replaced by the server stamp', async (ctx) => {
  const srv = ctx.srv!
  const mallory = connectYws(srv.wsUrl, 'presence', await token('editor', 'presence', 'Mallory', 'mallory'))
  ctx.closers.push(mallory.close)
  await mallory.synced()
  const observer = connectYws(srv.wsUrl, 'presence', await token('viewer', 'presence', 'Olga', 'olga'))
  ctx.closers.push(observer.close)
  await observer.synced()
  mallory.awareness.setLocalState({ user: { id: 'ceo', name: 'The CEO', role: 'admin' }, cursor: 'r1/ana' })
  const id = mallory.doc.clientID
  await until(() => observer.awareness.getStates().get(id) !== undefined, { on: [[observer.awareness, 'change']], what: 'the presence to arrive' })
  const state = observer.awareness.getStates().get(id)!
  assert.equal(state.user, { id: 'mallory', name: 'Mallory', role: 'editor' })
  assert.is(state.cursor, 'r1/ana')

  // over Socket.IO too
  const socket = connectIo(srv.url, await token('editor', 'presence', 'Sam', 'sam'))
  ctx.closers.push(() => socket.close())
  const sio = await joinIo(socket, 'presence')
  await sio.synced
  sio.awareness.setLocalState({ user: { id: 'mallory', name: 'Mallory' } })
  const sid = sio.doc.clientID
  await until(() => observer.awareness.getStates().get(sid) !== undefined, { on: [[observer.awareness, 'change']], what: 'the io presence' })
  assert.equal(observer.awareness.getStates().get(sid)!.user, { id: 'sam', name: 'Sam', role: 'editor' })
})

Auth('a bad, expired or missing token gets permissionDenied then 4401, and connect_error on Socket.IO', async (ctx) => {
  const srv = ctx.srv!
  const expired = await createAuth(TEST_SECRET).mint({ role: 'editor', doc: '*', ttl: -10 })
  const otherSecret = await createAuth('another-secret-another-secret-another').mint({ role: 'editor', doc: '*' })
  for (const bad of ['garbage', expired, otherSecret, '']) {
    const raw = rawWs(srv.wsUrl, 'secret-doc', bad)
    const closed = await raw.closed
    assert.is(closed.code, 4401, `token ${bad.slice(0, 12)}`)
    // the refusal comes before any document data: permissionDenied is the only message
    assert.is(raw.messages.length, 1)
    assert.equal([...raw.messages[0]!.slice(0, 2)], [2, 0])
  }
  for (const bad of ['garbage', expired, undefined]) {
    const socket = connectIo(srv.url, bad)
    const [err] = await nextEvent<[Error]>(socket, 'connect_error')
    assert.is(err.message, 'unauthorized')
    socket.close()
  }
  assert.is((await srv.server.store.get('secret-doc')), undefined)
})

Auth('a token without exp is refused on REST (401) and on both live transports (4401, unauthorized)', async (ctx) => {
  const srv = ctx.srv!
  // correctly signed with the server's secret, admin of everything, but no expiry
  const forever = await new SignJWT({ name: 'Forever', role: 'admin', doc: '*' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject('forever')
    .setJti('forever-1')
    .setIssuedAt()
    .sign(new TextEncoder().encode(TEST_SECRET))
  const rest = await http(srv.url, 'GET', '/api/docs', { token: forever })
  assert.is(rest.status, 401)
  assert.is(rest.json.message, 'token has no exp')

  const raw = rawWs(srv.wsUrl, 'forever-doc', forever)
  assert.is((await raw.closed).code, 4401)
  assert.is(raw.messages.length, 1)

  const socket = connectIo(srv.url, forever)
  ctx.closers.push(() => socket.close())
  const [err] = await nextEvent<[Error]>(socket, 'connect_error')
  assert.is(err.message, 'unauthorized')
  assert.is((await srv.server.store.get('forever-doc')), undefined)

  // the same claims with an exp are accepted: it is the missing exp that is refused
  const minted = await createAuth(TEST_SECRET).mint({ role: 'admin', doc: '*', sub: 'forever' })
  assert.is((await http(srv.url, 'GET', '/api/docs', { token: minted })).status, 200)
})

Auth('a refused live login is logged at info with its reason and address, never the token', async () => {
  // bad tokens → a real server process at LOG_LEVEL=info → its log lines
  const node = await startChild({ LOG_LEVEL: 'info' })
  try {
    const expired = await createAuth(TEST_SECRET).mint({ role: 'editor', doc: '*', ttl: -10 })
    assert.is((await rawWs(node.wsUrl, 'logged', expired).closed).code, 4401)
    const socket = connectIo(node.url, expired)
    await nextEvent(socket, 'connect_error')
    socket.close()
    const refusals = (): Array<Record<string, unknown>> =>
      node
        .output()
        .split('\n')
        .filter((line) => line.includes('live login refused'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
    await until(() => refusals().length >= 2, { what: 'two refusals in the log' })
    for (const line of refusals()) {
      assert.is(line.level, 30)
      assert.is(line.reason, 'token expired')
      assert.match(String(line.address), /127\.0\.0\.1/)
    }
    const signature = expired.split('.')[2]!
    assert.not.ok(node.output().includes(signature), 'the token is not in the log')
  } finally {
    node.child.kill('SIGTERM')
    await within(node.exited, 12_000, 'the server to exit')
  }
})

Auth('a token for another document or role gets 4403 / forbidden', async (ctx) => {
  const srv = ctx.srv!
  const cases = [await token('editor', 'team-b'), await token('exporter', '*')]
  for (const t of cases) {
    const raw = rawWs(srv.wsUrl, 'team-a', t)
    assert.is((await raw.closed).code, 4403)
    const socket = connectIo(srv.url, t)
    ctx.closers.push(() => socket.close())
    const joined = await joinIo(socket, 'team-a')
    assert.equal(joined.ack, { ok: false, code: 'forbidden', message: 'this token may not do that' })
  }
})

Auth('an invalid document id gets 4400 / bad-request; a viewer of a missing document 4404 / not-found', async (ctx) => {
  const srv = ctx.srv!
  const editor = await token('editor')
  assert.is((await rawWs(srv.wsUrl, '-bad id!', editor).closed).code, 4400)
  assert.is((await rawWs(srv.wsUrl, 'x'.repeat(65), editor).closed).code, 4400)
  const socket = connectIo(srv.url, editor)
  ctx.closers.push(() => socket.close())
  assert.is((await joinIo(socket, '../etc')).ack.ok, false)
  assert.equal((await joinIo(socket, '')).ack, { ok: false, code: 'bad-request', message: 'invalid document id' })

  const viewer = await token('viewer')
  assert.is((await rawWs(srv.wsUrl, 'nobody-made-this', viewer).closed).code, 4404)
  const vsocket = connectIo(srv.url, viewer)
  ctx.closers.push(() => vsocket.close())
  assert.equal((await joinIo(vsocket, 'nobody-made-this')).ack, { ok: false, code: 'not-found', message: 'no such document' })
  assert.is((await srv.server.store.get('nobody-made-this')), undefined)
})

Auth.run()
