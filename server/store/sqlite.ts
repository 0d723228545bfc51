// TEMPORARY adapter: the synchronous SQLite store (../store.ts) behind the asynchronous interface.
// The store helper replaces this file with the real implementation (author columns, migrations).
import type { Db } from '../db.js'
import { createStore } from '../store.js'
import type { Store } from './types.js'

export function createSqliteStore(db: Db, now: () => number = Date.now): Store {
  const s = createStore(db, now)
  return {
    get: async (id) => s.get(id),
    list: async () => s.list(),
    create: async (meta, seed) => s.create(meta, seed),
    load: async (id) => s.load(id),
    append: async (requests) => s.append(requests.map((r) => ({ ...r, updates: r.updates.map((u) => u.data) }))),
    readSince: async (id, after) => s.readSince(id, after),
    lastSeq: async (id) => s.lastSeq(id),
    rowCount: async (id) => s.rowCount(id),
    setTitle: async (id, title) => s.setTitle(id, title),
    touch: async (id) => s.touch(id),
    compact: async (id, upTo, state) => s.compact(id, upTo, state),
    delete: async (id) => s.delete(id),
  }
}
