// y-websocket frames (y-protocols), whatever transport carried them: encoders for what the server
// sends, a strict decoder for what clients send. Pure: no room, no peer, no transport.
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as authProtocol from 'y-protocols/auth'
import * as syncProtocol from 'y-protocols/sync'
import { MessageType, type Principal } from '../shared/protocol.js'

export class FrameError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'FrameError'
  }
}

const frame = (write: (e: encoding.Encoder) => void): Uint8Array => {
  const e = encoding.createEncoder()
  write(e)
  return encoding.toUint8Array(e)
}

const syncFrame = (step: number, payload: Uint8Array): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, MessageType.sync)
    encoding.writeVarUint(e, step)
    encoding.writeVarUint8Array(e, payload)
  })

export const syncStep1Frame = (stateVector: Uint8Array): Uint8Array => syncFrame(syncProtocol.messageYjsSyncStep1, stateVector)
export const syncStep2Frame = (update: Uint8Array): Uint8Array => syncFrame(syncProtocol.messageYjsSyncStep2, update)
export const updateFrame = (update: Uint8Array): Uint8Array => syncFrame(syncProtocol.messageYjsUpdate, update)

export const awarenessFrame = (awarenessUpdate: Uint8Array): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, MessageType.awareness)
    encoding.writeVarUint8Array(e, awarenessUpdate)
  })

export const permissionDeniedFrame = (reason: string): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, MessageType.auth)
    authProtocol.writePermissionDenied(e, reason)
  })

/** One decoded client frame: what the session hands to the room. */
export type Frame =
  | { kind: 'step1'; stateVector: Uint8Array }
  | { kind: 'update'; update: Uint8Array }
  | { kind: 'awareness'; update: Uint8Array }
  | { kind: 'query-awareness' }
  | { kind: 'ignored' }

/**
 * Decodes one frame from a client. Anything that does not decode, or has an unknown message type or
 * sync step, is a FrameError (the connection is closed). `data` must own its buffer (see copyFrame).
 */
export function decodeFrame(data: Uint8Array): Frame {
  const decoder = decoding.createDecoder(data)
  try {
    const type = decoding.readVarUint(decoder)
    switch (type) {
      case MessageType.sync: {
        const step = decoding.readVarUint(decoder)
        const payload = decoding.readVarUint8Array(decoder)
        if (step === syncProtocol.messageYjsSyncStep1) return { kind: 'step1', stateVector: payload }
        if (step === syncProtocol.messageYjsSyncStep2 || step === syncProtocol.messageYjsUpdate) return { kind: 'update', update: payload }
        throw new FrameError(`unknown sync step ${step}`)
      }
      case MessageType.awareness:
        return { kind: 'awareness', update: decoding.readVarUint8Array(decoder) }
      case MessageType.auth:
        // Only servers send auth messages; a client's is meaningless but harmless.
        return { kind: 'ignored' }
      case MessageType.queryAwareness:
        return { kind: 'query-awareness' }
      default:
        throw new FrameError(`unknown message type ${type}`)
    }
  } catch (err) {
    if (err instanceof FrameError) throw err
    throw new FrameError(err instanceof Error ? err.message : 'undecodable frame')
  }
}

/**
 * Rewrites an awareness update so that every state carries the server's `user` stamp (CONTRACT §2):
 * whatever a client claims, presence shows who its token says it is.
 */
export function stampAwareness(update: Uint8Array, principal: Principal): StampedAwareness {
  try {
    return stamp(update, principal)
  } catch (err) {
    if (err instanceof FrameError) throw err
    throw new FrameError(err instanceof Error ? err.message : 'undecodable awareness update')
  }
}

function stamp(update: Uint8Array, principal: Principal): StampedAwareness {
  const user = { id: principal.sub, name: principal.name, role: principal.role }
  const decoder = decoding.createDecoder(update)
  const encoder = encoding.createEncoder()
  const count = decoding.readVarUint(decoder)
  const clientIds: number[] = []
  encoding.writeVarUint(encoder, count)
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(decoder)
    clientIds.push(clientId)
    encoding.writeVarUint(encoder, clientId)
    encoding.writeVarUint(encoder, decoding.readVarUint(decoder))
    const state: unknown = JSON.parse(decoding.readVarString(decoder))
    if (state !== null && (typeof state !== 'object' || Array.isArray(state))) throw new FrameError('awareness state must be an object or null')
    encoding.writeVarString(encoder, JSON.stringify(state === null ? null : { ...state, user }))
  }
  return { update: encoding.toUint8Array(encoder), clientIds }
}

export interface StampedAwareness {
  update: Uint8Array
  clientIds: number[]
}

/**
 * A private copy of an incoming message. lib0 and Yjs read lengths from the data and make views of
 * the underlying ArrayBuffer; on a slice of Node's shared socket buffer a lying length would read
 * other connections' bytes. On an exact-size copy it throws instead.
 */
export function copyFrame(data: ArrayBuffer | Uint8Array | Buffer[]): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data))
  return data instanceof Uint8Array ? new Uint8Array(data) : new Uint8Array(data.slice(0))
}
