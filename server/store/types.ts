// The document store's interface, one for both backends (sqlite.ts, postgres.ts). Every call is
// asynchronous: a promise that resolves only once the database has committed (CONTRACT §3c), so
// "commit before relay" means "await the append before anything of the batch leaves the room".
import type { Principal } from '../../shared/protocol.js'

export interface DocMeta {
  id: string
  title: string
  template: string
  createdAt: number
  updatedAt: number
}

export interface LogRow {
  seq: number
  data: Uint8Array
}

/** A log row with what the history needs: who sent it and when it was committed. */
export interface LoggedRow extends LogRow {
  /** none for the server's own updates (seeds) and for merged rows */
  by: Author | undefined
  /** epoch ms of the commit that accepted it; null for rows stored before it was recorded */
  at: number | null
}

export interface Checkpoint {
  seq: number
  state: Uint8Array
  /**
   * The same map without the values it replaced (server/lean-state.ts): decodes many times faster,
   * for reading a version only, never as the document. Absent when it would not save much.
   */
  lean?: Uint8Array
}

/** A version (CONTRACT §6a): the document right after update `seq`. */
export interface StoredVersion {
  seq: number
  /** null for an automatic (hourly) version */
  name: string | null
  /** epoch ms: when the update at `seq` was committed */
  at: number
  /** who named it; for an automatic version, who sent the update at `seq` */
  by: Author | undefined
}

/** Who sent an update, as the server verified it (the token's sub and name); none for the server's own. */
export type Author = Pick<Principal, 'sub' | 'name'>

export interface NewUpdate {
  data: Uint8Array
  by?: Author | undefined
}

export interface AppendRequest {
  docId: string
  updates: NewUpdate[]
  /** a new title for the documents table, committed with the updates */
  title?: string | undefined
  /** also set the document's updatedAt (rooms do it at most once a second: it costs a page write) */
  touch?: boolean
}

/** The seq given to the first update of a request (the others follow it), or null if the document is gone. */
export type AppendResult = number | null

export interface Store {
  get(id: string): Promise<DocMeta | undefined>
  list(): Promise<DocMeta[]>
  /** Creates a document whose log starts with `seed` at seq 1; undefined if the id is taken. */
  create(meta: { id: string; title: string; template: string }, seed: Uint8Array, by?: Author): Promise<DocMeta | undefined>
  /**
   * Meta and the rows that rebuild the document, read in one transaction: the latest checkpoint (as
   * a row at its seq) and every row after it; undefined if there is no such document.
   */
  load(id: string): Promise<{ meta: DocMeta; rows: LogRow[] } | undefined>
  /**
   * Appends every request in one transaction (one commit). Per document, seqs are gap-free and in
   * commit order even with several writers on several instances. Every row of a call gets the
   * same commit time. A request without updates stores none (its title and touch still apply)
   * and its result is the seq the next update will get.
   */
  append(requests: AppendRequest[]): Promise<AppendResult[]>
  readSince(id: string, afterSeq: number): Promise<LogRow[]>
  /** The rows after `afterSeq` (default: all) up to `upToSeq` (default: the last), at most `limit`, with their authors and commit times, in seq order. */
  readHistory(id: string, afterSeq?: number, upToSeq?: number, limit?: number): Promise<LoggedRow[]>
  /** The seq of the oldest row kept (0: none); rows before it were folded into checkpoints. */
  firstSeq(id: string): Promise<number>
  /** The lowest seq of a row committed at or after `at` (epoch ms), or 0; rows from before commit times were recorded count as older. */
  firstSeqCommittedSince(id: string, at: number): Promise<number>
  /** The checkpoint with the highest seq ≤ `seq` (its state: `lean` is not read). */
  checkpointAtOrBefore(id: string, seq: number): Promise<Checkpoint | undefined>
  /** The same checkpoint's seq and lean state only (null when it has none): a version's read without the whole state. */
  leanCheckpointAtOrBefore(id: string, seq: number): Promise<{ seq: number; lean: Uint8Array | null } | undefined>
  /** For each clock hour with an authored row, the last such row: the automatic versions of the kept rows. */
  hourlyVersions(id: string): Promise<StoredVersion[]>
  /** Versions kept in their own table: named ones, and automatic ones whose rows were folded. */
  storedVersions(id: string): Promise<StoredVersion[]>
  /** Names a version (a later name for the same seq replaces it); false if the document is gone. */
  nameVersion(id: string, version: StoredVersion): Promise<boolean>
  lastSeq(id: string): Promise<number>
  rowCount(id: string): Promise<number>
  setTitle(id: string, title: string): Promise<void>
  /** Sets updatedAt to now. */
  touch(id: string): Promise<void>
  /**
   * Stores `state`, which must hold every row up to `seq` and nothing after it (a loaded room's state
   * with nothing uncommitted does), as the checkpoint at `seq`. Deletes nothing: the rows are history.
   */
  checkpoint(id: string, checkpoint: Checkpoint): Promise<void>
  /**
   * Retention (HISTORY_DAYS), in one transaction: stores `checkpoints` and the automatic `versions`
   * whose rows go (a stored name wins), then deletes the rows with seq ≤ `upToSeq`, for which a
   * checkpoint at `upToSeq` must exist or be among `checkpoints`, and the checkpoints before it that
   * hold no version. Rows and checkpoints after `upToSeq` stay, and so does the last row (seqs count
   * on from it): a fold up to it is refused.
   */
  fold(id: string, upToSeq: number, checkpoints: Checkpoint[], versions: StoredVersion[]): Promise<void>
  delete(id: string): Promise<boolean>
}
