import { test } from 'uvu'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import {
  COVERED_LEVEL,
  DEFAULT_ROLES,
  LETTERS,
  LEVEL_NAMES,
  TEMPLATE_NAMES,
  addPerson,
  addResponsibility,
  addSkill,
  applyTemplate,
  isId,
  makeId,
  moveResponsibility,
  parseAssignmentKey,
  readAssignments,
  readMeta,
  readPeople,
  readRatings,
  readResponsibilities,
  readRoles,
  readSkills,
  removeResponsibility,
  removeSkill,
  renamePerson,
  setAssignment,
  setPersonActive,
  setRating,
  updateResponsibility,
} from '../shared/schema.js'
import { smallMap } from './helpers/model.js'

test('ids: the contract pattern, no slash, no @, 64 characters at most', () => {
  for (const id of ['ana', 'api-rest', 'A_1', 'x'.repeat(64)]) assert.ok(isId(id), id)
  for (const id of ['', 'a/b', '@frontend', 'a b', 'é', 'x'.repeat(65), 7, null]) assert.not.ok(isId(id), String(id))
})

test('makeId: slug of the title, a random suffix only when the slug is taken', () => {
  const none = () => false
  assert.is(makeId('Ana María López', none), 'ana-maria-lopez')
  assert.is(makeId('  REST / OpenAPI  ', none), 'rest-openapi')
  assert.is(makeId('日本語', none), 'item')
  const long = makeId('word '.repeat(40), none)
  assert.ok(isId(long) && long.length <= 48, long)
  assert.is(makeId('Ana', (id) => id === 'ana', () => 0.5), 'ana-' + Math.floor(0.5 * 36 ** 4).toString(36))
  assert.match(makeId('Ana', (id) => id === 'ana'), /^ana-[a-z0-9]{4}$/)
})

test('constants: letters, level names, covered level', () => {
  assert.equal([...LETTERS], ['R', 'A', 'C', 'I'])
  assert.equal(LEVEL_NAMES, { 0: 'None', 1: 'Aware', 2: 'Working', 3: 'Proficient', 4: 'Expert' })
  assert.is(COVERED_LEVEL, 3)
  assert.equal([...TEMPLATE_NAMES], ['backend', 'empty'])
})

test('people: add, rename, deactivate; readPeople returns plain objects sorted by id', () => {
  const doc = new Y.Doc()
  const zoe = addPerson(doc, { name: 'Zoë', role: 'qa' })
  const ana = addPerson(doc, { name: 'Ana', role: 'backend', team: 'core' })
  const ana2 = addPerson(doc, { name: 'Ana', role: 'dba' })
  assert.is(zoe, 'zoe')
  assert.match(ana2, /^ana-[a-z0-9]{4}$/)
  renamePerson(doc, ana, 'Ana B.')
  setPersonActive(doc, zoe, false)
  assert.equal(readPeople(doc), [
    { id: 'ana', name: 'Ana B.', role: 'backend', team: 'core', active: true },
    { id: ana2, name: 'Ana', role: 'dba', active: true },
    { id: 'zoe', name: 'Zoë', role: 'qa', active: false },
  ])
  const stored = doc.getMap('people').get('ana')
  assert.instance(stored, Y.Map)
  assert.throws(() => addPerson(doc, { id: 'ana', name: 'Other', role: 'qa' }), /already exists/)
  assert.throws(() => addPerson(doc, { id: 'a/b', name: 'Bad', role: 'qa' }), /must match/)
  assert.throws(() => addPerson(doc, { name: 'Bad', role: '@qa' }), /role id must match/)
  assert.throws(() => renamePerson(doc, 'nobody', 'X'), /does not exist/)
})

test('responsibilities: stored as Y.Maps with a plain skills array, read sorted by order', () => {
  const doc = new Y.Doc()
  const b = addResponsibility(doc, { title: 'Caching', area: 'Caching', skills: ['redis'] })
  const a = addResponsibility(doc, { title: 'REST API', area: 'API design', criticality: 3, order: 0.5 })
  updateResponsibility(doc, b, { description: 'Redis and CDN', skills: ['redis', 'perf'] })
  const stored = doc.getMap('responsibilities').get(b)
  assert.instance(stored, Y.Map)
  assert.ok(Array.isArray((stored as Y.Map<unknown>).get('skills')))
  assert.equal(readResponsibilities(doc), [
    { id: a, title: 'REST API', description: '', area: 'API design', criticality: 3, order: 0.5, skills: [] },
    { id: b, title: 'Caching', description: 'Redis and CDN', area: 'Caching', criticality: 2, order: 1, skills: ['redis', 'perf'] },
  ])
  assert.throws(() => addResponsibility(doc, { title: 'X', area: 'Y', criticality: 4 as 3 }), /criticality/)
})

test('moveResponsibility: fractional order between neighbours; renumbers when there is no room', () => {
  const doc = new Y.Doc()
  for (const id of ['a', 'b', 'c', 'd']) addResponsibility(doc, { id, title: id, area: 'x' })
  const ids = () => readResponsibilities(doc).map((r) => r.id)
  moveResponsibility(doc, 'd', 1)
  assert.equal(ids(), ['a', 'd', 'b', 'c'])
  assert.is(readResponsibilities(doc).find((r) => r.id === 'd')?.order, 1.5)
  moveResponsibility(doc, 'a', 99)
  assert.equal(ids(), ['d', 'b', 'c', 'a'])
  moveResponsibility(doc, 'c', 0)
  assert.equal(ids(), ['c', 'd', 'b', 'a'])

  // Two rows left with the same order (e.g. by concurrent moves): a move between them renumbers.
  const twin = new Y.Doc()
  for (const id of ['a', 'b', 'c']) addResponsibility(twin, { id, title: id, area: 'x', order: 1 })
  moveResponsibility(twin, 'c', 1)
  assert.equal(
    readResponsibilities(twin).map((r) => [r.id, r.order]),
    [
      ['a', 1],
      ['c', 2],
      ['b', 3],
    ],
  )
})

test('removeResponsibility removes its assignments, in one transaction', () => {
  const doc = smallMap()
  let updates = 0
  doc.on('update', () => updates++)
  removeResponsibility(doc, 'api')
  assert.is(updates, 1)
  assert.not.ok(readResponsibilities(doc).some((r) => r.id === 'api'))
  assert.not.ok(readAssignments(doc).some((a) => a.responsibility === 'api'))
  assert.ok(readAssignments(doc).some((a) => a.responsibility === 'cache'))
})

test('setAssignment: whole-value cells { letter, by, at }; null clears; an A on a role column is refused', () => {
  const doc = new Y.Doc()
  setAssignment(doc, 'api', 'ana', 'A', 'u1', 42)
  setAssignment(doc, 'api', '@frontend', 'C', 'u2')
  assert.equal(doc.getMap('assignments').get('api/ana'), { letter: 'A', by: 'u1', at: 42 })
  const role = doc.getMap('assignments').get('api/@frontend') as { at: number }
  assert.ok(Math.abs(role.at - Date.now()) < 5000)
  assert.equal(parseAssignmentKey('api/@frontend'), {
    responsibility: 'api',
    assignee: '@frontend',
    ref: { kind: 'role', id: 'frontend' },
  })
  setAssignment(doc, 'api', 'ana', null, 'u1')
  assert.is(doc.getMap('assignments').has('api/ana'), false)
  assert.throws(() => setAssignment(doc, 'api', '@frontend', 'A', 'u1'), /named person/)
  assert.throws(() => setAssignment(doc, 'api', 'a/b', 'R', 'u1'), /not an assignment cell/)
  assert.throws(() => setAssignment(doc, 'api', 'ana', 'X' as 'R', 'u1'), /letter/)
})

test('setRating: 0..4, null for N/A, undefined clears', () => {
  const doc = new Y.Doc()
  setRating(doc, 'ana', 'go', 0, 'u1', 5)
  setRating(doc, 'ben', 'go', null, 'u1', 6)
  setRating(doc, 'cid', 'go', 4, 'u1', 7)
  setRating(doc, 'cid', 'go', undefined, 'u1')
  assert.equal(readRatings(doc), [
    { person: 'ana', skill: 'go', level: 0, by: 'u1', at: 5 },
    { person: 'ben', skill: 'go', level: null, by: 'u1', at: 6 },
  ])
  assert.throws(() => setRating(doc, 'ana', 'go', 5 as 4, 'u1'), /level/)
})

test('removeSkill drops its ratings and its id from responsibilities', () => {
  const doc = smallMap()
  removeSkill(doc, 'postgres')
  assert.not.ok(readSkills(doc).some((s) => s.id === 'postgres'))
  assert.not.ok(readRatings(doc).some((r) => r.skill === 'postgres'))
  assert.equal(readResponsibilities(doc).find((r) => r.id === 'api')?.skills, [])
})

test('readers skip what they cannot read and never throw', () => {
  const doc = new Y.Doc()
  doc.transact(() => {
    doc.getMap('people').set('ghost', 'not a map')
    doc.getMap('people').set('bad/id', new Y.Map([['name', 'X']]))
    doc.getMap('people').set('half', new Y.Map<unknown>([['name', 42]]))
    doc.getMap('responsibilities').set('r', new Y.Map<unknown>([['skills', 'go'], ['criticality', 9]]))
    doc.getMap('assignments').set('r/half', { letter: 'Z' })
    doc.getMap('ratings').set('half/go', { level: 7 })
  })
  assert.equal(readPeople(doc), [{ id: 'half', name: 'half', role: '', active: false }])
  assert.equal(readResponsibilities(doc), [
    { id: 'r', title: 'r', description: '', area: '', criticality: 2, order: 1, skills: [] },
  ])
  assert.equal(readAssignments(doc), [])
  assert.equal(readRatings(doc), [])
})

// ---------------------------------------------------------------------------------------------
// Templates

const CONTRACT_AREAS = [
  'Server logic',
  'API design',
  'Database design',
  'Authentication & authorization',
  'Microservices',
  'Performance',
  'Caching',
  'Asynchronous processing',
  'Security',
  'External integrations',
]

function backendMap(): Y.Doc {
  const doc = new Y.Doc()
  applyTemplate(doc, 'backend', { title: 'Payments backend' })
  return doc
}

test('backend template: meta and the nine roles', () => {
  const doc = backendMap()
  assert.equal(readMeta(doc), { title: 'Payments backend', template: 'backend' })
  assert.equal(
    readRoles(doc).map((r) => r.label),
    [
      'Backend engineer',
      'Tech lead',
      'Frontend developer',
      'DevOps engineer',
      'DBA',
      'QA tester',
      'Product owner',
      'UX/UI designer',
      'Security specialist',
    ],
  )
  assert.equal(
    readRoles(doc).map((r) => r.key),
    DEFAULT_ROLES.map((r) => r.key),
  )
  assert.instance(doc.getMap('roles').get('frontend'), Y.Map)
})

test('backend template: 14+ responsibilities covering every area of the contract', () => {
  const responsibilities = readResponsibilities(backendMap())
  assert.ok(responsibilities.length >= 14 && responsibilities.length <= 16, String(responsibilities.length))
  const areas = new Set(responsibilities.map((r) => r.area))
  for (const area of CONTRACT_AREAS) assert.ok(areas.has(area), area)
  const apis = responsibilities.filter((r) => r.area === 'API design').map((r) => r.title)
  for (const tech of ['REST', 'GraphQL', 'gRPC']) assert.ok(apis.some((title) => title.includes(tech)), tech)
  for (const r of responsibilities) {
    assert.ok(r.title.length > 0 && r.description.length > 0, r.id)
    assert.ok([1, 2, 3].includes(r.criticality), r.id)
  }
  assert.equal(
    responsibilities.map((r) => r.order),
    responsibilities.map((_, index) => index + 1),
  )
})

test('backend template: ~25 skills in the listed categories; every responsibility skill exists', () => {
  const doc = backendMap()
  const skills = readSkills(doc)
  assert.ok(skills.length >= 22 && skills.length <= 28, String(skills.length))
  const byCategory = new Map<string, string[]>()
  for (const s of skills) byCategory.set(s.category, [...(byCategory.get(s.category) ?? []), s.name])
  assert.equal(
    [...byCategory.keys()],
    ['languages', 'databases', 'apis', 'infrastructure', 'delivery', 'messaging', 'cross-cutting'],
  )
  for (const name of ['Python', 'Java', 'Go', 'PHP', 'Ruby', 'PostgreSQL', 'Redis', 'GraphQL', 'Docker', 'Kubernetes']) {
    assert.ok(
      skills.some((s) => s.name.includes(name)),
      name,
    )
  }
  const ids = new Set(skills.map((s) => s.id))
  for (const r of readResponsibilities(doc)) {
    assert.ok(r.skills.length > 0, r.id)
    for (const skill of r.skills) assert.ok(ids.has(skill), `${r.id} → ${skill}`)
  }
})

test('backend template: default R/C/I on role columns only, by "template", never an A, no people', () => {
  const doc = backendMap()
  const assignments = readAssignments(doc)
  assert.ok(assignments.length > 40)
  const roleKeys = new Set(readRoles(doc).map((r) => r.key))
  for (const a of assignments) {
    assert.is(a.kind, 'role')
    assert.ok(roleKeys.has(a.assignee.slice(1)), a.assignee)
    assert.ok(['R', 'C', 'I'].includes(a.letter))
    assert.is(a.by, 'template')
  }
  for (const r of readResponsibilities(doc)) {
    assert.ok(
      assignments.some((a) => a.responsibility === r.id && a.letter === 'R'),
      `${r.id} has an R`,
    )
  }
  assert.equal(readPeople(doc), [])
  assert.equal(readRatings(doc), [])
})

test('templates are written in one transaction', () => {
  for (const template of TEMPLATE_NAMES) {
    const doc = new Y.Doc()
    let updates = 0
    doc.on('update', () => updates++)
    applyTemplate(doc, template, { title: 'Map' })
    assert.is(updates, 1, template)
  }
})

test('empty template: meta and roles only', () => {
  const doc = new Y.Doc()
  applyTemplate(doc, 'empty', { title: 'Blank' })
  assert.equal(readMeta(doc), { title: 'Blank', template: 'empty' })
  assert.is(readRoles(doc).length, 9)
  assert.is(doc.getMap('responsibilities').size + doc.getMap('skills').size + doc.getMap('assignments').size, 0)
  assert.throws(() => applyTemplate(doc, 'frontend' as 'empty', { title: 'X' }), /unknown template/)
})

test.run()
