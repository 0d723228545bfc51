// The history panel's state and what feeds it (CONTRACT §8 v2): the timeline (newest first, older
// windows on demand), the versions, a read-only preview of one of them, restore and naming, the
// cells changed since this user's last visit, and blame for every cell's tooltip.
//
// REST pages history forwards (`after`, `next`); the newest changes come first here by reading it
// in windows that end at the versions the server lists (named ones, and the last update of every
// hour with edits): the newest window first, then the one before it on "Load older".
//
// Blame and the newest changes are fetched again after edits, once the map has been quiet for a
// moment (never per hover). A cell changed since the last blame shows no author until the next
// one: blame from before the change would name the wrong person.
import * as Y from 'yjs'
import { blameByKey, changesBetween, historyApi, pathKey, seenStore, stamp, type BlameNote, type HistoryApi, type HistoryChange, type Version } from './history.js'
import type { Identity } from './token.js'

/** Quiet time after the last edit before blame and the timeline are fetched again. */
export const REFRESH_QUIET_MS = 1500
/** However busy the map, they are fetched at least this often while edits arrive. */
export const REFRESH_MAX_WAIT_MS = 6000
/** The first view of the timeline holds at least this many changes (when there are). */
const FIRST_VIEW = 30
/** A local edit's blame is asked for again this many times while the server has not got it yet. */
const LOCAL_RETRIES = 3

export type HistorySection = 'changes' | 'versions'

export interface Preview {
  version: Version
  /** the map at that version, once fetched */
  doc: Y.Doc | null
  error: string | null
}

export interface HistoryFilters {
  /** an author's sub, or '' for everyone */
  author: string
  /** a responsibility area, or '' for every change */
  area: string
}

export interface HistoryState {
  open: boolean
  section: HistorySection
  /** loaded changes, oldest first: every change after `lo` */
  changes: HistoryChange[]
  /** the changes before this seq are not loaded yet (0: everything is) */
  lo: number
  /** the newest seq known */
  head: number
  /** the timeline holds every change up to this seq */
  top: number
  /** true once the first window is in */
  loaded: boolean
  loading: boolean
  error: string | null
  versions: Version[] | null
  filters: HistoryFilters
  /** what teammates changed since the user's last visit, until cleared */
  since: { after: number; changes: HistoryChange[] } | null
  preview: Preview | null
  /** the version a restore is being confirmed for */
  confirm: Version | null
  /** a restore or a naming in flight */
  busy: boolean
  /** the last thing that failed in the versions section */
  versionsError: string | null
  /** who last set each cell, by data-key */
  blame: Map<string, BlameNote>
  /** the data-keys of `since`, for the grid */
  sinceKeys: Set<string>
  /** true once this visit is recorded (the next one highlights what comes after it) */
  visited: boolean
}

export interface HistoryOptions {
  docId: string
  token: string
  me: Identity
  doc: Y.Doc
  /** this page's own edits (act, undo, redo) */
  isLocal(origin: unknown): boolean
  repaint(): void
  notify(text: string): void
  /** after every blame fetch (the overwrite notice names the verified author from it) */
  onBlame?(blame: Map<string, BlameNote>): void
  api?: HistoryApi
}

export interface HistoryController {
  readonly state: HistoryState
  /** may restore and name versions (editors and admins) */
  readonly canRestore: boolean
  toggle(open?: boolean): void
  showSection(section: HistorySection): void
  setFilters(filters: Partial<HistoryFilters>): void
  loadOlder(): Promise<void>
  preview(version: Version): Promise<void>
  backToLive(): void
  askRestore(version: Version): void
  cancelRestore(): void
  confirmRestore(): Promise<void>
  nameVersion(name: string): Promise<boolean>
  clearSince(): void
  /** fetch blame and the newest changes again soon (after a reconnect, say) */
  refreshSoon(): void
  /** true once after the panel opened from its button: the page moves focus into it */
  takeFocus(): boolean
  destroy(): void
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err))

export function createHistory(options: HistoryOptions): HistoryController {
  const { docId, token, me, doc, isLocal, repaint, notify, onBlame } = options
  const api = options.api ?? historyApi(docId, token)
  const seen = seenStore(docId, me.id)
  const canRestore = me.role === 'admin' || me.role === 'editor'
  const state: HistoryState = {
    open: false,
    section: 'changes',
    changes: [],
    lo: 0,
    head: 0,
    top: 0,
    loaded: false,
    loading: false,
    error: null,
    versions: null,
    filters: { author: '', area: '' },
    since: null,
    preview: null,
    confirm: null,
    busy: false,
    versionsError: null,
    blame: new Map(),
    sinceKeys: new Set(),
    visited: false,
  }
  // Read before anything this visit learns moves it on.
  const lastVisit = seen.get()
  let destroyed = false
  let focusWanted = false
  const paint = (): void => {
    if (!destroyed) repaint()
  }

  const bumpHead = (seq: number): void => {
    if (seq <= state.head) return
    state.head = seq
    // Seen live is seen: the next visit highlights only what comes after this one.
    seen.set(seq)
  }
  const versionSeqs = (): number[] => [...new Set((state.versions ?? []).map((v) => v.version))].sort((a, b) => b - a)
  /** The nearest version below `seq`: where the window that ends at `seq` starts (0: the beginning). */
  const boundBelow = (seq: number): number => versionSeqs().find((v) => v < seq) ?? 0

  const loadVersions = async (): Promise<void> => {
    const versions = await api.versions()
    state.versions = versions
    for (const v of versions) bumpHead(v.version)
  }

  // ---------------------------------------------------------------- the timeline
  let loadingOlder: Promise<void> | null = null
  const loadFirst = async (): Promise<void> => {
    state.loading = true
    state.error = null
    paint()
    try {
      await loadVersions()
      const bound = boundBelow(state.head)
      const newest = await changesBetween(api, bound)
      state.changes = newest
      state.lo = bound
      state.top = Math.max(bound, newest.at(-1)?.seq ?? 0)
      for (const c of newest) bumpHead(c.seq)
      state.loaded = true
      if (newest.length < FIRST_VIEW) await olderWindows(FIRST_VIEW - newest.length)
    } catch (err) {
      state.error = `The history could not be loaded: ${message(err)}`
    } finally {
      state.loading = false
      paint()
    }
  }
  /** Loads windows before `lo` until at least `wanted` more changes are in (or there are none left). */
  const olderWindows = async (wanted: number): Promise<void> => {
    let got = 0
    while (state.lo > 0 && got < Math.max(1, wanted)) {
      const upTo = state.lo
      const bound = boundBelow(upTo)
      const chunk = await changesBetween(api, bound, upTo)
      state.changes = [...chunk, ...state.changes]
      state.lo = bound
      got += chunk.length
    }
  }
  const loadNewer = async (): Promise<void> => {
    if (!state.loaded) return
    const newer = await changesBetween(api, state.top)
    if (newer.length === 0) return
    state.changes = [...state.changes, ...newer]
    state.top = newer.at(-1)!.seq
    for (const c of newer) bumpHead(c.seq)
  }

  // ---------------------------------------------------------------- blame and refreshes
  const cellRoots = { assignments: doc.getMap('assignments'), ratings: doc.getMap('ratings') }
  interface Dirty {
    gen: number
    local: boolean
    tries: number
  }
  let gen = 0
  const dirty = new Map<string, Dirty>()
  let quiet: ReturnType<typeof setTimeout> | null = null
  let firstPending = 0
  let running: Promise<void> | null = null
  let again = false

  const runRefresh = async (): Promise<void> => {
    if (running) {
      again = true
      return running
    }
    running = (async () => {
      const started = gen
      try {
        const cells = await api.blame()
        const next = blameByKey(cells)
        let retry = false
        for (const [key, d] of dirty) {
          const note = next.get(key)
          // Changed after this blame was asked for: it cannot know the change.
          if (d.gen > started) {
            if (note) next.delete(key)
            retry = true
            continue
          }
          // My own edit the server has not committed yet: it answers with the cell's previous
          // author, which must not show; asked again a few times, then left blank.
          const cell = key.startsWith('r:') ? cellRoots.assignments : cellRoots.ratings
          if (d.local && cell.has(key.slice(2)) && note?.sub !== me.id) {
            next.delete(key)
            if (d.tries++ < LOCAL_RETRIES) {
              retry = true
              continue
            }
          }
          dirty.delete(key)
        }
        state.blame = next
        for (const c of cells) bumpHead(c.seq)
        onBlame?.(next)
        if (state.open || state.versions !== null) await loadVersions()
        if (state.open) await loadNewer()
        if (retry) schedule()
      } catch {
        // Blame is a hint in a tooltip: a failed fetch leaves the tooltips as they were until the next edit.
      } finally {
        running = null
        paint()
        if (again) {
          again = false
          schedule()
        }
      }
    })()
    return running
  }

  const schedule = (delay = REFRESH_QUIET_MS): void => {
    if (destroyed) return
    const now = Date.now()
    if (quiet === null) firstPending = now
    else clearTimeout(quiet)
    const wait = Math.max(0, Math.min(delay, firstPending + REFRESH_MAX_WAIT_MS - now))
    quiet = setTimeout(() => {
      quiet = null
      void runRefresh()
    }, wait)
  }

  const onTransaction = (tr: Y.Transaction): void => {
    if (tr.changed.size === 0) return
    const local = isLocal(tr.origin)
    let cells = false
    for (const [root, prefix] of [
      [cellRoots.assignments, 'r:'],
      [cellRoots.ratings, 's:'],
    ] as const) {
      const keys = tr.changed.get(root as Y.AbstractType<any>)
      if (!keys) continue
      for (const k of keys) {
        if (k === null) continue
        const key = prefix + k
        gen++
        dirty.set(key, { gen, local, tries: 0 })
        state.blame.delete(key)
        cells = true
      }
    }
    if (cells || state.open) schedule()
  }
  doc.on('afterTransaction', onTransaction)

  // ---------------------------------------------------------------- "changed since your last visit"
  const startVisit = async (): Promise<void> => {
    const last = lastVisit
    try {
      await loadVersions()
    } catch {
      return
    }
    if (last === null || last > state.head) {
      // A first visit (or a map made again under the same id): nothing to compare with.
      seen.set(state.head)
      state.visited = true
      paint()
      return
    }
    if (state.head > last) {
      try {
        const changes = (await changesBetween(api, last)).filter((c) => c.by.sub !== me.id)
        for (const c of changes) bumpHead(c.seq)
        if (changes.length > 0 && !destroyed) {
          state.since = { after: last, changes }
          state.sinceKeys = new Set(changes.map((c) => pathKey(c.path)).filter((k): k is string => k !== null))
        }
      } catch {
        // Without the history there is nothing to highlight; the next visit compares from here.
      }
    }
    seen.set(state.head)
    state.visited = true
    paint()
  }

  void runRefresh()
  void startVisit()

  const destroyPreview = (): void => {
    state.preview?.doc?.destroy()
    state.preview = null
  }

  return {
    state,
    canRestore,
    toggle(open = !state.open) {
      state.open = open
      focusWanted = open
      if (open && !state.loaded && !state.loading) void loadFirst()
      else if (open) {
        void loadVersions()
          .then(loadNewer)
          .catch(() => {})
          .finally(paint)
      }
      paint()
    },
    showSection(section) {
      state.section = section
      paint()
    },
    setFilters(filters) {
      state.filters = { ...state.filters, ...filters }
      paint()
    },
    async loadOlder() {
      if (loadingOlder) return loadingOlder
      state.loading = true
      paint()
      loadingOlder = olderWindows(FIRST_VIEW)
        .catch((err: unknown) => {
          state.error = `Older changes could not be loaded: ${message(err)}`
        })
        .finally(() => {
          state.loading = false
          loadingOlder = null
          paint()
        })
      return loadingOlder
    },
    async preview(version) {
      destroyPreview()
      const preview: Preview = { version, doc: null, error: null }
      state.preview = preview
      paint()
      try {
        const bytes = await api.stateAt(version.version)
        if (state.preview !== preview || destroyed) return
        const copy = new Y.Doc()
        Y.applyUpdate(copy, bytes)
        preview.doc = copy
      } catch (err) {
        if (state.preview === preview) preview.error = `This version could not be loaded: ${message(err)}`
      }
      paint()
    },
    backToLive() {
      destroyPreview()
      paint()
    },
    askRestore(version) {
      if (!canRestore) return
      state.confirm = version
      state.versionsError = null
      paint()
    },
    cancelRestore() {
      state.confirm = null
      paint()
    },
    async confirmRestore() {
      const version = state.confirm
      if (!version || !canRestore || state.busy) return
      state.busy = true
      paint()
      try {
        const result = await api.restore(version.version)
        bumpHead(result.version)
        state.confirm = null
        destroyPreview()
        notify(`Restored the version of ${versionLabel(version)}. Restoring the version before it takes this back.`)
        void runRefresh()
      } catch (err) {
        state.versionsError = `The restore failed: ${message(err)}`
        state.confirm = null
      } finally {
        state.busy = false
        paint()
      }
    },
    async nameVersion(name) {
      if (!canRestore || state.busy) return false
      state.busy = true
      state.versionsError = null
      paint()
      try {
        const named = await api.nameVersion(name)
        await loadVersions()
        notify(`Named the current version “${named.name}”.`)
        return true
      } catch (err) {
        state.versionsError = `The version could not be named: ${message(err)}`
        return false
      } finally {
        state.busy = false
        paint()
      }
    },
    clearSince() {
      state.since = null
      state.sinceKeys = new Set()
      paint()
    },
    refreshSoon() {
      schedule()
    },
    takeFocus() {
      const wanted = focusWanted
      focusWanted = false
      return wanted && state.open
    },
    destroy() {
      destroyed = true
      if (quiet) clearTimeout(quiet)
      doc.off('afterTransaction', onTransaction)
      destroyPreview()
    },
  }
}

/** "2 Dec 14:00 (“before the reorg”)": how a version is named in the preview bar and the restore dialog. */
export function versionLabel(version: Version): string {
  const at = stamp(version.at)
  return version.name ? `${at} (“${version.name}”)` : at
}
