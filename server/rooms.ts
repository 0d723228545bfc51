// The registry of loaded documents and their group commit. Each loaded document is a Room (memory,
// peers, policies) and a Replica (its place in the shared log). The commit is a pipeline: once per
// event-loop turn every room with news is cut; the cut's updates go to the store in one append, and
// only when it resolves are they published to the other instances and the cut's frames sent.
// Meanwhile the next turn's updates gather for the next cut. One append is in flight at a time, so
// frames leave in the order they were made. A failed append drops the rooms it held: nobody saw
// their uncommitted updates, and their clients come back (close 1013) and send them again.
import * as Y from 'yjs'
import type { FastifyBaseLogger } from 'fastify'
import { ErrorCode } from '../shared/protocol.js'
import { readMeta } from '../shared/schema.js'
import type { Bus } from './bus.js'
import { AppError } from './errors.js'
import { withLean } from './lean-state.js'
import { Replica } from './replica.js'
import { Room, type ApplyUpdate, type CloseReason, type Cut, type RefusedReason } from './room.js'
import type { DocMeta, Store } from './store/types.js'

/** How often a busy document's updatedAt is written (each write is one more page per commit). */
const TOUCH_EVERY_MS = 1000
/** While other instances may exist, how often each room checks the database for rows it missed. */
const SWEEP_MS = 1000
/** Rows after the last checkpoint that make unloading write a new one: a load replays at most COMPACT_THRESHOLD rows anyway. */
const UNLOAD_CHECKPOINT_ROWS = 100

/** What the registry reports about its work (metrics.ts implements it); calls are cheap and per turn. */
export interface RoomMetrics {
  /** One commit of `updates` accepted updates took `seconds`. */
  persisted(seconds: number, updates: number): void
  /** Sending one document's queued frames of one turn to its local peers took `seconds`. */
  fannedOut(seconds: number): void
  /** The number of loaded documents changed. */
  loaded(documents: number): void
  /** A client's update was refused before it touched the document. */
  refused(reason: RefusedReason): void
}

const NO_METRICS: RoomMetrics = { persisted() {}, fannedOut() {}, loaded() {}, refused() {} }
const DONE = Promise.resolve()

/** A committed view of one document for a reader (REST exports). */
export interface DocView {
  readonly doc: Y.Doc
  /** The last seq of the document's log: stable across compaction, grows with every accepted update. */
  readonly version: number
}

export interface RoomsOptions {
  store: Store
  bus: Bus
  log: FastifyBaseLogger
  metrics?: RoomMetrics
  /** The first update of a document created by joining it (CONTRACT §3: the empty template). */
  seed: (docId: string) => Uint8Array
  maxDocBytes: number
  compactThreshold: number
  unloadDelayMs: number
  /** How often rooms look for rows and deletions the bus did not bring (tests lengthen it). */
  sweepMs?: number
  /** Applies client updates (tests wrap it to see what reaches Yjs); Y.applyUpdate by default. */
  applyUpdate?: ApplyUpdate
  /** Told, synchronously and after the fact, of each document a commit stored updates of (webhooks derive their events from the log). */
  committed?: (docId: string) => void
  /** Told of each document made by joining it (webhooks send doc.created, as for POST /api/docs). */
  created?: (meta: DocMeta) => void
}

export interface AcquireOptions {
  /** create the document when it does not exist (editors, admins) */
  create: boolean
  /** called just before a missing document is created; throws to refuse (the creation limit) */
  beforeCreate?: () => void
}

export interface Rooms {
  /**
   * The loaded room for a document, loading it (or, with `create`, creating it) first. The room is
   * held until `release()`: join the peer in between. Rejects with AppError not-found / unavailable.
   */
  acquire(docId: string, opts: AcquireOptions): Promise<Room>
  get(docId: string): Room | undefined
  /** The last seq a loaded document holds every row up to (tests, metrics); undefined when not loaded. */
  appliedSeq(docId: string): number | undefined
  readonly size: number
  /** The document was deleted: close its peers here (4410) and tell the other instances. */
  deleted(docId: string): void
  /** Resolves once everything accepted so far is committed and its frames sent (shutdown, reads, tests). */
  flush(): Promise<void>
  /**
   * Calls `use` with the document as committed, including what other instances committed (CONTRACT
   * §3c): a loaded room is flushed and repaired from the database first, any other document is read
   * into a private Y.Doc. `use` must not keep the doc. Rejects with AppError not-found / unavailable.
   */
  read<T>(docId: string, use: (view: DocView) => T | Promise<T>): Promise<T>
  /** Shutdown: commit, close every peer with `reason`, unload everything. */
  close(reason: CloseReason | undefined): Promise<void>
}

interface Loaded {
  room: Room
  replica: Replica
  /** documents.title as stored: listings show it, so commits keep it equal to meta.title */
  title: string
  touchedAt: number
  /** updatedAt is behind the last commit (see touchDue) */
  untouched: boolean
  unloadTimer?: NodeJS.Timeout
}

export function createRooms(options: RoomsOptions): Rooms {
  const { store, bus, log } = options
  const metrics = options.metrics ?? NO_METRICS
  const loaded = new Map<string, Loaded>()
  const byRoom = new Map<Room, Loaded>()
  const loading = new Map<string, { room: Promise<Room>; create: boolean }>()
  /** Unsubscribes still in flight, so a reload of the same document subscribes after them. */
  const leaving = new Map<string, Promise<void>>()
  const dirty = new Set<Loaded>()
  let turnScheduled = false
  /** the cut waiting for the commit in flight; its promise resolves once it is committed and sent */
  let nextCut: Promise<void> | undefined
  let inFlight: Promise<void> = Promise.resolve()

  const hooks = {
    maxDocBytes: options.maxDocBytes,
    applyUpdate: options.applyUpdate,
    schedule(room: Room) {
      const entry = byRoom.get(room)
      if (entry === undefined) return
      dirty.add(entry)
      if (!turnScheduled) {
        turnScheduled = true
        // One commit for everything accepted in this event-loop turn (group commit), then the sends.
        setImmediate(() => {
          turnScheduled = false
          void flush()
        })
      }
    },
    shareAwareness: (room: Room, update: Uint8Array) => byRoom.get(room)?.replica.shareAwareness(update),
    refused: (reason: RefusedReason) => metrics.refused(reason),
    idle(room: Room) {
      const entry = byRoom.get(room)
      if (entry === undefined) return
      clearTimeout(entry.unloadTimer)
      entry.unloadTimer = setTimeout(() => void unload(entry), options.unloadDelayMs)
    },
  }

  /**
   * Runs `fn`; a failure drops this room (its clients come back) instead of escaping. Synchronous
   * work (a cut's sends, on every turn) stays synchronous: only a promise from `fn` is awaited.
   */
  function guard(entry: Loaded, fn: () => unknown): Promise<void> {
    const failed = (err: unknown): void => {
      log.error({ err, doc: entry.room.id }, 'room failed; closing its connections')
      remove(entry, 'try-again')
    }
    try {
      const result = fn()
      if (result instanceof Promise) return result.then(() => {}, failed)
    } catch (err) {
      failed(err)
    }
    return DONE
  }

  function remove(entry: Loaded, reason: CloseReason | undefined): void {
    const { room, replica } = entry
    if (room.closed) return
    if (loaded.get(room.id) === entry) loaded.delete(room.id)
    byRoom.delete(room)
    dirty.delete(entry)
    clearTimeout(entry.unloadTimer)
    metrics.loaded(loaded.size)
    room.destroy(reason)
    const done = replica.close().catch((err: unknown) => log.warn({ err, doc: room.id }, 'bus unsubscribe failed'))
    leaving.set(room.id, done)
    void done.then(() => {
      if (leaving.get(room.id) === done) leaving.delete(room.id)
    })
  }

  function flush(): Promise<void> {
    // The cut happens when the commit in flight is done: updates gather until then.
    nextCut ??= inFlight.then(() => {
      nextCut = undefined
      // Never rejects: a failure of one turn must not stop every later one.
      inFlight = commitTurn().catch((err: unknown) => log.error({ err }, 'commit turn failed'))
      return inFlight
    })
    return nextCut
  }

  function titleChange(entry: Loaded): string | undefined {
    const { title } = readMeta(entry.room.doc)
    return title === entry.title ? undefined : title
  }

  /** At most once a second: updatedAt costs a page write per commit. The last second is written at unload. */
  function touchDue(entry: Loaded, now: number): boolean {
    if (now - entry.touchedAt < TOUCH_EVERY_MS) {
      entry.untouched = true
      return false
    }
    entry.touchedAt = now
    entry.untouched = false
    return true
  }

  async function commitTurn(): Promise<void> {
    const cuts: { entry: Loaded; cut: Cut }[] = []
    for (const entry of dirty) if (!entry.room.closed) cuts.push({ entry, cut: entry.room.cut() })
    dirty.clear()
    const writers = cuts.filter((c) => c.cut.updates.length > 0)
    if (writers.length > 0) {
      // A renamed map's title goes into the documents table in the same commit, so listings
      // (GET /api/docs, on every instance) show the title the document has.
      const at = Date.now()
      const requests = writers.map(({ entry, cut }) => ({ docId: entry.room.id, updates: cut.updates, title: titleChange(entry), touch: touchDue(entry, at) }))
      const started = performance.now()
      let results: (number | null)[] | undefined
      try {
        results = await store.append(requests)
      } catch (err) {
        // Nothing of this cut reached anyone. The rooms hold uncommitted state, so they are dropped:
        // their clients come back, reload what is committed and send their edits again.
        log.error({ err }, 'commit failed; closing the rooms that had updates in it')
        writers.forEach(({ entry }) => remove(entry, 'try-again'))
      }
      if (results !== undefined) {
        // Updates of a document deleted meanwhile were refused, not accepted.
        const accepted = requests.reduce((n, r, i) => (results![i] === null ? n : n + r.updates.length), 0)
        metrics.persisted((performance.now() - started) / 1000, accepted)
        results.forEach((first, i) => {
          const { entry, cut } = writers[i]!
          if (first === null) return remove(entry, ErrorCode.gone)
          const title = requests[i]!.title
          if (title !== undefined) entry.title = title
          entry.replica.committed(first, cut.updates.map((u) => u.data))
          options.committed?.(entry.room.id)
        })
      }
    }
    for (const { entry, cut } of cuts) {
      if (entry.room.closed) continue
      const started = performance.now()
      void guard(entry, () => entry.room.send(cut.frames))
      metrics.fannedOut((performance.now() - started) / 1000)
    }
    for (const { entry } of writers) {
      if (!entry.room.closed && entry.replica.rowsSinceCompaction >= options.compactThreshold) await guard(entry, () => compact(entry))
    }
  }

  /** A checkpoint of the room's state, which holds every row up to appliedSeq: the next load starts there. */
  async function compact(entry: Loaded): Promise<void> {
    // Only a room without uncommitted updates: its state must hold nothing the log does not.
    if (entry.room.hasPending || entry.room.closed) return
    const upTo = entry.replica.appliedSeq
    await store.checkpoint(entry.room.id, withLean({ seq: upTo, state: entry.room.encodeState() }, entry.room.doc))
    entry.replica.compacted()
  }

  async function unload(entry: Loaded): Promise<void> {
    if (!entry.room.idle || loaded.get(entry.room.id) !== entry) return
    await flush()
    if (!entry.room.idle || entry.room.closed) return
    await guard(entry, () => settle(entry))
    if (entry.room.idle) remove(entry, undefined)
  }

  /**
   * Before unloading: a checkpoint once enough rows gathered (a full state per visit would outgrow the
   * history it saves replaying), and the updatedAt that touchDue held back.
   */
  async function settle(entry: Loaded): Promise<void> {
    if (entry.replica.rowsSinceCompaction >= Math.min(UNLOAD_CHECKPOINT_ROWS, options.compactThreshold)) await compact(entry)
    if (!entry.untouched) return
    entry.untouched = false
    await store.touch(entry.room.id)
  }

  async function load(docId: string, create: boolean, beforeCreate: (() => void) | undefined): Promise<Room> {
    await leaving.get(docId)
    const createIt = create
      ? async () => {
          beforeCreate?.()
          const meta = await store.create({ id: docId, title: docId, template: 'empty' }, options.seed(docId))
          if (meta !== undefined) options.created?.(meta)
        }
      : undefined
    let opened: Awaited<ReturnType<typeof Replica.open>>
    try {
      opened = await Replica.open(docId, { store, bus }, createIt)
    } catch (err) {
      if (err instanceof AppError) throw err
      log.error({ err, doc: docId }, 'document failed to load')
      throw new AppError(ErrorCode.unavailable, undefined, { cause: err })
    }
    if (opened === undefined) throw new AppError(ErrorCode.notFound)
    const { replica, meta, rows } = opened
    let room: Room
    try {
      room = new Room(docId, rows.map((r) => r.data), hooks)
    } catch (err) {
      await replica.close().catch(() => {})
      log.error({ err, doc: docId }, 'document failed to load; refusing its connections')
      throw new AppError(ErrorCode.unavailable, undefined, { cause: err })
    }
    const entry: Loaded = { room, replica, title: meta.title, touchedAt: 0, untouched: false }
    loaded.set(docId, entry)
    byRoom.set(room, entry)
    metrics.loaded(loaded.size)
    replica.attach({
      update: (data) => room.applyCommitted(data),
      awareness: (data) => room.applyRemoteAwareness(data),
      deleted: () => remove(entry, ErrorCode.gone),
      failed: (err) => {
        log.error({ err, doc: docId }, 'repair failed; closing the room')
        remove(entry, 'try-again')
      },
    })
    return room
  }

  let sweeping = false
  const sweep = setInterval(() => {
    // Only needed when other instances write: a bus message that never came is found here at the latest.
    if (!bus.shared || sweeping) return
    sweeping = true
    void Promise.all(
      [...loaded.values()].map((entry) =>
        guard(entry, async () => {
          if (!(await entry.replica.check())) remove(entry, ErrorCode.gone)
        }),
      ),
    ).finally(() => (sweeping = false))
  }, options.sweepMs ?? SWEEP_MS)
  sweep.unref()
  bus.onResync(() => loaded.forEach((entry) => void guard(entry, () => entry.replica.repair())))

  return {
    async acquire(docId, { create, beforeCreate }) {
      for (;;) {
        const existing = loaded.get(docId)
        if (existing !== undefined) {
          clearTimeout(existing.unloadTimer)
          existing.room.hold()
          return existing.room
        }
        let pending = loading.get(docId)
        if (pending === undefined) {
          pending = { room: load(docId, create, beforeCreate).finally(() => loading.delete(docId)), create }
          loading.set(docId, pending)
        }
        let room: Room
        try {
          room = await pending.room
        } catch (err) {
          // A load started by a caller that may not create ends in not-found; one that may, retries.
          if (create && !pending.create && err instanceof AppError && err.code === ErrorCode.notFound) continue
          throw err
        }
        // Closed between its load and now (deleted, failed): load it again.
        if (!room.closed) {
          clearTimeout(byRoom.get(room)?.unloadTimer)
          room.hold()
          return room
        }
      }
    },
    get: (docId) => loaded.get(docId)?.room,
    appliedSeq: (docId) => loaded.get(docId)?.replica.appliedSeq,
    get size() {
      return loaded.size
    },
    deleted(docId) {
      const entry = loaded.get(docId)
      if (entry !== undefined) remove(entry, ErrorCode.gone)
      bus.publish(docId, { kind: 'deleted' })
    },
    flush,
    async read(docId, use) {
      // Everything this instance accepted is committed before anything is read.
      await flush()
      const entry = loaded.get(docId)
      if (entry !== undefined) {
        entry.room.hold()
        try {
          let version = 0
          await guard(entry, async () => {
            // Deleted by another instance whose bus message has not arrived (or never will).
            if ((await store.get(docId)) === undefined) return remove(entry, ErrorCode.gone)
            version = await store.lastSeq(docId)
            // Rows another instance committed that the bus has not brought (yet) are read now.
            if (version > entry.replica.appliedSeq) await entry.replica.repair()
          })
          if (!entry.room.closed) return await use({ doc: entry.room.doc, version })
          if ((await store.get(docId)) === undefined) throw new AppError(ErrorCode.notFound)
        } finally {
          entry.room.release()
        }
      }
      // Not loaded here: a private document from the committed rows, without loading a room
      // (no bus subscription, no unload timer) for a one-off read.
      let stored: Awaited<ReturnType<Store['load']>>
      try {
        stored = await store.load(docId)
      } catch (err) {
        throw new AppError(ErrorCode.unavailable, undefined, { cause: err })
      }
      if (stored === undefined) throw new AppError(ErrorCode.notFound)
      const doc = new Y.Doc()
      try {
        try {
          doc.transact(() => stored.rows.forEach((r) => Y.applyUpdate(doc, r.data)))
        } catch (err) {
          throw new AppError(ErrorCode.unavailable, undefined, { cause: err })
        }
        return await use({ doc, version: stored.rows.at(-1)?.seq ?? 0 })
      } finally {
        doc.destroy()
      }
    },
    async close(reason) {
      clearInterval(sweep)
      await flush().catch(() => {})
      for (const entry of [...loaded.values()]) {
        await guard(entry, () => settle(entry))
        remove(entry, reason)
      }
      await Promise.all(leaving.values())
    },
  }
}
