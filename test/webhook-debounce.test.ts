// doc.changed at most once per document per 10 s (CONTRACT §6c), with every writer named: a
// clock the test moves by hand.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import fc from 'fast-check'
import { createChangeDebouncer, DOC_CHANGED_INTERVAL_MS } from '../server/webhooks/debounce.js'

const T0 = Date.UTC(2026, 11, 1, 10, 0, 0)

function clocked() {
  let now = T0
  const debouncer = createChangeDebouncer({ now: () => now })
  return { debouncer, at: (ms: number) => void (now = T0 + ms) }
}

test('the first change goes at once; the next ones within 10 s wait and go together', () => {
  const { debouncer, at } = clocked()
  assert.is(DOC_CHANGED_INTERVAL_MS, 10_000)
  assert.equal(debouncer.record('team-a', 3, ['ana']), { window: { doc: 'team-a', version: 3, by: ['ana'], dueAt: T0 }, opened: true })
  assert.equal(debouncer.due(), [
    { type: 'doc.changed', timestamp: '2026-12-01T10:00:00.000Z', data: { doc: 'team-a', version: 3, by: ['ana'] } },
  ])
  at(1_000)
  assert.equal(debouncer.record('team-a', 4, ['ben']).opened, true)
  at(2_000)
  assert.equal(debouncer.record('team-a', 6, ['ana', 'ben']), { window: { doc: 'team-a', version: 6, by: ['ben', 'ana'], dueAt: T0 + 10_000 }, opened: false })
  at(9_999)
  assert.equal(debouncer.due(), [])
  assert.is(debouncer.nextDueAt(), T0 + 10_000)
  at(10_000)
  assert.equal(debouncer.due(), [
    { type: 'doc.changed', timestamp: '2026-12-01T10:00:10.000Z', data: { doc: 'team-a', version: 6, by: ['ben', 'ana'] } },
  ])
  assert.equal(debouncer.due(), [], 'each window once')
  assert.is(debouncer.nextDueAt(), null)
})

test('after a quiet spell a change goes at once again', () => {
  const { debouncer, at } = clocked()
  debouncer.record('team-a', 1, ['ana'])
  debouncer.due()
  at(25_000)
  assert.is(debouncer.record('team-a', 2, ['ben']).window.dueAt, T0 + 25_000)
  assert.equal(debouncer.due().map((e) => e.data), [{ doc: 'team-a', version: 2, by: ['ben'] }])
})

test('documents are spaced apart each on its own', () => {
  const { debouncer, at } = clocked()
  debouncer.record('team-a', 1, ['ana'])
  at(3_000)
  debouncer.record('team-b', 1, ['cid'])
  debouncer.record('team-a', 2, ['ana'])
  assert.equal(debouncer.due().map((e) => [e.data.doc, e.data.version]), [
    ['team-a', 1],
    ['team-b', 1],
  ])
  assert.is(debouncer.nextDueAt(), T0 + 10_000)
  at(10_000)
  assert.equal(debouncer.due().map((e) => [e.data.doc, e.data.version]), [['team-a', 2]])
})

test('a window that is due but not yet taken when a change comes stays as it was; the change opens the next', () => {
  const { debouncer, at } = clocked()
  debouncer.record('team-a', 1, ['ana'])
  debouncer.due()
  at(4_000)
  debouncer.record('team-a', 2, ['ben'])
  // the caller's timer runs late: a change at 12 s arrives before due() does
  at(12_000)
  assert.equal(debouncer.record('team-a', 3, ['cid']), { window: { doc: 'team-a', version: 3, by: ['cid'], dueAt: T0 + 20_000 }, opened: true })
  assert.equal(debouncer.due().map((e) => e.data), [{ doc: 'team-a', version: 2, by: ['ben'] }])
  at(20_000)
  assert.equal(debouncer.due().map((e) => e.data), [{ doc: 'team-a', version: 3, by: ['cid'] }])
})

test('resume: a window kept as an outbox row across a restart takes later changes and keeps the spacing', () => {
  const { debouncer, at } = clocked()
  debouncer.resume({ doc: 'team-a', version: 8, by: ['ana'], dueAt: T0 + 5_000 })
  assert.equal(debouncer.record('team-a', 9, ['ben']), { window: { doc: 'team-a', version: 9, by: ['ana', 'ben'], dueAt: T0 + 5_000 }, opened: false })
  at(6_000)
  assert.equal(debouncer.due(), [], 'the resumed window is the outbox row, sent from there')
  assert.equal(debouncer.record('team-a', 10, ['cid']).window.dueAt, T0 + 15_000)
  // an older window does not move the spacing back
  debouncer.resume({ doc: 'team-a', version: 1, by: ['x'], dueAt: T0 - 60_000 })
  at(15_000)
  assert.equal(debouncer.due().map((e) => e.data), [{ doc: 'team-a', version: 10, by: ['cid'] }])
})

test('forget drops what is held for a deleted document', () => {
  const { debouncer, at } = clocked()
  debouncer.record('team-a', 1, ['ana'])
  debouncer.record('team-a', 2, ['ben'])
  debouncer.forget('team-a')
  at(60_000)
  assert.equal(debouncer.due(), [], 'not even the change that was due at once')
  assert.is(debouncer.nextDueAt(), null)
})

test('whatever the pattern of changes: at most one event per 10 s per document, none lost, newest version last', () => {
  const change = fc.record({ gap: fc.integer({ min: 0, max: 15_000 }), doc: fc.constantFrom('a', 'b'), sub: fc.constantFrom('ana', 'ben', 'cid') })
  fc.assert(
    fc.property(fc.array(change, { minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 12_000 }), (changes, pollEvery) => {
      let now = T0
      const debouncer = createChangeDebouncer({ now: () => now })
      const sent: Array<{ doc: string; at: number; version: number; by: string[] }> = []
      const poll = () => sent.push(...debouncer.due().map((e) => ({ ...e.data, at: Date.parse(e.timestamp) })))
      const writers = new Map<string, Set<string>>()
      const last = new Map<string, number>()
      changes.forEach(({ gap, doc, sub }, version) => {
        now += gap
        if (pollEvery > 0 && gap >= pollEvery) poll()
        debouncer.record(doc, version, [sub])
        writers.set(doc, (writers.get(doc) ?? new Set()).add(sub))
        last.set(doc, version)
      })
      now += DOC_CHANGED_INTERVAL_MS
      poll()
      assert.is(debouncer.nextDueAt(), null)
      for (const [doc, subs] of writers) {
        const mine = sent.filter((e) => e.doc === doc)
        for (let i = 1; i < mine.length; i++) assert.ok(mine[i]!.at - mine[i - 1]!.at >= DOC_CHANGED_INTERVAL_MS)
        assert.equal(new Set(mine.flatMap((e) => e.by)), subs)
        assert.is(mine.at(-1)!.version, last.get(doc))
      }
    }),
  )
})

test.run()
