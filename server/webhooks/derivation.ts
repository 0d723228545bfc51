// Events from the committed log (CONTRACT §6c): one pass over a document reads the rows after its
// cursor up to the head, compares the map before and after (events.ts deriveEvents), and writes
// the events' outbox rows with the new cursor in one transaction (store.ts commitPass). An
// instance that dies before that commit leaves the cursor where it was, and whoever passes next
// derives the same events from it; one that dies after it leaves them in the outbox. Passes of one
// document on several instances are told apart by the cursor: the second finds it moved and
// writes nothing. Reads only the store, never a live room (whose state may hold updates that are
// not committed yet).
import * as Y from 'yjs'
import { readMap } from '../../shared/read.js'
import { stateAt } from '../history.js'
import type { Store } from '../store/types.js'
import { deriveEvents, mapState, type MapState } from './events.js'
import { planPass } from './outbox.js'
import type { Endpoint, WebhookStore } from './store.js'

/** Maps kept between passes (their state at the cursor), so a busy map's next pass needs no replay from a checkpoint. */
const STATES_KEPT = 64
/** Rows applied between two turns of the event loop. */
const APPLY_SLICE = 200
/** Rows one pass reads and analyses at most (a map that was busy while nobody passed catches up in steps). */
const PASS_ROWS = 2000

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

export interface DerivationDeps {
  store: Store
  webhooks: WebhookStore
  /** The endpoints a pass's transaction read: fresher than any cache. */
  sawEndpoints(endpoints: Endpoint[]): void
  /** Where the app is served (links in message bodies). */
  appUrl(): string
  log: { warn(obj: object, msg: string): void }
  now?: () => number
}

/**
 * `wrote`: outbox rows were written (the worker has something to do); `again`: the cursor moved
 * under the pass (another pass or instance wrote it), pass again to see what is left; `more`: the
 * pass went PASS_ROWS rows and wrote what they raised, the rest is for the next one.
 */
export type PassResult = 'done' | 'wrote' | 'again' | 'more'

interface Kept {
  /** the document's creation time: a map deleted and made again under the same id is another map */
  createdAt: number
  seq: number
  /** the map's whole state at `seq` (Y.encodeStateAsUpdate) */
  update: Uint8Array
  state: MapState
}

export interface Derivation {
  pass(doc: string): Promise<PassResult>
}

export function createDerivation({ store, webhooks, sawEndpoints, appUrl, log, now = Date.now }: DerivationDeps): Derivation {
  const kept = new Map<string, Kept>()

  const keep = (doc: string, entry: Kept): void => {
    kept.delete(doc)
    kept.set(doc, entry)
    if (kept.size > STATES_KEPT) kept.delete(kept.keys().next().value!)
  }

  /** The map at `seq`: kept from the last pass, else rebuilt from the log; undefined when that version is not kept (folded). */
  async function stateOf(doc: string, createdAt: number, seq: number): Promise<Kept | undefined> {
    const last = kept.get(doc)
    if (last?.seq === seq && last.createdAt === createdAt) return last
    const update = await stateAt(store, doc, seq)
    if (update === undefined) return undefined
    const ydoc = new Y.Doc()
    try {
      Y.applyUpdate(ydoc, update)
      return { createdAt, seq, update, state: mapState(readMap(ydoc)) }
    } finally {
      ydoc.destroy()
    }
  }

  /** The cursor jumps to `head` with no events: what lay between cannot be compared any more. */
  const skip = (doc: string, from: number, head: number, window: Parameters<typeof planPass>[0]['window']) =>
    webhooks.commitPass(doc, from, head, now(), () => ({ deliveries: [], rewrites: [], window }))

  return {
    async pass(doc) {
      const meta = await store.get(doc)
      if (meta === undefined) {
        kept.delete(doc)
        return 'done'
      }
      const cursor = await webhooks.cursor(doc)
      if (cursor === undefined) {
        // A document from before webhooks (or copied without its cursor): its past is not news.
        const head = await store.lastSeq(doc)
        if (head > 0) await webhooks.startCursor(doc, head)
        return 'done'
      }
      const last = await store.lastSeq(doc)
      if (last <= cursor.seq) return 'done'
      // A pass goes PASS_ROWS rows at most: the rest is the next pass's, a turn later.
      const head = Math.min(last, cursor.seq + PASS_ROWS)
      const base = await stateOf(doc, meta.createdAt, cursor.seq)
      const rows = await store.readHistory(doc, cursor.seq, head)
      if (base === undefined || rows.length !== head - cursor.seq || rows.at(-1)?.seq !== head) {
        // Deleted meanwhile (its cursor went with it), or its history folded past the cursor
        // (HISTORY_DAYS, after the deriving instances were all down for that long).
        if ((await store.get(doc)) === undefined) return 'done'
        log.warn({ doc, from: cursor.seq, to: head }, 'webhook events skipped: the history after the cursor is no longer kept')
        return (await skip(doc, cursor.seq, head, cursor.window)) ? 'done' : 'again'
      }

      const ydoc = new Y.Doc()
      let after: Kept
      try {
        Y.applyUpdate(ydoc, base.update)
        // A busy map brings thousands of rows per pass: applied a slice at a time, with the event
        // loop free in between, so the relay's frames never wait for a whole pass.
        for (let i = 0; i < rows.length; i += APPLY_SLICE) {
          ydoc.transact(() => rows.slice(i, i + APPLY_SLICE).forEach((row) => Y.applyUpdate(ydoc, row.data)))
          await turn()
        }
        const state = mapState(readMap(ydoc))
        await turn()
        after = { createdAt: meta.createdAt, seq: head, update: Y.encodeStateAsUpdate(ydoc), state }
      } finally {
        ydoc.destroy()
      }
      const at = rows.at(-1)!.at ?? now()
      const events = deriveEvents({ doc, version: head, at, before: base.state, after: after.state })
      // Everyone who wrote, in the order they first did; the server's own rows (seeds) name nobody.
      const by = [...new Set(rows.flatMap((row) => (row.by === undefined ? [] : [row.by.sub])))]
      const context = { mapTitle: after.state.data.meta.title, appUrl: appUrl() }
      const writeAt = now()
      let wrote = false
      const committed = await webhooks.commitPass(doc, cursor.seq, head, writeAt, (endpoints, held) => {
        sawEndpoints(endpoints)
        const plan = planPass({ doc, events, changed: { version: head, by }, window: cursor.window, endpoints, held, context, now: writeAt })
        wrote = plan.deliveries.length > 0
        return plan
      })
      if (!committed) return 'again'
      keep(doc, after)
      if (head < last) return 'more'
      return wrote ? 'wrote' : 'done'
    },
  }
}
