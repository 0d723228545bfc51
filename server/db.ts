// TEMPORARY: what callers of the synchronous store (server/store.ts) imported from here. It goes
// with server/store.ts once the rooms use the asynchronous store; server/database.ts opens both backends.
export { openSqlite as openDb, type SqliteDb as Db } from './database.js'
