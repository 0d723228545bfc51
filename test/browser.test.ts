// The browser app end to end: a real server, the real bundle, headless Chromium launched once.
// Three people keep their browser context through the suite (Ana and Ben edit, Lee watches) and
// open each test's map as a link would; every wait is on a selector or a page condition.
import path from 'node:path'
import type { Browser, Page, WebSocket } from 'playwright-core'
import { suite } from './helpers/suite.js'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { buildWeb } from '../scripts/build-web.js'
import { readAssignments } from '../shared/schema.js'
import { ARTIFACTS, LAPTOP, launchChromium, mapHash, openIn, openPage, PHONE, seedMap, visit, type OpenPage } from './helpers/browser.js'
import { connectYws } from './helpers/clients.js'
import { startServer, token, type TestServer } from './helpers/server.js'

type Who = 'ana' | 'ben' | 'lee'

interface Ctx {
  srv?: TestServer
  browser?: Browser
  people: Partial<Record<Who, OpenPage>>
  tokens: Partial<Record<Who, string>>
  /** contexts a single test opened; closed after it */
  extra: OpenPage[]
}

const PEOPLE: Record<Who, { role: 'editor' | 'viewer'; name: string }> = {
  ana: { role: 'editor', name: 'Ana Silva' },
  ben: { role: 'editor', name: 'Ben Okafor' },
  lee: { role: 'viewer', name: 'Lee Lead' },
}

const Web = suite<Ctx>('browser', { people: {}, tokens: {}, extra: [] })

Web.before(async (ctx) => {
  await buildWeb({ quiet: true })
  ctx.srv = await startServer()
  ctx.browser = await launchChromium()
  await seedMap(ctx.srv.server.store, 'lobby')
  await Promise.all(
    (Object.keys(PEOPLE) as Who[]).map(async (who) => {
      const t = await token(PEOPLE[who].role, '*', PEOPLE[who].name, who)
      ctx.tokens[who] = t
      ctx.people[who] = await openPage(ctx.browser!, ctx.srv!.url, mapHash('lobby', t))
    }),
  )
})

Web.after.each(async (ctx) => {
  await Promise.all(ctx.extra.splice(0).map((o) => o.context.close()))
  // A failed test must not leave someone offline for the next one.
  await Promise.all(Object.values(ctx.people).map((o) => o.context.setOffline(false)))
})

Web.after(async (ctx) => {
  await ctx.browser?.close()
  await ctx.srv?.close()
})

/** `who` opens `docId`; their page, with the errors it logged so far. */
async function open(ctx: Ctx, who: Who, docId: string): Promise<OpenPage> {
  const person = ctx.people[who]!
  await visit(person.page, docId, ctx.tokens[who]!)
  return person
}

const cell = (page: Page, key: string) => page.locator(`[data-key="${key}"]`)
const letterIn = (page: Page, key: string, letter: string) => page.locator(`td[data-key="${key}"][data-letter="${letter}"]`).waitFor()
/** Sets a RACI letter as a user does: a click opens the cell's picker, a click on the letter sets it. */
async function pick(page: Page, key: string, letter: string): Promise<void> {
  await cell(page, key).click()
  await page.locator(`.picker[data-picker="letter"] [data-letter="${letter}"]`).click()
}
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) })

function noErrors(...pages: OpenPage[]): void {
  assert.equal(pages.flatMap((p) => p.errors.splice(0)), [])
}

Web('two editors edit one map and see each other’s edits and presence', async (ctx) => {
  // editor Ana (page A) ⇄ server ⇄ editor Ben (page B)
  await seedMap(ctx.srv!.server.store, 'duo')
  const a = await open(ctx, 'ana', 'duo')
  const b = await open(ctx, 'ben', 'duo')

  // presence: each sees the other, with the name the server stamped from the token
  await a.page.locator('.presence [data-user="ben"]').waitFor()
  await b.page.locator('.presence [data-user="ana"]').waitFor()

  // a click opens the letter picker; R, then A on a person column; the other page sees the A
  await pick(a.page, 'r:caching/ben', 'R')
  await letterIn(a.page, 'r:caching/ben', 'R')
  await pick(a.page, 'r:caching/ben', 'A')
  await letterIn(b.page, 'r:caching/ben', 'A')

  // and B sees where A is
  await b.page.locator('td[data-key="r:caching/ben"].has-peer .peer-tag[data-peer="ana"]').waitFor()
  assert.is(await b.page.locator('td[data-key="r:caching/ben"] .peer-tag').innerText(), 'Ana Silva')

  // keyboard: B moves with the arrows from its cell and types a letter
  await pick(b.page, 'r:caching/chen', 'R')
  await letterIn(a.page, 'r:caching/chen', 'R')
  await b.page.keyboard.press('ArrowRight')
  await b.page.keyboard.press('ArrowRight')
  const focused = await b.page.evaluate(() => document.activeElement?.getAttribute('data-key'))
  assert.is(focused, 'r:caching/@techlead')
  await b.page.keyboard.press('c')
  await letterIn(a.page, 'r:caching/@techlead', 'C')
  await b.page.keyboard.press('Delete')
  await a.page.locator('td[data-key="r:caching/@techlead"][data-letter=""]').waitFor()
  // an A on a role column is refused with a notice, not written
  await b.page.keyboard.press('a')
  await b.page.locator('.notice-toast', { hasText: 'one named person' }).waitFor()
  // screen readers get the whole story of a cell
  assert.match((await cell(a.page, 'r:caching/ben').getAttribute('aria-label')) ?? '', /Ben Okafor, Cache strategy .*: Accountable/)
  await a.page.locator('[data-issues="conflicts"][data-count="0"]').waitFor()

  // what-if: without Ana, the responsibility she is accountable for has nobody; the map is unchanged
  await a.page.locator('input[data-whatif="ana"]').check()
  await a.page.locator('tr[data-row="server-logic"] [data-status="no-accountable"]').waitFor()
  await a.page.locator('th[data-key="person:ana"].away').waitFor()
  assert.match(await a.page.locator('.whatif-result').innerText(), /Domain & business logic\s+OK\s+→\s+No accountable/)
  await b.page.locator('tr[data-row="server-logic"] [data-status="ok"]').waitFor()
  await a.page.locator('.whatif-result button').click()
  await a.page.locator('tr[data-row="server-logic"] [data-status="ok"]').waitFor()

  // the skills heatmap: digits on a focused cell, and the level picker
  await a.page.locator('button[data-tab="skills"]').click()
  await b.page.locator('button[data-tab="skills"]').click()
  await cell(a.page, 's:ben/go').focus()
  await a.page.keyboard.press('4')
  await b.page.locator('td[data-key="s:ben/go"][data-level="4"]').waitFor()
  await cell(b.page, 's:ana/redis').click()
  await b.page.locator('.picker [data-level="3"]').click()
  await a.page.locator('td[data-key="s:ana/redis"][data-level="3"]').waitFor()
  assert.match((await cell(a.page, 's:ana/redis').getAttribute('aria-label')) ?? '', /Ana Silva, Redis: 3 Proficient/)
  await cell(b.page, 's:chen/go').click()
  await b.page.locator('.picker [data-level="na"]').click()
  await a.page.locator('td[data-key="s:chen/go"][data-level="na"]').waitFor()
  // bus factor per skill: redis is now covered by Chen (3) and Ana (3)
  await a.page.locator('tr[data-skill="redis"] [data-status="ok"]').waitFor()
  await a.page.locator('tr[data-skill="go"] [data-status="risk"]').waitFor()
  await shot(a.page, 'heatmap-laptop')
  await a.page.locator('button[data-tab="raci"]').click()
  await shot(a.page, 'raci-laptop')

  // the token travels in the fragment and on the WebSocket only, never in an HTTP request
  const t = new URL(a.page.url()).hash.split('token=')[1]!
  assert.ok(t.length > 20)
  assert.equal(a.requests.filter((u) => u.includes(t)), [])
  noErrors(a, b)
})

Web('an editor adds, renames, reorders and removes responsibilities and manages people', async (ctx) => {
  await seedMap(ctx.srv!.server.store, 'edit')
  const a = await open(ctx, 'ana', 'edit')
  const b = await open(ctx, 'ben', 'edit')
  const titles = (page: Page, area: string) =>
    page.locator('tbody', { has: page.locator(`.area-name:text-is("${area}")`) }).locator('.row-title').allInnerTexts()

  // add
  await a.page.locator('[data-action="add-responsibility"]').click()
  const dialog = a.page.locator('dialog[open]')
  await dialog.locator('input[name=title]').fill('Rate limiting')
  await dialog.locator('input[name=area]').fill('API design')
  await dialog.locator('input[name=criticality][value="3"]').check()
  await dialog.locator('[data-action="save"]').click()
  await b.page.locator('tr[data-row="rate-limiting"]').waitFor()
  assert.equal((await titles(b.page, 'API design')).at(-1), 'Rate limiting')

  // reorder with the keyboard: Alt+↑ on the row title, twice
  await a.page.locator('tr[data-row="rate-limiting"] .row-title').focus()
  await a.page.keyboard.press('Alt+ArrowUp')
  await a.page.waitForFunction(() => document.activeElement?.closest('tr')?.dataset.row === 'rate-limiting')
  await a.page.keyboard.press('Alt+ArrowUp')
  const expected = ['REST resources & OpenAPI contracts', 'Rate limiting', 'GraphQL schema & resolvers', 'gRPC services & protobuf contracts']
  await b.page.waitForFunction(
    (want) => [...document.querySelectorAll('tr[data-row]')].map((tr) => tr.querySelector('.row-title')?.textContent?.trim()).join('|').includes(want.join('|')),
    expected,
  )
  // and back down with the button
  await a.page.locator('tr[data-row="rate-limiting"] .row-title').hover()
  await a.page.getByRole('button', { name: 'Move Rate limiting down' }).click()
  await b.page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('tr[data-row]')].map((tr) => tr.getAttribute('data-row'))
    return rows.indexOf('rate-limiting') === rows.indexOf('api-graphql') + 1
  })

  // rename
  await a.page.locator('tr[data-row="rate-limiting"] .row-title').click()
  await a.page.locator('dialog[open] input[name=title]').fill('Rate limiting & quotas')
  await a.page.locator('dialog[open] [data-action="save"]').click()
  await b.page.locator('tr[data-row="rate-limiting"] .row-title', { hasText: 'Rate limiting & quotas' }).waitFor()

  // remove (two steps)
  await a.page.locator('tr[data-row="rate-limiting"] .row-title').click()
  await a.page.locator('dialog[open] [data-action="remove"]').click()
  await a.page.locator('dialog[open] [data-action="confirm-remove"]').click()
  await b.page.locator('tr[data-row="rate-limiting"]').waitFor({ state: 'detached' })

  // people: add, rename, deactivate
  await a.page.locator('button[data-tab="people"]').click()
  const form = a.page.locator('form.add-person')
  await form.locator('input[name=name]').fill('Dara Novak')
  await form.locator('select[name=role]').selectOption('devops')
  await form.locator('button[type=submit]').click()
  await b.page.locator('th[data-key="person:dara-novak"]').waitFor()
  const row = a.page.locator('tr[data-person="dara-novak"]')
  await row.locator('input[data-field="name"]').fill('Dara Nováková')
  await row.locator('input[data-field="name"]').press('Enter')
  await b.page.locator('th[data-key="person:dara-novak"] .colname', { hasText: 'Dara Nováková' }).waitFor()
  await row.locator('input[data-field="active"]').uncheck()
  await b.page.locator('th[data-key="person:dara-novak"].inactive').waitFor()
  await shot(a.page, 'people-laptop')
  noErrors(a, b)
})

Web('a viewer sees edits arrive and cannot change anything', async (ctx) => {
  // editor ⇄ server → viewer; the viewer's forced write stops at the server
  const srv = ctx.srv!
  await seedMap(srv.server.store, 'watch')
  const editor = await open(ctx, 'ana', 'watch')
  // what the server says to the viewer's provider about its writes (y-protocols auth messages)
  const denials: string[] = []
  const onSocket = (ws: WebSocket): void => {
    ws.on('framereceived', ({ payload }) => {
      const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload
      // [2 = auth][0 = permissionDenied][length][reason]
      if (bytes[0] === 2 && bytes[1] === 0) denials.push(bytes.subarray(3, 3 + bytes[2]!).toString())
    })
  }
  ctx.people.lee!.page.on('websocket', onSocket)
  const viewer = await open(ctx, 'lee', 'watch')
  const v = viewer.page

  // the UI offers no edit
  await v.locator('.map-page[data-readonly="true"]').waitFor()
  for (const selector of ['[data-action]', 'button.row-title', 'input.map-title', '.row-moves', 'form.add-person']) {
    assert.is(await v.locator(selector).count(), 0, `a viewer sees no ${selector}`)
  }
  assert.is(await v.locator('table.raci').getAttribute('aria-readonly'), 'true')
  await cell(v, 'r:caching/ben').click()
  await v.keyboard.press('r')
  await v.locator('button[data-tab="skills"]').click()
  await cell(v, 's:ben/go').click()
  await v.keyboard.press('4')
  assert.is(await v.locator('.picker').count(), 0)
  await v.locator('button[data-tab="people"]').click()
  assert.is(await v.locator('.people input, .people select').count(), 0)
  await v.locator('button[data-tab="raci"]').click()

  // the editor's edits arrive, and flash
  await editor.page.locator('.presence [data-user="lee"]').waitFor()
  await pick(editor.page, 'r:api-graphql/chen', 'R')
  await v.locator('td[data-key="r:api-graphql/chen"][data-letter="R"][data-flash]').waitFor()
  await shot(v, 'viewer-laptop')

  // a write forced from the console is refused by the server, and nobody else ever sees it
  await v.evaluate(() => {
    window.skillmap!.doc.getMap('assignments').set('secure-coding/ben', { letter: 'A', by: 'lead', at: Date.now() })
  })
  // the server refuses it (permissionDenied read-only); the page starts again from the server's copy
  await v.locator('.notice-toast', { hasText: 'view-only' }).waitFor()
  v.off('websocket', onSocket)
  assert.equal(denials, ['read-only'])
  await v.locator('.map-page[data-doc="watch"] .conn[data-status="online"]').waitFor()
  assert.is(await v.evaluate(() => window.skillmap!.doc.getMap('assignments').has('secure-coding/ben')), false)
  assert.is(await v.locator('td[data-key="r:secure-coding/ben"][data-letter="A"]').count(), 0)
  // a later edit reaches the viewer: the server has handled everything the viewer sent before it
  await pick(editor.page, 'r:integrations/ben', 'R')
  await letterIn(v, 'r:integrations/ben', 'R')
  const editorHas = await editor.page.evaluate(() => window.skillmap!.doc.getMap('assignments').has('secure-coding/ben'))
  assert.is(editorHas, false)
  assert.is(await editor.page.locator('td[data-key="r:secure-coding/ben"][data-letter="A"]').count(), 0)
  // a fresh client and the stored log agree
  const fresh = connectYws(srv.wsUrl, 'watch', await token('viewer', 'watch'))
  try {
    await fresh.synced()
    assert.ok(readAssignments(fresh.doc).some((x) => x.responsibility === 'integrations' && x.assignee === 'ben'))
    assert.not.ok(fresh.doc.getMap('assignments').has('secure-coding/ben'))
  } finally {
    fresh.close()
  }
  const stored = new Y.Doc()
  for (const row of (await srv.server.store.load('watch'))!.rows) Y.applyUpdate(stored, row.data)
  assert.not.ok(stored.getMap('assignments').has('secure-coding/ben'))
  assert.ok(stored.getMap('assignments').has('integrations/ben'))
  // and so does a REST export, where this server has one (CONTRACT §6)
  const res = await fetch(`${srv.url}/api/docs/watch/snapshot?format=json`, { headers: { authorization: `Bearer ${ctx.tokens.lee}` } })
  if (res.status !== 404) {
    const snapshot = (await res.json()) as { responsibilities: Array<{ id: string; accountable: string[]; responsible: string[] }> }
    assert.equal(snapshot.responsibilities.find((r) => r.id === 'secure-coding')?.accountable, [])
    assert.ok(snapshot.responsibilities.find((r) => r.id === 'integrations')?.responsible.includes('ben'))
  }
  noErrors(editor, viewer)
})

Web('two editors name different accountables while one is offline: both show the conflict', async (ctx) => {
  await seedMap(ctx.srv!.server.store, 'split')
  const a = await open(ctx, 'ana', 'split')
  const b = await open(ctx, 'ben', 'split')

  await b.context.setOffline(true)
  await b.page.locator('.conn[data-status="offline"]').waitFor()
  await cell(a.page, 'r:performance/ana').focus()
  await a.page.keyboard.press('a')
  await cell(b.page, 'r:performance/ben').focus()
  await b.page.keyboard.press('a')
  await b.page.locator('.conn-kept[data-unsent="1"]').waitFor()
  // each alone sees one accountable
  await a.page.locator('tr[data-row="performance"] [data-status="ok"]').waitFor()
  await b.page.locator('tr[data-row="performance"] [data-status="ok"]').waitFor()

  await b.context.setOffline(false)
  await b.page.locator('.conn[data-status="online"]').waitFor()
  for (const { page } of [a, b]) {
    await page.locator('tr[data-row="performance"].conflict [data-status="multiple-accountable"]').waitFor()
    await page.locator('td[data-key="r:performance/ana"].conflict').waitFor()
    await page.locator('td[data-key="r:performance/ben"].conflict').waitFor()
    await page.locator('[data-issues="conflicts"][data-count="1"]').waitFor()
  }
  await shot(a.page, 'conflict-laptop')
  noErrors(a, b)
})

Web('edits made offline are kept on the device and reach the others on reconnect', async (ctx) => {
  // editor A offline: edits → back online → B sees them; again offline, edits, tab closed → a new tab syncs them
  const srv = ctx.srv!
  await seedMap(srv.server.store, 'away')
  const a = await open(ctx, 'ana', 'away')
  const b = await open(ctx, 'ben', 'away')

  await a.context.setOffline(true)
  await a.page.locator('.conn[data-status="offline"]').waitFor()
  await pick(a.page, 'r:async-jobs/chen', 'R')
  await a.page.locator('button[data-tab="skills"]').click()
  await cell(a.page, 's:chen/kubernetes').focus()
  await a.page.keyboard.press('3')
  await a.page.locator('.conn-kept[data-unsent="2"]').waitFor()
  assert.is(await b.page.locator('td[data-key="r:async-jobs/chen"][data-letter="R"]').count(), 0)
  await a.context.setOffline(false)
  await letterIn(b.page, 'r:async-jobs/chen', 'R')
  await b.page.locator('button[data-tab="skills"]').click()
  await b.page.locator('td[data-key="s:chen/kubernetes"][data-level="3"]').waitFor()

  // offline again; the tab is closed before the network comes back
  await a.context.setOffline(true)
  await a.page.locator('.conn[data-status="offline"]').waitFor()
  await cell(a.page, 's:ana/go').focus()
  await a.page.keyboard.press('2')
  await a.page.locator('button[data-tab="people"]').click()
  await a.page.locator('form.add-person input[name=name]').fill('Eve Offline')
  await a.page.locator('form.add-person button[type=submit]').click()
  await a.page.locator('.conn-kept[data-unsent="2"]').waitFor()
  await a.page.evaluate(() => window.skillmap!.session.flushLocal())
  const hash = new URL(a.page.url()).hash
  await a.page.close()
  await a.context.setOffline(false)
  // Ana opens the map again in a new tab: her kept edits go out, Ben sees them
  const again = { context: a.context, ...(await openIn(a.context, srv.url, hash)) }
  ctx.people.ana = again
  await b.page.locator('td[data-key="s:ana/go"][data-level="2"]').waitFor()
  await b.page.locator('th[data-key="person:eve-offline"]').waitFor()
  noErrors(a, b, again)
})

Web('a phone shows the grid, the heatmap and the viewer mode without breaking the page', async (ctx) => {
  // a real phone context (touch, mobile viewport) for the editor; Lee's laptop page shrunk to a phone
  const srv = ctx.srv!
  await seedMap(srv.server.store, 'phone')
  const a = await openPage(ctx.browser!, srv.url, mapHash('phone', ctx.tokens.ana!), { phone: true })
  ctx.extra.push(a)
  const v = await open(ctx, 'lee', 'phone')
  await v.page.setViewportSize(PHONE)
  try {
    const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    assert.is(await overflow(a.page), 0, 'the page itself never scrolls sideways: the grid does')
    await cell(a.page, 'r:api-rest/ana').tap()
    await a.page.locator('.picker[data-picker="letter"] [data-letter="R"]').tap()
    await letterIn(v.page, 'r:api-rest/ana', 'R')
    await shot(a.page, 'raci-phone')
    await a.page.locator('button[data-tab="skills"]').tap()
    await cell(a.page, 's:ben/redis').tap()
    await a.page.locator('.picker [data-level="2"]').tap()
    await v.page.locator('button[data-tab="skills"]').click()
    await v.page.locator('td[data-key="s:ben/redis"][data-level="2"]').waitFor()
    await shot(a.page, 'heatmap-phone')
    await a.page.locator('.insights-toggle').tap()
    await a.page.locator('#insights .coverage').waitFor()
    await shot(a.page, 'insights-phone')
    await v.page.locator('button[data-tab="raci"]').click()
    await shot(v.page, 'viewer-phone')
    assert.is(await overflow(v.page), 0)
    noErrors(a, v)
  } finally {
    await v.page.setViewportSize(LAPTOP)
  }
})

Web('the start page lists maps and creates one from a template', async (ctx) => {
  const srv = ctx.srv!
  const probe = await fetch(`${srv.url}/api/docs`, { headers: { authorization: `Bearer ${await token('editor')}` } })
  if (probe.status === 404) {
    // SKIPPED until the REST API (CONTRACT §6: GET/POST /api/docs) is on this branch.
    console.log('  (skipped: the start-page test needs GET/POST /api/docs, which this server does not serve yet)')
    return
  }
  await seedMap(srv.server.store, 'listed')
  const t = await token('editor', '*', 'Ana Silva', 'ana')
  const start = await openPage(ctx.browser!, srv.url, `#/?token=${t}`, { status: null })
  ctx.extra.push(start)
  await start.page.locator('.doc-list a[data-doc="listed"]').waitFor()
  await shot(start.page, 'start-laptop')
  const form = start.page.locator('form.create-map')
  await form.locator('input[name=title]').fill('Payments backend')
  await form.locator('input[name=id]').fill('payments')
  await form.locator('button[type=submit]').click()
  await start.page.locator('.conn[data-status="online"]').waitFor()
  assert.match(start.page.url(), /#\/d\/payments\?token=/)
  await start.page.locator('tr[data-row="api-rest"]').waitFor()
  noErrors(start)
})

Web.run()
