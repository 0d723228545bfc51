// The peer: Hocuspocus 3 with its official SQLite extension, defaults otherwise (debounce 2 s,
// max 10 s), as measured in perf-anchors.md. Its packages live in bench/node_modules only.
// Run as its own process: PORT=… DATA_DIR=… node --import tsx bench/targets/hocuspocus-server.ts
import { join } from 'node:path'

// Imported by name at run time so that the product's typecheck does not need the bench packages.
const serverPackage: string = '@hocuspocus/server'
const sqlitePackage: string = '@hocuspocus/extension-sqlite'

const port = Number(process.env.PORT)
const dataDir = process.env.DATA_DIR
if (!port || !dataDir) throw new Error('PORT and DATA_DIR are required')

const { Server } = await import(serverPackage)
const { SQLite } = await import(sqlitePackage)

const server = new Server({
  port,
  quiet: true,
  extensions: [new SQLite({ database: join(dataDir, 'hocuspocus.sqlite') })],
})

// What Server.listen() does, except that it binds 127.0.0.1 only (listen() passes `address`, which
// Node ignores, and would bind every interface): on a signal, store and unload every document, exit.
const stop = async () => {
  await server.destroy()
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
server.httpServer.listen(port, '127.0.0.1')
