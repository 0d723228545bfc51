// One benchmark client: speaks the y-websocket protocol over a plain WebSocket, over Hocuspocus'
// framing (document name first, Auth message before anything else), or over skillmap's Socket.IO
// events. Load clients never apply what they receive (the single generator core must not become
// the bottleneck); writers hold a Y.Doc only to produce their own updates. Cold-load and seeding
// clients apply everything.
import WebSocket from 'ws'
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
  private sio?: WebSocket
  private readonly prefix: Uint8Array
  /** one of the endpoint's tokens, the same for every client of this document */
  private readonly token: string
  private awarenessClock = 0
  private closing = false
  ready = false
  lost = false

  constructor(readonly opts: ClientOptions) {
    this.token = opts.endpoint.tokens[hash(opts.docId) % opts.endpoint.tokens.length]!
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
    const url = endpoint.url.replace('{doc}', encodeURIComponent(docId)).replace('{token}', encodeURIComponent(this.token))
    const ws = new WebSocket(url, { perMessageDeflate: false })
    this.ws = ws
    ws.on('open', () => this.start())
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) this.handleFrame(data)
    })
    ws.on('error', (err) => this.onFail(`websocket error: ${err.message}`))
    ws.on('close', (code, reason) => this.ended(`closed ${code} ${reason.toString()}`))
  }

  /**
   * Socket.IO (protocol 5 over Engine.IO 4) spoken directly on a WebSocket, for the events this
   * bench needs: one client per engine.io connection, like separate browsers. socket.io-client's
   * own decoding costs several times more CPU per message, and on the generator's single core it
   * became the limit at 500 clients, long before the server did.
   */
  private openSocketIo(): void {
    const { endpoint, docId } = this.opts
    const url = `${endpoint.url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`
    const ws = new WebSocket(url, { perMessageDeflate: false })
    this.sio = ws
    // A binary event arrives as a text frame naming it, then its attachment in a binary frame.
    let attachmentFor: string | undefined
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        if (attachmentFor === docId) this.handleFrame(data)
        attachmentFor = undefined
        return
      }
      const text = data.toString()
      if (text === '2') return ws.send('3') // engine.io ping → pong
      if (text.startsWith('0')) return ws.send(`40${JSON.stringify({ token: this.token })}`) // open → connect with auth
      if (text.startsWith('40')) return ws.send(`420${JSON.stringify(['doc:join', docId])}`) // connected → join, ack id 0
      if (text.startsWith('44')) return this.onFail(`connect_error: ${text.slice(2)}`)
      if (text.startsWith('430')) {
        const [ack] = JSON.parse(text.slice(3)) as [{ ok: boolean; code?: string; message?: string }]
        return ack?.ok ? this.start() : this.onFail(`doc:join refused: ${ack?.code} ${ack?.message ?? ''}`)
      }
      if (text.startsWith('451-')) {
        attachmentFor = (JSON.parse(text.slice(4)) as [string, string])[1]
        return
      }
      if (text.startsWith('42')) {
        const [event, id, err] = JSON.parse(text.slice(2)) as [string, string, { code: string; message: string }]
        if (event !== 'doc:error' || id !== docId) return
        const reason = `doc:error ${err?.code} ${err?.message ?? ''}`
        if (this.ready) this.opts.events.onError?.(this, reason)
        else this.onFail(reason)
      }
    })
    ws.on('error', (err) => this.onFail(`websocket error: ${err.message}`))
    ws.on('close', (code, reason) => this.ended(`disconnect ${code} ${reason.toString()}`))
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
      encoding.writeVarString(e, this.token)
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

  /** Bytes queued in the transport but not yet written. */
  get buffered(): number {
    return (this.ws ?? this.sio)?.bufferedAmount ?? 0
  }

  private send(message: Uint8Array): void {
    const frame = this.prefix.length ? concat(this.prefix, message) : message
    if (this.ws) {
      if (this.ws.readyState === WebSocket.OPEN) this.ws.send(frame)
    } else if (this.sio?.readyState === WebSocket.OPEN) {
      // a binary event: its header names the attachment that follows in a binary frame
      this.sio.send(`451-${JSON.stringify(['doc:msg', this.opts.docId, { _placeholder: true, num: 0 }])}`)
      this.sio.send(frame)
    }
  }

  close(): void {
    this.closing = true
    if (this.ws) {
      if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate()
      else this.ws.close()
    }
    this.sio?.close()
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

/** FNV-1a of a document id: spreads documents over the endpoint's tokens. */
function hash(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0
  return h
}
