import type { Percentiles } from './types.js'

// Log-scale buckets, 1 % wide, from 1 µs to ~100 s: a saturation step can record millions of
// samples, and percentiles within 1 % are all a benchmark on a shared 2-core host can resolve.
const MIN_MS = 0.001
const GROWTH = 1.01
const LOG_GROWTH = Math.log(GROWTH)
const BUCKETS = Math.ceil(Math.log(100_000 / MIN_MS) / LOG_GROWTH) + 1

export class Histogram {
  private readonly counts = new Uint32Array(BUCKETS)
  count = 0
  private sum = 0
  private maxValue = 0

  record(ms: number): void {
    const v = ms < MIN_MS ? MIN_MS : ms
    const i = Math.min(BUCKETS - 1, Math.floor(Math.log(v / MIN_MS) / LOG_GROWTH))
    this.counts[i]!++
    this.count++
    this.sum += ms
    if (ms > this.maxValue) this.maxValue = ms
  }

  reset(): void {
    this.counts.fill(0)
    this.count = 0
    this.sum = 0
    this.maxValue = 0
  }

  /** the upper edge of the bucket holding the q-quantile (never above the largest sample) */
  quantile(q: number): number {
    if (this.count === 0) return NaN
    const rank = Math.max(1, Math.ceil(q * this.count))
    let seen = 0
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!
      if (seen >= rank) return Math.min(this.maxValue, MIN_MS * GROWTH ** (i + 1))
    }
    return this.maxValue
  }

  summary(): Percentiles {
    return {
      count: this.count,
      p50: this.quantile(0.5),
      p95: this.quantile(0.95),
      p99: this.quantile(0.99),
      max: this.count ? this.maxValue : NaN,
      mean: this.count ? this.sum / this.count : NaN,
    }
  }
}
