// The lead's view of the app, end to end: a real server, the real bundle, one headless Chromium.
// Each test opens its own map; the figures a page shows are checked against the server's REST
// answers, and "changes nothing" is checked on the server's copy, never on the page alone.
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import * as assert from 'uvu/assert'
import { buildWeb } from '../scripts/build-web.js'
import { setRating } from '../shared/schema.js'
import { ARTIFACTS, launchChromium, mapHash, openPage, seedMap, withTeam, type OpenPage } from './helpers/browser.js'
import { startServer, token, type TestServer } from './helpers/server.js'
import { suite } from './helpers/suite.js'

interface Ctx {
  srv?: TestServer
  browser?: Browser
  /** pages a test opened; closed after it */
  opened: OpenPage[]
}

const Lead = suite<Ctx>('lead', { opened: [] })

Lead.before(async (ctx) => {
  await buildWeb({ quiet: true })
  ctx.srv = await startServer()
  ctx.browser = await launchChromium()
})

Lead.after.each(async (ctx) => {
  await Promise.all(ctx.opened.splice(0).map((o) => o.context.close()))
})

Lead.after(async (ctx) => {
  await ctx.browser?.close()
  await ctx.srv?.close()
})

async function open(ctx: Ctx, hash: string, options: Parameters<typeof openPage>[3] = {}): Promise<OpenPage> {
  const opened = await openPage(ctx.browser!, ctx.srv!.url, hash, options)
  ctx.opened.push(opened)
  return opened
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) })

function noErrors(...pages: OpenPage[]): void {
  assert.equal(pages.flatMap((p) => p.errors.splice(0)), [])
}

/** The server's copy of a map (its JSON export and version), as an API consumer reads it. */
async function serverCopy(ctx: Ctx, docId: string): Promise<{ etag: string | null; body: unknown }> {
  const res = await fetch(`${ctx.srv!.url}/api/docs/${docId}/snapshot?format=json`, {
    headers: { authorization: `Bearer ${await token('viewer', docId)}` },
  })
  assert.is(res.status, 200)
  // exportedAt is when this answer was made, not part of the map
  const { exportedAt: _, ...body } = (await res.json()) as Record<string, unknown>
  return { etag: res.headers.get('etag'), body }
}

Lead('/ without a token is the start page, never a blank one', async (ctx) => {
  const start = await open(ctx, '', { status: null })
  await start.page.locator('.start-page form input[name=token]').waitFor()
  assert.match(await start.page.locator('.start-page h1').innerText(), /Who owns what/)
  await shot(start.page, 'start-no-token')
  noErrors(start)
})

Lead('on a phone, a tap on a cell opens the picker and changes nothing', async (ctx) => {
  // phone (touch) → tap cells → picker opens → dismissed → the server's copy is unchanged
  await seedMap(ctx.srv!.server.store, 'tap')
  const before = await serverCopy(ctx, 'tap')
  const phone = await open(ctx, mapHash('tap', await token('editor', 'tap', 'Ana Silva', 'ana')), { phone: true })
  const p = phone.page

  await p.locator('td[data-key="r:api-rest/ana"]').tap()
  await p.locator('.picker[data-picker="letter"]').waitFor()
  assert.is(await p.locator('td[data-key="r:api-rest/ana"]').getAttribute('data-letter'), '')
  await shot(p, 'picker-phone')
  // a tap beside the picker closes it
  await p.locator('.picker-backdrop').tap({ position: { x: 5, y: 5 } })
  await p.locator('.picker').waitFor({ state: 'detached' })
  // a cell that has a letter keeps it
  await p.locator('td[data-key="r:server-logic/ana"]').tap()
  await p.locator('.picker [data-letter="A"][aria-checked="true"]').waitFor()
  await p.keyboard.press('Escape')
  await p.locator('.picker').waitFor({ state: 'detached' })
  // the heatmap works the same way
  await p.locator('button[data-tab="skills"]').tap()
  await p.locator('td[data-key="s:ben/redis"]').tap()
  await p.locator('.picker[data-picker="level"]').waitFor()
  await p.keyboard.press('Escape')
  await p.locator('.picker').waitFor({ state: 'detached' })

  const after = await serverCopy(ctx, 'tap')
  assert.is(after.etag, before.etag, 'the map version did not move')
  assert.equal(after.body, before.body)
  // and the page's own copy wrote nothing either
  assert.is(await p.evaluate(() => window.skillmap!.session.unsent), 0)
  noErrors(phone)
})

Lead('a new skill and a new role column appear for a second editor live', async (ctx) => {
  // editor Ana (Structure tab) → server → editor Ben (heatmap, RACI grid)
  await seedMap(ctx.srv!.server.store, 'shape')
  const a = await open(ctx, mapHash('shape', await token('editor', 'shape', 'Ana Silva', 'ana')))
  const b = await open(ctx, mapHash('shape', await token('editor', 'shape', 'Ben Okafor', 'ben')))

  await a.page.locator('button[data-tab="structure"]').click()
  const addSkill = a.page.locator('form[data-form="add-skill"]')
  await addSkill.locator('input[name=name]').fill('Kafka')
  await addSkill.locator('select[name=category]').selectOption('messaging')
  await addSkill.locator('button[type=submit]').click()
  await b.page.locator('button[data-tab="skills"]').click()
  await b.page.locator('tr[data-skill="kafka"]').waitFor()
  assert.is((await b.page.locator('tr[data-skill="kafka"] .row-title').innerText()).trim(), 'Kafka')

  // rename and recategorise it
  const kafka = a.page.locator('li[data-structure-skill="kafka"]')
  await kafka.locator('input[data-field="name"]').fill('Apache Kafka')
  await kafka.locator('input[data-field="name"]').press('Enter')
  await b.page.locator('tr[data-skill="kafka"] .row-title', { hasText: 'Apache Kafka' }).waitFor()
  await kafka.locator('select[data-field="category"]').selectOption('infrastructure')
  await b.page.locator('tbody', { has: b.page.locator('.area-name', { hasText: 'Infrastructure' }) }).locator('tr[data-skill="kafka"]').waitFor()

  const addRole = a.page.locator('form[data-form="add-role"]')
  await addRole.locator('input[name=label]').fill('Data engineer')
  await addRole.locator('button[type=submit]').click()
  await b.page.locator('button[data-tab="raci"]').click()
  await b.page.locator('th[data-key="role:@data-engineer"]').waitFor()
  // Ben can use the new column at once
  await b.page.locator('td[data-key="r:caching/@data-engineer"]').click()
  await b.page.locator('.picker[data-picker="letter"] [data-letter="C"]').click()
  await a.page.locator('button[data-tab="raci"]').click()
  await a.page.locator('td[data-key="r:caching/@data-engineer"][data-letter="C"]').waitFor()
  await a.page.locator('button[data-tab="structure"]').click()
  await shot(a.page, 'structure-laptop')

  // removing asks first, then the column goes for both
  const role = a.page.locator('li[data-structure-role="data-engineer"]')
  await role.locator('[data-action="remove"]').click()
  await role.locator('[data-action="confirm-remove"]').click()
  await b.page.locator('th[data-key="role:@data-engineer"]').waitFor({ state: 'detached' })
  await kafka.locator('[data-action="remove"]').click()
  await kafka.locator('[data-action="confirm-remove"]').click()
  await b.page.locator('button[data-tab="skills"]').click()
  await b.page.locator('tr[data-skill="nodejs"]').waitFor()
  assert.is(await b.page.locator('tr[data-skill="kafka"]').count(), 0)
  noErrors(a, b)
})

Lead('an admin shares a view-only link that opens the map read-only', async (ctx) => {
  // admin page → POST /api/tokens → link → a fresh browser opens it as a viewer
  await seedMap(ctx.srv!.server.store, 'shared')
  const admin = await open(ctx, mapHash('shared', await token('admin', 'shared', 'Ada Admin', 'ada')))
  await admin.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ctx.srv!.url })
  await admin.page.locator('[data-slot="tools"] [data-action="share"]').click()
  const dialog = admin.page.locator('dialog[data-share][open]')
  await dialog.locator('input[name=role][value=viewer]').check()
  await dialog.locator('input[name=name]').fill('Lee Lead')
  await dialog.locator('select[name=ttl]').selectOption('30d')
  await dialog.locator('[data-action="mint"]').click()
  const link = await dialog.locator('input[data-share-link]').inputValue()
  assert.match(link, new RegExp(`^${ctx.srv!.url}/#/d/shared\\?token=`))
  await dialog.locator('[data-action="copy-link"]').click()
  await dialog.locator('[data-action="copy-link"]', { hasText: 'Copied' }).waitFor()
  assert.is(await admin.page.evaluate(() => navigator.clipboard.readText()), link)
  await shot(admin.page, 'share-dialog')

  const viewer = await open(ctx, link.slice(ctx.srv!.url.length + 1))
  await viewer.page.locator('.map-page[data-readonly="true"]').waitFor()
  await admin.page.locator('.presence [data-user]').first().waitFor()
  assert.is(await viewer.page.locator('[data-action="share"]').count(), 0, 'only admins see Share')
  noErrors(admin, viewer)
})

interface Summary {
  responsibilities: number
  ok: number
  conflicts: number
  noAccountable: number
  thin: number
  singleOwner: number
  skillsUncovered: number
  skillGaps: number
  skillRisks: number
}
interface RestAnalysis {
  coverage: number
  summary: Summary
  responsibilities: Array<{ id: string; risks: string[] }>
  people: Array<{ id: string; accountable: number; responsible: number; covers: number }>
}

async function analytics(ctx: Ctx, docId: string): Promise<RestAnalysis> {
  const res = await fetch(`${ctx.srv!.url}/api/docs/${docId}/analytics`, { headers: { authorization: `Bearer ${await token('viewer', docId)}` } })
  assert.is(res.status, 200)
  return (await res.json()) as RestAnalysis
}

const CHIP_FIELDS: Record<string, keyof Summary> = {
  'multiple-accountable': 'conflicts',
  'no-accountable': 'noAccountable',
  thin: 'thin',
  'single-owner': 'singleOwner',
  'skills-uncovered': 'skillsUncovered',
  gap: 'skillGaps',
  risk: 'skillRisks',
}

/** The headline's counts as the page shows them, by risk. */
const chipCounts = (page: Page) =>
  page.evaluate(() => Object.fromEntries([...document.querySelectorAll<HTMLElement>('.risk-chip')].map((c) => [c.dataset.risk!, Number(c.dataset.count)])))

Lead('the headline counts match GET /analytics, live, and each is a filter', async (ctx) => {
  // server analytics (REST) ⇄ the lead's page; an edit from another editor moves both
  // the seeded team, plus one row without any risk: two people on it who both know its skill
  await seedMap(ctx.srv!.server.store, 'lead', (doc) => {
    withTeam(doc)
    setRating(doc, 'ben', 'rest-openapi', 3, 'seed', 1)
    setRating(doc, 'chen', 'rest-openapi', 4, 'seed', 1)
  })
  const lead = await open(ctx, mapHash('lead', await token('editor', 'lead', 'Lena Lead', 'lena')))
  const other = await open(ctx, mapHash('lead', await token('editor', 'lead', 'Ben Okafor', 'ben')))
  const p = lead.page
  await p.locator('.headline').waitFor()

  const rest = await analytics(ctx, 'lead')
  const expected = Object.fromEntries(Object.entries(CHIP_FIELDS).map(([risk, field]) => [risk, rest.summary[field]]))
  assert.equal(await chipCounts(p), expected)
  assert.is(Number(await p.locator('.headline').getAttribute('data-ok')), rest.summary.ok)
  assert.ok(rest.summary.singleOwner > 0 && rest.summary.skillGaps > 0, 'the seeded map has risks to show')
  await shot(p, 'headline-laptop')
  await p.locator('.headline').screenshot({ path: path.join(ARTIFACTS, 'headline-only.png') })

  // a remote edit: Ben gives Ana an R on the row Chen holds alone; both figures move together
  await other.page.locator('td[data-key="r:db-schema/ana"]').click()
  await other.page.locator('.picker [data-letter="R"]').click()
  await p.locator('td[data-key="r:db-schema/ana"][data-letter="R"]').waitFor()
  const after = await analytics(ctx, 'lead')
  assert.is(after.summary.singleOwner, rest.summary.singleOwner - 1, 'one single owner less on the server')
  const expectedAfter = Object.fromEntries(Object.entries(CHIP_FIELDS).map(([risk, field]) => [risk, after.summary[field]]))
  await p.waitForFunction(
    (want) => Object.entries(want).every(([risk, n]) => document.querySelector(`.risk-chip[data-risk="${risk}"]`)?.getAttribute('data-count') === String(n)),
    expectedAfter,
  )

  // "problems only" shows exactly the rows that have a risk
  const withRisk = after.responsibilities.filter((r) => r.risks.length > 0).map((r) => r.id).sort()
  await p.locator('input[data-filter="problems"]').check()
  await p.waitForFunction((n) => document.querySelectorAll('tr[data-row]').length === n, withRisk.length)
  const shown = await p.evaluate(() => [...document.querySelectorAll<HTMLElement>('tr[data-row]')].map((tr) => tr.dataset.row!).sort())
  assert.equal(shown, withRisk)
  assert.ok(withRisk.length < after.responsibilities.length, 'some rows were left out')
  await p.locator('input[data-filter="problems"]').uncheck()

  // a chip filters to its risk; again clears it
  await p.locator('.risk-chip[data-risk="single-owner"]').click()
  const single = after.responsibilities.filter((r) => r.risks.includes('single-owner')).map((r) => r.id).sort()
  await p.waitForFunction((n) => document.querySelectorAll('tr[data-row]').length === n, single.length)
  assert.equal(await p.evaluate(() => [...document.querySelectorAll<HTMLElement>('tr[data-row]')].map((tr) => tr.dataset.row!).sort()), single)
  assert.is(await p.locator('.risk-chip[data-risk="single-owner"]').getAttribute('aria-pressed'), 'true')
  await shot(p, 'filter-single-owner')
  await p.locator('.risk-chip[data-risk="single-owner"]').click()
  await p.waitForFunction((n) => document.querySelectorAll('tr[data-row]').length === n, after.responsibilities.length)

  // search, person and sort
  await p.locator('input[data-filter="query"]').fill('cache')
  await p.waitForFunction(() => [...document.querySelectorAll('tr[data-row]')].map((tr) => tr.getAttribute('data-row')).join() === 'caching')
  await p.locator('input[data-filter="query"]').fill('')
  await p.locator('select[data-filter="person"]').selectOption('chen')
  await p.waitForFunction(() => !document.querySelector('th[data-key="person:ana"]') && !!document.querySelector('th[data-key="person:chen"]'))
  for (const row of await p.locator('tr[data-row]').all()) assert.ok(await row.locator('td[data-key$="/chen"]:not([data-letter=""])').count(), 'every row shown has a letter of Chen')
  await p.locator('select[data-filter="person"]').selectOption('')
  await p.locator('select[data-filter="sort"]').selectOption('bus-factor')
  // The grid re-renders a paint after the select changes: wait for the order rather than read it at once.
  await p.waitForFunction(() => {
    const bfs = [...document.querySelectorAll<HTMLElement>('tr[data-row] .fact-bf')].map((e) => Number(e.dataset.bf))
    return bfs.length > 0 && bfs.every((bf, i) => i === 0 || bfs[i - 1]! <= bf)
  })

  // a skill chip takes the lead to the heatmap, filtered to the gaps
  await p.locator('.risk-chip[data-risk="gap"]').click()
  await p.locator('.map-page[data-tab="skills"]').waitFor()
  await p.waitForFunction((n) => document.querySelectorAll('tr[data-skill]').length === n, after.summary.skillGaps)
  assert.equal(await p.locator('tr[data-skill] [data-status]').evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('data-status')))]), ['gap'])

  // the workload chart says what REST says
  await p.locator('button[data-tab="charts"]').click()
  for (const person of after.people) {
    const bar = p.locator(`[data-chart="workload"] li[data-person="${person.id}"]`)
    assert.is(Number(await bar.getAttribute('data-a')), person.accountable)
    assert.is(Number(await bar.getAttribute('data-r')), person.responsible)
  }
  assert.match((await p.locator('[data-chart="workload"] li[data-person="ana"] svg').first().getAttribute('aria-label')) ?? '', /Ana Silva: \d+ Accountable/)
  await p.locator('[data-chart="categories"] li[data-category="databases"]').waitFor()
  await shot(p, 'charts-laptop')
  await p.emulateMedia({ colorScheme: 'dark' })
  await p.locator('button[data-tab="raci"]').click()
  await shot(p, 'dark-laptop')
  noErrors(lead, other)
})

Lead('the headline and the charts on a phone', async (ctx) => {
  await seedMap(ctx.srv!.server.store, 'small')
  const phone = await open(ctx, mapHash('small', await token('viewer', 'small', 'Lee Lead', 'lee')), { phone: true })
  const p = phone.page
  await p.locator('.headline').waitFor()
  const overflow = () => p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.is(await overflow(), 0, 'the page never scrolls sideways')
  await shot(p, 'headline-phone')
  // the filter selects fold under one button on a phone
  assert.is(await p.locator('select[data-filter="person"]').isVisible(), false)
  await p.locator('.filter-more').tap()
  await p.locator('select[data-filter="person"]').waitFor()
  await shot(p, 'filters-phone')
  await p.locator('.filter-more').tap()
  await p.locator('select[data-filter="person"]').waitFor({ state: 'hidden' })
  // the header stays on screen when the page scrolls
  await p.evaluate(() => window.scrollTo(0, 600))
  assert.is(await p.locator('.masthead').evaluate((el) => Math.round(el.getBoundingClientRect().top)), 0)
  await p.locator('button[data-tab="charts"]').tap()
  await p.locator('[data-chart="workload"]').waitFor()
  assert.is(await overflow(), 0)
  await shot(p, 'charts-phone')
  noErrors(phone)
})

Lead.run()
