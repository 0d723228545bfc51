// How many documents one token may create (CONTRACT §3d v2): one limiter for `POST /api/docs` and
// for joins that create a missing document, so a token cannot flood the database through either.
// Per instance: each instance of a cluster counts its own creations.
import { ErrorCode, type Principal } from '../shared/protocol.js'
import { createBucket, type Bucket } from './bucket.js'
import { AppError } from './errors.js'

export interface CreationLimit {
  /** documents one token subject may create per window, in a burst or spread out */
  max: number
  windowMs: number
}

/**
 * Enough for a person setting up a team's maps or a script importing a few dozen, far below what
 * a runaway or hostile client does (200 joins in a second): 60 documents per minute per subject.
 */
export const DEFAULT_CREATION_LIMIT: CreationLimit = { max: 60, windowMs: 60_000 }

/** Idle subjects are forgotten once this many are tracked: a full bucket is the same as a new one. */
const SWEEP_AT = 10_000

export interface Creations {
  /** Counts one creation by `principal`; throws AppError rate-limited past the limit. */
  take(principal: Pick<Principal, 'sub'>): void
}

export function createCreations(limit: CreationLimit = DEFAULT_CREATION_LIMIT, now: () => number = performance.now.bind(performance)): Creations {
  const buckets = new Map<string, { bucket: Bucket; last: number }>()
  const perSec = (limit.max * 1000) / limit.windowMs
  return {
    take({ sub }) {
      const t = now()
      let entry = buckets.get(sub)
      if (entry === undefined) {
        if (buckets.size >= SWEEP_AT) {
          for (const [key, e] of buckets) if (t - e.last >= limit.windowMs) buckets.delete(key)
        }
        entry = { bucket: createBucket({ perSec, burst: limit.max }, now), last: t }
        buckets.set(sub, entry)
      }
      entry.last = t
      if (!entry.bucket.take()) {
        throw new AppError(ErrorCode.rateLimited, `too many documents created; at most ${limit.max} per ${Math.round(limit.windowMs / 1000)} s`)
      }
    },
  }
}
