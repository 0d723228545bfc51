// Revocation (CONTRACT §2 v2) across two instances sharing one SQLite file and a real redis-server:
// revoked on one instance, refused on REST at once and closed live on the other within 2 s, and
// still refused after a restart.
import { decodeJwt, SignJWT } from 'jose'
import { suite } from './helpers/suite.js'
import * as assert from 'uvu/assert'
import { connectIo, connectYws, joinIo, rawWs, type YwsClient } from './helpers/clients.js'
import { http } from './helpers/http.js'
import { startRedis, type TestRedis } from './helpers/redis.js'
import { startServer, tempDir, TEST_SECRET, token, type TestServer } from './helpers/server.js'
import { nextEvent, until } from './helpers/wait.js'

interface Ctx {
  redis?: TestRedis
  dataDir: string
  a?: TestServer
  b?: TestServer
  admin: string
  closers: Array<() => void>
}

const Revocation = suite<Ctx>('revocation', { dataDir: '', admin: '', closers: [] })

/** The contract's bound for closing live connections on every instance. */
const WITHIN_MS = 2000

const env = (ctx: Ctx) => ({ DATA_DIR: ctx.dataDir, REDIS_URL: ctx.redis!.url })

Revocation.before(async (ctx) => {
  ctx.redis = await startRedis()
  ctx.dataDir = tempDir()
  ctx.a = await startServer(env(ctx))
  ctx.b = await startServer(env(ctx))
  ctx.admin = await token('admin', '*', 'Root', 'root')
})
Revocation.after.each((ctx) => {
  ctx.closers.splice(0).forEach((close) => close())
})
Revocation.after(async (ctx) => {
  await ctx.a?.close()
  await ctx.b?.close()
  await ctx.redis?.stop()
})

const closedWith = (client: YwsClient, code: number, timeout = WITHIN_MS): Promise<void> =>
  until(() => client.closes.includes(code), { on: [[client.provider, 'connection-close']], timeout, what: `close ${code}` })

async function revoke(srv: TestServer, admin: string, body: object): Promise<number> {
  return (await http(srv.url, 'POST', '/api/tokens/revoke', { token: admin, body })).status
}

Revocation('revoking a jti on A refuses it on B at once and closes its y-websocket and Socket.IO connections on B within 2 s', async (ctx) => {
  // admin → A: revoke → SQLite + Redis → B closes the token's connections (4401 / disconnect)
  const { a, b } = ctx
  const leaked = await token('editor', 'rev-doc', 'Leaked', 'lee')
  const other = await token('editor', 'rev-doc', 'Lee again', 'lee')
  const yws = connectYws(b!.wsUrl, 'rev-doc', leaked)
  const kept = connectYws(b!.wsUrl, 'rev-doc', other)
  const socket = connectIo(b!.url, leaked)
  ctx.closers.push(yws.close, kept.close, () => socket.close())
  await Promise.all([yws.synced(), kept.synced()])
  const sio = await joinIo(socket, 'rev-doc')
  await sio.synced

  const disconnected = nextEvent<[string]>(socket, 'disconnect', { timeout: WITHIN_MS })
  assert.is(await revoke(a!, ctx.admin, { jti: decodeJwt(leaked).jti }), 204)
  await closedWith(yws, 4401)
  const [reason] = await disconnected
  assert.is(reason, 'io server disconnect')
  assert.ok(sio.errors.some((e) => e.code === 'unauthorized'))
  assert.ok(yws.denied.includes('unauthorized'))

  // REST on either instance refuses it; a new live connection too
  for (const srv of [a!, b!]) {
    const res = await http(srv.url, 'GET', '/api/docs/rev-doc', { token: leaked })
    assert.is(res.status, 401)
    assert.is(res.json.message, 'token revoked')
    assert.is((await rawWs(srv.wsUrl, 'rev-doc', leaked).closed).code, 4401)
  }
  // another token of the same user (another jti) lives on
  assert.ok(kept.provider.wsconnected)
  assert.is((await http(b!.url, 'GET', '/api/docs/rev-doc', { token: other })).status, 200)
})

Revocation('revoking a sub on B closes that user\'s connections on A and refuses tokens issued before, not after', async (ctx) => {
  const { a, b } = ctx
  const first = await token('viewer', '*', 'Sam', 'sam')
  const second = await token('editor', 'sub-doc', 'Sam', 'sam')
  const bystander = await token('editor', 'sub-doc', 'Bo', 'bo')
  const byYws = connectYws(a!.wsUrl, 'sub-doc', second)
  const byBystander = connectYws(a!.wsUrl, 'sub-doc', bystander)
  ctx.closers.push(byYws.close, byBystander.close)
  await byYws.synced()
  await byBystander.synced()
  const socket = connectIo(a!.url, first)
  ctx.closers.push(() => socket.close())
  await (await joinIo(socket, 'sub-doc')).synced

  const disconnected = nextEvent(socket, 'disconnect', { timeout: WITHIN_MS })
  assert.is(await revoke(b!, ctx.admin, { sub: 'sam' }), 204)
  await closedWith(byYws, 4401)
  await disconnected
  assert.is((await http(a!.url, 'GET', '/api/docs', { token: first })).status, 401)
  assert.ok(byBystander.provider.wsconnected)

  // a token issued after the revocation (iat later) is Sam's new login and works
  const now = Math.floor(Date.now() / 1000)
  const later = await new SignJWT({ name: 'Sam', role: 'viewer', doc: '*' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('sam')
    .setJti('sam-later')
    .setIssuedAt(now + 2)
    .setExpirationTime(now + 3600)
    .sign(new TextEncoder().encode(TEST_SECRET))
  assert.is((await http(a!.url, 'GET', '/api/docs', { token: later })).status, 200)
})

Revocation('only admins revoke; by sub only an admin of *; a bad body is a 400', async (ctx) => {
  const { a } = ctx
  const editor = await token('editor', '*', 'Ed', 'ed')
  const docAdmin = await token('admin', 'team-a', 'Ada', 'ada')
  assert.is(await revoke(a!, editor, { jti: 'x' }), 403)
  assert.is(await revoke(a!, docAdmin, { sub: 'someone' }), 403)
  assert.is(await revoke(a!, docAdmin, { jti: decodeJwt(await token('viewer', 'team-a')).jti! }), 204)
  for (const body of [{}, { jti: '' }, { jti: 'a', sub: 'b' }, { sub: 5 }, { who: 'x' }]) {
    const res = await http(a!.url, 'POST', '/api/tokens/revoke', { token: ctx.admin, body })
    assert.is(res.status, 400, JSON.stringify(body))
  }
  assert.is((await http(a!.url, 'POST', '/api/tokens/revoke', { body: { jti: 'x' } })).status, 401)
})

Revocation('revocations survive a restart: the restarted instance refuses them on REST and live', async (ctx) => {
  const leaked = await token('editor', '*', 'Rex', 'rex')
  assert.is(await revoke(ctx.a!, ctx.admin, { jti: decodeJwt(leaked).jti }), 204)
  const userToken = await token('viewer', '*', 'Una', 'una')
  assert.is(await revoke(ctx.a!, ctx.admin, { sub: 'una' }), 204)

  await ctx.b!.close()
  ctx.b = await startServer(env(ctx))
  for (const t of [leaked, userToken]) {
    assert.is((await http(ctx.b.url, 'GET', '/api/docs', { token: t })).status, 401)
    assert.is((await rawWs(ctx.b.wsUrl, 'after-restart', t).closed).code, 4401)
    const socket = connectIo(ctx.b.url, t)
    const [err] = await nextEvent<[Error]>(socket, 'connect_error')
    socket.close()
    assert.is(err.message, 'unauthorized')
  }
  // the restarted instance still hears revocations from the other
  const fresh = await token('editor', 'after-restart', 'Fay', 'fay')
  const yws = connectYws(ctx.b.wsUrl, 'after-restart', fresh)
  ctx.closers.push(yws.close)
  await yws.synced()
  assert.is(await revoke(ctx.a!, ctx.admin, { jti: decodeJwt(fresh).jti }), 204)
  await closedWith(yws, 4401)
})

Revocation.run()
