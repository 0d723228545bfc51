// Headless Chromium for the browser suite: Debian's chromium driven by playwright-core (never a
// downloaded browser), maps seeded straight into the store, and pages opened on a map link.
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import * as Y from 'yjs'
import type { Store } from '../../server/store/types.js'
import { addPerson, applyTemplate, setAssignment, setRating } from '../../shared/schema.js'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
/** Screenshots land here (git-ignored). */
export const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url))

export const LAPTOP = { width: 1366, height: 800 }
export const PHONE = { width: 390, height: 844 }

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` or set CHROMIUM_PATH`)
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true })
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    timeout: 30_000,
  })
}

export interface OpenPage {
  context: BrowserContext
  page: Page
  /** uncaught page errors and console errors, for a final assertion */
  errors: string[]
  /** every HTTP(S) request URL the page made (WebSockets are not requests) */
  requests: string[]
}

export interface OpenOptions {
  phone?: boolean
  /** wait for this connection status (default: online); null: do not wait */
  status?: string | null
}

/** A fresh browser context (its own storage, its own network switch) with one page on `hash`. */
export async function openPage(browser: Browser, baseUrl: string, hash: string, { phone = false, status = 'online' }: OpenOptions = {}): Promise<OpenPage> {
  const context = await browser.newContext(
    phone ? { viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : { viewport: LAPTOP },
  )
  const opened = await openIn(context, baseUrl, hash, status)
  return { context, ...opened }
}

/** Another page in an existing context (same IndexedDB, same network switch). */
export async function openIn(context: BrowserContext, baseUrl: string, hash: string, status: string | null = 'online'): Promise<Omit<OpenPage, 'context'>> {
  context.setDefaultTimeout(10_000)
  const page = await context.newPage()
  const errors: string[] = []
  const requests: string[] = []
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`))
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`)
  })
  page.on('request', (req) => requests.push(req.url()))
  await page.goto(`${baseUrl}/${hash}`)
  if (status !== null) await page.locator(`.conn[data-status="${status}"]`).waitFor()
  return { page, errors, requests }
}

export function mapHash(docId: string, token: string): string {
  return `#/d/${docId}?token=${token}`
}

/**
 * Opens another map in a page that is already open, as a link on the start page does (a new
 * fragment, no reload), and waits until that map is live.
 */
export async function visit(page: Page, docId: string, token: string): Promise<void> {
  await page.evaluate((hash) => (location.hash = hash), mapHash(docId, token))
  await page.locator(`.map-page[data-doc="${docId}"] .conn[data-status="online"]`).waitFor()
}

/** Creates a map in the store (as POST /api/docs would) from the backend template plus `fill`. */
export async function seedMap(store: Store, id: string, fill: (doc: Y.Doc) => void = withTeam): Promise<void> {
  const doc = new Y.Doc()
  applyTemplate(doc, 'backend', { title: `Map ${id}` })
  fill(doc)
  await store.create({ id, title: `Map ${id}`, template: 'backend' }, Y.encodeStateAsUpdate(doc))
  doc.destroy()
}

/** Ana (tech lead) and Ben and Chen (backend), a few letters and levels: a map people recognise. */
export function withTeam(doc: Y.Doc): void {
  addPerson(doc, { id: 'ana', name: 'Ana Silva', role: 'techlead', team: 'core' })
  addPerson(doc, { id: 'ben', name: 'Ben Okafor', role: 'backend', team: 'core' })
  addPerson(doc, { id: 'chen', name: 'Chen Wei', role: 'backend', team: 'payments' })
  const at = 1_700_000_000_000
  setAssignment(doc, 'server-logic', 'ana', 'A', 'seed', at)
  setAssignment(doc, 'server-logic', 'ben', 'R', 'seed', at)
  setAssignment(doc, 'api-rest', 'ben', 'A', 'seed', at)
  setAssignment(doc, 'api-rest', 'chen', 'R', 'seed', at)
  setAssignment(doc, 'db-schema', 'chen', 'A', 'seed', at)
  setAssignment(doc, 'caching', 'ana', 'C', 'seed', at)
  const levels: Array<[string, string, 0 | 1 | 2 | 3 | 4 | null]> = [
    ['ana', 'nodejs', 4],
    ['ana', 'postgresql', 3],
    ['ana', 'kubernetes', 2],
    ['ben', 'nodejs', 3],
    ['ben', 'go', 2],
    ['ben', 'postgresql', 1],
    ['chen', 'postgresql', 4],
    ['chen', 'redis', 3],
    ['chen', 'php', null],
    ['ben', 'php', 0],
  ]
  for (const [person, skill, level] of levels) setRating(doc, person, skill, level, 'seed', at)
}
