// The process: the only reader of process.env. Config → server → listen; a graceful close on signals.
import closeWithGrace from 'close-with-grace'
import { createServer, DEMO_DOC } from './app.js'
import { loadConfigOrExit } from './config.js'

/** CONTRACT §1: exit within 10 s of SIGTERM/SIGINT, whatever happens. */
const SHUTDOWN_DEADLINE_MS = 10_000

const config = loadConfigOrExit(process.env)

const server = await createServer(config)
// Registered before the start is announced: whoever saw the URL may send SIGTERM at once.
closeWithGrace({ delay: SHUTDOWN_DEADLINE_MS }, async ({ signal, err }) => {
  if (err) server.app.log.error({ err }, 'fatal error; shutting down')
  else server.app.log.info({ signal }, 'shutting down')
  await server.close()
})
const url = await server.listen()
server.app.log.info({ url }, 'skillmap ready')
// Plain lines for the person who just typed `npm start`. The editor link only on the start that
// seeded `demo` (CONTRACT §1): a token printed on every start would sit in every log collector.
const lines = [`skillmap is running at ${url}`]
if (server.seededDemo) {
  const link = await server.auth.mint({ role: 'editor', doc: DEMO_DOC, name: 'Demo editor', sub: 'demo-editor', ttl: 7 * 86_400 })
  lines.push(`Open the demo map as an editor: ${url}/#/d/${DEMO_DOC}?token=${link}`)
}
lines.push(`Mint tokens with: npm run token -- --role editor --doc ${DEMO_DOC}`)
console.log(`\n${lines.join('\n')}\n`)
