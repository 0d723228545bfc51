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
  /** Meta and every log row in order, read in one transaction; undefined if there is no such document. */
  load(id: string): Promise<{ meta: DocMeta; rows: LogRow[] } | undefined>
  /**
   * Appends every request in one transaction (one commit). Per document, seqs are gap-free and in
   * commit order even with several writers on several instances. Every row of a call gets the
   * same commit time. A request without updates stores none (its title and touch still apply)
   * and its result is the seq the next update will get.
   */
  append(requests: AppendRequest[]): Promise<AppendResult[]>
  readSince(id: string, afterSeq: number): Promise<LogRow[]>
  /** The rows after `afterSeq` (default: all) with their authors and commit times, in seq order. */
  readHistory(id: string, afterSeq?: number): Promise<LoggedRow[]>
  lastSeq(id: string): Promise<number>
  rowCount(id: string): Promise<number>
  setTitle(id: string, title: string): Promise<void>
  /** Sets updatedAt to now. */
  touch(id: string): Promise<void>
  /**
   * Adds one row at `upToSeq` holding `state`, which must contain every row up to it (a loaded
   * room's state does), and deletes only the rows it merged (seq ≤ upToSeq). Rows after it stay.
   */
  compact(id: string, upToSeq: number, state: Uint8Array): Promise<void>
  delete(id: string): Promise<boolean>
}
