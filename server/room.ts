// A Room is one loaded document in memory: a Y.Doc, its awareness, the peers connected to it over
// any transport, and the policies of who may change what (viewers, the size limit, presence owners).
// It knows no storage and no bus. Its invariant: nothing it produces leaves before the registry says
// so — updates gather in `pending`, every frame (broadcast or reply) in the outbox, and `cut()` hands
// both to the registry, which sends the frames only once the updates of the same cut are committed.
import * as Y from 'yjs'
import * as awarenessProtocol from 'y-protocols/awareness'
import { ErrorCode, type Principal } from '../shared/protocol.js'
import { awarenessFrame, syncStep1Frame, syncStep2Frame, updateFrame, type StampedAwareness } from './frames.js'
import type { NewUpdate } from './store/types.js'
import { checkUpdate, UpdateCheckError, type UpdateRefusal } from './update-check.js'

/**
 * Why a session ends: an error code, or `try-again` when the database failed under it (the client
 * should come back: y-websocket close 1013, Socket.IO doc:error unavailable).
 */
export type CloseReason = ErrorCode | 'try-again'

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
  close(reason: CloseReason): void
}

/** One frame on its way to every peer of a room; a transport may cache its own encoding in `wire`. */
export interface Broadcast {
  readonly docId: string
  readonly frame: Uint8Array
  wire?: Uint8Array
}

/** Why a client's update was refused: the update check's reasons, a viewer's write, a full document. */
export type RefusedReason = UpdateRefusal | 'read-only' | 'too-large'

/** How a client's update reaches the document: Y.applyUpdate, or a test's wrapper of it. */
export type ApplyUpdate = (doc: Y.Doc, update: Uint8Array, origin: unknown) => void

/** What a room asks of whoever holds it (the registry, or a test). */
export interface RoomHooks {
  maxDocBytes: number
  applyUpdate?: ApplyUpdate
  /** The room has something in `pending` or its outbox: cut it soon (once per event-loop turn). */
  schedule(room: Room): void
  /** A peer changed presence: other instances should hear it (presence is not stored). */
  shareAwareness(room: Room, update: Uint8Array): void
  refused(reason: RefusedReason): void
  /** The room has no peers and no holds any more. */
  idle(room: Room): void
}

export interface Outgoing {
  frame: Uint8Array
  /** a reply for one peer; otherwise a broadcast */
  to?: Peer
  except?: Peer
}

/** What one cut takes out of the room: the updates to commit, and the frames that wait for that commit. */
export interface Cut {
  updates: NewUpdate[]
  frames: Outgoing[]
}

/** Transaction origin of updates that are committed already (read from the store, or from the bus). */
const COMMITTED = Symbol('committed')

export class Room {
  readonly doc = new Y.Doc()
  readonly awareness: awarenessProtocol.Awareness
  readonly peers = new Set<Peer>()
  closed = false
  private pending: NewUpdate[] = []
  private outbox: Outgoing[] = []
  private readonly owners = new Map<number, Peer>()
  private holds = 0
  private sizeEstimate: number
  private readonly applyUpdate: ApplyUpdate

  /** `updates` are the document's committed log, applied in one transaction. Throws on a corrupt one. */
  constructor(
    readonly id: string,
    updates: readonly Uint8Array[],
    private readonly hooks: RoomHooks,
  ) {
    this.applyUpdate = hooks.applyUpdate ?? Y.applyUpdate
    try {
      this.doc.transact(() => updates.forEach((u) => Y.applyUpdate(this.doc, u)), COMMITTED)
    } catch (err) {
      this.doc.destroy()
      throw err
    }
    // Made only now: its timer would outlive a failed load.
    this.awareness = new awarenessProtocol.Awareness(this.doc)
    this.sizeEstimate = updates.reduce((n, u) => n + u.byteLength, 0)
    // The server is not a participant: no presence of its own.
    this.awareness.setLocalState(null)
    this.doc.on('update', this.onUpdate)
    this.awareness.on('update', this.onAwareness)
  }

  /** Keeps the room loaded while a caller is between acquiring it and joining a peer (or reading it). */
  hold(): void {
    this.holds++
  }

  release(): void {
    this.holds--
    this.idleCheck()
  }

  get idle(): boolean {
    return this.peers.size === 0 && this.holds === 0
  }

  get hasPending(): boolean {
    return this.pending.length > 0
  }

  join(peer: Peer): void {
    if (this.closed) {
      peer.close('try-again')
      return
    }
    this.peers.add(peer)
    this.queue({ to: peer, frame: syncStep1Frame(Y.encodeStateVector(this.doc)) })
    const states = [...this.awareness.getStates().keys()]
    if (states.length > 0) this.queue({ to: peer, frame: awarenessFrame(awarenessProtocol.encodeAwarenessUpdate(this.awareness, states)) })
  }

  leave(peer: Peer): void {
    if (!this.peers.delete(peer)) return
    const owned = [...this.owners].filter(([, owner]) => owner === peer).map(([clientId]) => clientId)
    if (owned.length > 0) awarenessProtocol.removeAwarenessStates(this.awareness, owned, peer)
    this.idleCheck()
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
    if (this.closed) return
    // First, before anything reads the update with Yjs (snapshotContainsUpdate does too): yjs#687.
    try {
      checkUpdate(update)
    } catch (err) {
      if (err instanceof UpdateCheckError) this.hooks.refused(err.reason)
      throw err
    }
    if (peer.readOnly) {
      // A viewer's client echoes what it already has (its sync step 2); only news is a refused write.
      if (!Y.snapshotContainsUpdate(Y.snapshot(this.doc), update)) {
        this.hooks.refused('read-only')
        peer.refuse(ErrorCode.readOnly)
      }
      return
    }
    if (this.wouldExceed(update.byteLength)) {
      this.hooks.refused('too-large')
      peer.refuse(ErrorCode.tooLarge)
      return
    }
    this.applyUpdate(this.doc, update, peer)
  }

  receiveAwareness(peer: Peer, { update, clientIds }: StampedAwareness): void {
    if (this.closed) return
    // A client speaks only for awareness ids that are free or its own user's (a reconnect may beat
    // the old connection's close), so nobody can overwrite or erase somebody else's presence.
    const foreign = clientIds.some((clientId) => {
      const owner = this.owners.get(clientId)
      return owner !== undefined && owner.principal.sub !== peer.principal.sub
    })
    if (!foreign) awarenessProtocol.applyAwarenessUpdate(this.awareness, update, peer)
  }

  /** An update that is committed already (by another instance): applied and relayed, not committed again. */
  applyCommitted(update: Uint8Array): void {
    if (!this.closed) Y.applyUpdate(this.doc, update, COMMITTED)
  }

  /** Presence from another instance: shown to the peers here, not passed on again. */
  applyRemoteAwareness(update: Uint8Array): void {
    if (!this.closed) awarenessProtocol.applyAwarenessUpdate(this.awareness, update, COMMITTED)
  }

  /** Takes what gathered since the last cut; what arrives from now on goes into the next one. */
  cut(): Cut {
    const cut = { updates: this.pending, frames: this.outbox }
    this.pending = []
    this.outbox = []
    return cut
  }

  /** Sends a cut's frames, in order: the registry calls it once their commit resolved. */
  send(frames: readonly Outgoing[]): void {
    if (this.closed) return
    // Several frames for one peer leave in one socket write instead of one write each.
    const corked = frames.length > 1 ? [...this.peers] : []
    corked.forEach((p) => p.cork())
    try {
      for (const { frame, to, except } of frames) {
        if (to !== undefined) {
          if (this.peers.has(to)) to.send(frame)
          continue
        }
        const broadcast: Broadcast = { docId: this.id, frame }
        for (const peer of this.peers) if (peer !== except) peer.broadcast(broadcast)
      }
    } finally {
      corked.forEach((p) => p.uncork())
    }
  }

  /** The whole state, for a compaction; also resets the size estimate to what it measures. */
  encodeState(): Uint8Array {
    const state = Y.encodeStateAsUpdate(this.doc)
    this.sizeEstimate = state.byteLength
    return state
  }

  /** Stops everything. Peers still here are closed with `reason` (none: they were closed already). */
  destroy(reason: CloseReason | undefined): void {
    if (this.closed) return
    this.closed = true
    this.pending = []
    this.outbox = []
    const peers = [...this.peers]
    this.peers.clear()
    if (reason !== undefined) peers.forEach((p) => p.close(reason))
    this.awareness.destroy()
    this.doc.destroy()
  }

  private readonly onUpdate = (update: Uint8Array, origin: unknown): void => {
    this.sizeEstimate += update.byteLength
    if (origin === COMMITTED) {
      this.queue({ frame: updateFrame(update) })
      return
    }
    const peer = isPeer(origin) ? origin : undefined
    // The author is the one the server verified (the token's), whatever the update itself claims.
    this.pending.push({ data: update, by: peer === undefined ? undefined : { sub: peer.principal.sub, name: peer.principal.name } })
    this.queue({ frame: updateFrame(update), except: peer })
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
    if (isPeer(origin)) this.hooks.shareAwareness(this, update)
  }

  private queue(out: Outgoing): void {
    if (this.closed) return
    this.outbox.push(out)
    this.hooks.schedule(this)
  }

  private wouldExceed(bytes: number): boolean {
    const max = this.hooks.maxDocBytes
    if (this.sizeEstimate + bytes <= max) return false
    // The running estimate only grows; measure exactly before refusing anyone.
    this.sizeEstimate = Y.encodeStateAsUpdate(this.doc).byteLength
    return this.sizeEstimate + bytes > max
  }

  private idleCheck(): void {
    if (!this.closed && this.idle) this.hooks.idle(this)
  }
}

const isPeer = (origin: unknown): origin is Peer =>
  typeof origin === 'object' && origin !== null && 'principal' in origin && 'send' in origin
