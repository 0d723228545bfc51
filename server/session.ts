// One connection's session with one document, the same for both transports (yws.ts, io.ts): the
// checks before a join, the join itself once the document is loaded, the frames that arrive
// meanwhile (held, in order), each frame decoded and handed to the room, and the leave.
import { ErrorCode, isDocId, type Principal } from '../shared/protocol.js'
import { canAccess, mayConnect, mayWrite } from './auth.js'
import type { Creations } from './creations.js'
import { AppError } from './errors.js'
import { decodeFrame, FrameError, stampAwareness } from './frames.js'
import type { Peer, Room } from './room.js'
import type { Rooms } from './rooms.js'

export interface SessionDeps {
  rooms: Rooms
  /** counts documents created by joining against the token's creation limit */
  creations?: Creations
}

export interface Session {
  /** Hands one frame (a private copy, see copyFrame) to the room, or holds it until the join. Throws FrameError. */
  receive(frame: Uint8Array): void
  /** Leaves the document (or, when still joining, makes the join a no-op). */
  end(): void
  readonly joined: boolean
}

/**
 * Checks the id and the principal's access, loads (or creates) the document and joins `makePeer()`.
 * Rejects with AppError bad-request / forbidden / not-found / unavailable. `alive()` false after the
 * load means the connection went away meanwhile: nothing is joined.
 */
export async function openSession(
  deps: SessionDeps,
  { docId, principal, makePeer, alive, onBadFrame }: {
    docId: unknown
    principal: Principal
    makePeer: () => Peer
    alive: () => boolean
    /** a held frame that did not decode, found at the join */
    onBadFrame: (err: FrameError) => void
  },
  session: PendingSession,
): Promise<void> {
  if (!isDocId(docId)) throw new AppError(ErrorCode.badRequest, 'invalid document id')
  if (!mayConnect(principal) || !canAccess(principal, docId)) throw new AppError(ErrorCode.forbidden)
  const room = await deps.rooms.acquire(docId, { create: mayWrite(principal), beforeCreate: () => deps.creations?.take(principal) })
  try {
    if (!alive() || session.ended) return
    const peer = makePeer()
    room.join(peer)
    session.attach(room, peer, onBadFrame)
  } finally {
    room.release()
  }
}

/** A session from its first frame on: frames are held until the join, then go to the room. */
export class PendingSession implements Session {
  ended = false
  private room: Room | undefined
  private peer: Peer | undefined
  private early: Uint8Array[] = []

  get joined(): boolean {
    return this.room !== undefined
  }

  receive(frame: Uint8Array): void {
    if (this.ended) return
    if (this.room === undefined || this.peer === undefined) {
      this.early.push(frame)
      return
    }
    receiveFrame(this.room, this.peer, frame)
  }

  attach(room: Room, peer: Peer, onBadFrame: (err: FrameError) => void): void {
    this.room = room
    this.peer = peer
    for (const frame of this.early.splice(0)) {
      if (this.ended) return
      try {
        receiveFrame(room, peer, frame)
      } catch (err) {
        if (!(err instanceof FrameError)) throw err
        onBadFrame(err)
        return
      }
    }
  }

  end(): void {
    if (this.ended) return
    this.ended = true
    this.early = []
    if (this.room !== undefined && this.peer !== undefined) this.room.leave(this.peer)
  }
}

/**
 * One frame from `peer`. Replies and broadcasts go through the room, which sends them only after
 * the updates they may contain are committed. Anything that does not decode is a FrameError.
 */
export function receiveFrame(room: Room, peer: Peer, data: Uint8Array): void {
  const frame = decodeFrame(data)
  try {
    switch (frame.kind) {
      case 'step1':
        return room.answerStep1(peer, frame.stateVector)
      case 'update':
        return room.receiveUpdate(peer, frame.update)
      case 'awareness':
        return room.receiveAwareness(peer, stampAwareness(frame.update, peer.principal))
      case 'query-awareness':
        return room.answerAwarenessQuery(peer)
      case 'ignored':
        return
    }
  } catch (err) {
    if (err instanceof FrameError) throw err
    // The update check's refusal, or Yjs failing on a malformed update: the frame was bad.
    throw new FrameError(err instanceof Error ? err.message : 'undecodable frame')
  }
}
