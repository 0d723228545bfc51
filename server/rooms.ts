// A Room is one loaded document: a Y.Doc, its awareness and the peers connected to it, over any
// transport. It is the one place where updates are applied. Its invariant: nothing leaves the room
// (broadcast, sync reply, bus message) before the updates it may contain are committed to SQLite.
import * as Y from 'yjs'
import * as awarenessProtocol from 'y-protocols/awareness'
import type { FastifyBaseLogger } from 'fastify'
import { ErrorCode, type Principal } from '../shared/protocol.js'
import { readMeta } from '../shared/schema.js'
import type { Bus, BusMessage } from './bus.js'
import { AppError } from './errors.js'
import { awarenessFrame, syncStep1Frame, syncStep2Frame, updateFrame, type StampedAwareness } from './protocol.js'
import type { LogRow, Store } from './store.js'
import { checkUpdate, UpdateCheckError, type UpdateRefusal } from './update-check.js'

/** One connection's session with one document, implemented by each transport. */
export interface Peer {
  readonly id: string
  readonly principal: Principal
  readonly readOnly: boolean
  send(frame: Uint8Array): void
  /** Sends a frame that goes to many peers: a transport may encode it once for all of them. */
  broadcast(frame: Broadcast): void
  /**
   * Holds this connection's writes until `uncork`, so that the frames of one drain leave in one
   * write: a socket write (a syscall) per frame per receiver is the largest cost of fan-out.
   */
  cork(): void
  uncork(): void
  /** Tells the client that something it sent was refused; the session goes on. */
  refuse(code: ErrorCode): void
  /** Ends this session with the document. */
  close(code: ErrorCode): void
}

/** One frame on its way to every peer of a room; a transport may cache its own encoding in `wire`. */
export interface Broadcast {
  readonly docId: string
  readonly frame: Uint8Array
  wire?: Uint8Array
}

/** Transaction origins that are not peers: what came from the store or the bus is stored already. */
const FROM_STORE = Symbol('store')
const FROM_BUS = Symbol('bus')

/** How often a busy document's updatedAt is written (each write is one more page per commit). */
const TOUCH_EVERY_MS = 1000
/** How long a gap in bus seqs may stay open before the room reads the missing rows itself. */
const GAP_REPAIR_MS = 200
/** While other instances may exist, how often each room checks the database for rows it missed. */
const SWEEP_MS = 1000

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

/** Why a client's update was refused: the update check's reasons, a viewer's write, a full document. */
export type RefusedReason = UpdateRefusal | 'read-only' | 'too-large'

const NO_METRICS: RoomMetrics = { persisted() {}, fannedOut() {}, loaded() {}, refused() {} }

/** How a client's update reaches the document: Y.applyUpdate, or a test's wrapper of it. */
export type ApplyUpdate = (doc: Y.Doc, update: Uint8Array, origin: unknown) => void

/** A committed view of one document for a reader (REST exports); `done()` gives it back. */
export interface DocView {
  readonly doc: Y.Doc
  /** The last seq of the document's log: stable across compaction, grows with every accepted update. */
  readonly version: number
  done(): void
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
  now?: () => number
  /** Applies client updates (tests wrap it to see what reaches Yjs); Y.applyUpdate by default. */
  applyUpdate?: ApplyUpdate
}

interface Outgoing {
  frame: Uint8Array
  /** a reply for one peer; otherwise a broadcast */
  to?: Peer
  except?: Peer
}

export class Room {
  readonly doc = new Y.Doc()
  readonly awareness: awarenessProtocol.Awareness
  readonly peers = new Set<Peer>()
  /** Every row up to this seq is applied to the doc. */
  appliedSeq = 0
  closed = false
  /** Updates applied in memory and not yet committed; the registry commits them once per event-loop turn. */
  pending: Uint8Array[] = []
  private outbox: Outgoing[] = []
  private readonly ahead = new Set<number>()
  private readonly owners = new Map<number, Peer>()
  private holds = 0
  /** The document's updatedAt is behind its last commit (see touchDue). */
  private untouched = false
  private touchedAt = 0
  private rowsSinceCompaction: number
  private sizeEstimate: number
  private unloadTimer: NodeJS.Timeout | undefined
  private repairTimer: NodeJS.Timeout | undefined

  constructor(
    readonly id: string,
    rows: LogRow[],
    private readonly ctx: RoomContext,
    /** documents.title as loaded: listings show it, so commits keep it equal to meta.title */
    private storedTitle = '',
  ) {
    try {
      applyRows(this.doc, rows, FROM_STORE)
    } catch (err) {
      // A corrupt row: the caller refuses the document instead of serving it empty.
      this.doc.destroy()
      throw err
    }
    // Made only now: its timer would outlive a failed load.
    this.awareness = new awarenessProtocol.Awareness(this.doc)
    this.appliedSeq = rows.at(-1)?.seq ?? 0
    this.rowsSinceCompaction = rows.length
    this.sizeEstimate = rows.reduce((n, r) => n + r.data.byteLength, 0)
    // The server is not a participant: no presence of its own.
    this.awareness.setLocalState(null)
    this.doc.on('update', this.onUpdate)
    this.awareness.on('update', this.onAwareness)
  }

  /** Keeps the room loaded while a caller is between acquiring it and joining a peer. */
  hold(): void {
    this.holds++
    clearTimeout(this.unloadTimer)
  }

  release(): void {
    this.holds--
    this.unloadWhenIdle()
  }

  join(peer: Peer): void {
    if (this.closed) {
      peer.close(ErrorCode.unavailable)
      return
    }
    this.peers.add(peer)
    clearTimeout(this.unloadTimer)
    this.queue({ to: peer, frame: syncStep1Frame(Y.encodeStateVector(this.doc)) })
    const states = [...this.awareness.getStates().keys()]
    if (states.length > 0) this.queue({ to: peer, frame: awarenessFrame(awarenessProtocol.encodeAwarenessUpdate(this.awareness, states)) })
  }

  leave(peer: Peer): void {
    if (!this.peers.delete(peer)) return
    const owned = [...this.owners].filter(([, owner]) => owner === peer).map(([clientId]) => clientId)
    if (owned.length > 0) awarenessProtocol.removeAwarenessStates(this.awareness, owned, peer)
    this.unloadWhenIdle()
  }

  answerStep1(peer: Peer, stateVector: Uint8Array): void {
    this.queue({ to: peer, frame: syncStep2Frame(Y.encodeStateAsUpdate(this.doc, stateVector)) })
  }

  answerAwarenessQuery(peer: Peer): void {
    const states = [...this.awareness.getStates().keys()]
    this.queue({ to: peer, frame: awarenessFrame(awarenessProtocol.encodeAwarenessUpdate(this.awareness, states)) })
  }

  /** Throws UpdateCheckError for an update whose header lies about its size (the peer is closed). */
  receiveUpdate(peer: Peer, update: Uint8Array): void {
    // First, before anything reads the update with Yjs (snapshotContainsUpdate does too): yjs#687.
    try {
      checkUpdate(update)
    } catch (err) {
      if (err instanceof UpdateCheckError) this.ctx.refused(err.reason)
      throw err
    }
    if (peer.readOnly) {
      // A viewer's client echoes what it already has (its sync step 2); only news is a refused write.
      if (!Y.snapshotContainsUpdate(Y.snapshot(this.doc), update)) {
        this.ctx.refused('read-only')
        peer.refuse(ErrorCode.readOnly)
      }
      return
    }
    if (this.wouldExceed(update.byteLength)) {
      this.ctx.refused('too-large')
      peer.refuse(ErrorCode.tooLarge)
      return
    }
    this.ctx.applyUpdate(this.doc, update, peer)
  }

  receiveAwareness(peer: Peer, { update, clientIds }: StampedAwareness): void {
    // A client speaks only for awareness ids that are free or its own user's (a reconnect may beat
    // the old connection's close), so nobody can overwrite or erase somebody else's presence.
    const foreign = clientIds.some((clientId) => {
      const owner = this.owners.get(clientId)
      return owner !== undefined && owner.principal.sub !== peer.principal.sub
    })
    if (!foreign) awarenessProtocol.applyAwarenessUpdate(this.awareness, update, peer)
  }

  receiveBus(msg: BusMessage): void {
    if (this.closed) return
    switch (msg.kind) {
      case 'update':
        if (msg.seq <= this.appliedSeq || this.ahead.has(msg.seq)) return
        // Applied at once, even past a gap: Yjs holds updates whose dependencies are missing.
        Y.applyUpdate(this.doc, msg.data, FROM_BUS)
        this.noteSeq(msg.seq)
        return
      case 'awareness':
        awarenessProtocol.applyAwarenessUpdate(this.awareness, msg.data, FROM_BUS)
        return
      case 'deleted':
        this.ctx.closeRoom(this, ErrorCode.gone)
        return
    }
  }

  /** Reads the rows this room has not applied from the database, the source of truth. */
  repair(): void {
    clearTimeout(this.repairTimer)
    this.repairTimer = undefined
    if (this.closed) return
    const rows = this.ctx.store.readSince(this.id, this.appliedSeq)
    for (const row of rows) {
      if (!this.ahead.has(row.seq)) Y.applyUpdate(this.doc, row.data, FROM_BUS)
      this.rowsSinceCompaction++
    }
    const last = rows.at(-1)
    if (last !== undefined && last.seq > this.appliedSeq) this.appliedSeq = last.seq
    for (const seq of this.ahead) if (seq <= this.appliedSeq) this.ahead.delete(seq)
    if (this.ahead.size > 0) this.scheduleRepair()
  }

  /** meta.title when it differs from the stored title: the registry commits it with the updates. */
  titleChange(): string | undefined {
    const { title } = readMeta(this.doc)
    return title === this.storedTitle ? undefined : title
  }

  /**
   * Whether this commit should also set the document's updatedAt: at most once a second, because
   * it costs a page write per commit. The last second is written when the room unloads.
   */
  touchDue(now: number): boolean {
    if (now - this.touchedAt < TOUCH_EVERY_MS) {
      this.untouched = true
      return false
    }
    this.touchedAt = now
    this.untouched = false
    return true
  }

  /** Before unloading: the log in one row, and the updatedAt that touchDue held back. */
  settle(): void {
    this.compactIfDue(true)
    if (!this.untouched) return
    this.untouched = false
    this.ctx.store.touch(this.id)
  }

  /** After the registry committed `pending` (and `title`, if any): the first seq they were given. */
  committed(firstSeq: number, title: string | undefined): void {
    if (title !== undefined) this.storedTitle = title
    const updates = this.pending
    this.pending = []
    updates.forEach((data, i) => {
      this.noteSeq(firstSeq + i)
      this.ctx.bus.publish(this.id, { kind: 'update', seq: firstSeq + i, data })
    })
    this.rowsSinceCompaction += updates.length
  }

  /** Sends everything queued, in order. Called by the registry after the commit. */
  drain(): void {
    const out = this.outbox
    this.outbox = []
    // Several frames for one peer leave in one socket write instead of one write each.
    const corked = out.length > 1 ? [...this.peers] : []
    corked.forEach((p) => p.cork())
    for (const { frame, to, except } of out) {
      if (to !== undefined) {
        if (this.peers.has(to)) to.send(frame)
        continue
      }
      const broadcast: Broadcast = { docId: this.id, frame }
      for (const peer of this.peers) if (peer !== except) peer.broadcast(broadcast)
    }
    corked.forEach((p) => p.uncork())
  }

  /** Merges the log into one row holding this doc's state, which includes every row up to appliedSeq. */
  compactIfDue(force = false): void {
    if (this.closed || this.pending.length > 0) return
    if (this.rowsSinceCompaction < (force ? 2 : this.ctx.compactThreshold)) return
    const state = Y.encodeStateAsUpdate(this.doc)
    this.ctx.store.compact(this.id, this.appliedSeq, state)
    this.rowsSinceCompaction = 1
    this.sizeEstimate = state.byteLength
  }

  /** Stops everything; the registry has removed the room. Peers still here are closed with `code`. */
  destroy(code: ErrorCode | undefined): void {
    this.closed = true
    clearTimeout(this.unloadTimer)
    clearTimeout(this.repairTimer)
    const peers = [...this.peers]
    this.peers.clear()
    if (code !== undefined) peers.forEach((p) => p.close(code))
    this.awareness.destroy()
    this.doc.destroy()
  }

  private readonly onUpdate = (update: Uint8Array, origin: unknown): void => {
    this.sizeEstimate += update.byteLength
    if (origin === FROM_BUS) {
      this.queue({ frame: updateFrame(update) })
      return
    }
    this.pending.push(update)
    this.queue({ frame: updateFrame(update), except: isPeer(origin) ? origin : undefined })
  }

  private readonly onAwareness = (
    { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    if (isPeer(origin)) {
      for (const clientId of added.concat(updated)) this.owners.set(clientId, origin)
    }
    for (const clientId of removed) this.owners.delete(clientId)
    const changed = added.concat(updated, removed)
    const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed)
    // Everyone gets it, the sender too: that is how a client learns its own server stamp.
    this.queue({ frame: awarenessFrame(update) })
    if (isPeer(origin)) this.ctx.bus.publish(this.id, { kind: 'awareness', data: update })
  }

  private queue(out: Outgoing): void {
    this.outbox.push(out)
    this.ctx.schedule(this)
  }

  private noteSeq(seq: number): void {
    if (seq <= this.appliedSeq) return
    this.ahead.add(seq)
    while (this.ahead.delete(this.appliedSeq + 1)) this.appliedSeq++
    if (this.ahead.size > 0) this.scheduleRepair()
  }

  private scheduleRepair(): void {
    if (this.repairTimer !== undefined) return
    this.repairTimer = setTimeout(() => this.ctx.guard(this, () => this.repair()), GAP_REPAIR_MS)
  }

  private wouldExceed(bytes: number): boolean {
    const max = this.ctx.maxDocBytes
    if (this.sizeEstimate + bytes <= max) return false
    // The running estimate only grows; measure exactly before refusing anyone.
    this.sizeEstimate = Y.encodeStateAsUpdate(this.doc).byteLength
    return this.sizeEstimate + bytes > max
  }

  private unloadWhenIdle(): void {
    if (this.closed || this.peers.size > 0 || this.holds > 0) return
    clearTimeout(this.unloadTimer)
    this.unloadTimer = setTimeout(() => this.ctx.unload(this), this.ctx.unloadDelayMs)
  }
}

interface RoomContext {
  store: Store
  bus: Bus
  maxDocBytes: number
  compactThreshold: number
  unloadDelayMs: number
  applyUpdate: ApplyUpdate
  refused(reason: RefusedReason): void
  schedule(room: Room): void
  unload(room: Room): void
  closeRoom(room: Room, code: ErrorCode): void
  /** Runs `fn`; a failure closes this room's peers instead of escaping into a timer. */
  guard(room: Room, fn: () => void): void
}

/** Stored rows into a document, in one transaction (one update event, not one per row). */
function applyRows(doc: Y.Doc, rows: LogRow[], origin?: unknown): void {
  doc.transact(() => rows.forEach((r) => Y.applyUpdate(doc, r.data)), origin)
}

const isPeer = (origin: unknown): origin is Peer =>
  typeof origin === 'object' && origin !== null && 'principal' in origin && 'send' in origin

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
  readonly size: number
  /** The document was deleted: close its peers here (4410) and tell the other instances. */
  deleted(docId: string): void
  /** Commits what is pending in every room now (shutdown, reads, tests). */
  flush(): void
  /**
   * The document as committed, including what other instances committed (CONTRACT §3c): a loaded
   * room is flushed and repaired from the database, any other document is read from it into a
   * private Y.Doc. Synchronous; call `done()` when finished. Throws AppError not-found / unavailable.
   */
  read(docId: string): DocView
  /** Shutdown: commit, close every peer with `code`, unload everything. */
  close(code: ErrorCode | undefined): Promise<void>
}

export function createRooms(options: RoomsOptions): Rooms {
  const { store, bus, log } = options
  const metrics = options.metrics ?? NO_METRICS
  const rooms = new Map<string, Room>()
  const loading = new Map<string, { room: Promise<Room>; create: boolean }>()
  /** Unsubscribes still in flight, so a reload of the same document subscribes after them. */
  const leaving = new Map<string, Promise<void>>()
  const dirty = new Set<Room>()
  let flushScheduled = false

  const ctx: RoomContext = {
    store,
    bus,
    maxDocBytes: options.maxDocBytes,
    compactThreshold: options.compactThreshold,
    unloadDelayMs: options.unloadDelayMs,
    applyUpdate: options.applyUpdate ?? Y.applyUpdate,
    refused: (reason) => metrics.refused(reason),
    schedule(room) {
      dirty.add(room)
      if (!flushScheduled) {
        flushScheduled = true
        // One commit for everything accepted in this event-loop turn (group commit), then the sends.
        setImmediate(flush)
      }
    },
    unload(room) {
      guard(room, () => {
        if (room.peers.size > 0 || rooms.get(room.id) !== room) return
        flush()
        room.settle()
        remove(room, undefined)
      })
    },
    closeRoom: (room, code) => remove(room, code),
    guard,
  }

  function guard(room: Room, fn: () => void): void {
    try {
      fn()
    } catch (err) {
      log.error({ err, doc: room.id }, 'room failed; closing its connections')
      remove(room, ErrorCode.internal)
    }
  }

  function remove(room: Room, code: ErrorCode | undefined): void {
    if (room.closed) return
    if (rooms.get(room.id) === room) rooms.delete(room.id)
    metrics.loaded(rooms.size)
    dirty.delete(room)
    room.destroy(code)
    const done = bus.unsubscribe(room.id).catch((err: unknown) => log.warn({ err, doc: room.id }, 'bus unsubscribe failed'))
    leaving.set(room.id, done)
    void done.then(() => {
      if (leaving.get(room.id) === done) leaving.delete(room.id)
    })
  }

  function flush(): void {
    flushScheduled = false
    const batch = [...dirty]
    dirty.clear()
    const writers = batch.filter((r) => r.pending.length > 0 && !r.closed)
    if (writers.length > 0) {
      // A renamed map's title goes into the documents table in the same commit, so listings
      // (GET /api/docs, on every instance) show the title the document has.
      const at = Date.now()
      const requests = writers.map((r) => ({ docId: r.id, updates: r.pending, title: r.titleChange(), touch: r.touchDue(at) }))
      const started = performance.now()
      let results: (number | null)[]
      try {
        results = store.append(requests)
      } catch (err) {
        // Nothing of this turn reached anyone. The rooms hold uncommitted state, so they are dropped:
        // their clients reconnect, reload what is committed and send their edits again.
        log.error({ err }, 'commit failed; closing the rooms that had updates in it')
        writers.forEach((r) => remove(r, ErrorCode.internal))
        results = []
      }
      if (results.length > 0) {
        // Updates of a document deleted meanwhile were refused, not accepted.
        const accepted = requests.reduce((n, r, i) => (results[i] === null ? n : n + r.updates.length), 0)
        metrics.persisted((performance.now() - started) / 1000, accepted)
      }
      results.forEach((first, i) => {
        const room = writers[i]!
        if (first === null) remove(room, ErrorCode.gone)
        else room.committed(first, requests[i]!.title)
      })
    }
    for (const room of batch) {
      if (room.closed) continue
      guard(room, () => {
        const started = performance.now()
        room.drain()
        metrics.fannedOut((performance.now() - started) / 1000)
        room.compactIfDue()
      })
    }
  }

  async function load(docId: string, create: boolean, beforeCreate: (() => void) | undefined): Promise<Room> {
    await leaving.get(docId)
    let room: Room | undefined
    const early: BusMessage[] = []
    // Subscribe before load: whatever another instance accepts meanwhile is either in the rows we
    // read or in `early`, and applying both is harmless because Yjs updates are idempotent.
    await bus.subscribe(docId, (msg) => {
      if (room === undefined) early.push(msg)
      else guard(room, () => room!.receiveBus(msg))
    })
    try {
      let loaded = store.load(docId)
      if (loaded === undefined && create) {
        beforeCreate?.()
        store.create({ id: docId, title: docId, template: 'empty' }, options.seed(docId))
        loaded = store.load(docId)
      }
      if (loaded === undefined) throw new AppError(ErrorCode.notFound)
      try {
        room = new Room(docId, loaded.rows, ctx, loaded.meta.title)
      } catch (err) {
        log.error({ err, doc: docId }, 'document failed to load; refusing its connections')
        throw new AppError(ErrorCode.unavailable, undefined, { cause: err })
      }
      for (const msg of early) room.receiveBus(msg)
      rooms.set(docId, room)
      metrics.loaded(rooms.size)
      return room
    } catch (err) {
      await bus.unsubscribe(docId).catch(() => {})
      throw err
    }
  }

  const sweep = setInterval(() => {
    // Only needed when other instances write: a bus message that never came is found here at the latest.
    if (!bus.shared) return
    for (const room of rooms.values()) {
      guard(room, () => {
        if (store.get(room.id) === undefined) remove(room, ErrorCode.gone)
        else if (store.lastSeq(room.id) > room.appliedSeq) room.repair()
      })
    }
  }, SWEEP_MS)
  sweep.unref()
  bus.onResync(() => rooms.forEach((room) => guard(room, () => room.repair())))

  return {
    async acquire(docId, { create, beforeCreate }) {
      for (;;) {
        const existing = rooms.get(docId)
        if (existing !== undefined) {
          existing.hold()
          return existing
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
          room.hold()
          return room
        }
      }
    },
    get: (docId) => rooms.get(docId),
    get size() {
      return rooms.size
    },
    deleted(docId) {
      const room = rooms.get(docId)
      if (room !== undefined) remove(room, ErrorCode.gone)
      bus.publish(docId, { kind: 'deleted' })
    },
    flush,
    read(docId) {
      // Everything this instance accepted is committed before anything is read.
      flush()
      const room = rooms.get(docId)
      if (room !== undefined) {
        let version = 0
        guard(room, () => {
          // Deleted by another instance whose bus message has not arrived (or never will).
          if (store.get(docId) === undefined) return remove(room, ErrorCode.gone)
          version = store.lastSeq(docId)
          // Rows another instance committed that the bus has not brought (yet) are read now.
          if (version > room.appliedSeq) room.repair()
        })
        if (!room.closed) {
          room.hold()
          return { doc: room.doc, version, done: () => room.release() }
        }
      }
      // Not loaded here: a private document from the committed rows, without loading a room
      // (no bus subscription, no unload timer) for a one-off read.
      const loaded = store.load(docId)
      if (loaded === undefined) throw new AppError(ErrorCode.notFound)
      const doc = new Y.Doc()
      try {
        applyRows(doc, loaded.rows)
      } catch (err) {
        doc.destroy()
        throw new AppError(ErrorCode.unavailable, undefined, { cause: err })
      }
      return { doc, version: loaded.rows.at(-1)?.seq ?? 0, done: () => doc.destroy() }
    },
    async close(code) {
      clearInterval(sweep)
      flush()
      for (const room of [...rooms.values()]) {
        guard(room, () => room.settle())
        remove(room, code)
      }
      await Promise.all(leaving.values())
    },
  }
}
