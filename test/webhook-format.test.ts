// The bodies endpoints receive (CONTRACT §6c): the standard event, and a Slack sentence naming the
// map, the change and a link the app opens.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { parseRoute } from '../public/route.js'
import { addPerson, applyTemplate, readMap, setAssignment } from '../shared/schema.js'
import {
  deriveEvents,
  docChanged,
  docCreated,
  docDeleted,
  docRestored,
  EVENT_TYPES,
  mapState,
  type EventOf,
  type WebhookEvent,
} from '../server/webhooks/events.js'
import { formatBody, mapLink } from '../server/webhooks/format.js'

const AT = Date.UTC(2026, 11, 1, 10, 0, 0)
const context = { mapTitle: 'Backend team', appUrl: 'https://map.example.com' }
const slack = (event: WebhookEvent, ctx = context): string => {
  const body = JSON.parse(formatBody(event, 'slack', ctx)) as Record<string, unknown>
  assert.equal(Object.keys(body), ['text'])
  return body.text as string
}

const riskChanged: EventOf<'responsibility.risk_changed'> = {
  type: 'responsibility.risk_changed',
  timestamp: '2026-12-01T10:00:00.000Z',
  data: {
    doc: 'demo',
    responsibility: 'db-schema',
    title: 'Data modelling & migrations',
    from: { status: 'thin', risks: ['thin', 'single-owner'] },
    to: { status: 'no-accountable', risks: ['no-accountable', 'thin', 'single-owner', 'skills-uncovered'] },
    version: 41,
  },
}

/** One event of every type. */
const samples: WebhookEvent[] = [
  riskChanged,
  { type: 'skill.status_changed', timestamp: riskChanged.timestamp, data: { doc: 'demo', skill: 'grpc', name: 'gRPC', from: 'risk', to: 'gap', version: 41 } },
  { type: 'person.deactivated', timestamp: riskChanged.timestamp, data: { doc: 'demo', person: 'eli', name: 'Eli Schwartz', version: 41 } },
  docCreated('demo', 1, AT),
  docDeleted('demo', 41, AT),
  docRestored('demo', 42, AT),
  docChanged('demo', 43, ['ana', 'ben', 'cid'], AT),
]

test('standard: the event itself, { type, timestamp, data } in that order, as JSON', () => {
  const body = formatBody(riskChanged, 'standard', context)
  assert.is(body.indexOf('{"type":"responsibility.risk_changed","timestamp":"2026-12-01T10:00:00.000Z","data":{'), 0)
  assert.equal(JSON.parse(body), riskChanged)
  assert.equal(
    samples.map((event) => JSON.parse(formatBody(event, 'standard', context)).type),
    [...EVENT_TYPES],
    'every type',
  )
})

test('an event derived from a real map goes out unchanged as standard, and in words as slack', () => {
  const doc = new Y.Doc()
  applyTemplate(doc, 'backend', { title: 'Backend team' })
  addPerson(doc, { id: 'ana', name: 'Ana', role: 'backend' })
  const before = mapState(readMap(doc))
  setAssignment(doc, 'caching', 'ana', 'A', 'ana')
  const events = deriveEvents({ doc: 'team-a', version: 2, at: AT, before, after: mapState(readMap(doc)) })
  assert.is(events.length, 1)
  const [event] = events as [WebhookEvent]
  assert.equal(JSON.parse(formatBody(event, 'standard', context)), event)
  assert.is(
    slack(event),
    '*Backend team*: “Cache strategy &amp; invalidation” now has a single owner and needed skills none of its owners covers ' +
      '(before: no accountable, a single owner and needed skills none of its owners covers). <https://map.example.com/#/d/team-a|Open the map>',
  )
})

test('slack: a risk change names the map, the responsibility, the risks before and after in words, and links to the map', () => {
  assert.is(
    slack(riskChanged),
    '*Backend team*: “Data modelling &amp; migrations” now has no accountable, fewer than two owners while critical, a single owner ' +
      'and needed skills none of its owners covers (before: fewer than two owners while critical and a single owner). ' +
      '<https://map.example.com/#/d/demo|Open the map>',
  )
  const fixed = { ...riskChanged, data: { ...riskChanged.data, from: riskChanged.data.to, to: { status: 'ok' as const, risks: [] } } }
  assert.match(slack(fixed), /” now has no risks \(before: no accountable, /)
})

test('slack: every event type reads as a sentence; only a deleted map has no link', () => {
  const texts = samples.map((event) => slack(event))
  assert.equal(texts.slice(1), [
    '*Backend team*: the skill “gRPC” is now covered by nobody (before: one person only). <https://map.example.com/#/d/demo|Open the map>',
    '*Backend team*: Eli Schwartz is no longer active; their letters and skills count for nothing now. <https://map.example.com/#/d/demo|Open the map>',
    'The map *Backend team* was created. <https://map.example.com/#/d/demo|Open the map>',
    'The map *Backend team* was deleted.',
    'The map *Backend team* was restored to an earlier version (now version 42). <https://map.example.com/#/d/demo|Open the map>',
    'The map *Backend team* was changed by ana, ben and cid. <https://map.example.com/#/d/demo|Open the map>',
  ])
})

test('slack: what users wrote cannot make links, mentions or markup, and an empty title shows the id', () => {
  const hostile = {
    ...riskChanged,
    data: { ...riskChanged.data, title: '<!channel> <https://evil.example|click> & co' },
  }
  const text = slack(hostile, { mapTitle: '<@U123>', appUrl: context.appUrl })
  assert.match(text, /^\*&lt;@U123&gt;\*: “&lt;!channel&gt; &lt;https:\/\/evil\.example\|click&gt; &amp; co”/)
  assert.is(text.match(/</g)?.length, 1, 'the one link is ours')
  assert.match(slack(docCreated('team-a', 1, AT), { mapTitle: '  ', appUrl: context.appUrl }), /^The map \*team-a\* was created/)
})

test('the link is the app route of the map, without a token, whatever the app URL looks like', () => {
  for (const appUrl of ['https://map.example.com', 'https://map.example.com/', 'http://127.0.0.1:3000//', 'https://example.com/skillmap']) {
    const link = mapLink(appUrl, 'team.a-1')
    assert.not.match(link, /\/\/#|token/, link)
    assert.equal(parseRoute(new URL(link).hash), { kind: 'map', docId: 'team.a-1', token: null }, link)
  }
  assert.is(mapLink('https://example.com/skillmap/', 'demo'), 'https://example.com/skillmap/#/d/demo')
})

test.run()
