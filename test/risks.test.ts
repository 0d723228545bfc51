import { test } from 'uvu'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { analyze } from '../shared/analytics.js'
import { addResponsibility, readMap, setAssignment, setPersonActive, setRating } from '../shared/schema.js'
import { riskMap } from './helpers/risks.js'
import { smallMap } from './helpers/model.js'

const rowOf = (doc: Y.Doc, id: string) => analyze(doc).responsibilities.find((r) => r.id === id)

test('a single owner on a criticality-1 row: status ok (v1), risk single-owner (v2)', () => {
  assert.equal(rowOf(riskMap(), 'docs'), {
    id: 'docs',
    status: 'ok',
    busFactor: 1,
    accountable: ['ana'],
    risks: ['single-owner'],
    uncovered: [],
    backups: [],
  })
})

test('a needed skill the A and R holders have only at level 2 is uncovered; people with C or nothing who cover it are backups', () => {
  assert.equal(rowOf(riskMap(), 'db'), {
    id: 'db',
    status: 'ok',
    busFactor: 2,
    accountable: ['ana'],
    risks: ['skills-uncovered'],
    uncovered: ['redis'],
    backups: ['cid', 'dan'],
  })
})

test('a backup covers every needed skill; an inactive would-be backup and a partial one are excluded', () => {
  const api = rowOf(riskMap(), 'api')
  assert.equal(api?.uncovered, [], 'pg by ana (A) and go by ben (R) together cover the list')
  assert.equal(api?.risks, [])
  // eve covers pg and go at 4 but is inactive; dan covers pg only
  assert.equal(api?.backups, ['cid'])
})

test('an empty skills list: nothing uncovered and no backups', () => {
  const ops = rowOf(riskMap(), 'ops')
  assert.equal(ops?.risks, [])
  assert.equal(ops?.uncovered, [])
  assert.equal(ops?.backups, [])
})

test('risks come in contract order, every one that applies', () => {
  assert.equal(rowOf(riskMap(), 'deploy'), {
    id: 'deploy',
    status: 'multiple-accountable',
    busFactor: 2,
    accountable: ['ana', 'ben'],
    risks: ['multiple-accountable', 'skills-uncovered'],
    uncovered: ['k8s'],
    backups: [],
  })
  // eve (inactive) holds the only A and is the only one at k8s 4: none of it counts
  assert.equal(rowOf(riskMap(), 'cache'), {
    id: 'cache',
    status: 'no-accountable',
    busFactor: 0,
    accountable: [],
    risks: ['no-accountable', 'thin', 'single-owner', 'skills-uncovered'],
    uncovered: ['k8s'],
    backups: [],
  })
})

test('summary counts responsibilities per risk and skills per status', () => {
  const doc = riskMap()
  assert.equal(analyze(doc).summary, {
    responsibilities: 6,
    ok: 4,
    conflicts: 1,
    noAccountable: 1,
    thin: 1,
    singleOwner: 2,
    skillsUncovered: 3,
    skillGaps: 2,
    skillRisks: 1,
  })
  assert.equal(
    analyze(doc).skills.map((s) => `${s.id}:${s.status}`),
    ['go:ok', 'php:gap', 'rust:risk', 'pg:ok', 'redis:ok', 'k8s:gap'],
  )
})

test('a hidden skill stays in skills but leaves the summary; hidden: false or garbage changes nothing', () => {
  const doc = riskMap()
  const php = doc.getMap('skills').get('php') as Y.Map<unknown>
  php.set('hidden', true)
  const analysis = analyze(doc)
  assert.is(analysis.summary.skillGaps, 1)
  assert.ok(analysis.skills.some((s) => s.id === 'php' && s.status === 'gap'))
  php.set('hidden', false)
  assert.is(analyze(doc).summary.skillGaps, 2)
  php.set('hidden', 'yes')
  assert.is(analyze(doc).summary.skillGaps, 2)
  assert.ok(readMap(doc).problems.some((p) => p.path === 'skills/php/hidden'))
})

test('people: letters per active person on existing rows, and how many skills they cover', () => {
  const doc = riskMap()
  // Cells on a row that does not exist are problems, not workload.
  doc.getMap('assignments').set('gone/cid', { letter: 'R', by: 'x', at: 1 })
  setAssignment(doc, 'docs', 'cid', 'I', 'lead')
  assert.equal(analyze(doc).people, [
    { id: 'ana', accountable: 5, responsible: 0, consulted: 0, informed: 0, covers: 1 },
    { id: 'ben', accountable: 1, responsible: 3, consulted: 0, informed: 0, covers: 1 },
    { id: 'cid', accountable: 0, responsible: 0, consulted: 0, informed: 1, covers: 4 },
    { id: 'dan', accountable: 0, responsible: 0, consulted: 1, informed: 0, covers: 2 },
  ])
})

test('what-if reports coverage before and after, and treats the people left out as inactive everywhere', () => {
  const doc = riskMap()
  const without = analyze(doc, { without: ['ana'] })
  assert.equal(without.whatIf?.coverage, { from: 4 / 6, to: 0 })
  assert.is(without.coverage, 0)
  assert.not.ok(without.people.some((p) => p.id === 'ana'))
  assert.equal(without.summary.noAccountable, 5)
  // deploy keeps ben's A alone: the conflict is gone, a thin critical row is left
  assert.equal(without.responsibilities.find((r) => r.id === 'deploy')?.risks, ['thin', 'single-owner', 'skills-uncovered'])
  const withoutCid = analyze(doc, { without: ['cid'] })
  assert.equal(withoutCid.responsibilities.find((r) => r.id === 'api')?.backups, [])
  assert.equal(withoutCid.responsibilities.find((r) => r.id === 'db')?.backups, ['dan'])
  assert.equal(withoutCid.whatIf?.coverage, { from: 4 / 6, to: 4 / 6 })
})

test('unknown and repeated skill ids in a list need nothing; role columns never cover or back up', () => {
  const doc = smallMap()
  addResponsibility(doc, { id: 'ops', title: 'Ops', area: 'Ops', skills: ['postgres', 'cobol', 'postgres'] })
  setAssignment(doc, 'ops', 'ana', 'A', 'u1')
  setAssignment(doc, 'ops', '@backend', 'R', 'u1')
  const ops = analyze(doc).responsibilities.find((r) => r.id === 'ops')
  assert.equal(ops?.uncovered, [])
  assert.equal(ops?.backups, ['ben'])
  assert.equal(ops?.risks, ['single-owner'])
  setRating(doc, 'ana', 'postgres', 2, 'u1')
  assert.equal(analyze(doc).responsibilities.find((r) => r.id === 'ops')?.uncovered, ['postgres'])
  setPersonActive(doc, 'ben', false)
  assert.equal(analyze(doc).responsibilities.find((r) => r.id === 'ops')?.backups, [])
})

test('analyze of the data and of the document agree, and reading twice gives equal data', () => {
  const doc = riskMap()
  assert.equal(analyze(readMap(doc)), analyze(doc))
  assert.equal(readMap(doc), readMap(doc))
})

test.run()
