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

Config('DATABASE_URL takes postgres:// and postgresql:// URLs and refuses others without repeating them', () => {
  assert.is(loadConfig({}).databaseUrl, undefined)
  assert.is(loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/skillmap' }).databaseUrl, 'postgres://u:p@db:5432/skillmap')
  assert.is(loadConfig({ DATABASE_URL: 'postgresql://db/skillmap' }).databaseUrl, 'postgresql://db/skillmap')
  for (const bad of ['mysql://u:secret@db/skillmap', 'secret@db:5432', 'postgres:///skillmap']) {
    try {
      loadConfig({ DATABASE_URL: bad })
      assert.unreachable(`${bad} should be refused`)
    } catch (err) {
      assert.instance(err, ConfigError)
      const [problem] = (err as ConfigError).problems
      assert.match(problem!, /^DATABASE_URL: expected postgres:\/\//)
      assert.not.match(problem!, /secret/)
    }
  }
})

Config('webhooks: the contract retry schedule, no private targets and links to the listening address by default; bad values named', () => {
  const c = loadConfig({})
  assert.equal(c.webhookRetrySchedule, [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000])
  assert.is(c.webhookAllowPrivate, false)
  assert.is(c.publicUrl, undefined)
  const set = loadConfig({ WEBHOOK_RETRY_SCHEDULE: '200ms,1s', WEBHOOK_ALLOW_PRIVATE: 'true', PUBLIC_URL: 'https://map.example.com/' })
  assert.equal(set.webhookRetrySchedule, [200, 1000])
  assert.is(set.webhookAllowPrivate, true)
  assert.is(set.publicUrl, 'https://map.example.com')
  try {
    loadConfig({ WEBHOOK_RETRY_SCHEDULE: '5s,soon', WEBHOOK_ALLOW_PRIVATE: 'yes', PUBLIC_URL: 'map.example.com' })
    assert.unreachable('should have thrown')
  } catch (err) {
    assert.instance(err, ConfigError)
    const { problems } = err as ConfigError
    assert.ok(problems.some((p) => /^WEBHOOK_RETRY_SCHEDULE: delay 2 of "5s,soon"/.test(p)), problems.join('\n'))
    for (const name of ['WEBHOOK_ALLOW_PRIVATE', 'PUBLIC_URL']) assert.ok(problems.some((p) => p.startsWith(`${name}:`)), name)
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
  // 32 random bytes, kept as base64url text
  assert.is(Buffer.from(first, 'base64url').length, 32)
})

Config('an AUTH_SECRET shorter than 32 bytes is refused, by name', () => {
  assert.throws(() => loadConfig({ AUTH_SECRET: 'a'.repeat(31) }), (err: unknown) => err instanceof ConfigError && err.problems.some((p) => p.startsWith('AUTH_SECRET:')))
  // bytes, not characters: 16 two-byte characters are 32 bytes
  assert.is(loadConfig({ AUTH_SECRET: 'é'.repeat(16) }).authSecret, 'é'.repeat(16))
  assert.is(loadConfig({ AUTH_SECRET: 'a'.repeat(32) }).authSecret, 'a'.repeat(32))
  assert.throws(() => createAuth('a'.repeat(31)), /at least 32 bytes/)
})

Config('AUTH_JWKS_URL, AUTH_ISSUER and AUTH_AUDIENCE come together, with an http(s) URL', () => {
  const idp = { AUTH_JWKS_URL: 'https://idp.example.com/certs', AUTH_ISSUER: 'https://idp.example.com', AUTH_AUDIENCE: 'skillmap' }
  assert.equal(loadConfig(idp).idp, { jwksUrl: idp.AUTH_JWKS_URL, issuer: idp.AUTH_ISSUER, audience: idp.AUTH_AUDIENCE })
  assert.is(loadConfig({}).idp, undefined)
  const problems = (env: Record<string, string>): string[] => {
    try {
      loadConfig(env)
    } catch (err) {
      if (err instanceof ConfigError) return err.problems
      throw err
    }
    return []
  }
  assert.ok(problems({ AUTH_JWKS_URL: idp.AUTH_JWKS_URL }).some((p) => p.startsWith('AUTH_ISSUER:')))
  assert.ok(problems({ AUTH_JWKS_URL: idp.AUTH_JWKS_URL, AUTH_ISSUER: 'x' }).some((p) => p.startsWith('AUTH_AUDIENCE:')))
  assert.ok(problems({ ...idp, AUTH_JWKS_URL: 'file:///etc/passwd' }).some((p) => p.startsWith('AUTH_JWKS_URL:')))
})

Config('the server does not start with a 31-byte AUTH_SECRET', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, PORT: '0', AUTH_SECRET: 'x'.repeat(31), DATA_DIR: tempDir() },
    encoding: 'utf8',
    timeout: 20_000,
  })
  assert.is(run.status, 1)
  assert.match(run.stderr, /AUTH_SECRET: must be at least 32 bytes, got 31/)
  assert.not.match(run.stdout, /skillmap is running/)
})

Config('npm run token prints a token signed with the server secret', async () => {
  const dataDir = tempDir()
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'server/token-cli.ts', '--role', 'viewer', '--doc', 'team-a', '--name', 'Ana', '--ttl', '2h'], {
    env: { ...process.env, DATA_DIR: dataDir, AUTH_SECRET: '' },
    encoding: 'utf8',
    timeout: 20_000,
  })
  assert.is(run.status, 0, run.stderr)
  const claims = await createAuth(loadSecret({ authSecret: undefined, dataDir })).authenticate(run.stdout.trim())
  assert.equal({ ...claims.principal, sub: 'x' }, { sub: 'x', name: 'Ana', role: 'viewer', doc: 'team-a' })
  assert.match(claims.jti ?? '', /^[0-9a-f-]{36}$/)
  assert.is(claims.exp - claims.iat, 2 * 3600)

  const bad = spawnSync(process.execPath, ['--import', 'tsx', 'server/token-cli.ts', '--role', 'boss'], { env: { ...process.env, DATA_DIR: dataDir }, encoding: 'utf8', timeout: 20_000 })
  assert.is(bad.status, 2)
  assert.match(bad.stderr, /--role must be one of/)
})

Config('npm run token refuses a lifetime past 366 days', () => {
  const dataDir = tempDir()
  const cli = (ttl: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'server/token-cli.ts', '--role', 'viewer', '--doc', 'team-a', '--ttl', ttl], {
      env: { ...process.env, DATA_DIR: dataDir, AUTH_SECRET: '' },
      encoding: 'utf8',
      timeout: 20_000,
    })
  const tooLong = cli('99999d')
  assert.is(tooLong.status, 2)
  assert.match(tooLong.stderr, /at most 366d/)
  assert.is(tooLong.stdout, '')
  assert.is(cli('367d').status, 2)
  assert.is(cli('366d').status, 0)
})

Config('tokens in live URLs never reach the logs', () => {
  assert.is(redactToken('/yjs/team-a?token=abc.def.ghi'), '/yjs/team-a?token=[redacted]')
  assert.is(redactToken('/yjs/a?x=1&token=abc&y=2'), '/yjs/a?x=1&token=[redacted]&y=2')
})

Config('ALLOWED_ORIGINS: unset is [], * is any, a list is normalised, anything else is named', () => {
  assert.equal(loadConfig({}).allowedOrigins, [])
  assert.is(loadConfig({ ALLOWED_ORIGINS: '*' }).allowedOrigins, '*')
  assert.equal(loadConfig({ ALLOWED_ORIGINS: 'https://map.example.com, http://LOCALHOST:5173/' }).allowedOrigins, ['https://map.example.com', 'http://localhost:5173'])
  for (const bad of ['map.example.com', 'https://map.example.com/app', 'ftp://x.example', 'https://a.example,*']) {
    assert.throws(() => loadConfig({ ALLOWED_ORIGINS: bad }), (err: ConfigError) => err.problems.some((p) => p.startsWith('ALLOWED_ORIGINS:')), bad)
  }
})

Config('TRUST_PROXY: false by default, true, a hop count or addresses and CIDRs', () => {
  assert.is(loadConfig({}).trustProxy, false)
  assert.is(loadConfig({ TRUST_PROXY: 'true' }).trustProxy, true)
  assert.is(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2)
  assert.equal(loadConfig({ TRUST_PROXY: '10.0.0.0/8, loopback,::1' }).trustProxy, ['10.0.0.0/8', 'loopback', '::1'])
  for (const bad of ['yes', '10.0.0.0/33', 'proxy.example', '1.2.3']) {
    assert.throws(() => loadConfig({ TRUST_PROXY: bad }), (err: ConfigError) => err.problems.some((p) => p.startsWith('TRUST_PROXY:')), bad)
  }
})

Config.run()
