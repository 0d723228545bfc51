// Socket.IO fan-out at the cost of a plain WebSocket relay. Socket.IO sends a binary event as two
// WebSocket frames and, for binary events, encodes both again for every receiver, then writes them
// in two socket writes (the second only after the first one's callback). Here an update is encoded
// once into the exact bytes Socket.IO would send, and each receiver gets them in one write —
// whenever nothing that engine.io or ws still holds for that socket could be overtaken.
import type { Socket as NetSocket } from 'node:net'
import { Encoder, PacketType } from 'socket.io-parser'
import * as ws from 'ws'

const encoder = new Encoder()

type FrameFn = (data: Buffer, options: { fin: boolean; rsv1: boolean; opcode: number; mask: boolean; readOnly: boolean }) => Buffer[]
// ws builds its frames with Sender.frame (a public static, missing from @types/ws); so does socket.io-adapter.
const wsFrame = (ws as unknown as { Sender: { frame: FrameFn } }).Sender.frame

const TEXT = 1
const BINARY = 2
/** Engine.IO's "message" packet type, which prefixes every text packet. */
const ENGINE_MESSAGE = '4'

/** The bytes Socket.IO writes on a websocket for `emit(event, docId, frame)` in the main namespace. */
export function encodeEvent(event: string, docId: string, frame: Uint8Array): Uint8Array {
  const packets = encoder.encode({ type: PacketType.EVENT, nsp: '/', data: [event, docId, frame] }) as Array<string | Uint8Array>
  const parts: Buffer[] = []
  for (const packet of packets) {
    const text = typeof packet === 'string'
    const data = text ? Buffer.from(ENGINE_MESSAGE + packet) : Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength)
    parts.push(...wsFrame(data, { fin: true, rsv1: false, opcode: text ? TEXT : BINARY, mask: false, readOnly: false }))
  }
  return Buffer.concat(parts)
}

interface EngineConn {
  readyState?: string
  upgrading?: boolean
  writeBuffer?: unknown[]
  transport?: {
    name?: string
    perMessageDeflate?: unknown
    socket?: { readyState?: number; _socket?: NetSocket; _sender?: { _state?: number; _queue?: unknown[] } }
  }
}

/** Whether engine.io holds packets for this connection that it has not handed to its transport yet. */
export function engineHolds(conn: unknown): boolean {
  const buffer = (conn as EngineConn).writeBuffer
  return Array.isArray(buffer) && buffer.length > 0
}

/** The TCP socket under an Engine.IO connection on the websocket transport (none while long-polling). */
export function tcpSocket(conn: unknown): NetSocket | undefined {
  const transport = (conn as EngineConn).transport
  return transport?.name === 'websocket' ? transport.socket?._socket : undefined
}

/**
 * The TCP socket under an Engine.IO connection, when bytes written to it now arrive in order: an open
 * websocket transport, no upgrade in progress, nothing in engine.io's write buffer and nothing queued
 * in ws's sender. Otherwise undefined, and the caller goes through Socket.IO as usual.
 */
export function directSocket(conn: unknown): NetSocket | undefined {
  const c = conn as EngineConn
  if (c.readyState !== 'open' || c.upgrading !== false || !Array.isArray(c.writeBuffer) || c.writeBuffer.length > 0) return undefined
  const transport = c.transport
  if (transport?.name !== 'websocket' || transport.perMessageDeflate) return undefined
  const socket = transport.socket
  // ws's sender queues frames only while it compresses or reads a Blob (state other than 0, its DEFAULT).
  if (socket?.readyState !== ws.WebSocket.OPEN || socket._sender?._state !== 0 || (socket._sender._queue?.length ?? 1) > 0) return undefined
  const tcp = socket._socket
  return tcp?.writable ? tcp : undefined
}
