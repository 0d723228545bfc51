// What a pass writes to the outbox (server/webhooks/outbox.ts), as plain functions: which endpoints
// get an event and in which format, the doc.changed window kept in the cursor, and which cursors a
// new endpoint starts at their heads.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { docCreated, type WebhookEvent } from '../server/webhooks/events.js'
import { coverage, coverageStart, covers, deliveriesOf, planPass } from '../server/webhooks/outbox.js'
import type { Endpoint } from '../server/webhooks/store.js'

const NOW = Date.UTC(2026, 11, 1, 10, 0, 0)
const context = { mapTitle: 'Team A', appUrl: 'https://map.example.com' }

const endpoint = (id: string, doc: string, events: Endpoint['events'], format: Endpoint['format'] = 'standard'): Endpoint => ({
  id,
  url: `https://hooks.example.com/${id}`,
  doc,
  events,
  format,
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  createdAt: 0,
})

const risk: WebhookEvent = {
  type: 'responsibility.risk_changed',
  timestamp: new Date(NOW).toISOString(),
  data: { doc: 'team-a', responsibility: 'api', title: 'API', from: { status: 'ok', risks: [] }, to: { status: 'no-accountable', risks: ['no-accountable'] }, version: 7 },
}

test('an event goes to the endpoints that want it, for its document or `*`, each in its format, with a fresh id', () => {
  const endpoints = [
    endpoint('all', '*', ['responsibility.risk_changed']),
    endpoint('mine', 'team-a', ['responsibility.risk_changed'], 'slack'),
    endpoint('other-doc', 'team-b', ['responsibility.risk_changed']),
    endpoint('other-type', '*', ['doc.created']),
  ]
  const rows = deliveriesOf(risk, endpoints, context, NOW + 5)
  assert.equal(rows.map((r) => r.endpointId), ['all', 'mine'])
  assert.equal(JSON.parse(rows[0]!.body), risk)
  assert.match(JSON.parse(rows[1]!.body).text, /^\*Team A\*: “API” now has no accountable/)
  assert.ok(rows.every((r) => r.nextAttemptAt === NOW + 5 && r.eventAt === NOW && r.type === 'responsibility.risk_changed' && r.doc === 'team-a'))
  assert.is(new Set(rows.map((r) => r.id)).size, 2)
  assert.equal(deliveriesOf(docCreated('team-c', 1, NOW), endpoints, context, NOW).map((r) => r.endpointId), ['other-type'])
})

test('doc.changed: the first change after a quiet interval opens a window due at once; the next ones wait in one window, rewritten as it grows', () => {
  const endpoints = [endpoint('e1', '*', ['doc.changed']), endpoint('e2', 'team-a', ['doc.changed', 'responsibility.risk_changed'], 'slack')]
  const first = planPass({ doc: 'team-a', events: [risk], changed: { version: 7, by: ['ana'] }, window: null, endpoints, held: [], context, now: NOW })
  // the events first, then doc.changed
  assert.equal(first.deliveries.map((d) => [d.endpointId, d.type]), [['e2', 'responsibility.risk_changed'], ['e1', 'doc.changed'], ['e2', 'doc.changed']])
  assert.equal(first.window, { doc: 'team-a', version: 7, by: ['ana'], dueAt: NOW })
  assert.ok(first.deliveries.every((d) => d.nextAttemptAt === NOW))

  // 3 s later: a new window, due 10 s after the first, held
  const second = planPass({ doc: 'team-a', events: [], changed: { version: 8, by: ['ben'] }, window: first.window, endpoints, held: [], context, now: NOW + 3000 })
  assert.equal(second.window, { doc: 'team-a', version: 8, by: ['ben'], dueAt: NOW + 10_000 })
  assert.equal(second.deliveries.map((d) => [d.endpointId, d.nextAttemptAt, d.eventAt]), [['e1', NOW + 10_000, NOW + 10_000], ['e2', NOW + 10_000, NOW + 10_000]])
  assert.equal(JSON.parse(second.deliveries[0]!.body), { type: 'doc.changed', timestamp: new Date(NOW + 10_000).toISOString(), data: { doc: 'team-a', version: 8, by: ['ben'] } })

  // 5 s later, within it: its held rows are rewritten (an endpoint added since gets one of its own)
  const endpoints3 = [...endpoints, endpoint('e3', 'team-a', ['doc.changed'])]
  const held = second.deliveries.map((d, i) => ({ id: `held-${i}`, endpointId: d.endpointId }))
  const third = planPass({ doc: 'team-a', events: [], changed: { version: 9, by: ['ana', 'ben'] }, window: second.window, endpoints: endpoints3, held, context, now: NOW + 5000 })
  assert.equal(third.window, { doc: 'team-a', version: 9, by: ['ben', 'ana'], dueAt: NOW + 10_000 })
  assert.equal(third.rewrites.map((r) => r.id), ['held-0', 'held-1'])
  assert.equal(JSON.parse(third.rewrites[0]!.body).data, { doc: 'team-a', version: 9, by: ['ben', 'ana'] })
  assert.match(JSON.parse(third.rewrites[1]!.body).text, /changed by ben and ana/)
  assert.equal(third.deliveries.map((d) => [d.endpointId, d.nextAttemptAt]), [['e3', NOW + 10_000]])

  // nobody wants doc.changed, or the pass read no rows: the window stays as it was
  const quiet = planPass({ doc: 'team-a', events: [risk], changed: { version: 10, by: ['ana'] }, window: third.window, endpoints: [endpoint('r', '*', ['responsibility.risk_changed'])], held: [], context, now: NOW + 6000 })
  assert.equal(quiet.window, third.window)
  assert.equal(quiet.deliveries.map((d) => d.type), ['responsibility.risk_changed'])
  assert.equal(planPass({ doc: 'team-a', events: [], changed: null, window: third.window, endpoints, held, context, now: NOW + 6000 }), { deliveries: [], rewrites: [], window: third.window })
})

test('coverage: which documents need deriving, and which cursors a new endpoint starts at their heads', () => {
  const created = endpoint('c', '*', ['doc.created', 'doc.deleted'])
  const one = endpoint('one', 'team-a', ['person.deactivated'])
  const star = endpoint('star', '*', ['doc.changed'])
  assert.equal(coverage([]), { all: false, docs: [] })
  assert.equal(coverage([created]), { all: false, docs: [] })
  assert.equal(coverage([created, one, one]), { all: false, docs: ['team-a'] })
  assert.equal(coverage([one, star]), { all: true, except: [] })
  assert.ok(covers([one], 'team-a'))
  assert.not.ok(covers([one, created], 'team-b'))
  // route events need no cursor
  assert.equal(coverageStart(created, []), { all: false, docs: [] })
  // the first endpoint of a document starts its cursor; a second one leaves it to the first's passes
  assert.equal(coverageStart(one, [created]), { all: false, docs: ['team-a'] })
  assert.equal(coverageStart(endpoint('two', 'team-a', ['doc.changed']), [one]), { all: false, docs: [] })
  assert.equal(coverageStart(endpoint('b', 'team-b', ['doc.changed']), [one, star]), { all: false, docs: [] })
  // a `*` endpoint starts every cursor but those already kept moving
  assert.equal(coverageStart(star, [one, created]), { all: true, except: ['team-a'] })
  assert.equal(coverageStart(endpoint('star2', '*', ['skill.status_changed']), [star]), { all: false, docs: [] })
})

test.run()
