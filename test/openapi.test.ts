// The OpenAPI document (CONTRACT §6): valid, complete against the routes the server registered,
// browsable at /docs, and the security headers that let both /docs and the browser app work.
import SwaggerParser from '@apidevtools/swagger-parser'
import { suite } from './helpers/suite.js'
import * as assert from 'uvu/assert'
import { http } from './helpers/http.js'
import { startServer, type TestServer } from './helpers/server.js'

const OpenApi = suite<{ srv?: TestServer; spec?: any }>('openapi', {})

OpenApi.before(async (ctx) => {
  ctx.srv = await startServer()
  const res = await http(ctx.srv.url, 'GET', '/openapi.json')
  assert.is(res.status, 200)
  ctx.spec = res.json
})
OpenApi.after(async (ctx) => {
  await ctx.srv?.close()
})

/** Routes that are not HTTP operations of the API: swagger-ui's own pages, the browser app's files, the WebSocket route (CONTRACT §3a). */
const NOT_OPERATIONS = [/^\/docs(\/|$)/, /^\/\*$/, /^\/(index\.html)?$/, /^\/yjs\/:id$/]

const openApiPath = (url: string): string => url.replace(/:(\w+)/g, '{$1}')

OpenApi('the document is valid OpenAPI 3', async (ctx) => {
  assert.match(ctx.spec.openapi, /^3\./)
  // validate() dereferences in place: give it a copy
  await SwaggerParser.validate(structuredClone(ctx.spec))
})

OpenApi('it lists every route the server registered, and nothing else', (ctx) => {
  const registered = new Set<string>()
  for (const route of ctx.srv!.server.routes) {
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD')
    if (NOT_OPERATIONS.some((re) => re.test(route.url!))) {
      continue
    }
    for (const method of methods) registered.add(`${method.toLowerCase()} ${openApiPath(route.url!)}`)
  }
  const documented = new Set<string>()
  for (const [path, item] of Object.entries<Record<string, unknown>>(ctx.spec.paths)) {
    for (const method of Object.keys(item)) documented.add(`${method} ${path}`)
  }
  assert.equal([...documented].sort(), [...registered].sort())
  // the exceptions are exactly what they claim to be
  // the WebSocket endpoint is no HTTP operation (CONTRACT §3a describes it)
  assert.ok(!Object.keys(ctx.spec.paths).some((p) => p.startsWith('/yjs')))
  // CONTRACT §6, every row
  for (const op of [
    'get /healthz',
    'get /readyz',
    'get /metrics',
    'get /api/docs',
    'post /api/docs',
    'get /api/docs/{id}',
    'delete /api/docs/{id}',
    'get /api/docs/{id}/snapshot',
    'get /api/docs/{id}/analytics',
    // §6a v2
    'get /api/docs/{id}/history',
    'get /api/docs/{id}/versions',
    'post /api/docs/{id}/versions',
    'post /api/docs/{id}/restore',
    'get /api/docs/{id}/blame',
    'post /api/tokens',
    'post /api/tokens/revoke',
    'post /api/tokens/ticket',
  ]) {
    assert.ok(documented.has(op), op)
  }
})

OpenApi('every /api operation needs a bearer token and documents its errors in the error shape', (ctx) => {
  assert.equal(ctx.spec.components.securitySchemes.bearer, { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
  assert.equal(ctx.spec.components.schemas.Error.required, ['statusCode', 'code', 'error', 'message'])
  for (const [path, item] of Object.entries<Record<string, any>>(ctx.spec.paths)) {
    if (!path.startsWith('/api/')) continue
    for (const [method, op] of Object.entries<any>(item)) {
      assert.equal(op.security, [{ bearer: [] }], `${method} ${path}`)
      for (const status of ['401', '429']) {
        assert.is(op.responses[status]?.content['application/json'].schema.$ref, '#/components/schemas/Error', `${method} ${path} ${status}`)
      }
      assert.ok(op.summary, `${method} ${path} has a summary`)
    }
  }
  const snapshot = ctx.spec.paths['/api/docs/{id}/snapshot'].get
  assert.equal(Object.keys(snapshot.responses['200'].content).sort(), ['application/json', 'application/octet-stream', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'text/csv', 'text/markdown'])
  assert.ok(snapshot.responses['304'])
  assert.equal(snapshot.parameters.find((p: any) => p.name === 'format').schema.enum, ['json', 'csv', 'md', 'yjs', 'xlsx', 'ratings-csv'])
  // CONTRACT §6b: the import's body types, its modes and the reply
  const imported = ctx.spec.paths['/api/docs/{id}/import'].post
  assert.equal(Object.keys(imported.requestBody.content).sort(), ['application/json', 'application/octet-stream', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'text/csv'])
  assert.equal(imported.parameters.find((p: any) => p.name === 'mode').schema.enum, ['merge', 'replace'])
  assert.equal(imported.responses['200'].content['application/json'].schema.required, ['version', 'created', 'cells', 'problems'])
  for (const status of ['400', '403', '404', '413']) assert.ok(imported.responses[status], `import ${status}`)
  assert.match(ctx.spec.paths['/api/docs'].get.responses['200'].content['application/json'].schema.items.$ref, /DocSummary/)
  assert.match(ctx.spec.components.schemas.DocSummary.properties.connections.description, /instance/)
})

OpenApi('/docs serves swagger-ui, its scripts and the document', async (ctx) => {
  const { url } = ctx.srv!
  const page = await http(url, 'GET', '/docs')
  assert.is(page.status, 200)
  assert.match(page.headers.get('content-type')!, /^text\/html/)
  assert.match(page.text, /swagger-ui/i)
  for (const src of page.text.matchAll(/src="([^"]+)"/g)) {
    assert.is((await http(url, 'GET', src[1]!)).status, 200, src[1])
  }
  assert.equal((await http(url, 'GET', '/docs/json')).json.paths, ctx.spec.paths)
})

OpenApi('security headers: scripts and connections to this origin (ws: and wss: too), no forced https', async (ctx) => {
  const { url } = ctx.srv!
  for (const path of ['/', '/docs', '/api/docs', '/healthz']) {
    const res = await http(url, 'GET', path)
    const csp = res.headers.get('content-security-policy') ?? ''
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...values]) => [name!, values]))
    assert.equal(directives.get('connect-src'), ["'self'", 'ws:', 'wss:'], `${path}: ${csp}`)
    assert.equal(directives.get('script-src'), ["'self'"], path)
    assert.ok(directives.get('default-src')?.includes("'self'"), path)
    assert.not.ok(directives.has('upgrade-insecure-requests'), path)
    assert.is(res.headers.get('x-content-type-options'), 'nosniff', path)
    assert.ok(res.headers.get('x-frame-options'), path)
  }
})

OpenApi.run()
