// The documents routes (CONTRACT §6): create, list, metadata, delete, and their refusals.
import { suite } from './helpers/suite.js'
import * as assert from 'uvu/assert'
import { connectIo, connectYws, joinIo } from './helpers/clients.js'
import { assertError, http } from './helpers/http.js'
import { startServer, token, type TestServer } from './helpers/server.js'
import { eventually, until } from './helpers/wait.js'

const Docs = suite<{ srv?: TestServer; admin?: string; closers: Array<() => void> }>('docs api', { closers: [] })

Docs.before(async (ctx) => {
  ctx.srv = await startServer()
  ctx.admin = await token('admin')
})
Docs.after.each((ctx) => {
  ctx.closers.splice(0).forEach((close) => close())
})
Docs.after(async (ctx) => {
  await ctx.srv?.close()
})

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

Docs('POST creates from a template: 201, Location, ISO metadata; GET returns the same metadata', async (ctx) => {
  const { url } = ctx.srv!
  const made = await http(url, 'POST', '/api/docs', { token: ctx.admin, body: { id: 'team-a', title: '  Team A  ', template: 'empty' } })
  assert.is(made.status, 201)
  assert.is(made.headers.get('location'), '/api/docs/team-a')
  assert.equal(Object.keys(made.json).sort(), ['createdAt', 'id', 'template', 'title', 'updatedAt'])
  assert.is(made.json.id, 'team-a')
  assert.is(made.json.title, 'Team A')
  assert.is(made.json.template, 'empty')
  assert.match(made.json.createdAt, ISO)
  assert.match(made.json.updatedAt, ISO)
  const got = await http(url, 'GET', '/api/docs/team-a', { token: ctx.admin })
  assert.is(got.status, 200)
  assert.equal(got.json, made.json)

  // empty: roles only; backend (the default): responsibilities and skills too
  const empty = await http(url, 'GET', '/api/docs/team-a/snapshot', { token: ctx.admin })
  assert.is(empty.json.title, 'Team A')
  assert.ok(empty.json.roles.length > 0)
  assert.is(empty.json.responsibilities.length, 0)
  const backend = await http(url, 'POST', '/api/docs', { token: ctx.admin, body: { id: 'team-b', title: 'Team B' } })
  assert.is(backend.json.template, 'backend')
  const full = await http(url, 'GET', '/api/docs/team-b/snapshot', { token: ctx.admin })
  assert.ok(full.json.responsibilities.length >= 10)
  assert.ok(full.json.skills.length >= 20)
})

Docs('POST without an id makes a unique slug of the title', async (ctx) => {
  const { url } = ctx.srv!
  const first = await http(url, 'POST', '/api/docs', { token: ctx.admin, body: { title: 'Platform Team Ñandú' } })
  assert.is(first.status, 201)
  assert.is(first.json.id, 'platform-team-nandu')
  const second = await http(url, 'POST', '/api/docs', { token: ctx.admin, body: { title: 'Platform Team Ñandú' } })
  assert.is(second.status, 201)
  assert.match(second.json.id, /^platform-team-nandu-[a-z0-9]{4}$/)
  const symbols = await http(url, 'POST', '/api/docs', { token: ctx.admin, body: { title: '???' } })
  assert.is(symbols.status, 201)
  assert.match(symbols.json.id, /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/)
  // a token for one document must say which
  const scoped = await http(url, 'POST', '/api/docs', { token: await token('editor', 'only-this'), body: { title: 'Only this' } })
  assertError(scoped, 403, 'forbidden')
  const named = await http(url, 'POST', '/api/docs', { token: await token('editor', 'only-this'), body: { id: 'only-this', title: 'Only this' } })
  assert.is(named.status, 201)
})

Docs('POST with an existing id is a 409 and leaves the document as it was', async (ctx) => {
  const { url, server } = ctx.srv!
  await http(url, 'POST', '/api/docs', { token: ctx.admin, body: { id: 'taken', title: 'First' } })
  const again = await http(url, 'POST', '/api/docs', { token: ctx.admin, body: { id: 'taken', title: 'Second', template: 'empty' } })
  assertError(again, 409, 'conflict')
  assert.is((await server.store.get('taken'))!.title, 'First')
})

Docs('invalid bodies are 400 in the error shape', async (ctx) => {
  const { url } = ctx.srv!
  const bodies: Array<[string, unknown]> = [
    ['no body', undefined],
    ['not JSON', '{"title": '],
    ['an array', [{ title: 'x' }]],
    ['no title', { template: 'empty' }],
    ['empty title', { title: '' }],
    ['blank title', { title: '   ' }],
    ['title of the wrong type', { title: 5 }],
    ['a title too long', { title: 'x'.repeat(201) }],
    ['unknown template', { title: 'x', template: 'frontend' }],
    ['invalid id', { title: 'x', id: '-starts-with-dash' }],
    ['id too long', { title: 'x', id: 'a'.repeat(65) }],
    ['unknown field', { title: 'x', owner: 'ana' }],
  ]
  for (const [what, body] of bodies) {
    const res = await http(url, 'POST', '/api/docs', { token: ctx.admin, body, headers: body === undefined ? { 'content-type': 'application/json' } : {} })
    assertError(res, 400, 'bad-request', what)
  }
  const tokenBodies: Array<[string, unknown]> = [
    ['no role', { doc: 'x' }],
    ['unknown role', { role: 'owner', doc: 'x' }],
    ['invalid doc', { role: 'viewer', doc: 'a b' }],
    ['ttl without a unit', { role: 'viewer', doc: 'x', ttl: '10' }],
    ['ttl of a year', { role: 'viewer', doc: 'x', ttl: '1y' }],
    ['ttl past the limit', { role: 'viewer', doc: 'x', ttl: '400d' }],
    ['negative ttl', { role: 'viewer', doc: 'x', ttl: -5 }],
  ]
  for (const [what, body] of tokenBodies) assertError(await http(url, 'POST', '/api/tokens', { token: ctx.admin, body }), 400, 'bad-request', what)
})

Docs('invalid ids and queries are 400; unknown documents are 404', async (ctx) => {
  const { url } = ctx.srv!
  const admin = ctx.admin
  for (const id of ['-dash', '.dot', 'a%20b', 'x'.repeat(65), '%C3%A9t%C3%A9']) {
    for (const [method, path] of [
      ['GET', `/api/docs/${id}`],
      ['DELETE', `/api/docs/${id}`],
      ['GET', `/api/docs/${id}/snapshot`],
      ['GET', `/api/docs/${id}/analytics`],
    ] as const) {
      assertError(await http(url, method, path, { token: admin }), 400, 'bad-request', `${method} ${path}`)
    }
  }
  for (const [method, path] of [
    ['GET', '/api/docs/unknown'],
    ['DELETE', '/api/docs/unknown'],
    ['GET', '/api/docs/unknown/snapshot'],
    ['GET', '/api/docs/unknown/snapshot?format=csv'],
    ['GET', '/api/docs/unknown/analytics'],
  ] as const) {
    assertError(await http(url, method, path, { token: admin }), 404, 'not-found', `${method} ${path}`)
  }
  await http(url, 'POST', '/api/docs', { token: admin, body: { id: 'queried', title: 'Queried' } })
  for (const path of ['/api/docs/queried/snapshot?format=xml', '/api/docs/queried/snapshot?fmt=json', '/api/docs/queried/analytics?without=a%20b', '/api/docs/queried/analytics?without=a,,b']) {
    assertError(await http(url, 'GET', path, { token: admin }), 400, 'bad-request', path)
  }
  assertError(await http(url, 'GET', '/api/nothing-here', { token: admin }), 404, 'not-found')
})

Docs('the list shows live connections on this instance and follows a rename made in the document', async (ctx) => {
  const { url, wsUrl, server } = ctx.srv!
  await http(url, 'POST', '/api/docs', { token: ctx.admin, body: { id: 'listed', title: 'Before' } })
  const a = connectYws(wsUrl, 'listed', await token('editor', 'listed'))
  const socket = connectIo(url, await token('viewer', 'listed'))
  ctx.closers.push(a.close, () => socket.close())
  await a.synced()
  await (await joinIo(socket, 'listed')).synced
  const row = async () => ((await http(url, 'GET', '/api/docs', { token: ctx.admin })).json as Array<{ id: string; title: string; connections: number; updatedAt: string }>).find((d) => d.id === 'listed')!
  assert.is((await row()).connections, 2)

  const before = await row()
  a.doc.getMap('meta').set('title', 'After')
  // committed with the update that carried it: the documents table follows meta.title
  await eventually(async () => (await server.store.get('listed'))?.title === 'After', { what: 'the stored title to follow' })
  const after = await row()
  assert.is(after.title, 'After')
  assert.ok(after.updatedAt >= before.updatedAt)
  assert.is((await http(url, 'GET', '/api/docs/listed', { token: ctx.admin })).json.title, 'After')
})

Docs('DELETE closes live y-websocket connections with 4410 and Socket.IO joins get doc:error gone; then 404', async (ctx) => {
  // admin (REST) → server deletes → yws 4410, io doc:error gone → GET 404
  const { url, wsUrl, server } = ctx.srv!
  await http(url, 'POST', '/api/docs', { token: ctx.admin, body: { id: 'doomed', title: 'Doomed' } })
  const editor = connectYws(wsUrl, 'doomed', await token('editor', 'doomed'))
  const viewer = connectYws(wsUrl, 'doomed', await token('viewer', 'doomed'))
  const socket = connectIo(url, await token('editor', 'doomed'))
  ctx.closers.push(editor.close, viewer.close, () => socket.close())
  await Promise.all([editor.synced(), viewer.synced()])
  const sio = await joinIo(socket, 'doomed')
  await sio.synced

  const res = await http(url, 'DELETE', '/api/docs/doomed', { token: ctx.admin })
  assert.is(res.status, 204)
  assert.is(res.text, '')
  await until(() => editor.closes.includes(4410) && viewer.closes.includes(4410), { what: 'both providers to be closed with 4410' })
  await until(() => sio.errors.some((e) => e.code === 'gone'), { what: 'doc:error gone' })
  assert.is(server.rooms.get('doomed'), undefined)
  assertError(await http(url, 'GET', '/api/docs/doomed', { token: ctx.admin }), 404, 'not-found')
  assertError(await http(url, 'GET', '/api/docs/doomed/snapshot', { token: ctx.admin }), 404, 'not-found')
  assertError(await http(url, 'DELETE', '/api/docs/doomed', { token: ctx.admin }), 404, 'not-found')
  // the stock provider treats 44xx as final: it does not come back and recreate the map
  assert.is(editor.provider.shouldConnect, false)
})

Docs.run()
