// Per-connection token bucket (CONTRACT §3d): `perSec` messages a second on average, bursts up to `burst`.
export interface Bucket {
  /** Takes one token; false when the connection has sent too much. */
  take(): boolean
}

export function createBucket({ perSec, burst }: { perSec: number; burst: number }, now: () => number = performance.now.bind(performance)): Bucket {
  let tokens = burst
  let last = now()
  return {
    take() {
      const t = now()
      tokens = Math.min(burst, tokens + ((t - last) / 1000) * perSec)
      last = t
      if (tokens < 1) return false
      tokens -= 1
      return true
    },
  }
}
