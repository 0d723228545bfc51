// The document's history (CONTRACT §6a): versions rebuilt from a checkpoint and the rows after it,
// a page of cell- and field-level changes (shared/replay.ts over the kept rows), blame, the version
// list, and what retention (HISTORY_DAYS) folds. Reads only the committed log: the store is the truth.
import * as Y from 'yjs'
import type { Json } from '../shared/diff.js'
import type { BlameCell, HistoryChange, HistoryPage, Version } from '../shared/history.js'
import { replayChanges } from '../shared/replay.js'
import { appliesExactly, leanState, leanStatesWork, withLean } from './lean-state.js'
import type { Author, LoggedRow, Store, StoredVersion } from './store/types.js'

/** Rows read from the database at a time while replaying. */
const BATCH = 500
/**
 * Rows one history page replays at most: a stretch of updates that change nothing the map shows
 * (a cell's level set again to the same value) ends the page early, with `next` after it, instead of
 * replaying the whole log in one request.
 */
const PAGE_SCAN = 2000

export type { HistoryChange, HistoryPage, Version } from '../shared/history.js'
/** Who last set a path (CONTRACT §6a blame). */
export type Blame = BlameCell

const iso = (at: number | null): string => new Date(at ?? 0).toISOString()

/** A point of the log the history can be replayed from: the document right after `seq` (0: before the first row). */
interface Base {
  seq: number
  /** the caller's to destroy */
  doc: Y.Doc
  /** `doc` is a lean read model (server/lean-state.ts): rows go on it only when they apply exactly */
  lean: boolean
}

/**
 * The document right after update `seq` (the caller's to destroy), or undefined when that version
 * is not kept: past the last update, or folded by retention without a checkpoint at it. A log
 * without a checkpoint at or before `seq` starts at its first row: the seed, or (logs from before
 * checkpoints) a merged row holding everything up to its seq.
 *
 * With `lean`, the document may be a read model of the map instead (the checkpoint's lean state and
 * the rows after it, when they apply on it exactly): the same map, read many times faster on a long
 * history, but not the same document: never to be encoded as its state.
 */
export async function docAt(store: Store, docId: string, seq: number, { lean = false } = {}): Promise<Y.Doc | undefined> {
  return (await baseAt(store, docId, seq, lean))?.doc
}

async function baseAt(store: Store, docId: string, seq: number, lean: boolean): Promise<Base | undefined> {
  if (!Number.isSafeInteger(seq) || seq < 1) return undefined
  if (lean && leanStatesWork()) {
    // The lean state alone (a fraction of the state's bytes); the state is read only if it is needed.
    const checkpoint = await store.leanCheckpointAtOrBefore(docId, seq)
    if (checkpoint?.lean != null) {
      const rows = await rowsUpTo(store, docId, checkpoint.seq, seq)
      if (rows === undefined) return undefined
      const doc = rebuild(checkpoint.lean, rows, true)
      // undefined: a concurrent edit after the checkpoint, which only the real document places right
      if (doc !== undefined) return { seq, doc, lean: true }
    }
  }
  const checkpoint = await store.checkpointAtOrBefore(docId, seq)
  const rows = await rowsUpTo(store, docId, checkpoint?.seq, seq)
  if (rows === undefined) return undefined
  return { seq, doc: rebuild(checkpoint?.state, rows, false)!, lean: false }
}

/**
 * A document from `start` (none: empty) and the rows after it, in one transaction (observers and
 * bookkeeping run once, not once per row). On a lean start, undefined as soon as a row would not
 * apply exactly.
 */
function rebuild(start: Uint8Array | undefined, rows: LoggedRow[], lean: boolean): Y.Doc | undefined {
  const doc = new Y.Doc()
  if (start !== undefined) Y.applyUpdate(doc, start)
  let exact = true
  doc.transact(() => {
    for (const row of rows) {
      if (lean && !(exact = appliesExactly(doc, row.data))) return
      Y.applyUpdate(doc, row.data)
    }
  })
  if (exact) return doc
  doc.destroy()
  return undefined
}

/**
 * The rows after the checkpoint at `from` (undefined: there is none, the log starts at its first
 * row) up to `seq`, none missing (seqs are gap-free unless folded); undefined when some are.
 */
async function rowsUpTo(store: Store, docId: string, from: number | undefined, seq: number): Promise<LoggedRow[] | undefined> {
  if (from === seq) return []
  const rows = await store.readHistory(docId, from ?? 0, seq)
  const first = from === undefined ? rows[0]?.seq : from + 1
  if (first === undefined || rows[0]?.seq !== first || rows.at(-1)?.seq !== seq || rows.length !== seq - first + 1) return undefined
  return rows
}

/** docAt's state, encoded (Y.encodeStateAsUpdate): for a restore and for the checkpoints of a fold. */
export async function stateAt(store: Store, docId: string, seq: number): Promise<Uint8Array | undefined> {
  // Never lean: a restore and a fold need the document itself.
  const checkpoint = await store.checkpointAtOrBefore(docId, seq)
  if (checkpoint?.seq === seq) return checkpoint.state
  const doc = await docAt(store, docId, seq)
  if (doc === undefined) return undefined
  try {
    return Y.encodeStateAsUpdate(doc)
  } finally {
    doc.destroy()
  }
}

/** Where the kept history begins at or after `after`: the earliest document the rows after it can be replayed on (lean when it can be). */
async function baseFrom(store: Store, docId: string, after: number): Promise<Base> {
  const first = await store.firstSeq(docId)
  const from = Math.max(after, first - 1)
  if (from === 0) return { seq: 0, doc: new Y.Doc(), lean: false }
  // The log begins with a merged row (written before checkpoints) when there is no version before it: it is the base, not a change.
  return (await baseAt(store, docId, from, true)) ?? (await baseAt(store, docId, first, true)) ?? { seq: first, doc: new Y.Doc(), lean: false }
}

/**
 * Replays the rows after `base` on its document, a batch at a time, handing each authored update's
 * changes to `visit`; stops when `visit` returns false, or after `scan` rows. Rows without an author
 * (logs merged before history was kept, server-made seeds) are replayed but report nothing. After a
 * replay that ran to the end (`done`), the document is the one right after `last`. The first batch
 * reads `first` rows (a page of n changes usually needs n + 1), the others BATCH. A lean base
 * whose next row would not apply exactly is swapped for the real document there (so `base.doc` may
 * change).
 */
async function replay(
  store: Store,
  docId: string,
  base: Base,
  visit: (row: LoggedRow, changes: ReturnType<typeof toChanges>) => boolean,
  scan = Number.POSITIVE_INFINITY,
  first = BATCH,
): Promise<{ last: number; done: boolean }> {
  let after = base.seq
  for (let scanned = 0, batch = first; ; batch = BATCH) {
    if (scanned >= scan) return { last: after, done: false }
    const rows = await store.readHistory(docId, after, undefined, Math.min(batch, scan - scanned))
    if (rows.length === 0) return { last: after, done: true }
    let i = 0
    let exact = true
    // Lazy: each row is checked against the document as the rows before it left it.
    const updates = function* () {
      for (const row of rows) {
        if (base.lean && !(exact = appliesExactly(base.doc, row.data))) return
        yield row.data
      }
    }
    for (const changes of replayChanges(base.doc, updates())) {
      const row = rows[i++]!
      if (row.by !== undefined && !visit(row, toChanges(row, changes))) return { last: after, done: false }
      after = row.seq
    }
    scanned += i
    if (!exact) {
      // The rest of the replay goes on the real document (the map it shows is the same).
      const real = await baseAt(store, docId, after, false)
      if (real === undefined) throw new Error(`history of ${docId}: version ${after} is no longer kept`)
      base.doc.destroy()
      Object.assign(base, real)
    }
  }
}

function toChanges(row: LoggedRow, changes: Iterable<{ path: string; kind: 'set' | 'delete'; from?: Json; to?: Json }>): HistoryChange[] {
  const at = iso(row.at)
  return [...changes].map((c) => ({ seq: row.seq, at, by: row.by!, ...c }))
}

/**
 * The changes of the updates after `after`, whole updates only: a page ends before the update that
 * would take it past `limit` changes (the first update is always included, however many it made).
 */
export async function historyPage(store: Store, docId: string, after: number, limit: number): Promise<HistoryPage> {
  const changes: HistoryChange[] = []
  const base = await baseFrom(store, docId, after)
  let lastIncluded = base.seq
  let end: { last: number; done: boolean }
  try {
    end = await replay(
      store,
      docId,
      base,
      (row, made) => {
        if (changes.length > 0 && changes.length + made.length > limit) return false
        changes.push(...made)
        lastIncluded = row.seq
        return true
      },
      PAGE_SCAN,
      limit + 1,
    )
  } finally {
    base.doc.destroy()
  }
  if (end.done) return { changes, next: null }
  // Stopped by the limit: the next page starts after the last update listed; by the scan bound: after the last one read.
  return { changes, next: Math.max(lastIncluded, end.last) }
}

/** Blame of the documents asked for most recently: the next call replays only the rows since. */
const BLAME_CACHE = 32
const blames = new Map<string, { createdAt: number; seq: number; state: Uint8Array; lean: boolean; last: Map<string, Blame> }>()

/**
 * For every path the kept history set and that still holds a value, the update that last set it.
 * The first call for a document replays its kept history (about a second per 20 000 rows here); the
 * result and the state it reached are kept (lean and encoded: a decoded document costs many times
 * its bytes), so later calls replay only what was committed since. `createdAt` tells a document from an earlier
 * one with the same id.
 */
export async function blame(store: Store, docId: string, createdAt: number): Promise<Blame[]> {
  const cached = blames.get(docId)
  let base: Base
  if (cached?.createdAt === createdAt) {
    const doc = new Y.Doc()
    Y.applyUpdate(doc, cached.state)
    base = { seq: cached.seq, doc, lean: cached.lean }
  } else {
    base = await baseFrom(store, docId, 0)
  }
  // The entry is replaced, not changed in place, so a call that fails halfway leaves the cache as it was.
  const last = new Map(cached?.createdAt === createdAt ? cached.last : [])
  try {
    const end = await replay(store, docId, base, (_row, made) => {
      for (const c of made) {
        if (c.kind === 'delete') last.delete(c.path)
        else last.set(c.path, { path: c.path, by: c.by, at: c.at, seq: c.seq })
      }
      return true
    })
    blames.delete(docId)
    const lean = leanState(base.doc)
    blames.set(docId, { createdAt, seq: end.last, state: lean ?? Y.encodeStateAsUpdate(base.doc), lean: lean !== undefined || base.lean, last })
    if (blames.size > BLAME_CACHE) blames.delete(blames.keys().next().value!)
  } finally {
    base.doc.destroy()
  }
  return [...last.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}

/** Named versions and one per clock hour with edits (its last seq), newest first; a name wins over the hour's entry. */
export async function listVersions(store: Store, docId: string): Promise<Version[]> {
  const bySeq = new Map<number, StoredVersion>()
  for (const v of await store.hourlyVersions(docId)) bySeq.set(v.seq, v)
  for (const v of await store.storedVersions(docId)) if (v.name !== null || !bySeq.has(v.seq)) bySeq.set(v.seq, v)
  return [...bySeq.values()].sort((a, b) => b.seq - a.seq).map((v) => ({ version: v.seq, at: iso(v.at), by: v.by ?? null, name: v.name }))
}

/**
 * Retention: folds the rows committed before `cutoff` (epoch ms) into checkpoints. The fold point is
 * the last row before the cutoff (never the document's last row), so the history after it stays whole; every version at or before it
 * (named, or an hour's last edit) keeps a checkpoint, so it stays readable. Returns the fold point (0: nothing to fold).
 */
export async function foldBefore(store: Store, docId: string, cutoff: number): Promise<number> {
  const newer = await store.firstSeqCommittedSince(docId, cutoff)
  const last = await store.lastSeq(docId)
  // The fold point: the row before the first one committed since the cutoff. The last row always
  // stays: the next seq is counted from it.
  const upTo = Math.min(newer === 0 ? last : newer - 1, last - 1)
  if (upTo < (await store.firstSeq(docId))) return 0
  const versions = (await listVersions(store, docId)).filter((v) => v.version <= upTo)
  const seqs = new Set([upTo, ...versions.map((v) => v.version)])
  const checkpoints = []
  for (const seq of seqs) {
    const state = await stateAt(store, docId, seq)
    if (state !== undefined) checkpoints.push(withLean({ seq, state }))
  }
  if (!checkpoints.some((c) => c.seq === upTo)) return 0
  const automatic = versions.filter((v) => v.name === null).map((v) => ({ seq: v.version, name: null, at: Date.parse(v.at), by: v.by ?? undefined }))
  await store.fold(docId, upTo, checkpoints, automatic)
  return upTo
}
