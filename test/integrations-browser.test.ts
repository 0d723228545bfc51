// The admin's Integrations dialog (issue 14 item 5), end to end: a real server, the real bundle,
// headless Chromium and a real webhook receiver (node:http on 127.0.0.1). An admin adds a webhook,
// sees its secret once, watches a delivery arrive, sees a failing receiver's error and retries it;
// an editor sees no Integrations entry. Every wait is on a selector or a condition.
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import * as assert from 'uvu/assert'
import { buildWeb } from '../scripts/build-web.js'
import { setPersonActive } from '../shared/schema.js'
import { ARTIFACTS, launchChromium, mapHash, openPage, seedMap, type OpenPage } from './helpers/browser.js'
import { connectYws, type YwsClient } from './helpers/clients.js'
import { http } from './helpers/http.js'
import { startReceiver, type Receiver } from './helpers/receiver.js'
import { startServer, token, type TestServer } from './helpers/server.js'
import { suite } from './helpers/suite.js'
import { eventually } from './helpers/wait.js'

interface Ctx {
  srv?: TestServer
  browser?: Browser
  receiver?: Receiver
  opened: OpenPage[]
  clients: YwsClient[]
}

const Integrations = suite<Ctx>('integrations-browser', { opened: [], clients: [] })

Integrations.before(async (ctx) => {
  await buildWeb({ quiet: true })
  ctx.srv = await startServer({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_SCHEDULE: '200ms,400ms' })
  ctx.receiver = await startReceiver()
  ctx.browser = await launchChromium()
})

Integrations.after.each(async (ctx) => {
  ctx.clients.splice(0).forEach((c) => c.close())
  await Promise.all(ctx.opened.splice(0).map((o) => o.context.close()))
})

Integrations.after(async (ctx) => {
  await ctx.browser?.close()
  await ctx.receiver?.stop()
  await ctx.srv?.close()
})

async function open(ctx: Ctx, docId: string, role: 'admin' | 'editor', phone = false): Promise<OpenPage> {
  const opened = await openPage(ctx.browser!, ctx.srv!.url, mapHash(docId, await token(role, docId, `A ${role}`, `${role}-${docId}`)), { phone })
  ctx.opened.push(opened)
  return opened
}

/** A teammate on a stock y-websocket client deactivates `person`; resolves once the server committed it. */
async function deactivate(ctx: Ctx, docId: string, person: string): Promise<void> {
  const client = connectYws(ctx.srv!.wsUrl, docId, await token('editor', docId, 'Teammate', 'teammate'))
  ctx.clients.push(client)
  await client.synced()
  const store = ctx.srv!.server.store
  const before = await store.lastSeq(docId)
  client.doc.transact(() => setPersonActive(client.doc, person, false))
  await eventually(async () => (await store.lastSeq(docId)) > before, { what: `${docId} past seq ${before}` })
}

const dialog = (page: Page) => page.locator('dialog[data-integrations]')
async function openDialog(page: Page): Promise<void> {
  await page.locator('button[data-action="integrations"]').click()
  await dialog(page).waitFor()
  await dialog(page).locator('[data-no-endpoints], .endpoints').first().waitFor()
}
async function addWebhook(page: Page, url: string): Promise<void> {
  const d = dialog(page)
  await d.locator('input[name="url"]').fill(url)
  await d.locator('button[data-action="add-webhook"]').click()
}
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) })
const overflow = (page: Page) => page.evaluate(() => document.querySelector('dialog[data-integrations]')!.scrollWidth - document.querySelector('dialog[data-integrations]')!.clientWidth)

/** No page errors; `expected`: console lines the test caused on purpose (the browser logs a refused fetch). */
function noErrors(pages: OpenPage[], expected: RegExp[] = []): void {
  assert.equal(pages.flatMap((p) => p.errors.splice(0)).filter((e) => !expected.some((x) => x.test(e))), [])
}

Integrations('an admin adds a webhook, sees its secret once, and a deactivation shows as delivered; a refused URL says why inline', async (ctx) => {
  const receiver = ctx.receiver!
  await seedMap(ctx.srv!.server.store, 'hooks-ok')
  const admin = await open(ctx, 'hooks-ok', 'admin')
  const page = admin.page
  await openDialog(page)
  const d = dialog(page)
  // the defaults: risks and deactivations, standard format, this map (no `*` for a map's admin)
  const checked = await d.locator('input[name="events"]:checked').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))
  assert.equal(checked, ['responsibility.risk_changed', 'person.deactivated'])
  assert.equal(await d.locator('select[name="scope"] option').evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value)), ['hooks-ok'])
  assert.is(await d.locator('select[name="format"]').inputValue(), 'standard')

  // the server's SSRF refusal, shown in the form (metadata addresses stay refused even with WEBHOOK_ALLOW_PRIVATE)
  await addWebhook(page, 'http://169.254.169.254/latest')
  const refusal = await d.locator('[data-hook-error]').innerText()
  assert.match(refusal, /169\.254\.169\.254/)
  assert.is(await d.locator('[data-secret]').count(), 0)

  await addWebhook(page, `${receiver.url}/ok`)
  const secret = await d.locator('input[data-secret]').inputValue()
  assert.match(secret, /^whsec_[A-Za-z0-9+/=]{40,}$/)
  assert.match(await d.locator('[data-created]').innerText(), /Shown only now/)
  assert.is(await d.locator('[data-hook-error]').count(), 0, 'the earlier error is gone')
  const endpoint = d.locator('.endpoint')
  await endpoint.waitFor()
  assert.match(await endpoint.locator('.endpoint-url').innerText(), /\/ok$/)
  assert.match(await endpoint.locator('.endpoint-meta').innerText(), /this map · standard · responsibility\.risk_changed, person\.deactivated/)
  await endpoint.locator('[data-no-deliveries]').waitFor()

  // an edit elsewhere: the receiver gets the event, and the open dialog shows it delivered
  await deactivate(ctx, 'hooks-ok', 'ben')
  const got = await receiver.waitFor('/ok', (r) => r.some((x) => x.json?.type === 'person.deactivated'), 'the deactivation at /ok')
  const delivered = endpoint.locator('.delivery[data-event="person.deactivated"][data-status="delivered"]')
  await delivered.waitFor()
  assert.match(await delivered.innerText(), /delivered[\s\S]*1 attempt · delivered/)
  assert.is(await delivered.locator('button[data-action="retry"]').count(), 0, 'nothing to retry in a delivered one')
  assert.ok(got.every((x) => x.signature.startsWith('v1,')))
  await d.locator('input[name="url"]').fill('https://hooks.example.com/skillmap')
  assert.is(await overflow(page), 0, 'nothing wider than the dialog')
  await delivered.scrollIntoViewIfNeeded()
  await shot(page, 'integrations-desktop')

  // closed and opened again: the secret is not shown any more, the endpoint and its delivery are
  await d.locator('button[data-action="close-integrations"]').click()
  await dialog(page).waitFor({ state: 'detached' })
  await openDialog(page)
  await dialog(page).locator('.delivery[data-status="delivered"]').first().waitFor()
  assert.is(await dialog(page).locator('[data-secret]').count(), 0, 'the secret is shown once')

  // delete, confirmed
  await dialog(page).locator('button[data-action="delete"]').click()
  await dialog(page).locator('button[data-action="cancel-delete"]').click()
  assert.is(await dialog(page).locator('.endpoint').count(), 1, 'Keep keeps it')
  await dialog(page).locator('button[data-action="delete"]').click()
  await dialog(page).locator('button[data-action="confirm-delete"]').click()
  await dialog(page).locator('[data-no-endpoints]').waitFor()
  const left = await http(ctx.srv!.url, 'GET', '/api/webhooks', { token: await token('admin', 'hooks-ok') })
  assert.equal(left.json, [], 'deleted on the server')
  noErrors([admin], [/status of 400/])
})

Integrations('a receiver answering 500: the delivery shows its error and fails, and Retry sends it again (phone)', async (ctx) => {
  const receiver = ctx.receiver!
  receiver.answers.set('/down', (_req, res) => res.writeHead(500).end('receiver is down'))
  await seedMap(ctx.srv!.server.store, 'hooks-fail')
  const admin = await open(ctx, 'hooks-fail', 'admin', true)
  const page = admin.page
  await openDialog(page)
  const d = dialog(page)
  await d.locator('input[name="events"][value="responsibility.risk_changed"]').uncheck()
  await addWebhook(page, `${receiver.url}/down`)
  await d.locator('input[data-secret]').waitFor()

  await deactivate(ctx, 'hooks-fail', 'chen')
  // the schedule 200ms,400ms: three attempts, then failed
  await receiver.waitFor('/down', (r) => r.length >= 3, 'three attempts at /down')
  const failed = d.locator('.delivery[data-event="person.deactivated"][data-status="failed"]')
  await failed.waitFor()
  assert.match(await failed.locator('[data-last-error]').innerText(), /HTTP 500/)
  assert.match(await failed.innerText(), /3 attempts/)
  assert.is(await overflow(page), 0, 'nothing wider than the dialog on a phone')
  await failed.scrollIntoViewIfNeeded()
  await shot(page, 'integrations-phone')

  // the receiver is back; Retry sends the same message again
  const firstId = receiver.at('/down')[0]!.id
  receiver.answers.delete('/down')
  await failed.locator('button[data-action="retry"]').click()
  const again = await receiver.waitFor('/down', (r) => r.length >= 4, 'the retry at /down')
  assert.is(again[3]!.id, firstId, 'the same webhook-id')
  const delivered = d.locator('.delivery[data-event="person.deactivated"][data-status="delivered"]')
  await delivered.waitFor()
  assert.match(await delivered.innerText(), /4 attempts/)
  assert.is(await delivered.locator('[data-last-error]').count(), 0)
  noErrors([admin])
})

Integrations('an editor sees neither Share nor Integrations', async (ctx) => {
  await seedMap(ctx.srv!.server.store, 'hooks-editor')
  const editor = await open(ctx, 'hooks-editor', 'editor')
  await editor.page.locator('button[data-control="history"]').waitFor()
  assert.is(await editor.page.locator('button[data-action="integrations"]').count(), 0)
  assert.is(await editor.page.locator('button[data-action="share"]').count(), 0)
  noErrors([editor])
})

Integrations.run()
