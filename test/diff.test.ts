// The pure diff (shared/diff.ts) and the per-update replay (shared/replay.ts): every kind of change
// with its exact path, from and to; and, for random edits through the shared writers, changes that
// say exactly what readMap of the result holds, per update as for the whole range.
import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { diffMaps, type Change } from '../shared/diff.js'
import { replayChanges } from '../shared/replay.js'
import {
  addPerson,
  addResponsibility,
  addRole,
  addSkill,
  moveResponsibility,
  readMap,
  removePerson,
  removeResponsibility,
  removeRole,
  removeSkill,
  renameRole,
  setAssignment,
  setHidden,
  setRating,
  setTitle,
  updatePerson,
  updateResponsibility,
  updateSkill,
  type MapData,
} from '../shared/schema.js'
import { applyEdit, edit } from './helpers/edits.js'
import { smallMap } from './helpers/model.js'

/** The changes `edit` makes to `doc`. */
function changesOf(doc: Y.Doc, edit: (doc: Y.Doc) => void): Change[] {
  const before = readMap(doc)
  edit(doc)
  return diffMaps(before, readMap(doc))
}

test('no change, and a write of the value already there: no changes', () => {
  const doc = smallMap()
  assert.equal(diffMaps(readMap(doc), readMap(doc)), [])
  assert.equal(
    changesOf(doc, (d) => {
      updatePerson(d, 'ana', { name: 'Ana', active: true })
      updateResponsibility(d, 'api', { skills: ['postgres'] })
      setHidden(d, 'skills', 'go', false)
    }),
    [],
  )
})

test('cells: an assignment set, changed, rewritten by someone else, cleared', () => {
  const doc = smallMap()
  assert.equal(
    changesOf(doc, (d) => setAssignment(d, 'docs', 'ben', 'R', 'u2', 2000)),
    [{ path: 'assignments/docs/ben', kind: 'set', to: { letter: 'R', by: 'u2', at: 2000 } }],
  )
  assert.equal(
    changesOf(doc, (d) => setAssignment(d, 'api', 'ben', 'A', 'u2', 3000)),
    [{ path: 'assignments/api/ben', kind: 'set', from: { letter: 'R', by: 'u1', at: 1000 }, to: { letter: 'A', by: 'u2', at: 3000 } }],
  )
  // The same letter written again is a write: blame must name its new author.
  assert.equal(
    changesOf(doc, (d) => setAssignment(d, 'api', 'ana', 'A', 'u3', 4000)),
    [{ path: 'assignments/api/ana', kind: 'set', from: { letter: 'A', by: 'u1', at: 1000 }, to: { letter: 'A', by: 'u3', at: 4000 } }],
  )
  assert.equal(
    changesOf(doc, (d) => setAssignment(d, 'api', '@frontend', null, 'u2')),
    [{ path: 'assignments/api/@frontend', kind: 'delete', from: { letter: 'C', by: 'u1', at: 1000 } }],
  )
})

test('cells: a rating set, made not applicable, cleared', () => {
  const doc = smallMap()
  assert.equal(
    changesOf(doc, (d) => setRating(d, 'ben', 'go', 2, 'u2', 2000)),
    [{ path: 'ratings/ben/go', kind: 'set', from: { level: null, by: 'u1', at: 1000 }, to: { level: 2, by: 'u2', at: 2000 } }],
  )
  assert.equal(
    changesOf(doc, (d) => setRating(d, 'ana', 'go', null, 'u2', 3000)),
    [{ path: 'ratings/ana/go', kind: 'set', from: { level: 4, by: 'u1', at: 1000 }, to: { level: null, by: 'u2', at: 3000 } }],
  )
  assert.equal(
    changesOf(doc, (d) => setRating(d, 'ana', 'postgres', undefined, 'u2')),
    [{ path: 'ratings/ana/postgres', kind: 'delete', from: { level: 3, by: 'u1', at: 1000 } }],
  )
})

test('the title and the template (read as empty strings until written, so never created or deleted)', () => {
  const doc = smallMap()
  assert.equal(changesOf(doc, (d) => setTitle(d, 'Platform team')), [{ path: 'meta/title', kind: 'set', from: '', to: 'Platform team' }])
  assert.equal(
    changesOf(doc, (d) => setTitle(d, 'Core team')),
    [{ path: 'meta/title', kind: 'set', from: 'Platform team', to: 'Core team' }],
  )
  assert.equal(
    changesOf(doc, (d) => d.getMap('meta').set('template', 'backend')),
    [{ path: 'meta/template', kind: 'set', from: '', to: 'backend' }],
  )
})

test('every field of a person', () => {
  const doc = smallMap()
  assert.equal(
    changesOf(doc, (d) => updatePerson(d, 'ana', { name: 'Ana Silva', role: 'frontend', active: false })),
    [
      { path: 'people/ana/name', kind: 'set', from: 'Ana', to: 'Ana Silva' },
      { path: 'people/ana/role', kind: 'set', from: 'backend', to: 'frontend' },
      { path: 'people/ana/active', kind: 'set', from: true, to: false },
    ],
  )
  assert.equal(changesOf(doc, (d) => updatePerson(d, 'ana', { team: 'payments' })), [
    { path: 'people/ana/team', kind: 'set', from: 'core', to: 'payments' },
  ])
  assert.equal(changesOf(doc, (d) => updatePerson(d, 'ana', { team: null })), [{ path: 'people/ana/team', kind: 'delete', from: 'payments' }])
  assert.equal(changesOf(doc, (d) => updatePerson(d, 'ben', { team: 'core' })), [{ path: 'people/ben/team', kind: 'set', to: 'core' }])
})

test('every field of a skill, hiding and showing it', () => {
  const doc = smallMap()
  assert.equal(
    changesOf(doc, (d) => updateSkill(d, 'go', { name: 'Golang', category: 'apis' })),
    [
      { path: 'skills/go/name', kind: 'set', from: 'Go', to: 'Golang' },
      { path: 'skills/go/category', kind: 'set', from: 'languages', to: 'apis' },
    ],
  )
  assert.equal(changesOf(doc, (d) => setHidden(d, 'skills', 'go', true)), [{ path: 'skills/go/hidden', kind: 'set', to: true }])
  assert.equal(changesOf(doc, (d) => setHidden(d, 'skills', 'go', false)), [{ path: 'skills/go/hidden', kind: 'delete', from: true }])
})

test('every field of a responsibility, a move included', () => {
  const doc = smallMap()
  assert.equal(
    changesOf(doc, (d) =>
      updateResponsibility(d, 'cache', { title: 'Cache strategy', description: 'TTLs', area: 'Performance', criticality: 3, skills: ['go', 'postgres'] }),
    ),
    [
      { path: 'responsibilities/cache/title', kind: 'set', from: 'Caching', to: 'Cache strategy' },
      { path: 'responsibilities/cache/description', kind: 'set', from: '', to: 'TTLs' },
      { path: 'responsibilities/cache/area', kind: 'set', from: 'Caching', to: 'Performance' },
      { path: 'responsibilities/cache/criticality', kind: 'set', from: 2, to: 3 },
      { path: 'responsibilities/cache/skills', kind: 'set', from: [], to: ['go', 'postgres'] },
    ],
  )
  // docs (order 3) goes first: one field written, between nothing and api (order 1).
  assert.equal(changesOf(doc, (d) => moveResponsibility(d, 'docs', 0)), [{ path: 'responsibilities/docs/order', kind: 'set', from: 3, to: 0 }])
})

test('every field of a role column', () => {
  const doc = smallMap()
  assert.equal(changesOf(doc, (d) => renameRole(d, 'frontend', 'Web developer')), [
    { path: 'roles/frontend/label', kind: 'set', from: 'Frontend developer', to: 'Web developer' },
  ])
  assert.equal(changesOf(doc, (d) => setHidden(d, 'roles', 'frontend', true)), [{ path: 'roles/frontend/hidden', kind: 'set', to: true }])
})

test('created entities: one set per field, without from', () => {
  const doc = smallMap()
  assert.equal(changesOf(doc, (d) => addPerson(d, { id: 'cai', name: 'Cai', role: 'frontend', team: 'web' })), [
    { path: 'people/cai/name', kind: 'set', to: 'Cai' },
    { path: 'people/cai/role', kind: 'set', to: 'frontend' },
    { path: 'people/cai/team', kind: 'set', to: 'web' },
    { path: 'people/cai/active', kind: 'set', to: true },
  ])
  assert.equal(changesOf(doc, (d) => addSkill(d, { id: 'kafka', name: 'Kafka', category: 'messaging' })), [
    { path: 'skills/kafka/name', kind: 'set', to: 'Kafka' },
    { path: 'skills/kafka/category', kind: 'set', to: 'messaging' },
  ])
  assert.equal(changesOf(doc, (d) => addRole(d, 'qa', 'QA tester')), [{ path: 'roles/qa/label', kind: 'set', to: 'QA tester' }])
  assert.equal(
    changesOf(doc, (d) => addResponsibility(d, { id: 'events', title: 'Events', area: 'Async', criticality: 1, skills: ['kafka'] })),
    [
      { path: 'responsibilities/events/title', kind: 'set', to: 'Events' },
      { path: 'responsibilities/events/description', kind: 'set', to: '' },
      { path: 'responsibilities/events/area', kind: 'set', to: 'Async' },
      { path: 'responsibilities/events/criticality', kind: 'set', to: 1 },
      { path: 'responsibilities/events/order', kind: 'set', to: 4 },
      { path: 'responsibilities/events/skills', kind: 'set', to: ['kafka'] },
    ],
  )
})

test('deleted entities: one delete per field, without to, and the cells they took with them', () => {
  const doc = smallMap()
  assert.equal(changesOf(doc, (d) => removePerson(d, 'ben')), [
    { path: 'people/ben/name', kind: 'delete', from: 'Ben' },
    { path: 'people/ben/role', kind: 'delete', from: 'backend' },
    { path: 'people/ben/active', kind: 'delete', from: true },
    { path: 'assignments/api/ben', kind: 'delete', from: { letter: 'R', by: 'u1', at: 1000 } },
    { path: 'ratings/ben/go', kind: 'delete', from: { level: null, by: 'u1', at: 1000 } },
    { path: 'ratings/ben/postgres', kind: 'delete', from: { level: 4, by: 'u1', at: 1000 } },
  ])
  assert.equal(changesOf(doc, (d) => removeSkill(d, 'postgres')), [
    { path: 'skills/postgres/name', kind: 'delete', from: 'PostgreSQL' },
    { path: 'skills/postgres/category', kind: 'delete', from: 'databases' },
    { path: 'responsibilities/api/skills', kind: 'set', from: ['postgres'], to: [] },
    { path: 'ratings/ana/postgres', kind: 'delete', from: { level: 3, by: 'u1', at: 1000 } },
  ])
  assert.equal(changesOf(doc, (d) => removeRole(d, 'frontend')), [
    { path: 'roles/frontend/label', kind: 'delete', from: 'Frontend developer' },
    { path: 'assignments/api/@frontend', kind: 'delete', from: { letter: 'C', by: 'u1', at: 1000 } },
  ])
  assert.equal(changesOf(doc, (d) => removeResponsibility(d, 'cache')), [
    { path: 'responsibilities/cache/title', kind: 'delete', from: 'Caching' },
    { path: 'responsibilities/cache/description', kind: 'delete', from: '' },
    { path: 'responsibilities/cache/area', kind: 'delete', from: 'Caching' },
    { path: 'responsibilities/cache/criticality', kind: 'delete', from: 2 },
    { path: 'responsibilities/cache/order', kind: 'delete', from: 2 },
    { path: 'responsibilities/cache/skills', kind: 'delete', from: [] },
    { path: 'assignments/cache/ana', kind: 'delete', from: { letter: 'A', by: 'u1', at: 1000 } },
  ])
})

test('changes come in root order, then key, then field, whatever order the edits were made in', () => {
  const doc = smallMap()
  const paths = changesOf(doc, (d) => {
    setRating(d, 'ana', 'go', 1, 'u2', 5)
    setAssignment(d, 'docs', 'ana', 'A', 'u2', 5)
    updatePerson(d, 'ben', { active: false, name: 'Benedict' })
    updatePerson(d, 'ana', { name: 'Ana S.' })
    setTitle(d, 'T')
  }).map((c) => c.path)
  assert.equal(paths, ['meta/title', 'people/ana/name', 'people/ben/name', 'people/ben/active', 'assignments/docs/ana', 'ratings/ana/go'])
})

test('the diff reads the map as readMap does: a value of the wrong type is its fallback, so no change is invented', () => {
  const doc = smallMap()
  // `active: "yes"` reads as inactive, like `false`: the analytics never saw a difference.
  updatePerson(doc, 'ana', { active: false })
  assert.equal(
    changesOf(doc, (d) => (d.getMap('people').get('ana') as Y.Map<unknown>).set('active', 'yes')),
    [],
  )
  // A cell that is not a plain object is not a cell: it appears as deleted.
  assert.equal(
    changesOf(doc, (d) => d.getMap('assignments').set('api/ana', 'A')),
    [{ path: 'assignments/api/ana', kind: 'delete', from: { letter: 'A', by: 'u1', at: 1000 } }],
  )
})

// ---- the property: changes say exactly what readMap of the result holds ------------------------

/** The fields CONTRACT §4 gives each entity (plus the app's `hidden`), written out here, not taken from diff.ts. */
const FIELDS: Record<string, readonly string[]> = {
  meta: ['title', 'template'],
  roles: ['label', 'hidden'],
  people: ['name', 'role', 'team', 'active'],
  skills: ['name', 'category', 'hidden'],
  responsibilities: ['title', 'description', 'area', 'criticality', 'order', 'skills'],
}

/** The value at a history path in a read map, or undefined: an independent reading of the path grammar. */
function valueAt(data: MapData, path: string): unknown {
  const [root = '', ...rest] = path.split('/')
  if (root === 'meta') return (data.meta as unknown as Record<string, unknown>)[rest[0]!]
  if (root === 'assignments') {
    const [responsibility, assignee] = rest
    const cell = data.assignments.find((a) => a.responsibility === responsibility && a.assignee === assignee)
    return cell && { letter: cell.letter, by: cell.by, at: cell.at }
  }
  if (root === 'ratings') {
    const [person, skill] = rest
    const cell = data.ratings.find((r) => r.person === person && r.skill === skill)
    return cell && { level: cell.level, by: cell.by, at: cell.at }
  }
  const [key, field] = rest
  const list = data[root as 'roles' | 'people' | 'skills' | 'responsibilities'] as unknown as Array<Record<string, unknown>>
  const entry = list.find((e) => (root === 'roles' ? e.key : e.id) === key)
  return entry?.[field!]
}

/** Every path either map has a value at. */
function pathsOf(data: MapData): string[] {
  const paths = FIELDS.meta!.map((f) => `meta/${f}`)
  for (const role of data.roles) paths.push(...FIELDS.roles!.map((f) => `roles/${role.key}/${f}`))
  for (const root of ['people', 'skills', 'responsibilities'] as const) {
    for (const entry of data[root]) paths.push(...FIELDS[root]!.map((f) => `${root}/${entry.id}/${f}`))
  }
  for (const a of data.assignments) paths.push(`assignments/${a.responsibility}/${a.assignee}`)
  for (const r of data.ratings) paths.push(`ratings/${r.person}/${r.skill}`)
  return paths.filter((p) => valueAt(data, p) !== undefined)
}

/** Sound (each change's from and to are the values before and after) and complete (every path that differs has one). */
function assertExact(before: MapData, after: MapData, changes: Change[]): void {
  const byPath = new Map(changes.map((c) => [c.path, c]))
  assert.is(byPath.size, changes.length, 'one change per path')
  for (const change of changes) {
    const from = valueAt(before, change.path)
    const to = valueAt(after, change.path)
    assert.equal(change.from, from, `${change.path} from`)
    assert.equal(change.to, to, `${change.path} to`)
    assert.is(change.kind, to === undefined ? 'delete' : 'set', `${change.path} kind`)
    assert.not.equal(from, to, `${change.path} changed`)
  }
  for (const path of new Set([...pathsOf(before), ...pathsOf(after)])) {
    const differs = JSON.stringify(valueAt(before, path)) !== JSON.stringify(valueAt(after, path))
    assert.is(byPath.has(path), differs, `${path}: ${differs ? 'changed but not reported' : 'reported but unchanged'}`)
  }
}

test('property: for random edits through the writers, the changes are exactly the paths whose read values differ', () => {
  fc.assert(
    fc.property(fc.array(edit, { minLength: 1, maxLength: 30 }), (edits) => {
      const doc = smallMap()
      const start = readMap(doc)
      let before = start
      edits.forEach((e, i) => {
        applyEdit(doc, e, 10_000 + i)
        const after = readMap(doc)
        assertExact(before, after, diffMaps(before, after))
        before = after
      })
      // And over the whole range at once, as a history page or a webhook batch would ask.
      assertExact(start, before, diffMaps(start, before))
      doc.destroy()
    }),
    { numRuns: 150 },
  )
})

// ---- replay: per-update changes of a log ---------------------------------------------------------

test('replayChanges: per update, the changes of diffMaps between full reads, for two editors working concurrently', () => {
  const step = fc.oneof(
    { weight: 6, arbitrary: fc.record({ doc: fc.constantFrom(0, 1), e: edit }) },
    { weight: 1, arbitrary: fc.constant('sync' as const) },
  )
  fc.assert(
    fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
      const base = Y.encodeStateAsUpdate(smallMap())
      const docs = [new Y.Doc(), new Y.Doc()]
      docs.forEach((d) => Y.applyUpdate(d, base, 'sync'))
      // The log, in the order the updates were made: each one's dependencies were made before it.
      const log: Uint8Array[] = []
      docs.forEach((d) => d.on('update', (update: Uint8Array, origin: unknown) => origin !== 'sync' && log.push(update)))
      steps.forEach((s, i) => {
        if (s === 'sync') {
          Y.applyUpdate(docs[1]!, Y.encodeStateAsUpdate(docs[0]!, Y.encodeStateVector(docs[1]!)), 'sync')
          Y.applyUpdate(docs[0]!, Y.encodeStateAsUpdate(docs[1]!, Y.encodeStateVector(docs[0]!)), 'sync')
        } else {
          applyEdit(docs[s.doc]!, s.e, 20_000 + i)
        }
      })
      const reference = new Y.Doc()
      Y.applyUpdate(reference, base)
      let before = readMap(reference)
      const replayed = [...replayChanges(base, log)]
      assert.is(replayed.length, log.length)
      log.forEach((update, i) => {
        Y.applyUpdate(reference, update)
        const after = readMap(reference)
        assert.equal(replayed[i], diffMaps(before, after), `update ${i}`)
        before = after
      })
      ;[...docs, reference].forEach((d) => d.destroy())
    }),
    { numRuns: 100 },
  )
})

test('replayChanges: from an empty document; an update that waits for another brings its changes with that one', () => {
  const doc = new Y.Doc()
  const log: Uint8Array[] = []
  doc.on('update', (update: Uint8Array) => log.push(update))
  setTitle(doc, 'Team')
  addPerson(doc, { id: 'ana', name: 'Ana', role: 'backend' })
  updatePerson(doc, 'ana', { name: 'Ana Silva' })
  assert.equal(
    [...replayChanges(null, log)],
    [
      [{ path: 'meta/title', kind: 'set', from: '', to: 'Team' }],
      [
        { path: 'people/ana/name', kind: 'set', to: 'Ana' },
        { path: 'people/ana/role', kind: 'set', to: 'backend' },
        { path: 'people/ana/active', kind: 'set', to: true },
      ],
      [{ path: 'people/ana/name', kind: 'set', from: 'Ana', to: 'Ana Silva' }],
    ],
  )
  // The rename arrives before the person it renames: nothing until the person is there.
  const [title, person, rename] = log as [Uint8Array, Uint8Array, Uint8Array]
  assert.equal([...replayChanges(title, [rename, person])], [
    [],
    [
      { path: 'people/ana/name', kind: 'set', to: 'Ana Silva' },
      { path: 'people/ana/role', kind: 'set', to: 'backend' },
      { path: 'people/ana/active', kind: 'set', to: true },
    ],
  ])
  doc.destroy()
})

test('replayChanges is lazy: a consumer that stops early never applies the rest', () => {
  const doc = smallMap()
  const base = Y.encodeStateAsUpdate(doc)
  const log: Uint8Array[] = []
  doc.on('update', (update: Uint8Array) => log.push(update))
  setTitle(doc, 'One')
  setTitle(doc, 'Two')
  let pulled = 0
  const counted = (function* () {
    for (const update of log) {
      pulled++
      yield update
    }
  })()
  for (const changes of replayChanges(base, counted)) {
    assert.equal(changes, [{ path: 'meta/title', kind: 'set', from: '', to: 'One' }])
    break
  }
  assert.is(pulled, 1)
  doc.destroy()
})

test.run()
