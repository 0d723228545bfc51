// Real clients: the stock y-websocket provider, a socket.io-client speaking CONTRACT §3b, and a raw
// WebSocket for sending what no well-behaved client would.
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { io as ioClient, type Socket } from 'socket.io-client'
import { WebSocket } from 'ws'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as syncProtocol from 'y-protocols/sync'
import * as authProtocol from 'y-protocols/auth'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { MessageType, type ClientToServerEvents, type DocError, type JoinAck, type ServerToClientEvents } from '../../shared/protocol.js'
import { nextEvent, until, within } from './wait.js'

export interface YwsClient {
  doc: Y.Doc
  provider: WebsocketProvider
  awareness: awarenessProtocol.Awareness
  /** close codes of every connection this provider saw closed */
  closes: number[]
  denied: string[]
  synced(): Promise<void>
  close(): void
}

/** A stock WebsocketProvider in Node (ws as the WebSocket), one document. */
export function connectYws(wsUrl: string, docId: string, token: string, doc = new Y.Doc()): YwsClient {
  const provider = new WebsocketProvider(`${wsUrl}/yjs`, docId, doc, {
    params: { token },
    WebSocketPolyfill: WebSocket as never,
    // Providers in one process would otherwise sync through BroadcastChannel, not the server.
    disableBc: true,
    maxBackoffTime: 200,
  })
  const closes: number[] = []
  const denied: string[] = []
  provider.on('connection-close', (event) => {
    if (event) closes.push(event.code)
  })
  // The provider only logs permission denials; record them for assertions.
  provider.messageHandlers[MessageType.auth] = (_encoder, decoder) => {
    authProtocol.readAuthMessage(decoder, doc, (_doc, reason) => denied.push(reason))
  }
  return {
    doc,
    provider,
    awareness: provider.awareness,
    closes,
    denied,
    synced: () => (provider.synced ? Promise.resolve() : nextEvent(provider, 'sync', { accept: (s) => s === true }).then(() => {})),
    close: () => {
      provider.destroy()
      doc.destroy()
    },
  }
}

type IoSocket = Socket<ServerToClientEvents, ClientToServerEvents>

/** A Socket.IO connection forced onto the websocket transport. */
export function connectIo(url: string, token: string | undefined): IoSocket {
  return ioClient(url, { transports: ['websocket'], auth: token === undefined ? {} : { token }, reconnection: false, forceNew: true })
}

export interface IoDoc {
  doc: Y.Doc
  awareness: awarenessProtocol.Awareness
  errors: DocError[]
  /** resolves once the server's sync step 2 arrived */
  synced: Promise<void>
  send(frame: Uint8Array): void
  leave(): void
}

/**
 * Joins a document over a Socket.IO socket and keeps a Y.Doc in sync with it (CONTRACT §3b). The doc
 * is destroyed with the socket, unless `keepDoc` (a client that rejoins with the same doc elsewhere).
 */
export async function joinIo(socket: IoSocket, docId: string, doc = new Y.Doc(), { keepDoc = false } = {}): Promise<IoDoc & { ack: JoinAck }> {
  const awareness = new awarenessProtocol.Awareness(doc)
  const errors: DocError[] = []
  let markSynced: () => void = () => {}
  const synced = new Promise<void>((resolve) => (markSynced = resolve))
  const send = (frame: Uint8Array): void => {
    socket.emit('doc:msg', docId, frame)
  }
  const origin = Symbol('server')

  socket.on('doc:msg', (id, data) => {
    if (id !== docId) return
    const decoder = decoding.createDecoder(new Uint8Array(data as unknown as ArrayBuffer))
    const type = decoding.readVarUint(decoder)
    if (type === MessageType.sync) {
      const encoder = encoding.createEncoder()
      encoding.writeVarUint(encoder, MessageType.sync)
      const step = syncProtocol.readSyncMessage(decoder, encoder, doc, origin)
      if (encoding.length(encoder) > 1) send(encoding.toUint8Array(encoder))
      if (step === syncProtocol.messageYjsSyncStep2) markSynced()
    } else if (type === MessageType.awareness) {
      awarenessProtocol.applyAwarenessUpdate(awareness, decoding.readVarUint8Array(decoder), origin)
    }
  })
  socket.on('doc:error', (id, error) => {
    if (id === docId) errors.push(error)
  })
  const onUpdate = (update: Uint8Array, from: unknown): void => {
    if (from === origin) return
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, MessageType.sync)
    syncProtocol.writeUpdate(encoder, update)
    send(encoding.toUint8Array(encoder))
  }
  doc.on('update', onUpdate)
  awareness.on('update', ({ added, updated, removed }: Record<string, number[]>, from: unknown) => {
    if (from === origin) return
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, MessageType.awareness)
    encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, added!.concat(updated!, removed!)))
    send(encoding.toUint8Array(encoder))
  })

  // The awareness's timer would keep the test process alive after the socket is gone.
  socket.on('disconnect', () => {
    awareness.destroy()
    doc.off('update', onUpdate)
    if (!keepDoc) doc.destroy()
  })

  const ack = await within(new Promise<JoinAck>((resolve) => socket.emit('doc:join', docId, resolve)), 5000, `the doc:join ack for ${docId}`)
  if (ack.ok) {
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, MessageType.sync)
    syncProtocol.writeSyncStep1(encoder, doc)
    send(encoding.toUint8Array(encoder))
  }
  const syncedInTime = within(synced, 5000, `sync step 2 for ${docId}`)
  // Only a joined document ever syncs; nobody waits for a refused one.
  syncedInTime.catch(() => {})
  return { doc, awareness, errors, synced: syncedInTime, send, ack, leave: () => socket.emit('doc:leave', docId) }
}

export interface RawWs {
  ws: WebSocket
  messages: Uint8Array[]
  closed: Promise<{ code: number; reason: string }>
  opened: Promise<void>
  /** the first frame the server sent; it may arrive with the handshake, before `opened` resolves to anyone */
  firstMessage(): Promise<Uint8Array>
}

/** A bare WebSocket on the y-websocket endpoint. */
export function rawWs(wsUrl: string, docId: string, token: string): RawWs {
  const ws = new WebSocket(`${wsUrl}/yjs/${encodeURIComponent(docId)}?token=${encodeURIComponent(token)}`)
  const messages: Uint8Array[] = []
  ws.on('message', (data: Buffer) => messages.push(new Uint8Array(data)))
  ws.on('error', () => {})
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })))
  const opened = nextEvent(ws, 'open').then(() => {})
  const firstMessage = async (): Promise<Uint8Array> => {
    await until(() => messages.length > 0, { on: [[ws, 'message']], what: `the first message on ${docId}` })
    return messages[0]!
  }
  return { ws, messages, closed, opened, firstMessage }
}

/** Waits until two documents hold the same CRDT state (same state vectors and delete sets). */
export function converged(a: Y.Doc, b: Y.Doc, timeout = 5000): Promise<void> {
  const same = (): boolean => Y.equalSnapshots(Y.snapshot(a), Y.snapshot(b))
  return until(same, { on: [[a, 'update'], [b, 'update']], timeout, what: 'documents to converge' })
}

/** Waits until `map.get(key)` equals `value`. */
export function valueIn(map: Y.Map<unknown>, key: string, value: unknown, timeout = 5000): Promise<void> {
  return until(() => map.get(key) === value, { on: [[map.doc!, 'update']], timeout, what: `${key} = ${String(value)}` })
}
