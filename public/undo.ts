// Undo and redo of this page's own edits (CONTRACT §8 v2). Y.UndoManager tracks only act()'s
// origin, so it never reverts what a teammate did: a cell someone else has set since is left as
// they set it (Yjs refuses to bring back a map value that a remote change replaced), and edits that
// arrive from the server or from this device's IndexedDB are never on the stack.
import * as Y from 'yjs'
import { ROOT_NAMES } from '../shared/vocabulary.js'
import type { Act } from './act.js'

export interface Undo {
  /** the origin of the transactions undo and redo make (their changes flash like remote ones) */
  readonly origin: unknown
  canUndo(): boolean
  canRedo(): boolean
  /** the label of the action the next undo reverts ("Set a letter"), or null */
  undoLabel(): string | null
  redoLabel(): string | null
  undo(): void
  redo(): void
  /** calls `listener` whenever what can be undone or redone changed */
  subscribe(listener: () => void): () => void
  destroy(): void
}

export interface UndoOptions {
  /** false for a closed session: undo would write what the server no longer takes */
  mayWrite(): boolean
}

const LABEL = 'label'

export function createUndo(doc: Y.Doc, act: Act, { mayWrite }: UndoOptions): Undo {
  const manager = new Y.UndoManager(rootMaps(doc), {
    trackedOrigins: new Set([act.origin]),
    // One step is one action, as in a spreadsheet: act() already makes every user action one
    // transaction, so Yjs must not merge two quick actions (two letters typed within its default
    // 500 ms) into one step that a single Ctrl+Z would take back together.
    captureTimeout: 0,
  })
  const listeners = new Set<() => void>()
  const changed = (): void => listeners.forEach((fn) => fn())

  // The label of an action is known once it ran (act's onDone); its step was added meanwhile.
  let unlabelled: Y.UndoManager['undoStack'][number] | null = null
  manager.on('stack-item-added', ({ stackItem, origin }) => {
    // Undoing a step adds its reverse to the redo stack (and redoing, to the undo stack): same label.
    if (origin === manager) stackItem.meta.set(LABEL, manager.currStackItem?.meta.get(LABEL) ?? null)
    else unlabelled = stackItem
    changed()
  })
  manager.on('stack-item-popped', changed)
  manager.on('stack-cleared', changed)
  const stopLabelling = act.onDone((label) => {
    unlabelled?.meta.set(LABEL, label)
    unlabelled = null
  })
  const label = (stack: Y.UndoManager['undoStack']): string | null => (stack.at(-1)?.meta.get(LABEL) as string | null | undefined) ?? null

  return {
    origin: manager,
    canUndo: () => mayWrite() && manager.canUndo(),
    canRedo: () => mayWrite() && manager.canRedo(),
    undoLabel: () => label(manager.undoStack),
    redoLabel: () => label(manager.redoStack),
    undo() {
      if (mayWrite()) manager.undo()
    },
    redo() {
      if (mayWrite()) manager.redo()
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    destroy() {
      stopLabelling()
      listeners.clear()
      manager.destroy()
    },
  }
}

/** Every root map of the document; a root held by another type (any client may write anything) is left out. */
function rootMaps(doc: Y.Doc): Array<Y.Map<unknown>> {
  const maps: Array<Y.Map<unknown>> = []
  for (const name of ROOT_NAMES) {
    try {
      maps.push(doc.getMap<unknown>(name))
    } catch {
      // not undoable, and never written by this app either
    }
  }
  return maps
}

/** Ctrl+Z undoes, Ctrl+Shift+Z and Ctrl+Y redo (⌘ on a Mac); while typing in a field, the field's own undo runs. */
export function undoKey(event: KeyboardEvent): 'undo' | 'redo' | null {
  if (!(event.ctrlKey || event.metaKey) || event.altKey) return null
  const key = event.key.toLowerCase()
  if (key === 'z') return event.shiftKey ? 'redo' : 'undo'
  if (key === 'y' && !event.shiftKey) return 'redo'
  return null
}

const TEXT_INPUTS = new Set(['text', 'search', 'email', 'url', 'tel', 'password', 'number', 'date', 'time', 'datetime-local', 'month', 'week'])

/** True in a text field, a select, an editable element or a modal dialog: there Ctrl+Z is not the map's. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  if (target.closest('dialog[open], textarea, select, [contenteditable]:not([contenteditable="false"])')) return true
  return target instanceof HTMLInputElement && TEXT_INPUTS.has(target.type)
}
