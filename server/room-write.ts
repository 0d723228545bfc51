// A write that arrives over REST (an import) goes into the document the way a client's update
// does: through the room, so the update check and the size limit apply, it is committed before
// anyone sees it, relayed to the live clients on every instance, and attributed to the caller.
import { randomUUID } from 'node:crypto'
import type * as Y from 'yjs'
import { ErrorCode, type Principal } from '../shared/protocol.js'
import { AppError } from './errors.js'
import type { Peer } from './room.js'
import type { Rooms } from './rooms.js'
import type { Store } from './store/types.js'
import { UpdateCheckError } from './update-check.js'

export interface RoomWriteDeps {
  rooms: Rooms
  store: Store
}

/**
 * `change` gets the committed document (read-only: it builds an update on a copy) and returns one
 * update, or null when there is nothing to change. Resolves with the document's version after the
 * commit. Throws AppError not-found, too-large, bad-request (an update the check refuses), unavailable.
 */
export async function writeThroughRoom(
  { rooms, store }: RoomWriteDeps,
  docId: string,
  principal: Principal,
  change: (doc: Y.Doc) => Uint8Array | null,
): Promise<number> {
  const room = await rooms.acquire(docId, { create: false })
  try {
    // Flushes and repairs from the database: `change` sees everything the cluster committed.
    const update = await rooms.read(docId, ({ doc }) => change(doc))
    if (update === null) return await store.lastSeq(docId)
    const peer = restPeer(principal)
    try {
      room.receiveUpdate(peer, update)
    } catch (err) {
      if (err instanceof UpdateCheckError) throw new AppError(ErrorCode.badRequest, `the update was refused: ${err.message}`)
      throw err
    }
    if (peer.refusal !== undefined) throw new AppError(peer.refusal)
    // Committed before the reply, so the version in it includes this update.
    await rooms.flush()
    if (room.closed) throw new AppError((await store.get(docId)) === undefined ? ErrorCode.gone : ErrorCode.unavailable)
    return await store.lastSeq(docId)
  } finally {
    room.release()
  }
}

/** The caller of a REST write as the room sees it: a peer with no connection, which hears nothing back. */
function restPeer(principal: Principal): Peer & { refusal: ErrorCode | undefined } {
  const peer = {
    id: `rest-${randomUUID()}`,
    principal,
    readOnly: false,
    refusal: undefined as ErrorCode | undefined,
    send() {},
    broadcast() {},
    cork() {},
    uncork() {},
    refuse(code: ErrorCode) {
      peer.refusal = code
    },
    close() {},
  }
  return peer
}
