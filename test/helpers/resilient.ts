// Clients for database outages: they record every document update the server sent them (sync step 2
// and update frames, as received), so a test can check that nothing was relayed that was not
// committed; and the Socket.IO one rejoins by itself when the server drops it, the way the
// y-websocket provider reconnects by itself, so a test passes whether an outage is ridden out by the
// server (updates held and retried) or by the clients (connections closed, 1013 or doc:error).
import * as decoding from 'lib0/decoding'
import * as syncProtocol from 'y-protocols/sync'
import * as Y from 'yjs'
import { MessageType } from '../../shared/protocol.js'
import { connectIo, connectYws, joinIo, type YwsClient } from './clients.js'

/** The update a sync message carries (step 2 or update), read from a decoder just past the message type. */
function syncPayload(decoder: decoding.Decoder): Uint8Array | undefined {
  const step = decoding.readVarUint(decoder)
  return step === syncProtocol.messageYjsSyncStep2 || step === syncProtocol.messageYjsUpdate ? decoding.readVarUint8Array(decoder) : undefined
}

export type RecordingYws = YwsClient & { received: Uint8Array[] }

/** A stock WebsocketProvider (connectYws) that also records the updates it received. */
export function recordingYws(wsUrl: string, docId: string, token: string): RecordingYws {
  const client = connectYws(wsUrl, docId, token)
  const received: Uint8Array[] = []
  const handle = client.provider.messageHandlers[MessageType.sync]!
  client.provider.messageHandlers[MessageType.sync] = (encoder, decoder, provider, emitSynced, messageType) => {
    const update = syncPayload(decoding.clone(decoder))
    if (update !== undefined) received.push(update)
    handle(encoder, decoder, provider, emitSynced, messageType)
  }
  return Object.assign(client, { received })
}

export interface ResilientIo {
  doc: Y.Doc
  received: Uint8Array[]
  /** completed joins (synced); more than one means it was dropped and came back */
  joins(): number
  /** joined and synced right now */
  joined(): boolean
  close(): void
}

/** How long a dropped Socket.IO client waits before it tries again (a client's backoff, not a test's wait). */
const RETRY_MS = 100

/** A Socket.IO client (connectIo + joinIo) on one document that reconnects and rejoins with the same Y.Doc. */
export function resilientIo(url: string, docId: string, token: string): ResilientIo {
  const doc = new Y.Doc()
  const received: Uint8Array[] = []
  let socket: ReturnType<typeof connectIo> | undefined
  let timer: NodeJS.Timeout | undefined
  let closed = false
  let joins = 0
  let joined = false

  const retry = (s: ReturnType<typeof connectIo>): void => {
    if (s !== socket || closed) return
    socket = undefined
    joined = false
    s.close()
    timer = setTimeout(connect, RETRY_MS)
  }
  const connect = (): void => {
    if (closed) return
    const s = connectIo(url, token)
    socket = s
    s.on('doc:msg', (id, data) => {
      if (id !== docId) return
      const decoder = decoding.createDecoder(new Uint8Array(data as unknown as ArrayBuffer))
      if (decoding.readVarUint(decoder) !== MessageType.sync) return
      const update = syncPayload(decoder)
      if (update !== undefined) received.push(update)
    })
    // Dropped from the document: start over on a new connection, as after a disconnect.
    s.on('doc:error', (id) => id === docId && retry(s))
    s.on('disconnect', () => retry(s))
    s.on('connect_error', () => retry(s))
    s.on('connect', () => {
      joinIo(s, docId, doc, { keepDoc: true })
        .then(async (join) => {
          if (!join.ack.ok) return retry(s)
          await join.synced
          if (s !== socket) return
          joins++
          joined = true
        })
        .catch(() => retry(s))
    })
  }
  connect()
  return {
    doc,
    received,
    joins: () => joins,
    joined: () => joined,
    close: () => {
      closed = true
      clearTimeout(timer)
      socket?.close()
      doc.destroy()
    },
  }
}
