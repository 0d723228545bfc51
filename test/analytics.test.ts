import { test } from 'uvu'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { analyze, findProblems, type Analysis } from '../shared/analytics.js'
import {
  addPerson,
  addResponsibility,
  addRole,
  applyTemplate,
  setAssignment,
  setPersonActive,
  setRating,
} from '../shared/schema.js'
import { exchange, smallMap } from './helpers/model.js'

// v1 fields only: v2 additions (risks, summary, people, whatIf.coverage) are asserted in risks.test.ts,
// and these expectations must keep holding exactly as v1 wrote them.
const v1Row = ({ id, status, busFactor, accountable }: Analysis['responsibilities'][number]) => ({ id, status, busFactor, accountable })
const v1 = (analysis: Analysis) => ({
  coverage: analysis.coverage,
  responsibilities: analysis.responsibilities.map(v1Row),
  skills: analysis.skills,
})
const v1WhatIf = (whatIf: Analysis['whatIf']) => whatIf && { without: whatIf.without, changed: whatIf.changed }
const row = (doc: Y.Doc, id: string) => {
  const found = analyze(doc).responsibilities.find((r) => r.id === id)
  return found && v1Row(found)
}
const skill = (doc: Y.Doc, id: string) => analyze(doc).skills.find((s) => s.id === id)

test('statuses, bus factor, covered counts and coverage of a small map', () => {
  assert.equal(v1(analyze(smallMap())), {
    coverage: 2 / 3,
    responsibilities: [
      { id: 'api', status: 'ok', busFactor: 2, accountable: ['ana'] },
      { id: 'cache', status: 'ok', busFactor: 1, accountable: ['ana'] },
      { id: 'docs', status: 'no-accountable', busFactor: 0, accountable: [] },
    ],
    skills: [
      { id: 'go', covered: 1, status: 'risk' },
      { id: 'postgres', covered: 2, status: 'ok' },
    ],
  })
})

test('thin: a critical responsibility with one owner; gap: a skill nobody covers', () => {
  const doc = smallMap()
  setAssignment(doc, 'api', 'ben', 'C', 'u1')
  assert.equal(row(doc, 'api'), { id: 'api', status: 'thin', busFactor: 1, accountable: ['ana'] })
  setRating(doc, 'ana', 'go', 2, 'u1')
  assert.equal(skill(doc, 'go'), { id: 'go', covered: 0, status: 'gap' })
})

test('coverage is 0 on a map without responsibilities', () => {
  assert.is(analyze(new Y.Doc()).coverage, 0)
  const fresh = new Y.Doc()
  applyTemplate(fresh, 'backend', { title: 'x' })
  assert.is(analyze(fresh).coverage, 0)
  assert.ok(analyze(fresh).responsibilities.every((r) => r.status === 'no-accountable'))
})

test('two accountables named on two separate docs, merged both ways: both report multiple-accountable', () => {
  const left = smallMap()
  const right = new Y.Doc()
  exchange(left, right)
  setAssignment(left, 'docs', 'ana', 'A', 'u-left')
  setAssignment(right, 'docs', 'ben', 'A', 'u-right')
  assert.is(row(left, 'docs')?.status, 'ok')
  assert.is(row(right, 'docs')?.status, 'ok')
  exchange(left, right)
  for (const doc of [left, right]) {
    assert.equal(row(doc, 'docs'), {
      id: 'docs',
      status: 'multiple-accountable',
      busFactor: 2,
      accountable: ['ana', 'ben'],
    })
  }
  assert.equal(analyze(left), analyze(right))
})

test('inactive people count for nothing: bus factor, covered, accountable', () => {
  const doc = smallMap()
  setPersonActive(doc, 'ben', false)
  assert.equal(row(doc, 'api'), { id: 'api', status: 'thin', busFactor: 1, accountable: ['ana'] })
  assert.equal(skill(doc, 'postgres'), { id: 'postgres', covered: 1, status: 'risk' })
  setAssignment(doc, 'docs', 'ben', 'A', 'u1')
  assert.equal(row(doc, 'docs'), { id: 'docs', status: 'no-accountable', busFactor: 0, accountable: [] })
  assert.ok(findProblems(doc).some((p) => p.path === 'assignments/docs/ben' && /inactive/.test(p.message)))
})

test('an A on a role column is reported and not counted', () => {
  const doc = smallMap()
  // Mutators refuse it, but any Yjs client can write the cell directly.
  doc.getMap('assignments').set('docs/@frontend', { letter: 'A', by: 'rogue', at: 1 })
  assert.equal(row(doc, 'docs'), { id: 'docs', status: 'no-accountable', busFactor: 0, accountable: [] })
  const problems = findProblems(doc).filter((p) => p.path === 'assignments/docs/@frontend')
  assert.is(problems.length, 1)
  assert.match(problems[0]?.message ?? '', /role column/)
})

test('an A or R on an unknown person id counts for nothing', () => {
  const doc = smallMap()
  doc.getMap('assignments').set('docs/zed', { letter: 'A', by: 'x', at: 1 })
  doc.getMap('assignments').set('api/zed', { letter: 'R', by: 'x', at: 1 })
  assert.is(row(doc, 'docs')?.status, 'no-accountable')
  assert.is(row(doc, 'api')?.busFactor, 2)
})

test('what-if: without ben api turns thin and postgres risky; without ana api and cache lose their accountable', () => {
  const doc = smallMap()
  const result = analyze(doc, { without: ['ben', 'ben'] })
  assert.equal(v1WhatIf(result.whatIf), {
    without: ['ben'],
    changed: [
      { kind: 'responsibility', id: 'api', from: 'ok', to: 'thin' },
      { kind: 'skill', id: 'postgres', from: 'ok', to: 'risk' },
    ],
  })
  assert.is(result.responsibilities.find((r) => r.id === 'api')?.busFactor, 1)

  const withoutAna = analyze(doc, { without: ['ana'] })
  assert.equal(withoutAna.whatIf?.changed, [
    { kind: 'responsibility', id: 'api', from: 'ok', to: 'no-accountable' },
    { kind: 'responsibility', id: 'cache', from: 'ok', to: 'no-accountable' },
    { kind: 'skill', id: 'go', from: 'risk', to: 'gap' },
    { kind: 'skill', id: 'postgres', from: 'ok', to: 'risk' },
  ])
  assert.is(withoutAna.coverage, 0)
  assert.is(analyze(doc).coverage, 2 / 3, 'the document itself is untouched')
  assert.is(analyze(doc).whatIf, undefined)
  assert.is(analyze(doc, { without: [] }).whatIf, undefined)
  assert.equal(v1WhatIf(analyze(doc, { without: ['nobody'] }).whatIf), { without: ['nobody'], changed: [] })
})

test('findProblems: nothing on a clean map or a fresh backend map', () => {
  assert.equal(findProblems(smallMap()), [])
  const fresh = new Y.Doc()
  applyTemplate(fresh, 'backend', { title: 'Backend' })
  assert.equal(findProblems(fresh), [])
})

test('findProblems: everything that breaks the schema, with its path', () => {
  const doc = smallMap()
  addRole(doc, 'qa', 'QA tester')
  addPerson(doc, { id: 'cid', name: 'Cid', role: 'wizard' })
  addResponsibility(doc, { id: 'ops', title: 'Ops', area: 'Ops', skills: ['postgres', 'cobol'] })
  doc.transact(() => {
    doc.getMap('meta').set('title', 12)
    doc.getMap('roles').set('bad role', new Y.Map())
    doc.getMap('people').set('dan', new Y.Map<unknown>([['name', 'Dan'], ['role', 'qa']]))
    doc.getMap('people').set('eve', 'Eve')
    doc.getMap('skills').set('rust', new Y.Map<unknown>([['name', 'Rust']]))
    ;(doc.getMap('responsibilities').get('ops') as Y.Map<unknown>).set('criticality', 7)
    const assignments = doc.getMap('assignments')
    assignments.set('api/@frontend', { letter: 'A', by: 'x', at: 1 })
    assignments.set('api/@wizards', { letter: 'C', by: 'x', at: 1 })
    assignments.set('api/zed', { letter: 'R', by: 'x', at: 1 })
    assignments.set('gone/ana', { letter: 'R', by: 'x', at: 1 })
    assignments.set('cache/ben', { letter: 'X', by: 'x', at: 1 })
    assignments.set('cache/@qa', 'I')
    assignments.set('no-slash', { letter: 'R', by: 'x', at: 1 })
    const ratings = doc.getMap('ratings')
    ratings.set('ana/cobol', { level: 2, by: 'x', at: 1 })
    ratings.set('zed/go', { level: 2, by: 'x', at: 1 })
    ratings.set('ben/postgres', { level: 7, by: 'x', at: 1 })
    ratings.set('cid/go', { level: 2, by: 3, at: 'yesterday' })
    ratings.set('a/b/c', { level: 1, by: 'x', at: 1 })
  })
  const problems = findProblems(doc)
  const paths = problems.map((p) => p.path)
  for (const path of [
    'meta/title',
    'roles/bad role',
    'people/cid/role',
    'people/dan/active',
    'people/eve',
    'skills/rust/category',
    'responsibilities/ops/criticality',
    'responsibilities/ops/skills',
    'assignments/api/@frontend',
    'assignments/api/@wizards',
    'assignments/api/zed',
    'assignments/gone/ana',
    'assignments/cache/ben',
    'assignments/cache/@qa',
    'assignments/no-slash',
    'ratings/ana/cobol',
    'ratings/zed/go',
    'ratings/ben/postgres',
    'ratings/cid/go',
    'ratings/a/b/c',
  ]) {
    assert.ok(paths.includes(path), `missing ${path} in ${JSON.stringify(problems, null, 1)}`)
  }
  const message = (path: string) => problems.filter((p) => p.path === path).map((p) => p.message).join(' · ')
  assert.match(message('people/cid/role'), /unknown role "wizard"/)
  assert.match(message('responsibilities/ops/skills'), /unknown skill "cobol"/)
  assert.not.match(message('responsibilities/ops/skills'), /postgres/)
  assert.match(message('assignments/api/@wizards'), /unknown role/)
  assert.match(message('assignments/api/zed'), /unknown person/)
  assert.match(message('assignments/gone/ana'), /unknown responsibility/)
  assert.match(message('assignments/cache/ben'), /letter/)
  assert.match(message('ratings/ben/postgres'), /level must be 0..4 or null.*7/)
  assert.match(message('ratings/cid/go'), /by must be/)
  assert.match(message('ratings/cid/go'), /at must be/)
  assert.match(message('ratings/a/b/c'), /malformed key/)
  // Stable order: by root map, then by key.
  const roots = paths.map((path) => path.split('/')[0])
  const order = ['meta', 'roles', 'people', 'skills', 'responsibilities', 'assignments', 'ratings']
  assert.equal(roots, [...roots].sort((a, b) => order.indexOf(a ?? '') - order.indexOf(b ?? '')))
})

test('analyze and findProblems survive garbage of every type', () => {
  const doc = new Y.Doc()
  const other = new Y.Doc()
  doc.transact(() => {
    doc.getMap('people').set('ana', new Y.Map<unknown>([['name', new Y.Text('Ana')], ['active', 'yes']]))
    doc.getMap('people').set('sub', other)
    doc.getMap('skills').set('go', new Y.Array())
    doc.getMap('responsibilities').set('r', new Y.Map<unknown>([['skills', [1, null, 'go']], ['order', 'first']]))
    doc.getMap('assignments').set('r/ana', null)
    doc.getMap('assignments').set('r/ana2', new Uint8Array([1, 2]))
    doc.getMap('ratings').set('ana/go', { level: 'x'.repeat(500) })
  })
  const analysis = analyze(doc, { without: ['ana'] })
  assert.is(analysis.responsibilities.length, 1)
  const problems = findProblems(doc)
  assert.ok(problems.length >= 8)
  assert.ok(problems.every((p) => p.message.length < 200), 'long values are cut short')
})

test.run()
