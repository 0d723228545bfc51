// The test matrix's database side. By default every test server keeps its documents in the SQLite
// file of its DATA_DIR. With SKILLMAP_TEST_DB=postgres, the servers the helpers start get a
// DATABASE_URL instead: one private PostgreSQL for the whole test process (started on first use,
// stopped by postgres.ts's exit hook), and one database per DATA_DIR, so that what a shared DATA_DIR
// means on SQLite (two instances on one file, a restart that finds its data) holds on PostgreSQL too.
import path from 'node:path'
import pg from 'pg'
import { startPostgres, type TestPostgres } from './postgres.js'

export type TestDb = 'sqlite' | 'postgres'

export const TEST_DB: TestDb = process.env.SKILLMAP_TEST_DB === 'postgres' ? 'postgres' : 'sqlite'
if (process.env.SKILLMAP_TEST_DB !== undefined && process.env.SKILLMAP_TEST_DB !== '' && process.env.SKILLMAP_TEST_DB !== TEST_DB) {
  // A typo would otherwise run the SQLite suite again and call it a PostgreSQL run.
  throw new Error(`SKILLMAP_TEST_DB: expected "sqlite" or "postgres", got "${process.env.SKILLMAP_TEST_DB}"`)
}

let shared: Promise<TestPostgres> | undefined

/** The test process's own PostgreSQL, started on the first call. */
export function sharedPostgres(): Promise<TestPostgres> {
  if (shared === undefined) {
    shared = startPostgres({ detached: true })
    // A failed start is not cached: the next suite tries again (and fails with its own message).
    shared.catch(() => (shared = undefined))
  }
  return shared
}

const databases = new Map<string, Promise<string>>()

/** The URL of the database that belongs to this DATA_DIR on the shared PostgreSQL (created on first use). */
export function databaseFor(dataDir: string): Promise<string> {
  const key = path.resolve(dataDir)
  let url = databases.get(key)
  if (url === undefined) {
    url = sharedPostgres().then((server) => server.createDatabase())
    url.catch(() => databases.delete(key))
    databases.set(key, url)
  }
  return url
}

/**
 * A server's environment with the matrix's database in it: on postgres a DATABASE_URL for its
 * DATA_DIR, unless the test chose one itself (an empty one means: this test wants SQLite).
 */
export async function withDatabase(env: Record<string, string>): Promise<Record<string, string>> {
  if (TEST_DB !== 'postgres' || env.DATABASE_URL !== undefined) return env
  return { ...env, DATABASE_URL: await databaseFor(env.DATA_DIR!) }
}

/** Runs `fn` with a client on the database of this DATA_DIR (PostgreSQL runs only). */
export async function withPgClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}
