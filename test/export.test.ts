import { test } from 'uvu'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { analyze, findProblems } from '../shared/analytics.js'
import { toCsv, toMarkdown, toSnapshot, toYjs } from '../shared/export.js'
import {
  addPerson,
  addResponsibility,
  addRole,
  addSkill,
  applyTemplate,
  setAssignment,
  setPersonActive,
  setRating,
} from '../shared/schema.js'
import { exchange, smallMap } from './helpers/model.js'

const STAMP = { id: 'team-a', version: 7, exportedAt: new Date('2025-01-02T03:04:05.000Z') }

/** RFC 4180 reader, strict enough to catch a wrong line end or a badly quoted field. */
function parseCsv(input: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let i = 0
  while (i < input.length) {
    const ch = input[i]
    if (ch === '"' && field === '') {
      i++
      for (;;) {
        if (i >= input.length) throw new Error('unterminated quote')
        if (input[i] === '"' && input[i + 1] === '"') {
          field += '"'
          i += 2
        } else if (input[i] === '"') {
          i++
          break
        } else field += input[i++]
      }
      if (i < input.length && input[i] !== ',' && input[i] !== '\r') throw new Error(`text after a quote at ${i}`)
    } else if (ch === ',') {
      row.push(field)
      field = ''
      i++
    } else if (ch === '\r') {
      if (input[i + 1] !== '\n') throw new Error(`bare CR at ${i}`)
      row.push(field)
      rows.push(row)
      row = []
      field = ''
      i += 2
    } else if (ch === '\n') {
      throw new Error(`bare LF at ${i}`)
    } else {
      if (ch === '"') throw new Error(`quote inside an unquoted field at ${i}`)
      field += ch
      i++
    }
  }
  if (field !== '' || row.length > 0) throw new Error('last record without CRLF')
  return rows
}

test('snapshot JSON mirrors the document', () => {
  const doc = smallMap()
  doc.getMap('meta').set('title', 'Team A')
  addPerson(doc, { id: 'old', name: 'Old Timer', role: 'backend', active: false })
  setAssignment(doc, 'docs', 'old', 'R', 'u1', 1000)
  setAssignment(doc, 'api', '@backend', 'I', 'u1', 1000)
  const snapshot = toSnapshot(doc, STAMP)
  assert.equal(snapshot, {
    id: 'team-a',
    title: 'Team A',
    version: 7,
    exportedAt: '2025-01-02T03:04:05.000Z',
    roles: [
      { key: 'backend', label: 'Backend engineer' },
      { key: 'frontend', label: 'Frontend developer' },
    ],
    people: [
      { id: 'ana', name: 'Ana', role: 'backend', team: 'core', active: true },
      { id: 'ben', name: 'Ben', role: 'backend', team: null, active: true },
      { id: 'old', name: 'Old Timer', role: 'backend', team: null, active: false },
    ],
    skills: [
      { id: 'go', name: 'Go', category: 'languages' },
      { id: 'postgres', name: 'PostgreSQL', category: 'databases' },
    ],
    responsibilities: [
      {
        id: 'api',
        area: 'API design',
        title: 'REST API',
        description: '',
        criticality: 3,
        order: 1,
        skills: ['postgres'],
        accountable: ['ana'],
        responsible: ['ben'],
        consulted: ['@frontend'],
        informed: ['@backend'],
      },
      {
        id: 'cache',
        area: 'Caching',
        title: 'Caching',
        description: '',
        criticality: 2,
        order: 2,
        skills: [],
        accountable: ['ana'],
        responsible: [],
        consulted: [],
        informed: [],
      },
      {
        id: 'docs',
        area: 'Server logic',
        title: 'Docs',
        description: '',
        criticality: 1,
        order: 3,
        skills: [],
        accountable: [],
        responsible: ['old'],
        consulted: [],
        informed: [],
      },
    ],
    ratings: [
      { person: 'ana', skill: 'go', level: 4, by: 'u1', at: '1970-01-01T00:00:01.000Z' },
      { person: 'ana', skill: 'postgres', level: 3, by: 'u1', at: '1970-01-01T00:00:01.000Z' },
      { person: 'ben', skill: 'go', level: null, by: 'u1', at: '1970-01-01T00:00:01.000Z' },
      { person: 'ben', skill: 'postgres', level: 4, by: 'u1', at: '1970-01-01T00:00:01.000Z' },
    ],
    analytics: analyze(doc),
    problems: [{ path: 'assignments/docs/old', message: 'old is inactive; the assignment counts for nothing' }],
  })
  assert.not.ok('whatIf' in snapshot.analytics)
  // Keys in the order of CONTRACT §6, so the JSON reads like the contract.
  assert.equal(Object.keys(snapshot), [
    'id',
    'title',
    'version',
    'exportedAt',
    'roles',
    'people',
    'skills',
    'responsibilities',
    'ratings',
    'analytics',
    'problems',
  ])
  assert.equal(JSON.parse(JSON.stringify(snapshot)), snapshot, 'plain JSON, nothing lost in serialisation')
})

test('snapshot order does not depend on the order edits arrived', () => {
  const a = new Y.Doc()
  const b = new Y.Doc()
  const build = (doc: Y.Doc, reversed: boolean) => {
    const steps = [
      () => addRole(doc, 'qa', 'QA tester'),
      () => addRole(doc, 'backend', 'Backend engineer'),
      () => addPerson(doc, { id: 'zoe', name: 'Zoe', role: 'qa' }),
      () => addPerson(doc, { id: 'ana', name: 'Ana', role: 'backend' }),
      () => addSkill(doc, { id: 'redis', name: 'Redis', category: 'databases' }),
      () => addSkill(doc, { id: 'go', name: 'Go', category: 'languages' }),
      () => addResponsibility(doc, { id: 'r2', title: 'Two', area: 'B', order: 2 }),
      () => addResponsibility(doc, { id: 'r1', title: 'One', area: 'A', order: 1 }),
      () => setAssignment(doc, 'r1', '@qa', 'I', 'u', 1),
      () => setAssignment(doc, 'r1', 'zoe', 'R', 'u', 1),
      () => setAssignment(doc, 'r1', '@backend', 'I', 'u', 1),
      () => setAssignment(doc, 'r1', 'ana', 'R', 'u', 1),
      () => setRating(doc, 'zoe', 'go', 2, 'u', 1),
      () => setRating(doc, 'ana', 'redis', 3, 'u', 1),
    ]
    for (const step of reversed ? steps.reverse() : steps) step()
  }
  build(a, false)
  build(b, true)
  assert.equal(toSnapshot(a, STAMP), toSnapshot(b, STAMP))
  assert.equal(toSnapshot(a, STAMP).responsibilities[0]?.responsible, ['ana', 'zoe'])
  assert.equal(toSnapshot(a, STAMP).responsibilities[0]?.informed, ['@backend', '@qa'])
  assert.is(toCsv(a), toCsv(b))
  assert.is(toMarkdown(a), toMarkdown(b))
})

test('backend template: two fresh maps give the same snapshot, with no problems', () => {
  const a = new Y.Doc()
  const b = new Y.Doc()
  applyTemplate(a, 'backend', { title: 'Backend' })
  applyTemplate(b, 'backend', { title: 'Backend' })
  const snapshot = toSnapshot(a, STAMP)
  assert.equal(snapshot, toSnapshot(b, STAMP))
  assert.equal(snapshot.problems, [])
  assert.is(snapshot.roles.length, 9)
  assert.ok(snapshot.responsibilities.every((r) => r.accountable.length === 0 && r.responsible.length > 0))
})

test('CSV: RFC 4180 with commas, quotes and line breaks in titles', () => {
  const doc = new Y.Doc()
  addRole(doc, 'qa', 'QA tester')
  addPerson(doc, { id: 'ana', name: 'Ana', role: 'qa' })
  addResponsibility(doc, { id: 'tricky', title: 'Queues, "jobs"\nand\r\nretries', area: 'Async, jobs' })
  addResponsibility(doc, { id: 'plain', title: 'Plain', area: 'Caching' })
  setAssignment(doc, 'tricky', 'ana', 'A', 'u')
  setAssignment(doc, 'tricky', '@qa', 'I', 'u')
  setAssignment(doc, 'plain', 'ana', 'R', 'u')
  const csv = toCsv(doc)
  assert.ok(csv.startsWith('responsibility_id,area,responsibility,assignee,assignee_kind,letter\r\n'))
  assert.ok(csv.endsWith('\r\n'))
  assert.ok(csv.includes('"Queues, ""jobs""\nand\r\nretries"'), csv)
  assert.equal(parseCsv(csv), [
    ['responsibility_id', 'area', 'responsibility', 'assignee', 'assignee_kind', 'letter'],
    ['tricky', 'Async, jobs', 'Queues, "jobs"\nand\r\nretries', 'ana', 'person', 'A'],
    // A role column starts with `@`, which Excel runs as a formula: defused like any other cell (§6b).
    ['tricky', 'Async, jobs', 'Queues, "jobs"\nand\r\nretries', "'@qa", 'role', 'I'],
    ['plain', 'Caching', 'Plain', 'ana', 'person', 'R'],
  ])
  assert.equal(parseCsv(toCsv(new Y.Doc())), [['responsibility_id', 'area', 'responsibility', 'assignee', 'assignee_kind', 'letter']])
})

test('CSV: one row per assignment of the backend template', () => {
  const doc = new Y.Doc()
  applyTemplate(doc, 'backend', { title: 'Backend' })
  const rows = parseCsv(toCsv(doc))
  const snapshot = toSnapshot(doc, STAMP)
  const cells = snapshot.responsibilities.reduce(
    (n, r) => n + r.accountable.length + r.responsible.length + r.consulted.length + r.informed.length,
    0,
  )
  assert.is(rows.length - 1, cells)
  assert.ok(rows.slice(1).every((row) => row[4] === 'role' && row[3]?.startsWith("'@")))
})

test('yjs export applied to an empty doc reproduces the map', () => {
  const doc = smallMap()
  setPersonActive(doc, 'ben', false)
  doc.getMap('ratings').set('ana/zzz', { level: 9 })
  const copy = new Y.Doc()
  Y.applyUpdate(copy, toYjs(doc))
  assert.instance(toYjs(doc), Uint8Array)
  assert.equal(toSnapshot(copy, STAMP), toSnapshot(doc, STAMP))
  assert.is(toCsv(copy), toCsv(doc))
})

test('Markdown: title line, header, separator, rows with letters, escaped pipes and line breaks', () => {
  const doc = smallMap()
  doc.getMap('meta').set('title', 'Team A')
  addResponsibility(doc, { id: 'pipes', title: 'Read | write\nsplit', area: 'API design' })
  setAssignment(doc, 'pipes', 'ben', 'A', 'u')
  setPersonActive(doc, 'ben', false)
  const lines = toMarkdown(doc).split('\n')
  assert.is(lines[0], '# Team A')
  assert.is(lines[2], '| Area | Responsibility | Ana | Ben (inactive) | Backend engineer | Frontend developer |')
  assert.is(lines[3], '| --- | --- | :-: | :-: | :-: | :-: |')
  // Grouped by area: both API design rows first, in their order.
  assert.is(lines[4], '| API design | REST API | A | R |  | C |')
  assert.is(lines[5], '| API design | Read \\| write<br>split |  | A |  |  |')
  assert.is(lines[6], '| Caching | Caching | A |  |  |  |')
  assert.is(lines[7], '| Server logic | Docs |  |  |  |  |')
  // Every row has as many cells as the header: no unescaped pipe split a cell.
  const cells = (line: string) => line.replace(/\\\|/g, '').split('|').length
  for (const line of lines.slice(3, 8)) assert.is(cells(line), cells(lines[2] ?? ''), line)
  assert.ok(lines.includes('## Problems'))
  assert.ok(lines.some((line) => line.startsWith('- assignments/pipes/ben:')))
})

test('exports never crash on garbage and report it in problems', () => {
  const doc = new Y.Doc()
  doc.transact(() => {
    doc.getMap('meta').set('title', ['not', 'a', 'string'])
    doc.getMap('roles').set('x', 'label')
    doc.getMap('people').set('ana', new Y.Map<unknown>([['name', 1], ['active', true], ['team', 5]]))
    doc.getMap('skills').set('go', new Y.Map<unknown>([['name', 'Go'], ['category', null]]))
    doc.getMap('responsibilities').set(
      'r',
      new Y.Map<unknown>([['title', 'R|1'], ['order', Number.NaN], ['criticality', '3'], ['skills', new Y.Array()]]),
    )
    doc.getMap('assignments').set('r/ana', { letter: 'A', by: 1, at: 1e20 })
    doc.getMap('assignments').set('r/@x', { letter: 'A' })
    doc.getMap('assignments').set('r', 'R')
    doc.getMap('ratings').set('ana/go', { level: 3, at: -1e30 })
    doc.getMap('ratings').set('ana/rust', { level: 2.5 })
    doc.getText('stray').insert(0, 'a root that is not ours')
  })
  const remote = new Y.Doc()
  exchange(doc, remote)
  for (const d of [doc, remote]) {
    const snapshot = toSnapshot(d, STAMP)
    assert.is(snapshot.title, '')
    assert.equal(snapshot.people, [{ id: 'ana', name: 'ana', role: '', team: null, active: true }])
    assert.equal(snapshot.ratings, [{ person: 'ana', skill: 'go', level: 3, by: '', at: '1970-01-01T00:00:00.000Z' }])
    assert.equal(snapshot.responsibilities[0]?.accountable, ['ana', '@x'])
    assert.equal(snapshot.analytics.responsibilities[0]?.accountable, ['ana'])
    assert.equal(snapshot.problems, findProblems(d))
    assert.ok(snapshot.problems.length >= 12, JSON.stringify(snapshot.problems, null, 1))
    assert.ok(JSON.stringify(snapshot).length > 0)
    parseCsv(toCsv(d))
    assert.match(toMarkdown(d), /^# Untitled map\n/)
  }
})

test('exports still work when a root name is held by another type', () => {
  const doc = new Y.Doc()
  doc.getArray('people').push(['x'])
  const snapshot = toSnapshot(doc, STAMP)
  assert.equal(snapshot.people, [])
  assert.equal(snapshot.problems, [{ path: 'people', message: 'root type is not a Y.Map' }])
  toCsv(doc)
  toMarkdown(doc)
})

test.run()
