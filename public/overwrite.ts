// Noticing when someone else overwrites (or clears) a cell this user set in the last minute, so
// that a concurrent edit never silently replaces theirs (CONTRACT §8 v2). Cells only: they are
// whole values, and two people writing one converge on one of them.
//
// Who did it comes first from what the page has at once: the cell's `by` (written by the other
// client, so it could be forged), named through presence, whose `user` the server stamps from the
// token; for a cleared cell, which carries no `by`, the one user presence shows on that cell. Once
// blame (CONTRACT §6a) has the change, the server-verified author replaces that guess (map.ts,
// verifyOverwrites); a cleared cell has no blame, so presence stays its only witness.
import type { Awareness } from 'y-protocols/awareness'
import type * as Y from 'yjs'
import { parseAssignmentKey, parseRatingKey, readAssignmentCell, readRatingCell, type Letter, type Level } from '../shared/schema.js'
import { readPeers } from './presence.js'
import type { Identity } from './token.js'

/** A cell you set longer ago than this is no longer "just set": someone changing it is ordinary teamwork. */
export const RECENT_MS = 60_000

export type CellRoot = 'assignments' | 'ratings'

/** A letter for an assignment; a level (null: not applicable) for a rating. */
export type CellValue = Letter | Level | null

export interface Overwrite {
  root: CellRoot
  /** the cell key, `<responsibility>/<assignee>` or `<person>/<skill>` */
  key: string
  /** the value you had set */
  mine: CellValue
  /** what the cell holds now; undefined: cleared */
  theirs: CellValue | undefined
  /** who changed it, or null when the page cannot tell */
  who: { id: string; name: string } | null
}

export interface OverwriteOptions {
  doc: Y.Doc
  me: Identity
  awareness: Awareness
  /** transactions of this page's own edits (act, undo and redo) */
  isLocal(origin: unknown): boolean
  /** the origin of edits from the server (the provider) */
  remote: unknown
  onOverwrite(overwrite: Overwrite): void
  /** a cell was written again without a new overwrite: a notice about it is out of date */
  onChanged(root: CellRoot, key: string): void
  now?: () => number
}

interface Read {
  value: CellValue
  by: string
}

function readCell(root: CellRoot, key: string, raw: unknown): Read | null {
  if (root === 'assignments') {
    const cell = readAssignmentCell(key, raw)
    return cell && { value: cell.letter, by: cell.by }
  }
  const cell = readRatingCell(key, raw)
  return cell && { value: cell.level, by: cell.by }
}

/** The grid's data-key of a cell, which is also what presence says a peer is on. */
export function cellDataKey(root: CellRoot, key: string): string {
  return `${root === 'assignments' ? 'r' : 's'}:${key}`
}

export interface OverwriteWatch {
  /** stop watching this cell (its notice was dismissed: what they wrote stays, and so does the silence) */
  forget(root: CellRoot, key: string): void
  stop(): void
}

export function watchOverwrites(options: OverwriteOptions): OverwriteWatch {
  const { doc, me, awareness, isLocal, remote, onOverwrite, onChanged, now = Date.now } = options
  const roots: Record<CellRoot, Y.Map<unknown>> = { assignments: doc.getMap('assignments'), ratings: doc.getMap('ratings') }
  /** Cells this user set, by `<root>/<key>`: the value and when. */
  const mine = new Map<string, { value: CellValue; at: number }>()

  const stillThere = (root: CellRoot, key: string): boolean => {
    if (root === 'ratings') {
      const parsed = parseRatingKey(key)
      return parsed !== null && doc.getMap('people').has(parsed.person) && doc.getMap('skills').has(parsed.skill)
    }
    const parsed = parseAssignmentKey(key)
    if (!parsed || !doc.getMap('responsibilities').has(parsed.responsibility)) return false
    return doc.getMap(parsed.ref.kind === 'role' ? 'roles' : 'people').has(parsed.ref.id)
  }

  const listener = (tr: Y.Transaction): void => {
    const local = isLocal(tr.origin)
    if (!local && tr.origin !== remote) return
    const time = now()
    for (const [id, entry] of mine) if (time - entry.at > RECENT_MS) mine.delete(id)
    for (const root of ['assignments', 'ratings'] as const) {
      for (const key of tr.changed.get(roots[root] as Y.AbstractType<any>) ?? []) {
        if (key === null) continue
        const id = `${root}/${key}`
        const read = readCell(root, key, roots[root].get(key))
        const had = mine.get(id)
        if (local || read?.by === me.id) {
          // Set by me (here, or in another tab of mine): the value to watch. Anything else I did
          // (a clear, an undo back to a teammate's value) leaves nothing of mine to lose.
          if (read?.by === me.id) mine.set(id, { value: read.value, at: time })
          else mine.delete(id)
          onChanged(root, key)
          continue
        }
        if (!had || (read && read.value === had.value) || !stillThere(root, key)) {
          // Nothing of mine lost: the same letter written again, or the cell went with its row,
          // person, skill or role (a removal, not an overwrite).
          mine.delete(id)
          onChanged(root, key)
          continue
        }
        const who = author(read?.by || null, cellDataKey(root, key))
        // Cleared from another tab of mine: presence shows me on that cell.
        if (who?.id === me.id) {
          mine.delete(id)
          continue
        }
        // Kept: if they change it again, the notice follows with the latest value.
        onOverwrite({ root, key, mine: had.value, theirs: read ? read.value : undefined, who })
      }
    }
  }

  const author = (by: string | null, dataKey: string): Overwrite['who'] => {
    const peers = readPeers(awareness)
    if (by !== null) return { id: by, name: peers.find((p) => p.user.id === by)?.user.name ?? by }
    const there = new Map(peers.filter((p) => p.cell === dataKey).map((p) => [p.user.id, p.user]))
    if (there.size !== 1) return null
    const [user] = there.values()
    return { id: user!.id, name: user!.name }
  }

  doc.on('afterTransaction', listener)
  return {
    forget: (root, key) => mine.delete(`${root}/${key}`),
    stop: () => doc.off('afterTransaction', listener),
  }
}
