// The document's history as the app reads it (CONTRACT §6a): the REST calls (history pages,
// versions, naming, restore, blame, a version's state), where a change lands on the page (its
// data-key), how a time reads, and the last version this user saw of each map (localStorage).
// Every author here is the one the server verified from the token, never a cell's own `by`.

import type { BlameCell, HistoryChange, HistoryPage, Version } from '../shared/history.js'

export type { Author, BlameCell, HistoryChange, HistoryPage, Version } from '../shared/history.js'

/** What a cell's tooltip says about who last set it. */
export interface BlameNote {
  sub: string
  name: string
  at: string
  seq: number
}

/** The most a history page may hold (server/routes/history.ts HISTORY_LIMIT_MAX). */
export const PAGE_LIMIT = 1000

export interface HistoryApi {
  page(after: number, limit?: number): Promise<HistoryPage>
  versions(): Promise<Version[]>
  nameVersion(name: string): Promise<Version>
  restore(version: number): Promise<{ version: number; restoredFrom: number }>
  blame(): Promise<BlameCell[]>
  /** the document right after `version`, as one Yjs update */
  stateAt(version: number): Promise<Uint8Array>
}

export class HistoryError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message)
  }
}

export function historyApi(docId: string, token: string, fetcher: typeof fetch = (...args) => fetch(...args)): HistoryApi {
  const base = `/api/docs/${encodeURIComponent(docId)}`
  const call = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` }
    if (init.body !== undefined) headers['content-type'] = 'application/json'
    const res = await fetcher(`${base}${path}`, { ...init, headers })
    if (!res.ok) {
      const body = (await res.json().catch(() => null)) as { message?: unknown } | null
      const message = res.status === 403 ? 'This link may not do that.' : typeof body?.message === 'string' && res.status < 500 ? body.message : `The server answered ${res.status}.`
      throw new HistoryError(message, res.status)
    }
    return res
  }
  const json = async <T>(path: string, init?: RequestInit): Promise<T> => (await (await call(path, init)).json()) as T
  return {
    page: (after, limit = PAGE_LIMIT) => json(`/history?after=${after}&limit=${limit}`),
    versions: () => json('/versions'),
    nameVersion: (name) => json('/versions', { method: 'POST', body: JSON.stringify({ name }) }),
    restore: (version) => json('/restore', { method: 'POST', body: JSON.stringify({ version }) }),
    blame: async () => (await json<{ cells: BlameCell[] }>('/blame')).cells,
    stateAt: async (version) => new Uint8Array(await (await call(`/snapshot?version=${version}&format=yjs`)).arrayBuffer()),
  }
}

/**
 * The changes of the updates in (`after`, `upTo`] (`upTo` undefined: to the end), oldest first,
 * page by page with `next`.
 */
export async function changesBetween(api: HistoryApi, after: number, upTo?: number): Promise<HistoryChange[]> {
  const out: HistoryChange[] = []
  let cursor: number | null = after
  while (cursor !== null) {
    const page: HistoryPage = await api.page(cursor)
    for (const change of page.changes) {
      if (upTo !== undefined && change.seq > upTo) return out
      out.push(change)
    }
    // A page never ends inside an update, so `next` is always past what was read.
    cursor = page.next !== null && page.next > cursor ? page.next : null
  }
  return out
}

/**
 * The data-key of the element a change is about, as the views set them: a RACI cell, a heatmap
 * cell, a row, a person, a skill, a role column, the title.
 */
export function pathKey(path: string): string | null {
  const slash = path.indexOf('/')
  const root = path.slice(0, slash)
  const rest = path.slice(slash + 1)
  const id = rest.split('/')[0] ?? ''
  switch (root) {
    case 'assignments':
      return `r:${rest}`
    case 'ratings':
      return `s:${rest}`
    case 'responsibilities':
      return `row:${id}`
    case 'people':
      return `person:${id}`
    case 'skills':
      return `skill:${id}`
    case 'roles':
      return `role:@${id}`
    case 'meta':
      return rest === 'title' ? 'meta:title' : null
    default:
      return null
  }
}

/** Blame by data-key: the cells (letters and levels) only. */
export function blameByKey(cells: readonly BlameCell[]): Map<string, BlameNote> {
  const notes = new Map<string, BlameNote>()
  for (const c of cells) {
    if (!c.path.startsWith('assignments/') && !c.path.startsWith('ratings/')) continue
    const key = pathKey(c.path)
    if (key) notes.set(key, { sub: c.by.sub, name: c.by.name, at: c.at, seq: c.seq })
  }
  return notes
}

const sameDay = (a: Date, b: Date): boolean => a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate()
const two = (n: number): string => String(n).padStart(2, '0')
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** "14:32" (local time). */
export function clock(iso: string): string {
  const d = new Date(iso)
  return `${two(d.getHours())}:${two(d.getMinutes())}`
}

/** "2 Dec", or "2 Dec 2025" in another year. */
export function day(iso: string, now = new Date()): string {
  const d = new Date(iso)
  return `${d.getDate()} ${MONTHS[d.getMonth()]}${d.getFullYear() === now.getFullYear() ? '' : ` ${d.getFullYear()}`}`
}

/** "2 Dec 14:32": always with the day (a tooltip is read out of context). */
export function stamp(iso: string, now = new Date()): string {
  return `${day(iso, now)} ${clock(iso)}`
}

/** "14:32" today, "2 Dec 14:32" before. */
export function when(iso: string, now = new Date()): string {
  return sameDay(new Date(iso), now) ? clock(iso) : stamp(iso, now)
}

/** A cell's tooltip line: "Set by Ana Lee · 2 Dec 14:32". */
export function blameText(note: BlameNote | undefined): string {
  return note ? `Set by ${note.name} · ${stamp(note.at)}` : ''
}

/** The last version of each map this user saw, kept on this device. */
export interface SeenStore {
  get(): number | null
  set(seq: number): void
}

export function seenStore(docId: string, sub: string, storage: Storage | null = safeLocalStorage()): SeenStore {
  const key = `skillmap:seen:${location.host}:${docId}:${sub}`
  return {
    get() {
      const raw = storage?.getItem(key)
      const seq = raw === null || raw === undefined ? NaN : Number(raw)
      return Number.isSafeInteger(seq) && seq >= 0 ? seq : null
    },
    set(seq) {
      try {
        storage?.setItem(key, String(seq))
      } catch {
        // storage full or refused: the next visit just has nothing to highlight
      }
    },
  }
}

function safeLocalStorage(): Storage | null {
  try {
    return window.localStorage
  } catch {
    // a sandboxed frame, or storage switched off
    return null
  }
}
