// Token lifetimes (CONTRACT §2 v2): one parser for `npm run token -- --ttl` and POST /api/tokens,
// so the CLI cannot mint what REST refuses.

/** A year and a day: a leaked token stops working within that, even if nobody revokes it. */
export const MAX_TTL_SECONDS = 366 * 86_400
export const DEFAULT_TTL = '7d'

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }
const TTL = /^([1-9][0-9]{0,9})([smhdw]?)$/

export class TtlError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'TtlError'
  }
}

/** Seconds of a lifetime given as seconds (3600, '3600') or a number with a unit ('30m', '12h', '7d', '2w'). */
export function parseTtl(ttl: string | number): number {
  const match = TTL.exec(String(ttl).trim())
  if (match === null) throw new TtlError(`ttl must look like 3600, 30m, 12h, 7d or 2w, got "${ttl}"`)
  const seconds = Number(match[1]) * UNIT_SECONDS[match[2] || 's']!
  if (seconds > MAX_TTL_SECONDS) throw new TtlError(`ttl must be at most 366d (${MAX_TTL_SECONDS} s), got "${ttl}"`)
  return seconds
}
