// `npm run token -- --role editor --doc team-a [--name Ana] [--sub ana] [--ttl 7d]`: prints a token
// signed with the server's secret (AUTH_SECRET, or the one generated in DATA_DIR).
import { parseArgs } from 'node:util'
import { ROLES, type Role } from '../shared/protocol.js'
import { createAuth, loadSecret } from './auth.js'
import { loadConfig } from './config.js'

const USAGE = 'usage: npm run token -- --role admin|editor|viewer|exporter --doc <docId|*> [--name Ana] [--sub ana] [--ttl 7d]'

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`)
  process.exit(2)
}

let values
try {
  ;({ values } = parseArgs({
    options: { role: { type: 'string' }, doc: { type: 'string' }, name: { type: 'string' }, sub: { type: 'string' }, ttl: { type: 'string' } },
  }))
} catch (err) {
  fail((err as Error).message)
}
const { role, doc, name, sub, ttl = '7d' } = values
if (!ROLES.includes(role as Role)) fail('--role must be one of ' + ROLES.join(', '))
if (doc === undefined || doc === '') fail('--doc is required (a document id, or * for all)')
if (!/^\d+[smhdw]?$/.test(ttl)) fail('--ttl must look like 3600, 30m, 12h, 7d or 2w')

const config = loadConfig(process.env)
const auth = createAuth(loadSecret(config))
const token = await auth.mint({ role: role as Role, doc, name, sub, ttl: /^\d+$/.test(ttl) ? Number(ttl) : ttl })
console.log(token)
