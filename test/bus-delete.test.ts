// A deleted document's bus message alone closes the other instance's connections: with the sweep (the
// safety net for lost messages) set far beyond the test's timeout, 4410 on B can only come from Redis.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { connectYws } from './helpers/clients.js'
import { http } from './helpers/http.js'
import { startRedis } from './helpers/redis.js'
import { startServer, tempDir, token } from './helpers/server.js'
import { until } from './helpers/wait.js'

const NO_SWEEP = { sweepMs: 10 * 60_000 }

test('a delete on A reaches B through the bus before any sweep could run (4410)', async () => {
  const redis = await startRedis()
  const closers: Array<() => unknown> = [() => redis.stop()]
  try {
    const env = { DATA_DIR: tempDir(), REDIS_URL: redis.url }
    const a = await startServer(env, NO_SWEEP)
    closers.unshift(() => a.close())
    const b = await startServer(env, NO_SWEEP)
    closers.unshift(() => b.close())
    const onB = connectYws(b.wsUrl, 'doomed', await token('editor', 'doomed'))
    closers.unshift(onB.close)
    await onB.synced()
    const res = await http(a.url, 'DELETE', '/api/docs/doomed', { token: await token('admin', '*') })
    assert.is(res.status, 204)
    await until(() => onB.closes.includes(4410), { timeout: 5000, what: 'close 4410 on B, from the bus alone' })
  } finally {
    for (const close of closers) await close()
  }
})

test.run()
