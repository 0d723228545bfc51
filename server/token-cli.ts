// `npm run token -- --role editor --doc team-a [--name Ana] [--sub ana] [--ttl 7d]`: prints a token
// signed with the server's secret (AUTH_SECRET, or the one generated in DATA_DIR), with a `jti` and
// an `exp` at most 366 days away (the same rule as POST /api/tokens).
import { parseArgs } from 'node:util'
import { ROLES, type Role } from '../shared/protocol.js'
import { createAuth, loadSecret } from './auth.js'
import { loadConfigOrExit } from './config.js'
import { DEFAULT_TTL, parseTtl, TtlError } from './ttl.js'

const USAGE = 'usage: npm run token -- --role admin|editor|viewer|exporter --doc <docId|*> [--name Ana] [--sub ana] [--ttl 7d (at most 366d)]'

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`)
  process.exit(2)
}

let values
try {
  ;({ values } = parseArgs({
    options: {
      role: { type: 'string' },
      doc: { type: 'string' },
      name: { type: 'string' },
      sub: { type: 'string' },
      ttl: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }))
} catch (err) {
  fail((err as Error).message)
}
if (values.help) {
  console.log(USAGE)
  process.exit(0)
}
const { role, doc, name, sub, ttl = DEFAULT_TTL } = values
if (!ROLES.includes(role as Role)) fail('--role must be one of ' + ROLES.join(', '))
if (doc === undefined || doc === '') fail('--doc is required (a document id, or * for all)')
let seconds: number
try {
  seconds = parseTtl(ttl)
} catch (err) {
  if (!(err instanceof TtlError)) throw err
  fail(`--${err.message}`)
}

const config = loadConfigOrExit(process.env)
const auth = createAuth(loadSecret(config))
console.log(await auth.mint({ role: role as Role, doc, name, sub, ttl: seconds }))
