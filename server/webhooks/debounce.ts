// doc.changed at most once per document per interval (CONTRACT §6c: 10 s). The first change after
// a quiet interval goes at once; changes within the interval after it are gathered (the latest
// version, every sub that wrote) into one window due when the interval has passed. Windows are
// plain data, so the worker can keep the open one as an outbox row (see events.ts).
import { docChanged, type EventOf } from './events.js'

/** The contract's spacing: a busy map tells a receiver at most six times a minute that it changed. */
export const DOC_CHANGED_INTERVAL_MS = 10_000

export interface ChangeWindow {
  doc: string
  /** the newest version the window covers */
  version: number
  /** everyone who wrote in it, in the order they first did */
  by: string[]
  /** when it is released: windows of a document are at least the interval apart */
  dueAt: number
}

export interface ChangeDebouncer {
  /** A committed change; returns the window it went into, `opened` when that window is new. */
  record(doc: string, version: number, by: Iterable<string>): { window: ChangeWindow; opened: boolean }
  /** The windows whose time has come, as events (timestamp: their due time), each once. */
  due(): Array<EventOf<'doc.changed'>>
  /** When the next window falls due, for the caller's timer; null when nothing is held. */
  nextDueAt(): number | null
  /** Continues from a window kept elsewhere (the newest doc.changed row after a restart); it counts as released. */
  resume(window: ChangeWindow): void
  /** Drops what is held for a document (deleted: its doc.deleted says the rest). */
  forget(doc: string): void
}

interface DocState {
  /** the newest window, released or not: the next one is due an interval after it */
  last: ChangeWindow
  /** windows not yet handed out by due(), oldest first (more than one only when due() ran late) */
  held: ChangeWindow[]
}

const copy = (window: ChangeWindow): ChangeWindow => ({ ...window, by: [...window.by] })

export function createChangeDebouncer({
  intervalMs = DOC_CHANGED_INTERVAL_MS,
  now = Date.now,
}: { intervalMs?: number; now?: () => number } = {}): ChangeDebouncer {
  const docs = new Map<string, DocState>()

  return {
    record(doc, version, by) {
      const at = now()
      const state = docs.get(doc)
      // Still ahead: this change joins it. Past (released, or due and waiting for due()): a new one.
      if (state && state.last.dueAt > at) {
        const window = state.last
        window.version = Math.max(window.version, version)
        for (const sub of by) if (!window.by.includes(sub)) window.by.push(sub)
        return { window: copy(window), opened: false }
      }
      const window: ChangeWindow = {
        doc,
        version,
        by: [...new Set(by)],
        dueAt: state ? Math.max(at, state.last.dueAt + intervalMs) : at,
      }
      docs.set(doc, { last: window, held: [...(state?.held ?? []), window] })
      return { window: copy(window), opened: true }
    },

    due() {
      const at = now()
      const events: Array<EventOf<'doc.changed'>> = []
      for (const [doc, state] of docs) {
        while (state.held[0] && state.held[0].dueAt <= at) {
          const window = state.held.shift()!
          events.push(docChanged(window.doc, window.version, window.by, window.dueAt))
        }
        // Quiet for a whole interval: its next change goes at once either way, so nothing to keep.
        if (state.held.length === 0 && state.last.dueAt + intervalMs <= at) docs.delete(doc)
      }
      return events.sort((a, b) => a.timestamp.localeCompare(b.timestamp))
    },

    nextDueAt() {
      let next: number | null = null
      for (const state of docs.values()) {
        const first = state.held[0]
        if (first && (next === null || first.dueAt < next)) next = first.dueAt
      }
      return next
    },

    resume(window) {
      const state = docs.get(window.doc)
      if (!state || state.last.dueAt < window.dueAt) docs.set(window.doc, { last: copy(window), held: state?.held ?? [] })
    },

    forget(doc) {
      docs.delete(doc)
    },
  }
}
