// Token lifetimes (CONTRACT §2 v2): one parser for the CLI and REST, capped at 366 days.
import { suite } from './helpers/suite.js'
import * as assert from 'uvu/assert'
import { MAX_TTL_SECONDS, parseTtl, TtlError } from '../server/ttl.js'

const Ttl = suite('ttl')

Ttl('seconds, or a number with a unit s, m, h, d or w', () => {
  assert.is(parseTtl(90), 90)
  assert.is(parseTtl('90'), 90)
  assert.is(parseTtl('30s'), 30)
  assert.is(parseTtl('30m'), 1800)
  assert.is(parseTtl('12h'), 43_200)
  assert.is(parseTtl('7d'), 604_800)
  assert.is(parseTtl('2w'), 1_209_600)
  assert.is(parseTtl('366d'), MAX_TTL_SECONDS)
})

Ttl('past 366 days, zero, negative or unparseable: a clear error', () => {
  for (const bad of ['367d', '99999d', '53w', MAX_TTL_SECONDS + 1, 0, -5, '0d', '1y', '7 days', '', '1.5h', 'd']) {
    assert.throws(() => parseTtl(bad), (err: unknown) => err instanceof TtlError && /ttl must/.test((err as Error).message), String(bad))
  }
  assert.throws(() => parseTtl('99999d'), /at most 366d/)
})

Ttl.run()
