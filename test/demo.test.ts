// Flow: a first start seeds the `demo` map as one update (backend template + demo team); its
// analytics over REST tell the story shared/demo.ts promises and the README shows.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { analyze } from '../shared/analytics.js'
import { applyDemo, DEMO_PEOPLE } from '../shared/demo.js'
import { applyTemplate, readMap } from '../shared/schema.js'
import { http } from './helpers/http.js'
import { startServer, token, type TestServer } from './helpers/server.js'

function demoMap(): Y.Doc {
  const doc = new Y.Doc()
  applyTemplate(doc, 'backend', { title: 'Demo' })
  applyDemo(doc, 'demo', 1000)
  return doc
}

const Demo = suite<{ srv?: TestServer }>('demo')

Demo.after(async (ctx) => {
  await ctx.srv?.close()
})

Demo('the demo team: 6–8 people, one of them gone, and every kind of risk on the row meant to have it', () => {
  const data = readMap(demoMap())
  assert.ok(data.people.length >= 6 && data.people.length <= 8)
  assert.equal(data.people.filter((p) => !p.active).map((p) => p.id), ['hana'])
  // the leaver's A is the only thing the map reports
  assert.equal(data.problems.map((p) => p.path), ['assignments/async-jobs/hana'])
  const analysis = analyze(data)
  const risksOf = (id: string) => analysis.responsibilities.find((r) => r.id === id)?.risks
  assert.equal(risksOf('auth-permissions'), ['multiple-accountable'])
  assert.equal(risksOf('async-jobs'), ['no-accountable', 'single-owner', 'skills-uncovered'])
  assert.equal(risksOf('db-schema'), ['thin', 'single-owner'])
  assert.equal(risksOf('api-grpc'), ['skills-uncovered'])
  assert.equal(risksOf('observability'), ['single-owner'])
  assert.equal(analysis.responsibilities.find((r) => r.id === 'db-schema')?.backups, ['ana', 'ben', 'chloe'])
  assert.equal(
    analysis.skills.filter((s) => s.status === 'gap' && !data.skills.find((k) => k.id === s.id)?.hidden).map((s) => s.id),
    ['grpc', 'event-streaming'],
  )
  // the skills the team does not use are hidden, every one the rows need is shown
  const needed = new Set(data.responsibilities.flatMap((r) => r.skills))
  for (const skill of data.skills) assert.is(skill.hidden === true, !needed.has(skill.id) && !DEMO_PEOPLE.some((p) => (p.levels[skill.id] ?? 0) > 0), skill.id)
})

Demo('a first start seeds the demo as one update; REST analytics show the README figures', async (ctx) => {
  ctx.srv = await startServer({ SEED_DEMO: 'true' })
  const viewer = await token('viewer', 'demo')
  const reply = await http(ctx.srv.url, 'GET', '/api/docs/demo/analytics', { token: viewer })
  assert.is(reply.status, 200)
  assert.is(reply.json.coverage, 0.8)
  assert.equal(reply.json.summary, {
    responsibilities: 15,
    ok: 12,
    conflicts: 1,
    noAccountable: 1,
    thin: 1,
    singleOwner: 3,
    skillsUncovered: 3,
    skillGaps: 2,
    skillRisks: 5,
  })
  assert.equal(reply.json.people.find((p: { id: string }) => p.id === 'dev'), {
    id: 'dev',
    accountable: 3,
    responsible: 2,
    consulted: 0,
    informed: 0,
    covers: 5,
  })
  const without = await http(ctx.srv.url, 'GET', '/api/docs/demo/analytics?without=dev', { token: viewer })
  assert.equal(without.json.whatIf.coverage, { from: 0.8, to: 0.6 })
  assert.is((await ctx.srv.server.store.readSince('demo', 0)).length, 1, 'seeded as one update')
})

Demo.run()
