// The app's history panel, versions, preview, restore, blame and "changed since your last visit"
// (CONTRACT §8 v2), end to end: a real server, the real bundle, headless Chromium. Ana edits in the
// browser, Ben is a stock y-websocket client in Node with his own token (so the server knows him
// as Ben whatever his cells say), Lee watches. Every wait is on a selector or a condition.
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import * as assert from 'uvu/assert'
import type * as Y from 'yjs'
import { buildWeb } from '../scripts/build-web.js'
import { renameSkill, setAssignment, setRating } from '../shared/schema.js'
import { ARTIFACTS, launchChromium, mapHash, openIn, openPage, seedMap, type OpenPage } from './helpers/browser.js'
import { connectYws, type YwsClient } from './helpers/clients.js'
import { http } from './helpers/http.js'
import { startServer, token, type TestServer } from './helpers/server.js'
import { suite } from './helpers/suite.js'
import { eventually, until } from './helpers/wait.js'

interface Ctx {
  srv?: TestServer
  browser?: Browser
  /** pages a test opened; closed after it */
  opened: OpenPage[]
  clients: YwsClient[]
}

const History = suite<Ctx>('history-browser', { opened: [], clients: [] })

History.before(async (ctx) => {
  await buildWeb({ quiet: true })
  ctx.srv = await startServer()
  ctx.browser = await launchChromium()
})

History.after.each(async (ctx) => {
  ctx.clients.splice(0).forEach((c) => c.close())
  await Promise.all(ctx.opened.splice(0).map((o) => o.context.close()))
})

History.after(async (ctx) => {
  await ctx.browser?.close()
  await ctx.srv?.close()
})

const PEOPLE = {
  ana: { role: 'editor', name: 'Ana Silva' },
  ben: { role: 'editor', name: 'Ben Okafor' },
  lee: { role: 'viewer', name: 'Lee Lead' },
} as const

const tokenOf = (who: keyof typeof PEOPLE, docId: string) => token(PEOPLE[who].role, docId, PEOPLE[who].name, who)

/** `who` opens `docId` in a browser context of their own. */
async function open(ctx: Ctx, who: keyof typeof PEOPLE, docId: string, phone = false): Promise<OpenPage> {
  const opened = await openPage(ctx.browser!, ctx.srv!.url, mapHash(docId, await tokenOf(who, docId)), { phone })
  ctx.opened.push(opened)
  return opened
}

/** Ben, a teammate on a stock y-websocket client: the server stamps his updates with his token's name. */
async function ben(ctx: Ctx, docId: string): Promise<YwsClient> {
  const client = connectYws(ctx.srv!.wsUrl, docId, await tokenOf('ben', docId))
  ctx.clients.push(client)
  await client.synced()
  return client
}

/** One edit by a Node client, as one update, committed by the server: its seq. */
async function edit(ctx: Ctx, client: YwsClient, docId: string, change: (doc: Y.Doc) => void): Promise<number> {
  const store = ctx.srv!.server.store
  const before = await store.lastSeq(docId)
  client.doc.transact(() => change(client.doc))
  await eventually(async () => (await store.lastSeq(docId)) > before, { what: `${docId} past seq ${before}` })
  return store.lastSeq(docId)
}

const letterIn = (page: Page, key: string, letter: string) => page.locator(`td[data-key="${key}"][data-letter="${letter}"]`).waitFor()
async function pick(page: Page, key: string, letter: string): Promise<void> {
  await page.locator(`td[data-key="${key}"]`).click()
  await page.locator(`.picker[data-picker="letter"] [data-letter="${letter}"]`).click()
  await letterIn(page, key, letter)
}
const panel = (page: Page) => page.locator('.history-panel')
async function openHistory(page: Page, section: 'changes' | 'versions' = 'changes'): Promise<void> {
  if ((await panel(page).count()) === 0) await page.locator('button[data-control="history"]').click()
  await panel(page).waitFor()
  await page.locator(`.history-switch button[data-section="${section}"]`).click()
  await page.locator(`.history-panel[data-section="${section}"]`).waitFor()
}
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) })
const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)

function noErrors(...pages: Array<Pick<OpenPage, 'errors'>>): void {
  assert.equal(pages.flatMap((p) => p.errors.splice(0)), [])
}

History('the panel lists a teammate’s changes by the name the server verified, live, filtered by person and area', async (ctx) => {
  await seedMap(ctx.srv!.server.store, 'hist-list')
  const ana = await open(ctx, 'ana', 'hist-list')
  const a = ana.page
  const b = await ben(ctx, 'hist-list')
  // Ben writes someone else's id into the cell's `by`: the history goes by his token, not by that
  await edit(ctx, b, 'hist-list', (doc) => setAssignment(doc, 'caching', 'chen', 'A', 'ana'))
  await edit(ctx, b, 'hist-list', (doc) => renameSkill(doc, 'go', 'Golang'))
  await letterIn(a, 'r:caching/chen', 'A')

  await openHistory(a)
  const bens = a.locator('[data-list="timeline"] .h-group[data-by="ben"]')
  await bens.first().waitFor()
  const text = await bens.first().innerText()
  assert.match(text, /^Ben Okafor · \d\d:\d\d/)
  assert.match(text, /renamed skill Go → Golang/)
  assert.match(text, /set Cache strategy & invalidation × Chen Wei to A/)
  assert.is(await a.locator('.h-group[data-by="ana"]').count(), 0, 'nothing is Ana’s: she has not edited')

  // live: what Ben and Ana do while the panel is open comes in at the top, newest first
  await edit(ctx, b, 'hist-list', (doc) => setRating(doc, 'chen', 'go', 3, 'ben'))
  await a.locator('[data-list="timeline"] .h-line', { hasText: 'rated Chen Wei on Golang 3' }).waitFor()
  await a.locator('button[data-control="close-history"]').click()
  await pick(a, 'r:db-schema/ben', 'R')
  await openHistory(a)
  await a.locator('[data-list="timeline"] .h-group[data-by="ana"]', { hasText: 'set Data modelling & migrations × Ben Okafor to R' }).waitFor()
  assert.is(await a.locator('[data-list="timeline"] .h-group').first().getAttribute('data-by'), 'ana', 'newest first')

  // by person: Ben's changes only
  await a.locator('select[data-history-filter="author"]').selectOption('ben')
  await a.locator('[data-list="timeline"] .h-group[data-by="ana"]').waitFor({ state: 'detached' })
  assert.ok((await a.locator('[data-list="timeline"] .h-group[data-by="ben"]').count()) > 0)
  // by area: only what is about a Caching responsibility (not the skill rename, not the rating)
  await a.locator('select[data-history-filter="author"]').selectOption('')
  await a.locator('select[data-history-filter="area"]').selectOption('Caching')
  await a.locator('[data-list="timeline"] .h-line', { hasText: 'renamed skill' }).waitFor({ state: 'detached' })
  const lines = await a.locator('[data-list="timeline"] .h-line').allInnerTexts()
  assert.equal(lines, ['set Cache strategy & invalidation × Chen Wei to A'])
  await a.locator('select[data-history-filter="area"]').selectOption('')
  await a.locator('[data-list="timeline"] .h-line', { hasText: 'renamed skill' }).waitFor()
  await shot(a, 'history-panel')
  await panel(a).screenshot({ path: path.join(ARTIFACTS, 'history-panel-alone.png') })
  noErrors(ana)
})

History('the newest changes come first; older ones load on demand', async (ctx) => {
  await seedMap(ctx.srv!.server.store, 'hist-older')
  const b = await ben(ctx, 'hist-older')
  const level = (i: number) => (i % 5) as 0 | 1 | 2 | 3 | 4
  // 5 levels, a named version, then 30 more: the first view is the 30 after the name
  for (let i = 1; i <= 5; i++) await edit(ctx, b, 'hist-older', (doc) => setRating(doc, 'chen', 'go', level(i), 'ben'))
  const naming = await http(ctx.srv!.url, 'POST', '/api/docs/hist-older/versions', { token: await tokenOf('ana', 'hist-older'), body: { name: 'five' } })
  assert.is(naming.status, 201, naming.text)
  for (let i = 6; i <= 35; i++) await edit(ctx, b, 'hist-older', (doc) => setRating(doc, 'chen', 'go', level(i), 'ben'))
  const ana = await open(ctx, 'ana', 'hist-older')
  const a = ana.page
  await openHistory(a)
  const lines = a.locator('[data-list="timeline"] .h-line')
  const older = a.locator('button[data-control="load-older"]')
  await older.waitFor()
  assert.is(await lines.count(), 30)
  // one minute of Ben's: one group, the first lines shown, the rest folded
  assert.match(await lines.first().innerText(), /^changed Chen Wei on Go from 4 to 0$/)
  assert.match(await a.locator('.h-more summary').first().innerText(), /and \d+ more/)
  await older.click()
  await a.locator('.history-end', { hasText: 'whole kept history' }).waitFor()
  assert.is(await lines.count(), 35)
  // the oldest, folded away in its group
  assert.is((await lines.last().textContent())?.replace(/\s+/g, ' ').trim(), 'rated Chen Wei on Go 1')
  noErrors(ana)
})

History('preview a version read-only, then restore it after a confirmation: everyone gets it', async (ctx) => {
  await seedMap(ctx.srv!.server.store, 'hist-restore')
  const ana = await open(ctx, 'ana', 'hist-restore')
  const lee = await open(ctx, 'lee', 'hist-restore')
  const a = ana.page
  const b = await ben(ctx, 'hist-restore')

  // Ana names the version before Ben's edits
  await openHistory(a, 'versions')
  await a.locator('form[data-form="name-version"] input[name="name"]').fill('before the reorg')
  await a.locator('form[data-form="name-version"] button[type="submit"]').click()
  await a.locator('.version[data-named="true"] .v-name', { hasText: 'before the reorg' }).waitFor()
  const named = Number(await a.locator('.version[data-named="true"]').getAttribute('data-version'))

  await edit(ctx, b, 'hist-restore', (doc) => {
    setAssignment(doc, 'caching', 'chen', 'A', 'ben')
    setAssignment(doc, 'api-rest', 'ben', null, 'ben')
  })
  await letterIn(a, 'r:caching/chen', 'A')
  await letterIn(a, 'r:api-rest/ben', '')
  // the list follows: Ben's edit is the current version, the named one can be restored
  const version = a.locator(`.version[data-version="${named}"]`)
  await version.locator('button[data-action="restore"]').waitFor()

  // preview: the old content, read-only, with the bar
  await version.locator('button[data-control="preview"]').click()
  const bar = a.locator(`.preview-bar[data-preview="${named}"][data-loaded="true"]`)
  await bar.waitFor()
  assert.match(await bar.innerText(), /Previewing the version of .*before the reorg/)
  await a.locator('.map-page[data-previewing="true"][data-readonly="true"]').waitFor()
  await letterIn(a, 'r:caching/chen', '')
  await letterIn(a, 'r:api-rest/ben', 'A')
  assert.is(await a.locator('table[data-grid="raci"]').getAttribute('aria-readonly'), 'true')
  await a.locator('td[data-key="r:caching/ben"]').click()
  assert.is(await a.locator('.picker').count(), 0, 'a previewed cell opens no picker')
  await a.locator('td[data-key="r:caching/ben"]').press('r')
  await letterIn(a, 'r:caching/ben', '')
  assert.is(await a.locator('.undo-tools').count(), 0, 'no Undo while previewing')
  assert.is(await a.evaluate(() => window.skillmap!.doc.getMap('assignments').has('caching/ben')), false, 'the live map is untouched')
  // the live map went on meanwhile: still Ben's letter there
  assert.is(await a.evaluate(() => (window.skillmap!.doc.getMap('assignments').get('caching/chen') as { letter: string }).letter), 'A')
  await shot(a, 'history-preview')

  // Lee (viewer) previews too, but may neither restore nor name
  await openHistory(lee.page, 'versions')
  await lee.page.locator(`.version[data-version="${named}"]`).waitFor()
  assert.is(await lee.page.locator('form[data-form="name-version"]').count(), 0)
  assert.is(await lee.page.locator('[data-action]').count(), 0, 'nothing that edits (restore is an edit)')
  await lee.page.locator(`.version[data-version="${named}"] button[data-control="preview"]`).click()
  await lee.page.locator(`.preview-bar[data-preview="${named}"][data-loaded="true"]`).waitFor()
  assert.is(await lee.page.locator('button[data-action="restore-preview"]').count(), 0)
  await letterIn(lee.page, 'r:api-rest/ben', 'A')
  await lee.page.locator('button[data-control="back-to-live"]').click()
  await letterIn(lee.page, 'r:api-rest/ben', '')

  // Ana restores from the bar: a confirmation first; Cancel changes nothing
  await bar.locator('button[data-action="restore-preview"]').click()
  const dialog = a.locator(`dialog[data-restore="${named}"]`)
  await dialog.waitFor()
  assert.match(await dialog.innerText(), /Restore the version of .*before the reorg/)
  await dialog.locator('button[data-action="cancel-restore"]').click()
  await dialog.waitFor({ state: 'detached' })
  assert.is(await a.evaluate(() => window.skillmap!.doc.getMap('assignments').has('caching/chen')), true)
  await bar.locator('button[data-action="restore-preview"]').click()
  await dialog.locator('button[data-action="confirm-restore"]').click()
  await dialog.waitFor({ state: 'detached' })
  await a.locator('.map-page[data-previewing="false"][data-readonly="false"]').waitFor()
  // the live grid holds the restored content, on every page and client
  await letterIn(a, 'r:caching/chen', '')
  await letterIn(a, 'r:api-rest/ben', 'A')
  await letterIn(lee.page, 'r:caching/chen', '')
  await letterIn(lee.page, 'r:api-rest/ben', 'A')
  const assignments = b.doc.getMap('assignments')
  await until(() => !assignments.has('caching/chen') && (assignments.get('api-rest/ben') as { letter?: string } | undefined)?.letter === 'A', {
    on: [[b.doc, 'update']],
    what: 'Ben’s client to get the restore',
  })
  // and the history tells it as Ana's change
  await openHistory(a)
  await a.locator('[data-list="timeline"] .h-group[data-by="ana"]', { hasText: 'cleared Cache strategy & invalidation × Chen Wei' }).waitFor()
  noErrors(ana, lee)
})

History('a cell’s tooltip names who the server says set it, refreshed after edits; so does the overwrite notice', async (ctx) => {
  await seedMap(ctx.srv!.server.store, 'hist-blame')
  const ana = await open(ctx, 'ana', 'hist-blame')
  const a = ana.page
  const b = await ben(ctx, 'hist-blame')
  // Ben's cells claim to be Lee's: the tooltips go by his token
  await edit(ctx, b, 'hist-blame', (doc) => {
    setAssignment(doc, 'caching', 'chen', 'R', 'lee')
    setRating(doc, 'chen', 'go', 2, 'lee')
  })
  const cached = a.locator('td[data-key="r:caching/chen"][data-letter="R"]')
  await a.locator('td[data-key="r:caching/chen"][title*="Set by Ben Okafor · "]').waitFor()
  const title = (await cached.getAttribute('title')) ?? ''
  assert.match(title, /^Responsible\nSet by Ben Okafor · \d{1,2} [A-Z][a-z]{2}( \d{4})? \d\d:\d\d$/)
  assert.not.match(title, /lee/i)
  await a.locator('button[data-tab="skills"]').click()
  await a.locator('td[data-key="s:chen/go"][data-level="2"][title*="Set by Ben Okafor"]').waitFor()

  // Ana's own edit: blame follows once the server has it
  await a.locator('button[data-tab="raci"]').click()
  await pick(a, 'r:caching/ana', 'I')
  await a.locator('td[data-key="r:caching/ana"][title*="Set by Ana Silva"]').waitFor()

  // Ben overwrites a cell Ana just set, again as "Lee": the notice names Ben once blame knows
  await pick(a, 'r:db-schema/ben', 'C')
  const cells = b.doc.getMap('assignments')
  await until(() => (cells.get('db-schema/ben') as { letter?: string } | undefined)?.letter === 'C', { on: [[b.doc, 'update']], what: 'Ben to see Ana’s C' })
  await edit(ctx, b, 'hist-blame', (doc) => setAssignment(doc, 'db-schema', 'ben', 'I', 'lee'))
  const notice = a.locator('.overwrite-notice[data-cell="r:db-schema/ben"][data-verified="true"][data-by="ben"]')
  await notice.waitFor()
  assert.match(await notice.innerText(), /^Ben Okafor changed Data modelling & migrations · Ben Okafor to I/)
  await a.locator('td[data-key="r:db-schema/ben"][title*="Set by Ben Okafor"]').waitFor()
  noErrors(ana)
})

History('“changed since your last visit” highlights what a teammate changed while I was away, until I clear it', async (ctx) => {
  await seedMap(ctx.srv!.server.store, 'hist-since')
  const b = await ben(ctx, 'hist-since')
  const before = await edit(ctx, b, 'hist-since', (doc) => setAssignment(doc, 'caching', 'ben', 'C', 'ben'))

  // Ana's first visit: nothing to compare with; it records what she saw
  const first = await open(ctx, 'ana', 'hist-since')
  await first.page.locator(`button[data-control="history"][data-visited="true"][data-seen="${before}"]`).waitFor()
  assert.is(await first.page.locator('[data-since]').count(), 0)
  const context = first.context
  await first.page.close()

  // while she is away Ben sets a letter and a level
  await edit(ctx, b, 'hist-since', (doc) => {
    setAssignment(doc, 'caching', 'chen', 'A', 'ben')
    setRating(doc, 'chen', 'redis', 4, 'ben')
  })

  // back on the map (same browser): the cell Ben changed is marked, the one from before is not
  const url = ctx.srv!.url
  const hash = mapHash('hist-since', await tokenOf('ana', 'hist-since'))
  const second = await openIn(context, url, hash)
  const p = second.page
  await p.locator('td[data-key="r:caching/chen"][data-since]').waitFor()
  assert.is(await p.locator('td[data-key="r:caching/ben"][data-since]').count(), 0)
  await p.locator('button[data-control="history"] .since-count[data-since-count="2"]').waitFor()
  await openHistory(p)
  const block = p.locator('[data-since-block]')
  await block.waitFor()
  const listed = await block.innerText()
  assert.match(listed, /Changed since your last visit/)
  assert.match(listed, /Ben Okafor · /)
  assert.match(listed, /set Cache strategy & invalidation × Chen Wei to A/)
  assert.match(listed, /changed Chen Wei on Redis from 3 to 4/)
  assert.not.match(listed, /Ben Okafor to C/)
  await p.locator('td[data-key="r:caching/chen"]').scrollIntoViewIfNeeded()
  await shot(p, 'history-since')
  // the heatmap marks the level too
  await p.locator('button[data-control="close-history"]').click()
  await p.locator('button[data-tab="skills"]').click()
  await p.locator('td[data-key="s:chen/redis"][data-since]').waitFor()
  // cleared: no marks, no count, no list
  await openHistory(p)
  await block.locator('button[data-control="clear-since"]').click()
  await block.waitFor({ state: 'detached' })
  await p.locator('[data-since]').first().waitFor({ state: 'detached' })
  assert.is(await p.locator('.since-count').count(), 0)
  await p.close()

  // the next visit starts from this one: nothing new, nothing marked
  const third = await openIn(context, url, hash)
  await third.page.locator('button[data-control="history"][data-visited="true"]').waitFor()
  await third.page.locator('td[data-key="r:caching/chen"][data-letter="A"]').waitFor()
  assert.is(await third.page.locator('[data-since]').count(), 0)
  noErrors(first, second, third)
})

History('on a phone the panel is a full-screen sheet and the preview bar fits', async (ctx) => {
  await seedMap(ctx.srv!.server.store, 'hist-phone')
  const b = await ben(ctx, 'hist-phone')
  const named = await edit(ctx, b, 'hist-phone', (doc) => setAssignment(doc, 'caching', 'chen', 'R', 'ben'))
  const naming = await http(ctx.srv!.url, 'POST', '/api/docs/hist-phone/versions', { token: await tokenOf('ana', 'hist-phone'), body: { name: 'sprint 12' } })
  assert.is(naming.status, 201, naming.text)
  await edit(ctx, b, 'hist-phone', (doc) => {
    setAssignment(doc, 'caching', 'chen', 'A', 'ben')
    renameSkill(doc, 'go', 'Golang')
  })
  const ana = await open(ctx, 'ana', 'hist-phone', true)
  const p = ana.page
  const viewport = p.viewportSize()!
  await letterIn(p, 'r:caching/chen', 'A')
  const button = p.locator('button[data-control="history"]')
  const box = (await button.boundingBox())!
  assert.ok(box.width >= 36 && box.height >= 36 && box.x + box.width <= viewport.width, JSON.stringify(box))
  await shot(p, 'history-header-phone')
  await button.tap()
  await p.locator('[data-list="timeline"] .h-group[data-by="ben"]').first().waitFor()
  const sheet = (await panel(p).boundingBox())!
  assert.equal([sheet.x, sheet.y, sheet.width, sheet.height], [0, 0, viewport.width, viewport.height])
  assert.is(await overflow(p), 0)
  await shot(p, 'history-panel-phone')

  await p.locator('.history-switch button[data-section="versions"]').tap()
  await p.locator(`.version[data-version="${named}"] button[data-control="preview"]`).tap()
  // the sheet steps aside for the map; the bar says what it is and fits
  await panel(p).waitFor({ state: 'detached' })
  const bar = p.locator(`.preview-bar[data-preview="${named}"][data-loaded="true"]`)
  await bar.waitFor()
  await letterIn(p, 'r:caching/chen', 'R')
  for (const action of ['[data-action="restore-preview"]', '[data-control="back-to-live"]']) {
    const b = (await bar.locator(`button${action}`).boundingBox())!
    assert.ok(b.x >= 0 && b.x + b.width <= viewport.width && b.y + b.height <= viewport.height && b.height >= 36, `${action}: ${JSON.stringify(b)}`)
  }
  assert.is(await overflow(p), 0)
  await shot(p, 'history-preview-phone')
  await bar.locator('button[data-control="back-to-live"]').tap()
  await letterIn(p, 'r:caching/chen', 'A')
  noErrors(ana)
})

History.run()
