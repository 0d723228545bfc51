// The spreadsheet exports of CONTRACT §6b: the workbook's sheets, headers, cells and styles read back
// with exceljs, the ratings CSV, and both over REST with the headers of the other formats.
import { suite } from './helpers/suite.js'
import * as assert from 'uvu/assert'
import ExcelJS from 'exceljs'
import { parse } from 'csv-parse/sync'
import { toSnapshot } from '../shared/export.js'
import { toRatingsCsv } from '../shared/ratings-csv.js'
import { addPerson, setRating } from '../shared/schema.js'
import { toXlsx } from '../server/xlsx.js'
import { seedMap } from './helpers/browser.js'
import { assertError, http } from './helpers/http.js'
import { smallMap } from './helpers/model.js'
import { startServer, token, type TestServer } from './helpers/server.js'

const STAMP = { id: 'team-a', version: 3, exportedAt: new Date('2025-01-02T03:04:05.000Z') }
const Xlsx = suite<{ srv?: TestServer; admin?: string }>('xlsx', {})

Xlsx.after(async (ctx) => {
  await ctx.srv?.close()
})

async function readBook(bytes: Uint8Array): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(bytes as unknown as ArrayBuffer)
  return wb
}

function values(ws: ExcelJS.Worksheet): unknown[][] {
  const rows: unknown[][] = []
  ws.eachRow({ includeEmpty: true }, (row) => {
    const cells: unknown[] = []
    for (let c = 1; c <= ws.columnCount; c++) cells.push(row.getCell(c).value ?? null)
    rows.push(cells)
  })
  return rows
}

const fillOf = (cell: ExcelJS.Cell) => (cell.fill as ExcelJS.FillPattern | undefined)?.fgColor?.argb

Xlsx('the workbook holds the sheets of §6b with their headers, cells and the app colours', async () => {
  const doc = smallMap()
  doc.getMap('meta').set('title', 'Team A')
  const wb = await readBook(await toXlsx(toSnapshot(doc, STAMP)))
  assert.equal(
    wb.worksheets.map((ws) => ws.name),
    ['RACI', 'Skills', 'People', 'Responsibilities', 'Analytics', 'Roles', 'Skill list'],
  )
  assert.is(wb.title, 'Team A')

  const raci = wb.getWorksheet('RACI')!
  assert.equal(values(raci), [
    ['Area', 'Responsibility', 'Ana', 'Ben', 'Backend engineer', 'Frontend developer'],
    ['API design', 'REST API', 'A', 'R', null, 'C'],
    ['Caching', 'Caching', 'A', null, null, null],
    ['Server logic', 'Docs', null, null, null, null],
  ])
  assert.is(fillOf(raci.getCell('C2')), 'FF4338CA', 'A in the app colour')
  assert.is(fillOf(raci.getCell('D2')), 'FF0E7A5A', 'R in the app colour')
  assert.is(fillOf(raci.getCell('F2')), 'FFF2C14E', 'C in the app colour')
  assert.is(raci.getCell('A1').font.bold, true)
  assert.equal(raci.views[0], { ...raci.views[0], state: 'frozen', xSplit: 2, ySplit: 1 })
  assert.ok((raci.getColumn(2).width ?? 0) > (raci.getColumn(3).width ?? 0), 'titles wider than letter cells')

  const skills = wb.getWorksheet('Skills')!
  assert.equal(values(skills), [
    ['Category', 'Skill', 'Ana', 'Ben'],
    ['languages', 'Go', 4, 'N/A'],
    ['databases', 'PostgreSQL', 3, 4],
  ])
  assert.is(fillOf(skills.getCell('C2')), 'FF1B4A85', 'level 4 in the darkest heat colour')
  assert.is(fillOf(skills.getCell('C3')), 'FF3A7FC1', 'level 3')
  assert.is(fillOf(skills.getCell('D2')), undefined, 'N/A is not a level')
  assert.equal(skills.views[0], { ...skills.views[0], state: 'frozen', xSplit: 2, ySplit: 1 })

  assert.equal(values(wb.getWorksheet('People')!), [
    ['id', 'name', 'role', 'team', 'active'],
    ['ana', 'Ana', 'backend', 'core', true],
    ['ben', 'Ben', 'backend', null, true],
  ])
  assert.equal(values(wb.getWorksheet('Responsibilities')!), [
    ['id', 'area', 'title', 'description', 'criticality', 'skills', 'order'],
    ['api', 'API design', 'REST API', null, 3, 'postgres', 1],
    ['cache', 'Caching', 'Caching', null, 2, null, 2],
    ['docs', 'Server logic', 'Docs', null, 1, null, 3],
  ])
  const analytics = values(wb.getWorksheet('Analytics')!)
  assert.equal(analytics[0], ['kind', 'name', 'status', 'count', 'accountable'])
  assert.equal(analytics.slice(2, 5).map((row) => row.slice(0, 3)), [
    ['responsibility', 'REST API', 'ok'],
    ['responsibility', 'Caching', 'ok'],
    ['responsibility', 'Docs', 'no-accountable'],
  ])
  assert.equal(values(wb.getWorksheet('Roles')!)[1], ['backend', 'Backend engineer'])
  assert.equal(values(wb.getWorksheet('Skill list')!).slice(1), [
    ['go', 'Go', 'languages'],
    ['postgres', 'PostgreSQL', 'databases'],
  ])
})

Xlsx('two people with one name get headers that say which is which', async () => {
  const doc = smallMap()
  addPerson(doc, { id: 'ana-2', name: 'ana', role: 'backend' })
  const wb = await readBook(await toXlsx(toSnapshot(doc, STAMP)))
  assert.equal(values(wb.getWorksheet('RACI')!)[0]!.slice(2, 5), ['Ana (ana)', 'ana (ana-2)', 'Ben'])
})

Xlsx('the ratings CSV: one row per rating, N/A for not applicable, formulas defused', () => {
  const doc = smallMap()
  addPerson(doc, { id: 'eve', name: '=HYPERLINK("http://evil.example")', role: 'backend' })
  setRating(doc, 'eve', 'go', 1, 'u1', 1000)
  const csv = toRatingsCsv(toSnapshot(doc, STAMP))
  assert.ok(csv.endsWith('\r\n'))
  assert.equal(parse(csv), [
    ['person_id', 'person', 'skill_id', 'skill', 'category', 'level'],
    ['ana', 'Ana', 'go', 'Go', 'languages', '4'],
    ['ana', 'Ana', 'postgres', 'PostgreSQL', 'databases', '3'],
    ['ben', 'Ben', 'go', 'Go', 'languages', 'N/A'],
    ['ben', 'Ben', 'postgres', 'PostgreSQL', 'databases', '4'],
    ['eve', `'=HYPERLINK("http://evil.example")`, 'go', 'Go', 'languages', '1'],
  ])
})

Xlsx('REST: xlsx and ratings-csv downloads with their type, file name and ETag; an exporter may; 304 on the ETag', async (ctx) => {
  ctx.srv = await startServer()
  ctx.admin = await token('admin')
  await seedMap(ctx.srv.server.store, 'sheet')
  const exporter = await token('exporter', 'sheet')
  const xlsx = await http(ctx.srv.url, 'GET', '/api/docs/sheet/snapshot?format=xlsx', { token: exporter })
  assert.is(xlsx.status, 200)
  assert.is(xlsx.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  assert.is(xlsx.headers.get('content-disposition'), 'attachment; filename="sheet.xlsx"')
  assert.is(xlsx.headers.get('etag'), `"${(await ctx.srv.server.store.lastSeq('sheet'))}"`)
  const wb = await readBook(xlsx.bytes)
  assert.equal(values(wb.getWorksheet('RACI')!)[0]!.slice(2, 5), ['Ana Silva', 'Ben Okafor', 'Chen Wei'])
  const nodeRow = values(wb.getWorksheet('Skills')!).find((row) => row[1] === 'Node.js / TypeScript')
  assert.equal(nodeRow?.slice(2, 5), [4, 3, null], 'Node.js: Ana 4, Ben 3, Chen unrated')

  const ratings = await http(ctx.srv.url, 'GET', '/api/docs/sheet/snapshot?format=ratings-csv', { token: exporter })
  assert.is(ratings.status, 200)
  assert.is(ratings.headers.get('content-type'), 'text/csv; charset=utf-8')
  assert.is(ratings.headers.get('content-disposition'), 'attachment; filename="sheet.ratings.csv"')
  assert.is(parse(ratings.text).length, 11)

  const again = await http(ctx.srv.url, 'GET', '/api/docs/sheet/snapshot?format=xlsx', { token: exporter, headers: { 'if-none-match': xlsx.headers.get('etag')! } })
  assert.is(again.status, 304)
  assertError(await http(ctx.srv.url, 'GET', '/api/docs/sheet/snapshot?format=xls', { token: exporter }), 400, 'bad-request', 'unknown format')
})
Xlsx.run()
