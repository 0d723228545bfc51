// The app's history client (public/history.ts) and change descriptions (public/views/history-lines.ts)
// without a browser: windows read page by page with `next` as the server pages them (whole updates),
// the REST calls, data-keys and blame, and the lines the panel shows for each kind of change.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { TemplateResult } from 'lit-html'
import * as Y from 'yjs'
import { changesBetween, historyApi, pathKey, blameByKey, type HistoryApi, type HistoryChange } from '../public/history.js'
import { readModel } from '../public/model.js'
import { groupLines, linesOf, namesFor } from '../public/views/history-lines.js'
import { addPerson, applyTemplate } from '../shared/schema.js'

const ben = { sub: 'ben', name: 'Ben Okafor' }
const ana = { sub: 'ana', name: 'Ana Silva' }
const at = (minute: number) => new Date(Date.UTC(2026, 11, 2, 14, minute, 5)).toISOString()
const change = (seq: number, path: string, rest: Partial<HistoryChange> = {}): HistoryChange => ({ seq, at: at(seq), by: ben, path, kind: 'set', ...rest })

/** A log of updates 1..10, update n making (n % 3) + 1 changes, paged like the server: whole updates, at most `limit` changes. */
function fakeLog(limit: number): { api: HistoryApi; pages: number[] } {
  const log: HistoryChange[] = []
  for (let seq = 1; seq <= 10; seq++) for (let i = 0; i <= seq % 3; i++) log.push(change(seq, `ratings/p${i}/s${seq}`, { to: { level: 1, by: 'x', at: 0 } }))
  const pages: number[] = []
  const page: HistoryApi['page'] = async (after) => {
    pages.push(after)
    const out: HistoryChange[] = []
    let last = after
    for (let seq = after + 1; seq <= 10; seq++) {
      const made = log.filter((c) => c.seq === seq)
      if (out.length > 0 && out.length + made.length > limit) return { changes: out, next: last }
      out.push(...made)
      last = seq
    }
    return { changes: out, next: null }
  }
  const none = () => Promise.reject(new Error('not used'))
  return { api: { page, versions: none, nameVersion: none, restore: none, blame: none, stateAt: none }, pages }
}

test('changesBetween reads a window page by page with next, and stops at its end', async () => {
  const { api, pages } = fakeLog(3)
  const all = await changesBetween(api, 0)
  assert.equal([...new Set(all.map((c) => c.seq))], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
  assert.is(all.length, 20)
  assert.ok(pages.length > 3, 'several pages')

  const window = fakeLog(3)
  const some = await changesBetween(window.api, 3, 6)
  assert.equal([...new Set(some.map((c) => c.seq))], [4, 5, 6])
  assert.ok(window.pages.every((after) => after < 6), 'no page read past the window')
  assert.equal(await changesBetween(fakeLog(3).api, 10), [])
})

test('historyApi: the routes, the bearer token, and what a refusal says', async () => {
  const calls: Array<{ url: string; method: string; auth: string | null; body: unknown }> = []
  const fetcher = (async (url: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers)
    calls.push({ url, method: init.method ?? 'GET', auth: headers.get('authorization'), body: init.body ? JSON.parse(String(init.body)) : undefined })
    if (url.includes('/restore')) return new Response(JSON.stringify({ statusCode: 403, message: 'no' }), { status: 403 })
    if (url.includes('/snapshot')) return new Response(new Uint8Array([1, 2, 3]))
    if (url.includes('/blame')) return Response.json({ cells: [{ path: 'assignments/api-rest/ana', by: ben, at: at(1), seq: 4 }] })
    if (url.includes('version=9')) return new Response('{}', { status: 404 })
    return Response.json({ changes: [], next: null })
  }) as typeof fetch
  const api = historyApi('team a', 'tok', fetcher)
  assert.equal(await api.page(7, 50), { changes: [], next: null })
  assert.equal([...(await api.stateAt(3))], [1, 2, 3])
  assert.equal((await api.blame())[0]!.by, ben)
  const refused = await api.restore(2).then(
    () => null,
    (err: Error) => err,
  )
  assert.match(refused?.message ?? '', /may not/)
  await api.nameVersion('sprint').catch(() => {})
  assert.equal(
    calls.map((c) => `${c.method} ${c.url}`),
    [
      'GET /api/docs/team%20a/history?after=7&limit=50',
      'GET /api/docs/team%20a/snapshot?version=3&format=yjs',
      'GET /api/docs/team%20a/blame',
      'POST /api/docs/team%20a/restore',
      'POST /api/docs/team%20a/versions',
    ],
  )
  assert.ok(calls.every((c) => c.auth === 'Bearer tok'))
  assert.equal(calls[3]!.body, { version: 2 })
  assert.equal(calls[4]!.body, { name: 'sprint' })
})

test('pathKey and blameByKey: where a change lands on the page', () => {
  assert.is(pathKey('assignments/api-rest/@backend'), 'r:api-rest/@backend')
  assert.is(pathKey('ratings/ana/go'), 's:ana/go')
  assert.is(pathKey('responsibilities/api-rest/title'), 'row:api-rest')
  assert.is(pathKey('people/ana/active'), 'person:ana')
  assert.is(pathKey('skills/go/name'), 'skill:go')
  assert.is(pathKey('roles/qa/label'), 'role:@qa')
  assert.is(pathKey('meta/title'), 'meta:title')
  assert.is(pathKey('meta/template'), null)
  const notes = blameByKey([
    { path: 'assignments/api-rest/ana', by: ben, at: at(1), seq: 4 },
    { path: 'people/ana/name', by: ana, at: at(2), seq: 5 },
    { path: 'ratings/ana/go', by: ana, at: at(3), seq: 6 },
  ])
  assert.equal([...notes.keys()], ['r:api-rest/ana', 's:ana/go'])
  assert.equal(notes.get('r:api-rest/ana'), { sub: 'ben', name: 'Ben Okafor', at: at(1), seq: 4 })
})

/** The text a line template renders, tags dropped. */
function textOf(value: unknown): string {
  if (Array.isArray(value)) return value.map(textOf).join('')
  if (typeof value === 'object' && value !== null && 'strings' in value) {
    const t = value as TemplateResult
    return t.strings.reduce((out, s, i) => out + s + (i < t.values.length ? textOf(t.values[i]) : ''), '')
  }
  return typeof value === 'string' || typeof value === 'number' ? String(value) : ''
}
const plain = (t: TemplateResult) =>
  textOf(t)
    .replace(/<[^>]*>/g, '')
    .replace(/\s+/g, ' ')
    .trim()

test('lines: one per thing done, named from the map or the history, grouped by person and minute', () => {
  const doc = new Y.Doc()
  applyTemplate(doc, 'backend', { title: 'T' })
  addPerson(doc, { id: 'ana', name: 'Ana Silva', role: 'techlead' })
  addPerson(doc, { id: 'chen', name: 'Chen Wei', role: 'backend' })
  const model = readModel(doc, new Set())
  const cell = (letter: string) => ({ letter, by: 'x', at: 0 })
  const changes: HistoryChange[] = [
    // update 1 (Ben): adds Dana (four fields), sets a letter, changes one, clears one
    change(1, 'people/dana/name', { to: 'Dana Ray' }),
    change(1, 'people/dana/role', { to: 'backend' }),
    change(1, 'people/dana/active', { to: true }),
    change(1, 'assignments/api-rest/chen', { to: cell('A') }),
    change(1, 'assignments/caching/ana', { from: cell('R'), to: cell('C') }),
    change(1, 'assignments/db-schema/@backend', { kind: 'delete', from: cell('I') }),
    // update 2 (Ben, same minute): a skill renamed, a level N/A, Dana removed with her letter
    { ...change(2, 'skills/go/name', { from: 'Go', to: 'Golang' }), at: at(1) },
    { ...change(2, 'ratings/chen/go', { to: { level: null, by: 'x', at: 0 } }), at: at(1) },
    ...['name', 'role', 'active'].map((f) => ({ ...change(2, `people/dana/${f}`, { kind: 'delete' as const, from: f === 'name' ? 'Dana Ray' : f === 'role' ? 'backend' : true }), at: at(1) })),
    { ...change(2, 'assignments/api-rest/dana', { kind: 'delete', from: cell('R') }), at: at(1) },
    // update 3 (Ana, later): two rows reordered, one row's criticality
    { ...change(3, 'responsibilities/api-rest/order', { from: 2, to: 5 }), by: ana },
    { ...change(3, 'responsibilities/caching/order', { from: 5, to: 2 }), by: ana },
    { ...change(3, 'responsibilities/caching/criticality', { from: 2, to: 3 }), by: ana },
  ]
  const lines = linesOf(changes, namesFor(model, changes))
  assert.equal(
    lines.map((l) => `${l.seq} ${plain(l.text)}`),
    [
      '1 added Dana Ray (Backend engineer)',
      '1 set REST resources & OpenAPI contracts × Chen Wei to A',
      '1 changed Cache strategy & invalidation × Ana Silva from R to C',
      '1 cleared Data modelling & migrations × Backend engineer (was I)',
      '2 renamed skill Go → Golang',
      '2 removed Dana Ray and 1 letter with it',
      // named from the map as it is (this one still says Go)
      '2 rated Chen Wei on Go N/A',
      '3 made Cache strategy & invalidation critical',
      '3 reordered 2 responsibilities',
    ],
  )
  assert.is(lines.find((l) => plain(l.text).startsWith('set REST'))!.key, 'r:api-rest/chen')
  assert.is(lines.find((l) => plain(l.text).startsWith('set REST'))!.area, 'API design')
  assert.is(lines.find((l) => plain(l.text).startsWith('rated'))!.area, null)

  const groups = groupLines(lines)
  assert.equal(
    groups.map((g) => `${g.by.name}: ${g.lines.map((l) => l.seq).join('')}`),
    // newest first; Ben's two updates share a minute, each update's lines in their own order
    ['Ana Silva: 33', 'Ben Okafor: 2221111'],
  )
  assert.is(plain(groups[1]!.lines[0]!.text), 'renamed skill Go → Golang')
})

test.run()
