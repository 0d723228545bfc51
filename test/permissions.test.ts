// Who may call which REST route (CONTRACT §2 table, §6), one row per endpoint, one column per caller.
import { suite } from './helpers/suite.js'
import * as assert from 'uvu/assert'
import { createAuth } from '../server/auth.js'
import { assertError, http } from './helpers/http.js'
import { startServer, TEST_SECRET, token, type TestServer } from './helpers/server.js'

const CALLERS = ['admin', 'editor', 'viewer', 'exporter', 'otherDoc', 'docEditor', 'none', 'expired'] as const
type Caller = (typeof CALLERS)[number]

const DOC = 'matrix'

async function tokens(): Promise<Record<Caller, string | undefined>> {
  return {
    admin: await token('admin', '*'),
    editor: await token('editor', '*'),
    viewer: await token('viewer', '*'),
    exporter: await token('exporter', '*'),
    // even an admin, when its token is for another document
    otherDoc: await token('admin', 'elsewhere'),
    // a token for exactly this document
    docEditor: await token('editor', DOC),
    none: undefined,
    expired: await createAuth(TEST_SECRET).mint({ role: 'admin', doc: '*', ttl: -60 }),
  }
}

interface Row {
  name: string
  method: string
  path: (caller: Caller) => string
  body?: (caller: Caller) => unknown
  expect: Record<Caller, number>
}

const anyRoleOnDoc = { admin: 200, editor: 200, viewer: 200, exporter: 200, otherDoc: 403, docEditor: 200, none: 401, expired: 401 }

const ROWS: Row[] = [
  {
    name: 'list',
    method: 'GET',
    path: () => '/api/docs',
    expect: { admin: 200, editor: 200, viewer: 200, exporter: 200, otherDoc: 200, docEditor: 200, none: 401, expired: 401 },
  },
  {
    name: 'create',
    method: 'POST',
    path: () => '/api/docs',
    body: (caller) => ({ id: `new-${caller}`, title: `Made by ${caller}`, template: 'empty' }),
    expect: { admin: 201, editor: 201, viewer: 403, exporter: 403, otherDoc: 403, docEditor: 403, none: 401, expired: 401 },
  },
  { name: 'metadata', method: 'GET', path: () => `/api/docs/${DOC}`, expect: anyRoleOnDoc },
  ...(['json', 'csv', 'md', 'yjs'] as const).map((format) => ({
    name: `snapshot ${format}`,
    method: 'GET',
    path: () => `/api/docs/${DOC}/snapshot?format=${format}`,
    expect: anyRoleOnDoc,
  })),
  { name: 'analytics', method: 'GET', path: () => `/api/docs/${DOC}/analytics?without=ana`, expect: anyRoleOnDoc },
  {
    name: 'mint',
    method: 'POST',
    path: () => '/api/tokens',
    body: () => ({ role: 'viewer', doc: DOC }),
    expect: { admin: 200, editor: 403, viewer: 403, exporter: 403, otherDoc: 403, docEditor: 403, none: 401, expired: 401 },
  },
  {
    name: 'delete',
    method: 'DELETE',
    path: (caller) => `/api/docs/del-${caller}`,
    expect: { admin: 204, editor: 403, viewer: 403, exporter: 403, otherDoc: 403, docEditor: 403, none: 401, expired: 401 },
  },
]

const Permissions = suite<{ srv?: TestServer; tokens?: Record<Caller, string | undefined> }>('permissions', {})

Permissions.before(async (ctx) => {
  ctx.srv = await startServer()
  ctx.tokens = await tokens()
  const admin = ctx.tokens.admin
  for (const id of [DOC, ...CALLERS.map((c) => `del-${c}`)]) {
    const res = await http(ctx.srv.url, 'POST', '/api/docs', { token: admin, body: { id, title: id } })
    assert.is(res.status, 201)
  }
})

Permissions.after(async (ctx) => {
  await ctx.srv?.close()
})

for (const row of ROWS) {
  Permissions(`${row.method} ${row.path('admin')}: ${row.name}`, async (ctx) => {
    const srv = ctx.srv!
    for (const caller of CALLERS) {
      const res = await http(srv.url, row.method, row.path(caller), { token: ctx.tokens![caller], body: row.body?.(caller) })
      const expected = row.expect[caller]
      const what = `${row.name} as ${caller}`
      if (expected === 401) assertError(res, 401, 'unauthorized', what)
      else if (expected === 403) assertError(res, 403, 'forbidden', what)
      else assert.is(res.status, expected, `${what}: ${res.text}`)
    }
  })
}

Permissions('a refused delete or create changes nothing; the list shows what each token may see', async (ctx) => {
  const srv = ctx.srv!
  for (const caller of CALLERS) {
    assert.is((await srv.server.store.get(`del-${caller}`)) !== undefined, caller !== 'admin', `del-${caller}`)
    assert.is((await srv.server.store.get(`new-${caller}`)) !== undefined, caller === 'admin' || caller === 'editor', `new-${caller}`)
  }
  const ids = async (caller: Caller) => ((await http(srv.url, 'GET', '/api/docs', { token: ctx.tokens![caller] })).json as Array<{ id: string }>).map((d) => d.id)
  assert.equal(await ids('docEditor'), [DOC])
  assert.equal(await ids('otherDoc'), [])
  assert.ok((await ids('exporter')).includes(DOC))
  assert.equal(await ids('viewer'), (await srv.server.store.list()).map((m) => m.id))
})

Permissions('a malformed Authorization header is a 401 with WWW-Authenticate', async (ctx) => {
  const srv = ctx.srv!
  for (const header of ['Basic YWRtaW46YWRtaW4=', 'Bearer', 'Bearer not.a.jwt', `Bearer ${await createAuth('another-secret-that-is-long-enough-32').mint({ role: 'admin', doc: '*' })}`]) {
    const res = await http(srv.url, 'GET', '/api/docs', { headers: { authorization: header } })
    assertError(res, 401, 'unauthorized', header)
    assert.is(res.headers.get('www-authenticate'), 'Bearer')
  }
})

Permissions.run()
