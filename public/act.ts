// Every edit this page makes goes through one function: never from a view-only page or a closed
// session, one Yjs transaction per user action, and a thrown error becomes a notice instead of a
// broken page. The transactions carry one origin, which is what Undo (undo.ts) tracks: it undoes
// this user's own edits and nobody else's.
import type * as Y from 'yjs'

export interface Act {
  /** runs `change` as one transaction, labelled for Undo ("Set Ana's letter", …) */
  (label: string, change: () => void): void
  /** the transaction origin of this page's own edits */
  readonly origin: object
  /** called after each action that ran (for an Undo stack's labels) */
  onDone(listener: (label: string) => void): () => void
}

export interface ActOptions {
  mayWrite(): boolean
  onError(message: string): void
}

export function createAct(doc: Y.Doc, { mayWrite, onError }: ActOptions): Act {
  const origin = { local: true }
  const listeners = new Set<(label: string) => void>()
  const act = (label: string, change: () => void): void => {
    if (!mayWrite()) return
    try {
      doc.transact(change, origin)
    } catch (err) {
      onError(err instanceof Error ? err.message : String(err))
      return
    }
    listeners.forEach((fn) => fn(label))
  }
  return Object.assign(act, {
    origin,
    onDone(listener: (label: string) => void) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  })
}
