import { test } from 'uvu'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { analyze } from '../shared/analytics.js'
import {
  addPerson,
  addRole,
  addSkill,
  applyTemplate,
  hideUnusedSkills,
  readMap,
  recategoriseSkill,
  removeRole,
  removeSkill,
  renameRole,
  renameSkill,
  setAssignment,
  setHidden,
  setRating,
} from '../shared/schema.js'
import { exchange, smallMap } from './helpers/model.js'

/** Runs `edit` and returns how many updates the document emitted: one per transaction. */
function updatesOf(doc: Y.Doc, edit: () => void): number {
  let count = 0
  const count1 = () => count++
  doc.on('update', count1)
  try {
    edit()
  } finally {
    doc.off('update', count1)
  }
  return count
}

/** The document's whole state, to show a refused edit wrote nothing. */
const stateOf = (doc: Y.Doc) => Buffer.from(Y.encodeStateAsUpdate(doc)).toString('base64')

test('skills: add (id from the name), rename, recategorise; each one update that a peer receives whole', () => {
  const doc = smallMap()
  const peer = new Y.Doc()
  exchange(doc, peer)
  let id = ''
  assert.is(updatesOf(doc, () => (id = addSkill(doc, { name: 'Rust lang', category: 'languages' }))), 1)
  assert.is(id, 'rust-lang')
  assert.is(updatesOf(doc, () => renameSkill(doc, id, 'Rust')), 1)
  assert.is(updatesOf(doc, () => recategoriseSkill(doc, id, 'systems')), 1)
  exchange(doc, peer)
  assert.equal(
    readMap(peer).skills.find((s) => s.id === id),
    { id: 'rust-lang', name: 'Rust', category: 'systems' },
  )
  // a custom category sorts after the known ones
  assert.is(readMap(peer).skills.at(-1)?.id, 'rust-lang')
  assert.is(analyze(peer).skills.find((s) => s.id === id)?.status, 'gap')
})

test('skills: bad ids, names and categories are refused and write nothing', () => {
  const doc = smallMap()
  const before = stateOf(doc)
  assert.throws(() => addSkill(doc, { id: 'a/b', name: 'X', category: 'languages' }), /skills id must match/)
  assert.throws(() => addSkill(doc, { id: 'go', name: 'Go again', category: 'languages' }), /already exists/)
  assert.throws(() => addSkill(doc, { name: '   ', category: 'languages' }), /skill name/)
  assert.throws(() => addSkill(doc, { name: 'X', category: '' }), /skill category/)
  assert.throws(() => renameSkill(doc, 'go', 'x'.repeat(201)), /skill name/)
  assert.throws(() => renameSkill(doc, 'cobol', 'COBOL'), /does not exist/)
  assert.throws(() => recategoriseSkill(doc, 'go', ''), /skill category/)
  assert.is(stateOf(doc), before)
})

test('removeSkill: its ratings go, responsibilities stop needing it, in one update', () => {
  const doc = smallMap()
  assert.is(updatesOf(doc, () => removeSkill(doc, 'postgres')), 1)
  const data = readMap(doc)
  assert.not.ok(data.skills.some((s) => s.id === 'postgres'))
  assert.not.ok(data.ratings.some((r) => r.skill === 'postgres'))
  assert.equal(data.responsibilities.find((r) => r.id === 'api')?.skills, [])
  assert.equal(data.problems, [])
})

test('roles: add (key from the label), rename; bad labels and taken keys are refused', () => {
  const doc = smallMap()
  let key = ''
  assert.is(updatesOf(doc, () => (key = addRole(doc, undefined, 'Site reliability'))), 1)
  assert.is(key, 'site-reliability')
  renameRole(doc, key, 'SRE')
  assert.equal(readMap(doc).roles.find((r) => r.key === key), { key, label: 'SRE' })
  const before = stateOf(doc)
  assert.throws(() => addRole(doc, 'backend', 'Backend again'), /already exists/)
  assert.throws(() => addRole(doc, '@x', 'X'), /roles id must match/)
  assert.throws(() => addRole(doc, undefined, ''), /role label/)
  assert.throws(() => renameRole(doc, key, ' '), /role label/)
  assert.throws(() => renameRole(doc, 'nope', 'Nope'), /does not exist/)
  assert.is(stateOf(doc), before)
})

test('removeRole: refused while people hold it (naming them), writing nothing', () => {
  const doc = smallMap()
  const before = stateOf(doc)
  assert.throws(
    () => removeRole(doc, 'backend'),
    (err: unknown) => err instanceof RangeError && /Ana \(ana\)/.test(err.message) && /Ben \(ben\)/.test(err.message),
  )
  assert.throws(() => removeRole(doc, 'backend', 'backend'), /itself/)
  assert.throws(() => removeRole(doc, 'backend', 'wizards'), /roles\/wizards does not exist/)
  assert.is(stateOf(doc), before)
})

test('removeRole: with a replacement, its holders move and its column with its cells goes, in one update', () => {
  const doc = smallMap()
  addRole(doc, 'end', 'End')
  setAssignment(doc, 'cache', '@backend', 'C', 'u1')
  setAssignment(doc, 'cache', '@end', 'I', 'u1')
  assert.is(updatesOf(doc, () => removeRole(doc, 'backend', 'frontend')), 1)
  const data = readMap(doc)
  assert.equal(data.people.map((p) => p.role), ['frontend', 'frontend'])
  assert.not.ok(data.roles.some((r) => r.key === 'backend'))
  assert.not.ok(data.assignments.some((a) => a.assignee === '@backend'))
  assert.ok(data.assignments.some((a) => a.assignee === '@end'), 'another column whose key ends the same stays')
  assert.ok(data.assignments.some((a) => a.assignee === '@frontend'))
  assert.equal(data.problems, [])
  // nobody holds `end`: removing an unheld role needs no replacement
  removeRole(doc, 'end')
  assert.not.ok(readMap(doc).assignments.some((a) => a.assignee === '@end'))
})

test('setHidden: roles and skills carry hidden: true; showing again removes the field', () => {
  const doc = smallMap()
  assert.is(updatesOf(doc, () => setHidden(doc, 'roles', 'frontend', true)), 1)
  setHidden(doc, 'skills', 'go', true)
  let data = readMap(doc)
  assert.equal(data.roles.find((r) => r.key === 'frontend'), { key: 'frontend', label: 'Frontend developer', hidden: true })
  assert.equal(data.skills.find((s) => s.id === 'go'), { id: 'go', name: 'Go', category: 'languages', hidden: true })
  // go is a risk (only ana covers it); hidden, it leaves the summary but stays in skills
  assert.is(analyze(data).summary.skillRisks, 0)
  assert.is(analyze(data).skills.find((s) => s.id === 'go')?.status, 'risk')
  setHidden(doc, 'skills', 'go', false)
  assert.not.ok((doc.getMap('skills').get('go') as Y.Map<unknown>).has('hidden'))
  data = readMap(doc)
  assert.is(analyze(data).summary.skillRisks, 1)
  assert.throws(() => setHidden(doc, 'people' as 'roles', 'ana', true), /only roles and skills/)
  assert.throws(() => setHidden(doc, 'skills', 'cobol', true), /does not exist/)
})

test('hideUnusedSkills: hides template skills nobody rates above 0 and no responsibility needs', () => {
  const doc = new Y.Doc()
  applyTemplate(doc, 'empty', { title: 'Team' })
  for (const [id, name] of [
    ['php', 'PHP'],
    ['ruby', 'Ruby'],
    ['go', 'Go'],
    ['postgresql', 'PostgreSQL'],
  ]) {
    addSkill(doc, { id: id!, name: name!, category: 'languages' })
  }
  addSkill(doc, { id: 'cobol', name: 'COBOL', category: 'languages' })
  addPerson(doc, { id: 'ana', name: 'Ana', role: 'backend' })
  setRating(doc, 'ana', 'go', 3, 'u1')
  setRating(doc, 'ana', 'ruby', 0, 'u1')
  doc.getMap('responsibilities').set(
    'db',
    new Y.Map<unknown>([['title', 'DB'], ['description', ''], ['area', 'Database design'], ['criticality', 2], ['order', 1], ['skills', ['postgresql']]]),
  )
  let hidden: string[] = []
  assert.is(updatesOf(doc, () => (hidden = hideUnusedSkills(doc))), 1)
  // go is rated, postgresql is needed, cobol was added by the team; a 0 is no use
  assert.equal(hidden.sort(), ['php', 'ruby'])
  assert.equal(readMap(doc).skills.filter((s) => s.hidden).map((s) => s.id).sort(), ['php', 'ruby'])
  assert.equal(hideUnusedSkills(doc), [], 'a second run finds nothing new')
})

test('hideUnusedSkills on a fresh backend map leaves every skill a responsibility needs', () => {
  const doc = new Y.Doc()
  applyTemplate(doc, 'backend', { title: 'Backend' })
  const hidden = new Set(hideUnusedSkills(doc))
  const data = readMap(doc)
  const needed = new Set(data.responsibilities.flatMap((r) => r.skills))
  for (const skill of data.skills) assert.is(hidden.has(skill.id), !needed.has(skill.id), skill.id)
  assert.is(analyze(data).summary.skillGaps, data.skills.length - hidden.size)
})

test.run()
