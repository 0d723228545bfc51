// The retry schedule of failed deliveries (CONTRACT §6c): WEBHOOK_RETRY_SCHEDULE, then failed.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { DEFAULT_RETRY_SCHEDULE, nextAttempt, parseRetrySchedule, RetryScheduleError } from '../server/webhooks/retry.js'

const S = 1000
const M = 60 * S
const H = 60 * M

test('the default schedule is the contract one: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h', () => {
  assert.equal(parseRetrySchedule(DEFAULT_RETRY_SCHEDULE), [5 * S, 5 * M, 30 * M, 2 * H, 5 * H, 10 * H, 10 * H])
})

test('short schedules for tests, one delay, spaces and bare seconds', () => {
  assert.equal(parseRetrySchedule('1s,2s,5s'), [1 * S, 2 * S, 5 * S])
  assert.equal(parseRetrySchedule('30m'), [30 * M])
  assert.equal(parseRetrySchedule(' 1s , 1d '), [1 * S, 24 * H])
  assert.equal(parseRetrySchedule('90'), [90 * S])
  assert.equal(parseRetrySchedule('200ms,400ms,1s'), [200, 400, 1 * S])
})

test('bad schedules are refused with a message that names the delay', () => {
  const refused = (text: string, pattern: RegExp) =>
    assert.throws(() => parseRetrySchedule(text), (err: unknown) => err instanceof RetryScheduleError && pattern.test((err as Error).message), text)
  refused('', /expected delays separated by commas, like 5s,5m/)
  refused(' , ', /expected delays separated by commas/)
  refused('5s,,5m', /delay 2 of "5s,,5m" must look like/)
  refused('5s,soon', /delay 2 of "5s,soon" must look like 3600, 30m, 12h, 7d or 2w, got "soon"/)
  refused('1.5s', /delay 1 .* got "1.5s"/)
  refused('-5s', /delay 1/)
  refused('0s', /delay 1/)
  refused('0ms', /delay 1/)
  refused('1.5ms', /delay 1/)
  refused('5 minutes', /delay 1/)
  refused('400d', /delay 1 of "400d" must be at most 366d/)
})

test('each failed attempt waits for the next delay; past the last one the delivery is failed', () => {
  const schedule = parseRetrySchedule('1s,2s,5s')
  const now = 1_700_000_000_000
  assert.equal(nextAttempt(schedule, 1, now), { retryAt: now + 1 * S })
  assert.equal(nextAttempt(schedule, 2, now), { retryAt: now + 2 * S })
  assert.equal(nextAttempt(schedule, 3, now), { retryAt: now + 5 * S })
  assert.equal(nextAttempt(schedule, 4, now), { failed: true })
  assert.equal(nextAttempt(schedule, 9, now), { failed: true })
  // with the default, 8 attempts in all over about a day and a half
  const contract = parseRetrySchedule(DEFAULT_RETRY_SCHEDULE)
  assert.equal(nextAttempt(contract, 7, 0), { retryAt: 10 * H })
  assert.equal(nextAttempt(contract, 8, 0), { failed: true })
  assert.is(contract.reduce((a, b) => a + b, 0), 27 * H + 35 * M + 5 * S)
})

test('attempts counts the attempt that just failed: 0 or a fraction is a caller bug', () => {
  for (const attempts of [0, 1.5, -1]) {
    assert.throws(() => nextAttempt([1000], attempts, 0), (err: unknown) => err instanceof RangeError && /attempts must be/.test((err as Error).message))
  }
})

test.run()
