// Configuration is read once and every bad variable is named (CONTRACT §1); the token command and
// the generated secret work on a fresh DATA_DIR.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { suite } from './helpers/suite.js'
import * as assert from 'uvu/assert'
import { createAuth, loadSecret } from '../server/auth.js'
import { ConfigError, loadConfig } from '../server/config.js'
import { redactToken } from '../server/app.js'
import { tempDir } from './helpers/server.js'

const Config = suite('config')

Config('defaults follow the contract', () => {
  const c = loadConfig({})
  assert.is(c.port, 3000)
  assert.is(c.host, '127.0.0.1')
  assert.is(c.dataDir, path.resolve('./data'))
  assert.is(c.redisUrl, undefined)
  assert.is(c.sqliteSync, 'normal')
  assert.is(c.maxMessageBytes, 1048576)
  assert.is(c.maxDocBytes, 16777216)
  assert.is(c.rateLimitPerSec, 200)
  assert.is(c.rateLimitBurst, 1000)
  assert.is(c.logLevel, 'info')
  assert.ok(Object.isFrozen(c))
})

Config('every bad variable is reported at once, by name', () => {
  try {
    loadConfig({ PORT: 'eighty', SQLITE_SYNC: 'sometimes', MAX_MESSAGE_BYTES: '-1', LOG_LEVEL: 'loud', REDIS_URL: 'localhost:6379' })
    assert.unreachable('should have thrown')
  } catch (err) {
    assert.instance(err, ConfigError)
    const { problems } = err as ConfigError
    for (const name of ['PORT', 'SQLITE_SYNC', 'MAX_MESSAGE_BYTES', 'LOG_LEVEL', 'REDIS_URL']) {
      assert.ok(problems.some((p) => p.startsWith(`${name}:`)), `${name} is named`)
    }
  }
})

Config('a bad value stops the start with a message naming the variable', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, PORT: '99999', DATA_DIR: tempDir() },
    encoding: 'utf8',
    timeout: 20_000,
  })
  assert.is(run.status, 1)
  assert.match(run.stderr, /PORT: expected an integer/)
})

Config('without AUTH_SECRET a secret is generated once in DATA_DIR with mode 0600', () => {
  const dataDir = tempDir()
  const first = loadSecret({ authSecret: undefined, dataDir })
  const file = path.join(dataDir, 'secret')
  assert.is(fs.statSync(file).mode & 0o777, 0o600)
  assert.is(loadSecret({ authSecret: undefined, dataDir }), first)
  assert.is(loadSecret({ authSecret: 'given', dataDir }), 'given')
})

Config('npm run token prints a token signed with the server secret', async () => {
  const dataDir = tempDir()
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'server/token-cli.ts', '--role', 'viewer', '--doc', 'team-a', '--name', 'Ana', '--ttl', '2h'], {
    env: { ...process.env, DATA_DIR: dataDir, AUTH_SECRET: '' },
    encoding: 'utf8',
    timeout: 20_000,
  })
  assert.is(run.status, 0, run.stderr)
  const principal = await createAuth(loadSecret({ authSecret: undefined, dataDir })).verify(run.stdout.trim())
  assert.equal({ ...principal, sub: 'x' }, { sub: 'x', name: 'Ana', role: 'viewer', doc: 'team-a' })

  const bad = spawnSync(process.execPath, ['--import', 'tsx', 'server/token-cli.ts', '--role', 'boss'], { env: { ...process.env, DATA_DIR: dataDir }, encoding: 'utf8', timeout: 20_000 })
  assert.is(bad.status, 2)
  assert.match(bad.stderr, /--role must be one of/)
})

Config('tokens in live URLs never reach the logs', () => {
  assert.is(redactToken('/yjs/team-a?token=abc.def.ghi'), '/yjs/team-a?token=[redacted]')
  assert.is(redactToken('/yjs/a?x=1&token=abc&y=2'), '/yjs/a?x=1&token=[redacted]&y=2')
})

Config.run()
