// The process: the only reader of process.env. Config → server → listen; a graceful close on signals.
import closeWithGrace from 'close-with-grace'
import { createServer, DEMO_DOC } from './app.js'
import { ConfigError, loadConfig } from './config.js'

/** CONTRACT §1: exit within 10 s of SIGTERM/SIGINT, whatever happens. */
const SHUTDOWN_DEADLINE_MS = 10_000

let config
try {
  config = loadConfig(process.env)
} catch (err) {
  if (!(err instanceof ConfigError)) throw err
  console.error(err.message)
  process.exit(1)
}

const server = await createServer(config)
const url = await server.listen()
const link = await server.auth.mint({ role: 'editor', doc: DEMO_DOC, name: 'Demo editor', sub: 'demo-editor', ttl: 7 * 86_400 })
server.app.log.info({ url }, 'skillmap ready')
// Plain lines for the person who just typed `npm start`.
console.log(`\nskillmap is running at ${url}\nOpen the demo map as an editor: ${url}/#/d/${DEMO_DOC}?token=${link}\nMint other tokens with: npm run token -- --role viewer --doc ${DEMO_DOC}\n`)

closeWithGrace({ delay: SHUTDOWN_DEADLINE_MS }, async ({ signal, err }) => {
  if (err) server.app.log.error({ err }, 'fatal error; shutting down')
  else server.app.log.info({ signal }, 'shutting down')
  await server.close()
})
