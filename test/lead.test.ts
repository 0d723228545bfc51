// The lead's view of the app, end to end: a real server, the real bundle, one headless Chromium.
// Each test opens its own map; the figures a page shows are checked against the server's REST
// answers, and "changes nothing" is checked on the server's copy, never on the page alone.
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import * as assert from 'uvu/assert'
import { buildWeb } from '../scripts/build-web.js'
import { ARTIFACTS, launchChromium, mapHash, openPage, seedMap, type OpenPage } from './helpers/browser.js'
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
  seedMap(ctx.srv!.server.store, 'tap')
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
  seedMap(ctx.srv!.server.store, 'shape')
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

Lead.run()
