// The browser app connects with tickets (CONTRACT §2 v2, §8): page → POST /api/tokens/ticket (token in
// the Authorization header) → /yjs/<doc>?ticket=…; a fresh ticket on every reconnect; the token never
// in a WebSocket URL.
import path from 'node:path'
import type { Browser, WebSocket } from 'playwright-core'
import { decodeJwt } from 'jose'
import { suite } from './helpers/suite.js'
import * as assert from 'uvu/assert'
import { buildWeb } from '../scripts/build-web.js'
import { ARTIFACTS, LAPTOP, launchChromium, mapHash, openIn, PHONE, seedMap, type OpenPage } from './helpers/browser.js'
import { http } from './helpers/http.js'
import { startServer, token, type TestServer } from './helpers/server.js'

const Web = suite<{ srv?: TestServer; browser?: Browser; pages: OpenPage[] }>('browser tickets', { pages: [] })

Web.before(async (ctx) => {
  await buildWeb({ quiet: true })
  ctx.srv = await startServer()
  ctx.browser = await launchChromium()
  await seedMap(ctx.srv.server.store, 'tickets-map')
})
Web.after.each(async (ctx) => {
  await Promise.all(ctx.pages.splice(0).map((o) => o.context.close()))
})
Web.after(async (ctx) => {
  await ctx.browser?.close()
  await ctx.srv?.close()
})

/** Opens the map in a fresh context, recording every WebSocket its page opens from the first frame on. */
async function openRecorded(ctx: { srv?: TestServer; browser?: Browser; pages: OpenPage[] }, tok: string, phone = false) {
  const sockets: WebSocket[] = []
  const context = await ctx.browser!.newContext(phone ? { viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : { viewport: LAPTOP })
  context.on('page', (p) => p.on('websocket', (ws) => sockets.push(ws)))
  const opened = { context, ...(await openIn(context, ctx.srv!.url, mapHash('tickets-map', tok), null)) }
  ctx.pages.push(opened)
  return { ...opened, sockets }
}

Web('the app opens /yjs with a single-use ticket, never the token, and takes a new ticket to reconnect', async (ctx) => {
  const editor = await token('editor', '*', 'Tess Ticket', 'tess')
  const { page, errors, requests, sockets, context } = await openRecorded(ctx, editor)
  await page.locator('.conn[data-status="online"]').waitFor()

  // the ticket request carried the token in its header; the WebSocket URL holds only a ticket
  const ticketCalls = requests.filter((u) => u.endsWith('/api/tokens/ticket'))
  assert.ok(ticketCalls.length >= 1)
  const urls = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name))
  const all = [...requests, ...urls, ...sockets.map((s) => s.url())]
  for (const url of all) assert.not.ok(url.includes(editor) || url.includes(editor.split('.')[2]!), `token in ${url}`)

  const wsUrls = (): string[] => sockets.map((s) => s.url())
  assert.is(wsUrls().length, 1)
  const first = new URL(wsUrls()[0]!)
  assert.is(first.pathname, '/yjs/tickets-map')
  assert.is(first.searchParams.get('token'), null)
  const ticket = first.searchParams.get('ticket')!
  assert.is(decodeJwt(ticket).sub, 'tess')
  // and it is used up: nobody can replay it from a log
  assert.is((await http(ctx.srv!.url, 'GET', '/api/docs', { token: ticket })).status, 401)

  // offline and back: a new connection with a new ticket
  await context.setOffline(true)
  await page.locator('.conn[data-status="offline"]').waitFor()
  await context.setOffline(false)
  await page.locator('.conn[data-status="online"]').waitFor()
  const tickets = wsUrls().map((u) => new URL(u).searchParams.get('ticket'))
  assert.ok(tickets.length >= 2, `sockets: ${tickets.length}`)
  assert.is(new Set(tickets).size, tickets.length, 'every connection had its own ticket')
  assert.is(errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|net::ERR/.test(e)).length, 0, errors.join('\n'))
  await page.screenshot({ path: path.join(ARTIFACTS, 'tickets-laptop.png') })
})

Web('a revoked link: the ticket request is refused and the app says the link is not valid', async (ctx) => {
  const viewer = await token('viewer', 'tickets-map', 'Rita Revoked', 'rita')
  const admin = await token('admin', '*', 'Root', 'root')
  assert.is((await http(ctx.srv!.url, 'POST', '/api/tokens/revoke', { token: admin, body: { jti: decodeJwt(viewer).jti } })).status, 204)
  const { page, sockets } = await openRecorded(ctx, viewer, true)
  await page.locator('.conn[data-status="closed"]').waitFor()
  const banner = page.locator('.banner.error[data-closed="4401"]')
  await banner.waitFor()
  assert.match(await banner.innerText(), /This link is not valid or has expired/)
  assert.is(sockets.length, 0, 'no WebSocket without a ticket')
  await page.screenshot({ path: path.join(ARTIFACTS, 'tickets-revoked-phone.png') })
})

Web.run()
