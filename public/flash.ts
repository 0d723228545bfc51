// Changes that arrive from other people flash where they land, so a lead watching the map sees what
// moved. Keys match the `data-key` attributes the views put on cells and headers.
import * as Y from 'yjs'

/** How long a flash stays; the CSS animation has the same length. */
export const FLASH_MS = 1600

/**
 * Calls `onKeys` with the data-keys touched by every transaction that came from `origin` (the
 * provider). The first sync is not news, so nothing flashes before `ready()` holds.
 */
export function watchRemoteChanges(doc: Y.Doc, origin: unknown, ready: () => boolean, onKeys: (keys: Set<string>) => void): () => void {
  // Compared by identity with the types a transaction changed. A root held by another type (any
  // client may write anything) throws on getMap; such a root just never flashes.
  const root = (name: string): Y.AbstractType<any> | undefined => {
    try {
      return doc.getMap(name)
    } catch {
      return undefined
    }
  }
  const roots = {
    assignments: root('assignments'),
    ratings: root('ratings'),
    responsibilities: root('responsibilities'),
    people: root('people'),
    skills: root('skills'),
    meta: root('meta'),
  }
  const listener = (tr: Y.Transaction): void => {
    if (tr.origin !== origin || !ready()) return
    const keys = new Set<string>()
    tr.changed.forEach((changedKeys, type) => {
      const names = [...changedKeys].filter((k): k is string => k !== null)
      if (type === roots.assignments) names.forEach((k) => keys.add(`r:${k}`))
      else if (type === roots.ratings) names.forEach((k) => keys.add(`s:${k}`))
      else if (type === roots.responsibilities) names.forEach((k) => keys.add(`row:${k}`))
      else if (type === roots.people) names.forEach((k) => keys.add(`person:${k}`))
      else if (type === roots.skills) names.forEach((k) => keys.add(`skill:${k}`))
      else if (type === roots.meta) keys.add('meta:title')
      else {
        // A field of one entry (a rename, say): flash the entry's header.
        const parent = type._item?.parent
        const id = type._item?.parentSub
        if (!id) return
        if (parent === roots.responsibilities) keys.add(`row:${id}`)
        else if (parent === roots.people) keys.add(`person:${id}`)
        else if (parent === roots.skills) keys.add(`skill:${id}`)
      }
    })
    if (keys.size > 0) onKeys(keys)
  }
  doc.on('afterTransaction', listener)
  return () => doc.off('afterTransaction', listener)
}

/** Marks every element of `root` whose data-key is in `keys`; the mark (and its animation) goes after FLASH_MS. */
export function flash(root: ParentNode, keys: Iterable<string>): void {
  for (const key of keys) {
    root.querySelectorAll<HTMLElement>(`[data-key="${CSS.escape(key)}"]`).forEach((el) => {
      // Restart the animation when the same cell changes again while it still flashes.
      el.removeAttribute('data-flash')
      void el.offsetWidth
      el.setAttribute('data-flash', '')
      const token = String(Date.now() + Math.random())
      el.dataset.flashToken = token
      setTimeout(() => {
        if (el.dataset.flashToken !== token) return
        el.removeAttribute('data-flash')
        delete el.dataset.flashToken
      }, FLASH_MS)
    })
  }
}

/**
 * Marks (`data-since`) every element of `root` whose data-key is in `keys`, and unmarks the rest:
 * what teammates changed since the user's last visit. Called after every paint, so elements that
 * a render created carry the mark too.
 */
export function markSince(root: ParentNode, keys: ReadonlySet<string>): void {
  root.querySelectorAll<HTMLElement>('[data-since]').forEach((el) => {
    if (!keys.has(el.dataset.key ?? '')) el.removeAttribute('data-since')
  })
  for (const key of keys) {
    root.querySelectorAll<HTMLElement>(`[data-key="${CSS.escape(key)}"]`).forEach((el) => {
      if (!el.hasAttribute('data-since')) el.setAttribute('data-since', '')
    })
  }
}
