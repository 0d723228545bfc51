// One benchmark client: speaks the y-websocket protocol over a plain WebSocket, over Hocuspocus'
// framing (document name first, Auth message before anything else), or over skillmap's Socket.IO
// events. Load clients never apply what they receive (the single generator core must not become
// the bottleneck); writers hold a Y.Doc only to produce their own updates. Cold-load and seeding
// clients apply everything.
import WebSocket from 'ws'
import { io, type Socket } from 'socket.io-client'
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import type { Endpoint } from './types.js'

const SYNC = 0
const AWARENESS = 1
const AUTH = 2
/** Hocuspocus: a sync message that does not trigger another step 1 (what its provider answers with) */
const HOCUS_SYNC_REPLY = 4
const STEP1 = 0
const STEP2 = 1
const UPDATE = 2
/** the encoding of an empty Yjs update: what a client without a document answers to sync step 1 */
const EMPTY_UPDATE = new Uint8Array([0, 0])

export interface ClientEvents {
  /** a sync update frame arrived (the whole frame: the caller scans it) */
  onUpdate?(client: BenchClient, frame: Buffer): void
  /** any frame arrived */
  onFrame?(client: BenchClient, frame: Buffer): void
  /** the connection ended without close() being called */
  onLost?(client: BenchClient, reason: string): void
  /** the server reported an error on an established connection (Socket.IO `doc:error`) */
  onError?(client: BenchClient, reason: string): void
}

export interface ClientOptions {
  docId: string
  endpoint: Endpoint
  /** the client's own document: answers the server's sync step 1 from it */
  doc?: Y.Doc
  /** apply every received sync message into `doc` (cold-load); writers under load leave this off */
  apply?: boolean
  events: ClientEvents
  name: string
}

export class BenchClient {
  readonly clientId = (Math.random() * 0x7fffffff) >>> 0
  private ws?: WebSocket
  private socket?: Socket
  private readonly prefix: Uint8Array
  private awarenessClock = 0
  private closing = false
  ready = false
  lost = false

  constructor(readonly opts: ClientOptions) {
    // Hocuspocus multiplexes documents on one socket, so each of its frames names the document.
    this.prefix = opts.endpoint.framing === 'hocus' ? encodeString(opts.docId) : new Uint8Array(0)
  }

  /** Resolves once the client is synced (server answered our sync step 1), or open for the raw relay. */
  connect(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.close()
        reject(new Error(`not synced within ${timeoutMs} ms`))
      }, timeoutMs)
      this.onReady = () => {
        clearTimeout(timer)
        resolve()
      }
      this.onFail = (reason) => {
        clearTimeout(timer)
        this.close()
        reject(new Error(reason))
      }
      if (this.opts.endpoint.framing === 'sio') this.openSocketIo()
      else this.openWebSocket()
    })
  }

  private onReady: () => void = () => {}
  private onFail: (reason: string) => void = () => {}

  private markReady(): void {
    if (this.ready) return
    this.ready = true
    this.onReady()
  }

  private openWebSocket(): void {
    const { endpoint, docId } = this.opts
    const ws = new WebSocket(endpoint.url.replace('{doc}', encodeURIComponent(docId)), { perMessageDeflate: false })
    this.ws = ws
    ws.on('open', () => this.start())
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) this.handleFrame(data)
    })
    ws.on('error', (err) => this.onFail(`websocket error: ${err.message}`))
    ws.on('close', (code, reason) => this.ended(`closed ${code} ${reason.toString()}`))
  }

  private openSocketIo(): void {
    const { endpoint, docId } = this.opts
    const socket = io(endpoint.url, {
      transports: ['websocket'],
      auth: { token: endpoint.token },
      forceNew: true, // one engine.io connection per client, like separate browsers
      reconnection: false,
      timeout: 20_000,
    })
    this.socket = socket
    socket.on('connect', () => {
      socket.emit('doc:join', docId, (ack: { ok: boolean; code?: string; message?: string }) => {
        if (ack?.ok) this.start()
        else this.onFail(`doc:join refused: ${ack?.code} ${ack?.message ?? ''}`)
      })
    })
    socket.on('doc:msg', (id: string, frame: ArrayBuffer | Uint8Array) => {
      if (id === docId) this.handleFrame(toBuffer(frame))
    })
    socket.on('doc:error', (id: string, err: { code: string; message: string }) => {
      if (id !== docId) return
      const reason = `doc:error ${err?.code} ${err?.message ?? ''}`
      if (this.ready) this.opts.events.onError?.(this, reason)
      else this.onFail(reason)
    })
    socket.on('connect_error', (err) => this.onFail(`connect_error: ${err.message}`))
    socket.on('disconnect', (reason) => this.ended(`disconnect ${reason}`))
  }

  private ended(reason: string): void {
    if (this.closing) return
    if (!this.ready) return this.onFail(reason)
    this.lost = true
    this.opts.events.onLost?.(this, reason)
  }

  /** What a provider does once the transport is open: (auth,) sync step 1, awareness. */
  private start(): void {
    const { endpoint } = this.opts
    if (endpoint.framing === 'hocus') {
      const e = encoding.createEncoder()
      encoding.writeVarUint(e, AUTH)
      encoding.writeVarUint(e, 0) // the client's auth sub-message is always "token"
      encoding.writeVarString(e, endpoint.token)
      this.send(encoding.toUint8Array(e))
    }
    if (endpoint.handshake) {
      const sv = this.opts.doc ? Y.encodeStateVector(this.opts.doc) : new Uint8Array([0])
      this.send(syncMessage(SYNC, STEP1, sv))
    }
    this.sendAwareness()
    if (!endpoint.handshake) this.markReady()
  }

  private handleFrame(frame: Buffer): void {
    this.opts.events.onFrame?.(this, frame)
    let offset = 0
    if (this.prefix.length) {
      // skip the document name (varString); it is ours, one document per socket
      const d = decoding.createDecoder(frame)
      decoding.readVarString(d)
      offset = d.pos
    }
    const type = frame[offset]
    if (type !== SYNC && type !== HOCUS_SYNC_REPLY) return
    const sub = frame[offset + 1]
    if (sub === UPDATE) {
      this.opts.events.onUpdate?.(this, frame)
      if (this.opts.apply) this.apply(frame, offset + 2)
    } else if (sub === STEP2) {
      if (this.opts.apply) this.apply(frame, offset + 2)
      this.markReady()
    } else if (sub === STEP1 && this.opts.endpoint.handshake) {
      const d = decoding.createDecoder(frame.subarray(offset + 2))
      const sv = decoding.readVarUint8Array(d)
      const update = this.opts.doc ? Y.encodeStateAsUpdate(this.opts.doc, sv) : EMPTY_UPDATE
      const replyType = this.opts.endpoint.framing === 'hocus' ? HOCUS_SYNC_REPLY : SYNC
      this.send(syncMessage(replyType, STEP2, update))
    }
  }

  private apply(frame: Buffer, at: number): void {
    const d = decoding.createDecoder(frame.subarray(at))
    Y.applyUpdate(this.opts.doc!, decoding.readVarUint8Array(d), 'remote')
  }

  /** Sends one Yjs update as a sync update frame. */
  sendUpdate(update: Uint8Array): void {
    this.send(syncMessage(SYNC, UPDATE, update))
  }

  /** Announces (or renews) this client's awareness state, hand-encoded like y-protocols does. */
  sendAwareness(): void {
    const state = JSON.stringify({ user: { name: this.opts.name }, cursor: null })
    const inner = encoding.createEncoder()
    encoding.writeVarUint(inner, 1)
    encoding.writeVarUint(inner, this.clientId)
    encoding.writeVarUint(inner, ++this.awarenessClock)
    encoding.writeVarString(inner, state)
    const e = encoding.createEncoder()
    encoding.writeVarUint(e, AWARENESS)
    encoding.writeVarUint8Array(e, encoding.toUint8Array(inner))
    this.send(encoding.toUint8Array(e))
  }

  /** Bytes queued in the transport but not yet written (WebSocket only; 0 for Socket.IO). */
  get buffered(): number {
    return this.ws?.bufferedAmount ?? 0
  }

  private send(message: Uint8Array): void {
    const frame = this.prefix.length ? concat(this.prefix, message) : message
    if (this.ws) {
      if (this.ws.readyState === WebSocket.OPEN) this.ws.send(frame)
    } else if (this.socket?.connected) {
      this.socket.emit('doc:msg', this.opts.docId, frame)
    }
  }

  close(): void {
    this.closing = true
    if (this.ws) {
      if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate()
      else this.ws.close()
    }
    this.socket?.disconnect()
  }
}

function syncMessage(type: number, sub: number, payload: Uint8Array): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, type)
  encoding.writeVarUint(e, sub)
  encoding.writeVarUint8Array(e, payload)
  return encoding.toUint8Array(e)
}

function encodeString(s: string): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarString(e, s)
  return encoding.toUint8Array(e)
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a, 0)
  out.set(b, a.length)
  return out
}

function toBuffer(data: ArrayBuffer | Uint8Array): Buffer {
  if (Buffer.isBuffer(data)) return data
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  return Buffer.from(data)
}
