// Undo/redo of one's own edits and the overwrite notice, end to end: a real server, the real
// bundle, headless Chromium; Ana and Ben are two editors in two browser contexts on one map, Lee
// watches. Every wait is on a selector or a page condition.
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

const Undo = suite<Ctx>('undo-browser', { opened: [] })

Undo.before(async (ctx) => {
  await buildWeb({ quiet: true })
  ctx.srv = await startServer()
  ctx.browser = await launchChromium()
})

Undo.after.each(async (ctx) => {
  await Promise.all(ctx.opened.splice(0).map((o) => o.context.close()))
})

Undo.after(async (ctx) => {
  await ctx.browser?.close()
  await ctx.srv?.close()
})

const PEOPLE = {
  ana: { role: 'editor', name: 'Ana Silva' },
  ben: { role: 'editor', name: 'Ben Okafor' },
  lee: { role: 'viewer', name: 'Lee Lead' },
} as const

/** `who` opens `docId` in a browser context of their own. */
async function open(ctx: Ctx, who: keyof typeof PEOPLE, docId: string, phone = false): Promise<OpenPage> {
  const t = await token(PEOPLE[who].role, docId, PEOPLE[who].name, who)
  const opened = await openPage(ctx.browser!, ctx.srv!.url, mapHash(docId, t), { phone })
  ctx.opened.push(opened)
  return opened
}

/** Two editors on a fresh map, each seeing the other. */
async function duo(ctx: Ctx, docId: string): Promise<{ a: Page; b: Page; pages: OpenPage[] }> {
  await seedMap(ctx.srv!.server.store, docId)
  const [ana, ben] = await Promise.all([open(ctx, 'ana', docId), open(ctx, 'ben', docId)])
  await ana.page.locator('.presence [data-user="ben"]').waitFor()
  await ben.page.locator('.presence [data-user="ana"]').waitFor()
  return { a: ana.page, b: ben.page, pages: [ana, ben] }
}

const cell = (page: Page, key: string) => page.locator(`td[data-key="${key}"]`)
/** Waits until the RACI cell shows `letter` ('' for none). */
const letterIn = (page: Page, key: string, letter: string) => page.locator(`td[data-key="${key}"][data-letter="${letter}"]`).waitFor()
const levelIn = (page: Page, key: string, level: string) => page.locator(`td[data-key="${key}"][data-level="${level}"]`).waitFor()
async function pick(page: Page, key: string, letter: string): Promise<void> {
  await cell(page, key).click()
  await page.locator(`.picker[data-picker="letter"] [data-letter="${letter}"]`).click()
  await letterIn(page, key, letter)
}
const button = (page: Page, action: 'undo' | 'redo') => page.locator(`.undo-tools button[data-action="${action}"]`)
const enabled = (page: Page, action: 'undo' | 'redo') => page.locator(`.undo-tools button[data-action="${action}"]:not([disabled])`).waitFor()
const disabled = (page: Page, action: 'undo' | 'redo') => page.locator(`.undo-tools button[data-action="${action}"][disabled]`).waitFor()
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) })

function noErrors(...pages: OpenPage[]): void {
  assert.equal(pages.flatMap((p) => p.errors.splice(0)), [])
}

Undo('the Undo and Redo buttons take back only my own edits, never a teammate’s', async (ctx) => {
  // Ana (page A) edits, Ben (page B) edits beside her and over her; Ana undoes and redoes with the buttons
  const { a, b, pages } = await duo(ctx, 'undo-buttons')
  await disabled(a, 'undo')
  await disabled(a, 'redo')

  await pick(a, 'r:caching/ben', 'R')
  await enabled(a, 'undo')
  await letterIn(b, 'r:caching/ben', 'R')
  await pick(b, 'r:caching/chen', 'C')
  await letterIn(a, 'r:caching/chen', 'C')
  assert.match((await button(a, 'undo').getAttribute('title')) ?? '', /Undo: Set a letter/)

  // Ana's undo reverts her R and leaves Ben's C, on both pages
  await button(a, 'undo').click()
  await letterIn(a, 'r:caching/ben', '')
  await letterIn(b, 'r:caching/ben', '')
  await letterIn(b, 'r:caching/chen', 'C')
  await letterIn(a, 'r:caching/chen', 'C')
  await disabled(a, 'undo')
  await enabled(a, 'redo')
  // redo brings it back for everyone
  await button(a, 'redo').click()
  await letterIn(b, 'r:caching/ben', 'R')
  await disabled(a, 'redo')
  await enabled(a, 'undo')

  // a cell Ben set after Ana stays Ben's: her undo neither takes his I away nor brings back the R
  // her edit had replaced
  await pick(a, 'r:server-logic/ben', 'C')
  await pick(b, 'r:server-logic/ben', 'I')
  await letterIn(a, 'r:server-logic/ben', 'I')
  await button(a, 'undo').click()
  // that step has nothing of Ana's left, so the same click takes back the step before it (her R on caching/ben)
  await letterIn(b, 'r:caching/ben', '')
  await disabled(a, 'undo')
  await letterIn(a, 'r:server-logic/ben', 'I')
  await letterIn(b, 'r:server-logic/ben', 'I')
  // Ben's own stack holds his two letters, untouched by Ana's undos: his undo brings back what he replaced
  await button(b, 'undo').click()
  await letterIn(a, 'r:server-logic/ben', 'C')
  await button(b, 'undo').click()
  await letterIn(a, 'r:caching/chen', '')
  await disabled(b, 'undo')
  noErrors(...pages)
})

Undo('Ctrl+Z, Ctrl+Shift+Z and Ctrl+Y undo and redo one action each, and leave typing alone', async (ctx) => {
  // Ana types letters on the grid, Ben edits too; Ana's keys step through her own actions only
  const { a, b, pages } = await duo(ctx, 'undo-keys')
  await cell(a, 'r:caching/ben').focus()
  await a.keyboard.press('c')
  await letterIn(a, 'r:caching/ben', 'C')
  await a.keyboard.press('ArrowRight')
  await a.keyboard.press('r')
  await letterIn(a, 'r:caching/chen', 'R')
  await pick(b, 'r:api-rest/ana', 'I')
  await letterIn(a, 'r:api-rest/ana', 'I')

  // two quick actions are two steps: the first Ctrl+Z takes back only the last letter
  await a.keyboard.press('Control+z')
  await letterIn(b, 'r:caching/chen', '')
  await letterIn(b, 'r:caching/ben', 'C')
  await a.keyboard.press('Control+z')
  await letterIn(b, 'r:caching/ben', '')
  await a.keyboard.press('Control+Shift+z')
  await letterIn(b, 'r:caching/ben', 'C')
  await a.keyboard.press('Control+y')
  await letterIn(b, 'r:caching/chen', 'R')
  // Ben's letter never moved
  await letterIn(a, 'r:api-rest/ana', 'I')

  // in a text field Ctrl+Z is the field's: the map keeps Ana's letter
  const search = a.locator('.filter-search input')
  await search.fill('cache')
  await search.press('Control+z')
  await letterIn(b, 'r:caching/chen', 'R')
  assert.is(await a.evaluate(() => window.skillmap!.doc.getMap('assignments').has('caching/chen')), true)
  // back on the grid it is the map's again
  await search.fill('')
  await cell(a, 'r:caching/chen').focus()
  await a.keyboard.press('Control+z')
  await letterIn(b, 'r:caching/chen', '')
  noErrors(...pages)
})

Undo('a viewer has no Undo or Redo', async (ctx) => {
  await seedMap(ctx.srv!.server.store, 'undo-viewer')
  const lee = await open(ctx, 'lee', 'undo-viewer')
  await lee.page.locator('.map-page[data-readonly="true"]').waitFor()
  assert.is(await lee.page.locator('.undo-tools').count(), 0)
  // and the keys do nothing to the map
  const before = await lee.page.evaluate(() => JSON.stringify(window.skillmap!.doc.getMap('assignments').toJSON()))
  await lee.page.locator('td[data-key="r:api-rest/ben"]').click()
  await lee.page.keyboard.press('Control+z')
  assert.is(await lee.page.evaluate(() => JSON.stringify(window.skillmap!.doc.getMap('assignments').toJSON())), before)
  noErrors(lee)
})

Undo('when a teammate overwrites a cell I just set, I see who and can put mine back in one click', async (ctx) => {
  // Ana sets a letter → Ben changes it → Ana's notice names Ben → Ana puts hers back → Ben sees it
  const { a, b, pages } = await duo(ctx, 'overwrite')
  const lee = await open(ctx, 'lee', 'overwrite')
  await pick(a, 'r:caching/chen', 'A')
  await letterIn(b, 'r:caching/chen', 'A')
  await pick(b, 'r:caching/chen', 'R')

  const notice = a.locator('.overwrite-notice[data-cell="r:caching/chen"]')
  await notice.waitFor()
  assert.is(await notice.getAttribute('data-by'), 'ben')
  const text = await notice.innerText()
  assert.match(text, /Ben Okafor changed Cache strategy[^·]* · Chen Wei to R \(Responsible\) — you had set A \(Accountable\)/)
  await shot(a, 'overwrite-notice')
  // the card alone, for the README (docs/overwrite-notice.png is a copy of it)
  await notice.screenshot({ path: path.join(ARTIFACTS, 'overwrite-notice-card.png') })
  // only the one whose value was lost is told: not Ben, who overwrote, nor Lee, who watches
  assert.is(await b.locator('.overwrite-notice').count(), 0)
  assert.is(await lee.page.locator('.overwrite-notice').count(), 0)

  await notice.locator('button[data-action="put-back"]').click()
  await letterIn(b, 'r:caching/chen', 'A')
  await letterIn(lee.page, 'r:caching/chen', 'A')
  await notice.waitFor({ state: 'detached' })
  // putting it back is an ordinary edit: Ben had just set that cell, so now he is the one told
  await b.locator('.overwrite-notice[data-cell="r:caching/chen"][data-by="ana"]').waitFor()
  await b.locator('.overwrite-notice button[data-action="dismiss"]').click()
  await b.locator('.overwrite-notice').waitFor({ state: 'detached' })

  // a cleared level: no `by` in the cell, so the name comes from presence (Ben is on that cell)
  await a.locator('button[data-tab="skills"]').click()
  await b.locator('button[data-tab="skills"]').click()
  await a.locator('td[data-key="s:ben/redis"]').click()
  await a.locator('.picker[data-picker="level"] [data-level="3"]').click()
  await levelIn(b, 's:ben/redis', '3')
  await b.locator('td[data-key="s:ben/redis"]').focus()
  await a.locator('td[data-key="s:ben/redis"] .peer-tag[data-peer="ben"]').waitFor()
  await b.keyboard.press('Delete')
  const cleared = a.locator('.overwrite-notice[data-cell="s:ben/redis"]')
  await cleared.waitFor()
  assert.match(await cleared.innerText(), /Ben Okafor cleared Ben Okafor · Redis — you had set 3 Proficient/)
  await cleared.locator('button[data-action="put-back"]').click()
  await levelIn(b, 's:ben/redis', '3')
  noErrors(...pages, lee)
})

Undo('on a phone: the undo buttons and the notice fit', async (ctx) => {
  // Ana on a phone taps a letter, Ben on a laptop overwrites it
  await seedMap(ctx.srv!.server.store, 'overwrite-phone')
  const ana = await open(ctx, 'ana', 'overwrite-phone', true)
  const ben = await open(ctx, 'ben', 'overwrite-phone')
  const p = ana.page
  await p.locator('.presence [data-user="ben"]').waitFor()
  await p.locator('td[data-key="r:api-rest/ana"]').tap()
  await p.locator('.picker[data-picker="letter"] [data-letter="R"]').tap()
  await letterIn(ben.page, 'r:api-rest/ana', 'R')
  await pick(ben.page, 'r:api-rest/ana', 'C')
  const notice = p.locator('.overwrite-notice[data-cell="r:api-rest/ana"]')
  await notice.waitFor()
  await enabled(p, 'undo')
  // the notice and the buttons are inside the viewport, the buttons big enough to tap
  const viewport = p.viewportSize()!
  for (const box of [await notice.boundingBox(), await button(p, 'undo').boundingBox(), await notice.locator('button[data-action="put-back"]').boundingBox()]) {
    assert.ok(box && box.x >= 0 && box.x + box.width <= viewport.width && box.y + box.height <= viewport.height, JSON.stringify(box))
  }
  const undoBox = (await button(p, 'undo').boundingBox())!
  assert.ok(undoBox.height >= 36 && undoBox.width >= 36, JSON.stringify(undoBox))
  await shot(p, 'overwrite-notice-phone')
  await notice.locator('button[data-action="put-back"]').tap()
  await letterIn(ben.page, 'r:api-rest/ana', 'R')
  noErrors(ana, ben)
})

Undo.run()
