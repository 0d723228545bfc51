// POST /api/tokens (CONTRACT §2, §6): what an admin mints works where its role says, and nowhere else.
import { suite } from './helpers/suite.js'
import * as assert from 'uvu/assert'
import { decodeJwt } from 'jose'
import { connectIo, connectYws, joinIo, rawWs, valueIn } from './helpers/clients.js'
import { assertError, http } from './helpers/http.js'
import { startServer, token, type TestServer } from './helpers/server.js'
import { until } from './helpers/wait.js'

const Tokens = suite<{ srv?: TestServer; admin?: string; closers: Array<() => void> }>('tokens api', { closers: [] })

Tokens.before(async (ctx) => {
  ctx.srv = await startServer()
  ctx.admin = await token('admin')
})
Tokens.after.each((ctx) => {
  ctx.closers.splice(0).forEach((close) => close())
})
Tokens.after(async (ctx) => {
  await ctx.srv?.close()
})

async function mint(srv: TestServer, admin: string, body: object): Promise<string> {
  const res = await http(srv.url, 'POST', '/api/tokens', { token: admin, body })
  assert.is(res.status, 200, res.text)
  return res.json.token
}

Tokens('a minted editor token works on both live transports, with its name in presence', async (ctx) => {
  // admin (REST) mints → editor edits over y-websocket and Socket.IO
  const srv = ctx.srv!
  const editor = await mint(srv, ctx.admin!, { role: 'editor', doc: 'minted', name: 'Mia', sub: 'mia', ttl: '2h' })
  const claims = decodeJwt(editor)
  assert.equal({ role: claims.role, doc: claims.doc, name: claims.name, sub: claims.sub }, { role: 'editor', doc: 'minted', name: 'Mia', sub: 'mia' })
  // every minted token has its own id (for revocation) and an expiry
  assert.match(String(claims.jti), /^[0-9a-f-]{36}$/)
  assert.is(claims.exp! - claims.iat!, 2 * 3600)

  const yws = connectYws(srv.wsUrl, 'minted', editor)
  const socket = connectIo(srv.url, editor)
  ctx.closers.push(yws.close, () => socket.close())
  await yws.synced()
  const sio = await joinIo(socket, 'minted')
  assert.equal(sio.ack, { ok: true, role: 'editor' })
  await sio.synced
  yws.doc.getMap('meta').set('title', 'Minted and edited')
  await valueIn(sio.doc.getMap('meta'), 'title', 'Minted and edited')
  yws.awareness.setLocalState({ cursor: 'x' })
  await until(() => [...sio.awareness.getStates().values()].some((s) => s.user?.name === 'Mia'), { on: [[sio.awareness, 'change']], what: 'the stamped presence' })
  assert.ok((await srv.server.store.get('minted')))
})

Tokens('a minted exporter token exports over REST and is refused live (4403)', async (ctx) => {
  const srv = ctx.srv!
  await http(srv.url, 'POST', '/api/docs', { token: ctx.admin, body: { id: 'exported', title: 'Exported' } })
  const exporter = await mint(srv, ctx.admin!, { role: 'exporter', doc: 'exported' })
  assert.is((await http(srv.url, 'GET', '/api/docs/exported/snapshot?format=csv', { token: exporter })).status, 200)
  assertError(await http(srv.url, 'GET', '/api/docs/other/snapshot', { token: exporter }), 403, 'forbidden')
  const ws = rawWs(srv.wsUrl, 'exported', exporter)
  ctx.closers.push(() => ws.ws.terminate())
  assert.is((await ws.closed).code, 4403)
})

Tokens('expiry: 7 days by default, else the ttl asked for, in seconds or with a unit', async (ctx) => {
  const srv = ctx.srv!
  const now = Date.now() / 1000
  const byDefault = await http(srv.url, 'POST', '/api/tokens', { token: ctx.admin, body: { role: 'viewer', doc: 'x' } })
  const exp = decodeJwt(byDefault.json.token).exp!
  assert.ok(Math.abs(exp - (now + 7 * 86_400)) < 5)
  assert.is(byDefault.json.expiresAt, new Date(exp * 1000).toISOString())
  const seconds = await http(srv.url, 'POST', '/api/tokens', { token: ctx.admin, body: { role: 'viewer', doc: 'x', ttl: 90 } })
  assert.ok(Math.abs(decodeJwt(seconds.json.token).exp! - (now + 90)) < 5)
  const weeks = await http(srv.url, 'POST', '/api/tokens', { token: ctx.admin, body: { role: 'viewer', doc: 'x', ttl: '2w' } })
  assert.ok(Math.abs(decodeJwt(weeks.json.token).exp! - (now + 14 * 86_400)) < 5)
})

Tokens('nobody mints more than they hold: an admin of one document mints for that document only', async (ctx) => {
  const srv = ctx.srv!
  const scopedAdmin = await token('admin', 'team-a')
  assert.is((await http(srv.url, 'POST', '/api/tokens', { token: scopedAdmin, body: { role: 'admin', doc: 'team-a' } })).status, 200)
  assertError(await http(srv.url, 'POST', '/api/tokens', { token: scopedAdmin, body: { role: 'viewer', doc: 'team-b' } }), 403, 'forbidden')
  assertError(await http(srv.url, 'POST', '/api/tokens', { token: scopedAdmin, body: { role: 'viewer', doc: '*' } }), 403, 'forbidden')
  const everything = await http(srv.url, 'POST', '/api/tokens', { token: ctx.admin, body: { role: 'viewer', doc: '*' } })
  assert.is(everything.status, 200)
  assert.is((await http(srv.url, 'GET', '/api/docs', { token: everything.json.token })).status, 200)
})

Tokens.run()
