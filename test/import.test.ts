// POST /api/docs/:id/import (CONTRACT §6b) against a real server: round trips of our JSON and
// workbook, merge of a partial file, a team's hand-made RACI matrix as CSV and XLSX, bad input
// that changes nothing, the roles that may import, and a live client that sees the import.
import { suite } from './helpers/suite.js'
import * as assert from 'uvu/assert'
import ExcelJS from 'exceljs'
import * as Y from 'yjs'
import { addPerson, setAssignment, setRating } from '../shared/schema.js'
import type { Principal } from '../shared/protocol.js'
import { writeThroughRoom } from '../server/room-write.js'
import { seedMap, withTeam } from './helpers/browser.js'
import { connectYws } from './helpers/clients.js'
import { assertError, http, type HttpReply } from './helpers/http.js'
import { startServer, token, type TestServer } from './helpers/server.js'
import { BOMBS } from './helpers/updates.js'
import { until } from './helpers/wait.js'

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
const Import = suite<{ srv?: TestServer; admin?: string; editor?: string; closers: Array<() => void> }>('import', { closers: [] })

Import.before(async (ctx) => {
  ctx.srv = await startServer()
  ctx.admin = await token('admin')
  ctx.editor = await token('editor', '*', 'Ed Itor', 'ed')
  // The source map of the round trips: the backend template, a team, letters on people and role
  // columns, levels and an N/A, an inactive person who shares a name with an active one.
  await seedMap(ctx.srv.server.store, 'src', (doc) => {
    withTeam(doc)
    addPerson(doc, { id: 'ben-2', name: 'Ben Okafor', role: 'qa', active: false })
    setAssignment(doc, 'caching', 'ben-2', 'I', 'seed', 1)
    setRating(doc, 'ben-2', 'redis', 2, 'seed', 1)
    doc.getMap('meta').set('title', 'Platform team')
  })
})
Import.after.each((ctx) => {
  ctx.closers.splice(0).forEach((close) => close())
})
Import.after(async (ctx) => {
  await ctx.srv?.close()
})

async function createMap(ctx: { srv?: TestServer; admin?: string }, id: string, template: 'empty' | 'backend' = 'empty'): Promise<void> {
  const res = await http(ctx.srv!.url, 'POST', '/api/docs', { token: ctx.admin, body: { id, title: id, template } })
  assert.is(res.status, 201, res.text)
}

async function post(ctx: { srv?: TestServer; editor?: string }, id: string, body: Uint8Array | string, type: string, query = ''): Promise<HttpReply> {
  const res = await fetch(`${ctx.srv!.url}/api/docs/${id}/import${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ctx.editor}`, 'content-type': type },
    body: typeof body === 'string' ? body : Buffer.from(body),
  })
  const bytes = new Uint8Array(await res.arrayBuffer())
  const text = new TextDecoder().decode(bytes)
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined, text, bytes }
}

async function snapshot(ctx: { srv?: TestServer; admin?: string }, id: string): Promise<any> {
  const res = await http(ctx.srv!.url, 'GET', `/api/docs/${id}/snapshot`, { token: ctx.admin })
  assert.is(res.status, 200)
  return res.json
}

/** A snapshot without what differs between two maps with equal content: their ids, versions, export times, and who set a level when. */
function content(s: any): any {
  const { id: _id, version: _version, exportedAt: _exportedAt, ...rest } = s
  return { ...rest, ratings: rest.ratings.map((r: any) => ({ person: r.person, skill: r.skill, level: r.level })) }
}

async function download(ctx: { srv?: TestServer; admin?: string }, id: string, format: string): Promise<Uint8Array> {
  const res = await http(ctx.srv!.url, 'GET', `/api/docs/${id}/snapshot?format=${format}`, { token: ctx.admin })
  assert.is(res.status, 200)
  return res.bytes
}

Import('round trip: our JSON export imported with replace into an empty map reproduces it', async (ctx) => {
  await createMap(ctx, 'dst-json')
  const source = await snapshot(ctx, 'src')
  const res = await post(ctx, 'dst-json', JSON.stringify(source), 'application/json', '?mode=replace')
  assert.is(res.status, 200, res.text)
  assert.is(res.json.format, 'json')
  assert.equal(res.json.problems, [])
  assert.equal(res.json.created, { people: 4, skills: source.skills.length, responsibilities: source.responsibilities.length })
  assert.is(res.json.version, (await ctx.srv!.server.store.lastSeq('dst-json')))
  assert.equal(content(await snapshot(ctx, 'dst-json')), content(source))
})

Import('round trip: our XLSX export imported with replace into an empty map reproduces it', async (ctx) => {
  await createMap(ctx, 'dst-xlsx')
  const res = await post(ctx, 'dst-xlsx', await download(ctx, 'src', 'xlsx'), XLSX, '?mode=replace')
  assert.is(res.status, 200, res.text)
  assert.is(res.json.format, 'xlsx')
  assert.equal(res.json.problems, [])
  assert.equal(content(await snapshot(ctx, 'dst-xlsx')), content(await snapshot(ctx, 'src')))
  // and a map with other content becomes equal to the file too
  await createMap(ctx, 'dst-full', 'backend')
  const full = await post(ctx, 'dst-full', await download(ctx, 'src', 'xlsx'), XLSX, '?mode=replace')
  assert.is(full.status, 200, full.text)
  assert.equal(content(await snapshot(ctx, 'dst-full')), content(await snapshot(ctx, 'src')))
})

Import('merge of a partial file changes only what it holds; the same file again changes nothing', async (ctx) => {
  await createMap(ctx, 'partial', 'backend')
  const base = await post(ctx, 'partial', JSON.stringify(await snapshot(ctx, 'src')), 'application/json', '?mode=replace')
  assert.is(base.status, 200)
  const before = await snapshot(ctx, 'partial')
  const file = {
    people: [{ id: 'ben', name: 'Benjamin Okafor' }],
    ratings: [{ person: 'chen', skill: 'go', level: 4 }],
  }
  const res = await post(ctx, 'partial', JSON.stringify(file), 'application/json', '?mode=merge')
  assert.is(res.status, 200, res.text)
  assert.equal(res.json.created, { people: 0, skills: 0, responsibilities: 0 })
  assert.is(res.json.cells, 1)
  assert.equal(res.json.updated.people, 1)
  const after = await snapshot(ctx, 'partial')
  const expected = content(before)
  expected.people.find((p: any) => p.id === 'ben').name = 'Benjamin Okafor'
  expected.ratings.push({ person: 'chen', skill: 'go', level: 4 })
  expected.ratings.sort((a: any, b: any) => (a.person < b.person ? -1 : a.person > b.person ? 1 : a.skill < b.skill ? -1 : 1))
  const got = content(after)
  assert.equal({ ...got, analytics: undefined }, { ...expected, analytics: undefined })
  const again = await post(ctx, 'partial', JSON.stringify(file), 'application/json', '?mode=merge')
  assert.is(again.json.version, res.json.version, 'no new update')
  assert.is(again.json.cells, 0)
})

/** A team's own matrix, as people make them: mixed-case letters, an unknown letter, a new person, an Area column, blank rows. */
const MATRIX = [
  ['Area', 'Responsibility', 'Ana Silva', 'ben', 'Dana Novak', 'Backend engineer'],
  ['API design', 'rest resources & openapi contracts', 'a', 'R', '', 'c'],
  ['', '', '', '', '', ''],
  ['Data', 'Data modelling & migrations', 'r', 'X', 'A', ''],
  ['', 'caching', '', 'C', 'i', 'A'],
  ['Onboarding', 'Onboarding new hires', 'A', '', 'R', ''],
  ['', '', '', '', '', ''],
]
const matrixCsv = () => MATRIX.map((row) => row.join(',')).join('\r\n') + '\r\n'

async function matrixXlsx(blankTop: boolean): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook()
  const ws = wb.addWorksheet('Our RACI')
  if (blankTop) ws.addRow([])
  for (const row of MATRIX) ws.addRow(row.map((cell) => (cell === '' ? null : cell)))
  wb.addWorksheet('Notes').addRow(['ignored'])
  return new Uint8Array(await wb.xlsx.writeBuffer())
}

function assertMatrixImport(res: HttpReply, rowOffset: number, what: string): void {
  assert.is(res.status, 200, `${what}: ${res.text}`)
  assert.equal(res.json.created, { people: 1, skills: 0, responsibilities: 1 }, what)
  assert.equal(res.json.names.people, ['Dana Novak'], what)
  assert.equal(res.json.names.responsibilities, ['Onboarding new hires'], what)
  assert.equal(
    res.json.problems.map((p: any) => [p.row, p.column, p.message]),
    [
      [4 + rowOffset, 'D (ben)', 'unknown letter "X": use R, A, C or I'],
      [5 + rowOffset, 'F (Backend engineer)', 'an A belongs to a named person, not a role column; skipped'],
    ],
    what,
  )
  // A, R, C on rest, R A on data, C I on caching, A R on onboarding (the role column's C replaces the template's C)
  assert.is(res.json.cells, 9, what)
}

async function assertMatrixMap(ctx: { srv?: TestServer; admin?: string }, id: string): Promise<void> {
  const s = await snapshot(ctx, id)
  const dana = s.people.find((p: any) => p.name === 'Dana Novak')
  assert.ok(dana, 'Dana was created')
  const row = (rid: string) => s.responsibilities.find((r: any) => r.id === rid)
  assert.equal(row('api-rest').accountable, ['ana'])
  // merge: Chen, who is no column of the file, keeps his R; the role column's C replaces the template's R
  assert.equal(row('api-rest').responsible, ['ben', 'chen'])
  assert.ok(row('api-rest').consulted.includes('@backend'))
  assert.is(row('api-rest').area, 'API design', 'the Area column is written over the map')
  // merge keeps Chen's A beside the file's: two As, which the analytics report as a conflict
  assert.equal(row('db-schema').accountable, ['chen', dana.id])
  assert.equal(row('db-schema').responsible.filter((a: string) => !a.startsWith('@')), ['ana'])
  assert.is(row('db-schema').area, 'Data')
  assert.ok(!row('db-schema').responsible.includes('ben') && !row('db-schema').consulted.includes('ben'), 'the unknown letter was skipped, not guessed')
  assert.is(row('caching').area, 'Caching', 'a blank Area leaves the area as it was')
  const onboarding = s.responsibilities.find((r: any) => r.title === 'Onboarding new hires')
  assert.equal(onboarding.area, 'Onboarding')
  assert.equal(onboarding.accountable, ['ana'])
  assert.equal(onboarding.responsible, [dana.id])
}

Import('a hand-made RACI matrix CSV: the expected problems and creations; importing it again changes nothing', async (ctx) => {
  await seedMap(ctx.srv!.server.store, 'matrix-csv')
  const preview = await post(ctx, 'matrix-csv', matrixCsv(), 'text/csv', '?dryRun=true')
  assertMatrixImport(preview, 0, 'dry run')
  const version = await ctx.srv!.server.store.lastSeq('matrix-csv')
  assert.is(preview.json.version, version)
  assert.ok(!(await snapshot(ctx, 'matrix-csv')).people.some((p: any) => p.name === 'Dana Novak'), 'a dry run writes nothing')

  const res = await post(ctx, 'matrix-csv', matrixCsv(), 'text/csv; charset=utf-8')
  assertMatrixImport(res, 0, 'import')
  assert.is(res.json.format, 'raci-csv')
  assert.is(res.json.version, version + 1, 'one update')
  await assertMatrixMap(ctx, 'matrix-csv')

  const again = await post(ctx, 'matrix-csv', matrixCsv(), 'text/csv')
  assert.is(again.status, 200)
  assert.equal(again.json.created, { people: 0, skills: 0, responsibilities: 0 })
  assert.is(again.json.cells, 0)
  assert.is(again.json.version, version + 1, 'idempotent: no new update')
  assert.is(await ctx.srv!.server.store.lastSeq('matrix-csv'), version + 1)
})

Import('the same matrix as the first sheet of an XLSX (after a blank row), then again: no change', async (ctx) => {
  await seedMap(ctx.srv!.server.store, 'matrix-xlsx')
  const bytes = await matrixXlsx(true)
  const res = await post(ctx, 'matrix-xlsx', bytes, XLSX)
  assertMatrixImport(res, 1, 'xlsx')
  assert.is(res.json.format, 'raci-xlsx')
  assert.is(res.json.problems[0].sheet, 'Our RACI')
  await assertMatrixMap(ctx, 'matrix-xlsx')
  const again = await post(ctx, 'matrix-xlsx', bytes, 'application/octet-stream')
  assert.equal([again.json.format, again.json.cells, again.json.version], ['raci-xlsx', 0, res.json.version])
})

Import('our CSV exports import back: assignments and ratings, replace into a map with other letters', async (ctx) => {
  await seedMap(ctx.srv!.server.store, 'csv-back', (doc) => {
    withTeam(doc)
    setAssignment(doc, 'delivery', 'ana', 'R', 'seed', 1)
    setRating(doc, 'ana', 'go', 1, 'seed', 1)
  })
  const letters = new TextDecoder().decode(await download(ctx, 'src', 'csv'))
  const ratings = new TextDecoder().decode(await download(ctx, 'src', 'ratings-csv'))
  // src has ben-2, whom csv-back lacks: those rows are listed, not guessed
  const a = await post(ctx, 'csv-back', letters, 'text/csv', '?mode=replace')
  assert.is(a.status, 200, a.text)
  assert.is(a.json.format, 'csv')
  assert.equal(a.json.problems.map((p: any) => p.message), ['unknown person "ben-2"; skipped'])
  const b = await post(ctx, 'csv-back', ratings, 'text/csv', '?mode=replace')
  assert.is(b.json.format, 'ratings-csv')
  assert.equal(b.json.created.people, 1, 'ratings-csv names its people: Ben Okafor (ben-2) is created')
  const got = await snapshot(ctx, 'csv-back')
  const src = await snapshot(ctx, 'src')
  const cells = (s: any) => s.responsibilities.map((r: any) => [r.id, r.accountable, r.responsible, r.consulted, r.informed.filter((x: string) => x !== 'ben-2')])
  assert.equal(cells(got), cells(src))
  assert.equal(content(got).ratings, content(src).ratings)
})

Import('bad input: corrupt XLSX, a broken CSV quote, 11 MB, a wrong content type, not a snapshot: 400/413, nothing changed', async (ctx) => {
  await seedMap(ctx.srv!.server.store, 'bad')
  const version = (await ctx.srv!.server.store.lastSeq('bad'))
  const good = await download(ctx, 'src', 'xlsx')
  const cases: Array<[string, Uint8Array | string, string, number, RegExp]> = [
    ['corrupt xlsx', Buffer.concat([Buffer.from(good.subarray(0, 200)), Buffer.alloc(500, 7)]), XLSX, 400, /workbook cannot be read/],
    ['xlsx that is no zip', 'Area,Responsibility\r\n', XLSX, 400, /not a zip/],
    ['broken quote', 'Responsibility,Ana\r\n"Caching,A\r\nServer,R\r\n', 'text/csv', 400, /CSV cannot be read/],
    ['11 MB', 'Responsibility,Ana\r\n' + 'x,A\r\n'.repeat((11 * 1024 * 1024) / 5), 'text/csv', 413, /too large/i],
    ['wrong content type', 'Responsibility,Ana\r\nCaching,A\r\n', 'image/png', 400, /unsupported content type "image\/png"/],
    ['form-encoded', 'Responsibility=1', 'application/x-www-form-urlencoded', 400, /unsupported content type/],
    ['not json', '{"people": [', 'application/json', 400, /JSON cannot be read/],
    ['json of something else', '{"hello": "world"}', 'application/json', 400, /not a skillmap snapshot/],
    ['csv of something else', 'name,email\r\nAna,a@x\r\n', 'text/csv', 400, /not a CSV layout/],
    ['empty', '', 'text/csv', 400, /empty/],
  ]
  for (const [what, body, type, status, message] of cases) {
    const res = await post(ctx, 'bad', body, type)
    assertError(res, status, status === 413 ? 'too-large' : 'bad-request', what)
    assert.match(res.json.message, message, what)
  }
  assert.is((await ctx.srv!.server.store.lastSeq('bad')), version, 'nothing changed')
})

Import('who may import: viewers and exporters 403, a token for another map 403, no token 401, a missing map 404', async (ctx) => {
  const csv = 'Responsibility,Ana Silva\r\ncaching,R\r\n'
  const as = (t: string) => fetch(`${ctx.srv!.url}/api/docs/src/import`, { method: 'POST', headers: { authorization: `Bearer ${t}`, 'content-type': 'text/csv' }, body: csv })
  for (const role of ['viewer', 'exporter'] as const) assert.is((await as(await token(role, 'src'))).status, 403, role)
  assert.is((await as(await token('editor', 'other'))).status, 403, 'another map')
  assert.is((await fetch(`${ctx.srv!.url}/api/docs/src/import`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv })).status, 401)
  assertError(await post(ctx, 'nope', csv, 'text/csv'), 404, 'not-found', 'missing map')
  assertError(await post(ctx, 'src', csv, 'text/csv', '?mode=overwrite'), 400, 'bad-request', 'unknown mode')
})

Import('a live y-websocket client sees the import within 2 s, attributed to the importer', async (ctx) => {
  // REST import → room → commit → relay to the live provider
  await seedMap(ctx.srv!.server.store, 'live')
  const client = connectYws(ctx.srv!.wsUrl, 'live', await token('viewer', 'live', 'Lead', 'lead'))
  ctx.closers.push(client.close)
  await client.synced()
  const res = await post(ctx, 'live', 'Responsibility,Chen Wei\r\ncaching,A\r\n', 'text/csv')
  assert.is(res.status, 200, res.text)
  const assignments = client.doc.getMap('assignments')
  await until(() => (assignments.get('caching/chen') as { letter?: string } | undefined)?.letter === 'A', {
    on: [[client.doc, 'update']],
    timeout: 2000,
    what: 'the imported letter on the live client',
  })
  const cell = client.doc.getMap('assignments').get('caching/chen') as { letter: string; by: string }
  assert.is(cell?.letter, 'A')
  assert.is(cell?.by, 'ed')
})

Import('the update check applies to a REST write: a bomb is refused with bad-request and nothing changes', async (ctx) => {
  await seedMap(ctx.srv!.server.store, 'checked')
  const version = await ctx.srv!.server.store.lastSeq('checked')
  const principal: Principal = { sub: 'ed', name: 'Ed', role: 'editor', doc: '*' }
  const deps = { rooms: ctx.srv!.server.rooms, store: ctx.srv!.server.store }
  for (const bomb of BOMBS) {
    try {
      await writeThroughRoom(deps, 'checked', principal, () => bomb.update)
      assert.unreachable(bomb.name)
    } catch (err: any) {
      assert.is(err.code, 'bad-request', bomb.name)
    }
  }
  assert.is(await ctx.srv!.server.store.lastSeq('checked'), version)
  const doc = new Y.Doc()
  for (const r of (await ctx.srv!.server.store.load('checked'))!.rows) Y.applyUpdate(doc, r.data)
  assert.ok(doc.getMap('people').has('ana'))
})

Import.run()
