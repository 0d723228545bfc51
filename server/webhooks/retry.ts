// When a failed delivery is tried again (CONTRACT §6c): after each entry of the schedule in turn,
// then never (failed). Durations use the token TTL grammar (30s, 5m, 2h, 1d), one parser for both,
// plus milliseconds (200ms) for tests that want to see a schedule run out.
import { parseTtl, TtlError } from '../ttl.js'

/** About a day and a half in all, the span Standard Webhooks senders use, front-loaded for blips. */
export const DEFAULT_RETRY_SCHEDULE = '5s,5m,30m,2h,5h,10h,10h'

const MILLISECONDS = /^([1-9][0-9]{0,7})ms$/

export class RetryScheduleError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'RetryScheduleError'
  }
}

/** `5s,5m,30m` → the delays in milliseconds; a clear RetryScheduleError on anything else. */
export function parseRetrySchedule(text: string): number[] {
  const entries = text.split(',').map((entry) => entry.trim())
  if (entries.every((entry) => entry === '')) {
    throw new RetryScheduleError(`expected delays separated by commas, like ${DEFAULT_RETRY_SCHEDULE}, got "${text}"`)
  }
  return entries.map((entry, index) => {
    const ms = MILLISECONDS.exec(entry)
    if (ms !== null) return Number(ms[1])
    try {
      return parseTtl(entry) * 1000
    } catch (err) {
      if (!(err instanceof TtlError)) throw err
      // TtlError speaks of a ttl; here it is one delay of the list.
      throw new RetryScheduleError(`delay ${index + 1} of "${text}" ${err.message.replace(/^ttl /, '')}`)
    }
  })
}

export type NextAttempt = { retryAt: number } | { failed: true }

/**
 * After `attempts` attempts (the one that just failed included) at `now`: when to try again, or
 * failed once the schedule is used up. The first attempt is not in the schedule, so a delivery is
 * tried at most schedule.length + 1 times.
 */
export function nextAttempt(schedule: readonly number[], attempts: number, now: number): NextAttempt {
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError(`attempts must be a whole number from 1, got ${attempts}`)
  const delay = schedule[attempts - 1]
  return delay === undefined ? { failed: true } : { retryAt: now + delay }
}
