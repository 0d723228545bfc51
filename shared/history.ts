// What the history routes send (CONTRACT §6a): the one definition the server answers with
// (server/history.ts) and the app reads (public/history.ts). Every author is the one the server
// verified from the token, never a cell's own `by`.
import type { Json } from './diff.js'

export interface Author {
  sub: string
  name: string
}

export interface HistoryChange {
  seq: number
  /** ISO 8601: when the server committed the update */
  at: string
  by: Author
  path: string
  kind: 'set' | 'delete'
  from?: Json
  to?: Json
}

export interface HistoryPage {
  changes: HistoryChange[]
  /** the `after` of the next page; null when this page reaches the end of the log */
  next: number | null
}

export interface Version {
  version: number
  at: string
  by: Author | null
  /** null for an automatic (hourly) version */
  name: string | null
}

/** Who last set one path, and in which update. */
export interface BlameCell {
  path: string
  by: Author
  at: string
  seq: number
}
