// Webhook events (CONTRACT §6c) derived from two states of a real map, built with the shared
// writers: what fires, with which data, in which order, and what stays quiet.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { applyDemo } from '../shared/demo.js'
import {
  addPerson,
  addResponsibility,
  addRole,
  addSkill,
  applyTemplate,
  readMap,
  removePerson,
  removeResponsibility,
  setAssignment,
  setHidden,
  setPersonActive,
  setRating,
  setTitle,
  updateResponsibility,
} from '../shared/schema.js'
import {
  deriveEvents,
  docChanged,
  docCreated,
  docDeleted,
  docRestored,
  EVENT_TYPES,
  isEventType,
  mapState,
  wants,
  type WebhookEvent,
} from '../server/webhooks/events.js'

const AT = Date.UTC(2026, 11, 1, 10, 0, 0)
const STAMP = '2026-12-01T10:00:00.000Z'

/** The events one edit raises: the map's state before, the edit, the state after. */
function eventsOf(doc: Y.Doc, edit: (doc: Y.Doc) => void, version = 42): WebhookEvent[] {
  const before = mapState(readMap(doc))
  edit(doc)
  return deriveEvents({ doc: 'team-a', version, at: AT, before, after: mapState(readMap(doc)) })
}

/** A small team: ana A and ben R on a critical api row that needs pg; cid and dan rate pg too. */
function teamMap(): Y.Doc {
  const doc = new Y.Doc()
  addRole(doc, 'backend', 'Backend engineer')
  for (const id of ['ana', 'ben', 'cid', 'dan']) addPerson(doc, { id, name: id.toUpperCase(), role: 'backend' })
  addSkill(doc, { id: 'pg', name: 'PostgreSQL', category: 'databases' })
  addSkill(doc, { id: 'php', name: 'PHP', category: 'languages' })
  addResponsibility(doc, { id: 'api', title: 'REST API', area: 'API design', criticality: 3, skills: ['pg'] })
  addResponsibility(doc, { id: 'docs', title: 'Docs', area: 'Server logic', criticality: 1 })
  setAssignment(doc, 'api', 'ana', 'A', 'lead', 1)
  setAssignment(doc, 'api', 'ben', 'R', 'lead', 1)
  setAssignment(doc, 'docs', 'cid', 'A', 'lead', 1)
  setRating(doc, 'ana', 'pg', 4, 'lead', 1)
  setRating(doc, 'cid', 'pg', 3, 'lead', 1)
  setRating(doc, 'dan', 'php', 3, 'lead', 1)
  return doc
}

test('an edit that changes no status or risk raises nothing', () => {
  const doc = teamMap()
  assert.equal(eventsOf(doc, (d) => setTitle(d, 'Team A')), [])
  assert.equal(eventsOf(doc, (d) => updateResponsibility(d, 'api', { title: 'Public REST API', description: 'v2' })), [])
  assert.equal(eventsOf(doc, (d) => setAssignment(d, 'api', 'dan', 'C', 'ana')), [])
  assert.equal(eventsOf(doc, (d) => setRating(d, 'ben', 'pg', 2, 'ana')), [])
})

test('the A leaving a responsibility: risk_changed with its status and risks before and after', () => {
  const events = eventsOf(teamMap(), (d) => setAssignment(d, 'api', 'ana', null, 'ana'))
  assert.equal(events, [
    {
      type: 'responsibility.risk_changed',
      timestamp: STAMP,
      data: {
        doc: 'team-a',
        responsibility: 'api',
        title: 'REST API',
        from: { status: 'ok', risks: [] },
        to: { status: 'no-accountable', risks: ['no-accountable', 'thin', 'single-owner', 'skills-uncovered'] },
        version: 42,
      },
    },
  ])
})

test('risks that change while the v1 status stays the same still fire', () => {
  // ben's R goes: busFactor 1, so thin and single owner; ana still covers pg
  const [event, ...rest] = eventsOf(teamMap(), (d) => setAssignment(d, 'api', 'ben', null, 'ana'))
  assert.equal(rest, [])
  assert.equal(event?.data, {
    doc: 'team-a',
    responsibility: 'api',
    title: 'REST API',
    from: { status: 'ok', risks: [] },
    to: { status: 'thin', risks: ['thin', 'single-owner'] },
    version: 42,
  })
  // a skill-only change: ana (A) drops below covering pg and ben (R) never did; dan keeps pg at two coverers
  const doc = teamMap()
  setRating(doc, 'dan', 'pg', 3, 'lead')
  const uncovered = eventsOf(doc, (d) => setRating(d, 'ana', 'pg', 2, 'ana'))
  assert.equal(
    uncovered.map((e) => e.type === 'responsibility.risk_changed' && [e.data.from, e.data.to]),
    [[{ status: 'ok', risks: [] }, { status: 'ok', risks: ['skills-uncovered'] }]],
  )
})

test('a person deactivated: person.deactivated first, then the rows and skills that lose them', () => {
  const events = eventsOf(teamMap(), (d) => setPersonActive(d, 'ana', false), 7)
  assert.equal(events, [
    { type: 'person.deactivated', timestamp: STAMP, data: { doc: 'team-a', person: 'ana', name: 'ANA', version: 7 } },
    {
      type: 'responsibility.risk_changed',
      timestamp: STAMP,
      data: {
        doc: 'team-a',
        responsibility: 'api',
        title: 'REST API',
        from: { status: 'ok', risks: [] },
        to: { status: 'no-accountable', risks: ['no-accountable', 'thin', 'single-owner', 'skills-uncovered'] },
        version: 7,
      },
    },
    { type: 'skill.status_changed', timestamp: STAMP, data: { doc: 'team-a', skill: 'pg', name: 'PostgreSQL', from: 'ok', to: 'risk', version: 7 } },
  ])
})

test('the demo map: Eli leaving is the story a lead must hear, in map order', () => {
  const doc = new Y.Doc()
  applyTemplate(doc, 'backend', { title: 'Backend' })
  applyDemo(doc, 'demo', AT)
  const events = eventsOf(doc, (d) => setPersonActive(d, 'eli', false))
  assert.equal(
    events.map((e) => `${e.type} ${'responsibility' in e.data ? e.data.responsibility : 'skill' in e.data ? e.data.skill : 'person' in e.data ? e.data.person : ''}`),
    [
      'person.deactivated eli',
      'responsibility.risk_changed api-grpc',
      'responsibility.risk_changed db-schema',
      'responsibility.risk_changed db-operations',
      'responsibility.risk_changed performance',
      'responsibility.risk_changed delivery',
      'skill.status_changed docker',
      'skill.status_changed kubernetes',
      'skill.status_changed performance-engineering',
    ],
  )
  const schema = events.find((e) => e.type === 'responsibility.risk_changed' && e.data.responsibility === 'db-schema')
  assert.equal(schema?.data, {
    doc: 'team-a',
    responsibility: 'db-schema',
    title: 'Data modelling & migrations',
    from: { status: 'thin', risks: ['thin', 'single-owner'] },
    to: { status: 'no-accountable', risks: ['no-accountable', 'thin', 'single-owner', 'skills-uncovered'] },
    version: 42,
  })
})

test('skill status: covered by two, one, nobody; a hidden skill stays quiet', () => {
  const doc = teamMap()
  assert.equal(eventsOf(doc, (d) => setRating(d, 'cid', 'pg', 1, 'cid')), [
    { type: 'skill.status_changed', timestamp: STAMP, data: { doc: 'team-a', skill: 'pg', name: 'PostgreSQL', from: 'ok', to: 'risk', version: 42 } },
  ])
  assert.equal(
    eventsOf(doc, (d) => setRating(d, 'dan', 'php', null, 'dan')).map((e) => e.type === 'skill.status_changed' && [e.data.skill, e.data.from, e.data.to]),
    [['php', 'risk', 'gap']],
  )
  setHidden(doc, 'skills', 'php', true)
  assert.equal(eventsOf(doc, (d) => setRating(d, 'dan', 'php', 4, 'dan')), [], 'the team does not track php')
})

test('created or removed responsibilities and skills have no before or after: no risk events', () => {
  const doc = teamMap()
  assert.equal(eventsOf(doc, (d) => addResponsibility(d, { id: 'cache', title: 'Caching', area: 'Caching', criticality: 3 })), [])
  assert.equal(eventsOf(doc, (d) => addSkill(d, { id: 'go', name: 'Go', category: 'languages' })), [])
  assert.equal(eventsOf(doc, (d) => removeResponsibility(d, 'docs')), [])
  // a map made from a template: one doc.created elsewhere, not a risk alarm per row
  const fresh = new Y.Doc()
  assert.equal(eventsOf(fresh, (d) => applyTemplate(d, 'backend', { title: 'New' })), [])
})

test('removed is not deactivated, reactivated is not an event; their rows still report', () => {
  const doc = teamMap()
  setPersonActive(doc, 'dan', false)
  assert.equal(eventsOf(doc, (d) => setPersonActive(d, 'dan', true)).map((e) => e.type), ['skill.status_changed'])
  const removed = eventsOf(doc, (d) => removePerson(d, 'cid'))
  assert.equal(
    removed.map((e) => e.type),
    ['responsibility.risk_changed', 'skill.status_changed'],
    'docs loses its A and pg one coverer, but nobody was deactivated',
  )
})

test('the title is the one after the change, when a batch renames and re-staffs a row', () => {
  const events = eventsOf(teamMap(), (d) => {
    updateResponsibility(d, 'docs', { title: 'Developer docs' })
    setAssignment(d, 'docs', 'cid', null, 'ana')
  })
  assert.is(events[0]?.type === 'responsibility.risk_changed' && events[0].data.title, 'Developer docs')
})

test('events are plain JSON: what the outbox stores is what it sends', () => {
  const events = eventsOf(teamMap(), (d) => setPersonActive(d, 'ana', false))
  assert.ok(events.length > 0)
  assert.equal(JSON.parse(JSON.stringify(events)), events)
})

test('doc.created, doc.deleted, doc.restored and doc.changed constructors', () => {
  assert.equal(docCreated('team-a', 1, AT), { type: 'doc.created', timestamp: STAMP, data: { doc: 'team-a', version: 1 } })
  assert.equal(docDeleted('team-a', 9, AT), { type: 'doc.deleted', timestamp: STAMP, data: { doc: 'team-a', version: 9 } })
  assert.equal(docRestored('team-a', 12, AT), { type: 'doc.restored', timestamp: STAMP, data: { doc: 'team-a', version: 12 } })
  const by = ['ana']
  const changed = docChanged('team-a', 12, by, AT)
  by.push('ben')
  assert.equal(changed, { type: 'doc.changed', timestamp: STAMP, data: { doc: 'team-a', version: 12, by: ['ana'] } }, 'a copy of by')
})

test('subscriptions: one document or every one, and only the event types chosen', () => {
  const one = { doc: 'team-a', events: ['responsibility.risk_changed', 'doc.deleted'] as const }
  assert.ok(wants(one, 'team-a', 'responsibility.risk_changed'))
  assert.not.ok(wants(one, 'team-b', 'responsibility.risk_changed'))
  assert.not.ok(wants(one, 'team-a', 'doc.changed'))
  const all = { doc: '*', events: EVENT_TYPES }
  for (const type of EVENT_TYPES) assert.ok(wants(all, 'anything', type))
  assert.ok(isEventType('skill.status_changed'))
  for (const bad of ['skill.changed', '*', '', 3, null]) assert.not.ok(isEventType(bad), String(bad))
})

test.run()
