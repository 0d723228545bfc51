// Restoring a version (CONTRACT §6a): one forward update that makes a document's content exactly what
// it was, made on a copy so the document itself is untouched. Nothing is rewound: the update is an
// ordinary edit after the others, so history keeps both and restoring the version before it undoes it.
// Entries keep their identity (a person restored is the same Y.Map, its fields set back), so an edit
// a client makes concurrently merges with the restore instead of being thrown away with a replaced map.
import * as Y from 'yjs'
import { ROOT_NAMES } from './vocabulary.js'

/** The update that turns `current`'s content into `target`'s (a state as Y.encodeStateAsUpdate gives it), or null if they are the same. */
export function restoreUpdate(current: Y.Doc, target: Uint8Array): Uint8Array | null {
  const old = new Y.Doc()
  const copy = new Y.Doc()
  try {
    Y.applyUpdate(old, target)
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(current))
    const updates: Uint8Array[] = []
    copy.on('update', (u: Uint8Array) => updates.push(u))
    copy.transact(() => {
      for (const root of ROOT_NAMES) restoreMap(copy.getMap(root), old.getMap(root))
    })
    return updates.length === 0 ? null : Y.mergeUpdates(updates)
  } finally {
    old.destroy()
    copy.destroy()
  }
}

function restoreMap(into: Y.Map<unknown>, from: Y.Map<unknown>): void {
  for (const key of [...into.keys()]) if (!from.has(key)) into.delete(key)
  for (const [key, value] of from.entries()) {
    const now = into.get(key)
    if (value instanceof Y.Map) {
      if (now instanceof Y.Map) restoreMap(now, value)
      else into.set(key, copyOf(value))
    } else if (value instanceof Y.AbstractType) {
      if (!(now instanceof Y.AbstractType) || !sameJson(now.toJSON(), value.toJSON())) into.set(key, copyOf(value))
    } else if (now instanceof Y.AbstractType || !sameJson(now, value)) {
      into.set(key, value)
    }
  }
}

/** Any Yjs type (their type parameter is their event type, which makes them invariant). */
type AnyType = Y.AbstractType<any>

/** A fresh Yjs type with the same content (a type can live in one document only). */
function copyOf(type: AnyType): AnyType {
  return (type as unknown as { clone(): AnyType }).clone()
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}
