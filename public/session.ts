// One open map: a Y.Doc kept in IndexedDB (editors) and synced with the server by the stock
// y-websocket provider, plus the connection state the status indicator shows. The provider
// reconnects with backoff, resyncs both ways on every reconnect and carries awareness; 4400–4499
// closes are terminal (the server decided; retrying cannot help).
import { IndexeddbPersistence } from 'y-indexeddb'
import type { Awareness } from 'y-protocols/awareness'
import * as authProtocol from 'y-protocols/auth'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { CloseCode, ErrorCode, MessageType } from '../shared/protocol.js'
import { fetchTicket, ticketedWebSocket } from './ticket.js'
import { canEdit, type Identity } from './token.js'

export type Status = 'loading' | 'connecting' | 'syncing' | 'online' | 'reconnecting' | 'offline' | 'closed'

export interface Session {
  readonly docId: string
  readonly doc: Y.Doc
  readonly provider: WebsocketProvider
  readonly awareness: Awareness
  readonly identity: Identity
  readonly readOnly: boolean
  readonly status: Status
  /** why the server ended the session for good (status `closed`) */
  readonly closed: { code: number; message: string } | null
  /** local edits the server may not have yet: made while not connected, sent on reconnect */
  readonly unsent: number
  /** permissionDenied reasons the server sent, oldest first */
  readonly denied: readonly string[]
  /** true once this page has synced with the server at least once */
  readonly everSynced: boolean
  /** true once there is a map to show: synced with the server, or found on this device */
  readonly loaded: boolean
  /** calls `listener` after every change of the fields above; returns an unsubscribe */
  subscribe(listener: () => void): () => void
  /** Resolves once every update so far is committed to IndexedDB (at once for a viewer). */
  flushLocal(): Promise<void>
  destroy(): void
}

const CLOSE_MESSAGES: Record<number, string> = {
  [CloseCode.badRequest]: 'This map id is not valid.',
  [CloseCode.unauthorized]: 'This link is not valid or has expired. Ask for a new one.',
  [CloseCode.forbidden]: 'This link does not give access to this map.',
  [CloseCode.notFound]: 'This map does not exist, and a view-only link cannot create it.',
  [CloseCode.gone]: 'This map was deleted.',
}

export function openSession(docId: string, token: string, identity: Identity): Session {
  const readOnly = !canEdit(identity)
  const doc = new Y.Doc()
  const wsBase = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/yjs`
  const provider = new WebsocketProvider(wsBase, docId, doc, {
    connect: false,
    // Each (re)connect trades the token for a fresh single-use ticket: the token stays out of the URL.
    WebSocketPolyfill: ticketedWebSocket(() => fetchTicket(token)),
    // A view-only tab must not hand its local state to an editor tab of the same browser, which
    // would send it on as its own. Editors keep the channel: their offline tabs sync with each other.
    disableBc: readOnly,
  })
  // Kept on the device for editors only: a viewer has nothing of its own to keep.
  const local = readOnly ? null : new IndexeddbPersistence(`skillmap/${location.host}/${docId}/${identity.id}`, doc)

  const listeners = new Set<() => void>()
  const state = {
    status: 'loading' as Status,
    closed: null as Session['closed'],
    unsent: 0,
    denied: [] as string[],
    everSynced: false,
    loaded: false,
  }
  const changed = (): void => listeners.forEach((fn) => fn())
  const setStatus = (status: Status): void => {
    if (state.status === status) return
    state.status = status
    changed()
  }
  const browserOnline = (): boolean => navigator.onLine !== false

  // The provider only logs a denial; keep it for the page (and for tests).
  provider.messageHandlers[MessageType.auth] = (_encoder, decoder) => {
    authProtocol.readAuthMessage(decoder, doc, (_doc, reason) => {
      state.denied = [...state.denied, reason]
      changed()
    })
  }
  provider.on('status', ({ status }) => {
    if (state.status === 'closed') return
    if (status === 'connected') setStatus('syncing')
    else if (status === 'connecting') setStatus(state.everSynced ? 'reconnecting' : 'connecting')
    else setStatus(browserOnline() ? 'reconnecting' : 'offline')
  })
  provider.on('sync', (synced) => {
    if (!synced || state.status === 'closed') return
    state.everSynced = true
    state.loaded = true
    state.unsent = 0
    setStatus('online')
    changed()
  })
  provider.on('closed', ({ code }) => {
    state.closed = { code, message: CLOSE_MESSAGES[code] ?? `The server ended the connection (${code}).` }
    setStatus('closed')
    // A deleted map must not come back from this device's copy.
    if (code === CloseCode.gone) void local?.clearData()
    changed()
  })
  doc.on('update', (_update: Uint8Array, origin: unknown) => {
    if (origin === provider || origin === local) return
    if (state.status !== 'online') {
      state.unsent++
      changed()
    }
  })

  // The browser knows about a lost network long before a silent socket times out (30 s).
  const offline = (): void => {
    if (state.status === 'closed') return
    provider.disconnect()
    setStatus('offline')
  }
  const online = (): void => {
    if (state.status === 'closed' || provider.wsconnected || provider.wsconnecting) return
    setStatus('connecting')
    provider.connect()
  }
  window.addEventListener('offline', offline)
  window.addEventListener('online', online)

  void local?.whenSynced.then(() => {
    // An empty copy (the first visit) is not a map yet: wait for the server then.
    if (!state.loaded && doc.store.clients.size > 0) {
      state.loaded = true
      changed()
    }
  })
  // The device's copy and the server load side by side: whichever lands first shows first, and
  // the CRDT merges the other in (local edits the server lacks go out as ordinary updates).
  if (browserOnline()) {
    setStatus('connecting')
    provider.connect()
  } else {
    setStatus('offline')
  }

  return {
    docId,
    doc,
    provider,
    awareness: provider.awareness,
    identity,
    readOnly,
    get status() {
      return state.status
    },
    get closed() {
      return state.closed
    },
    get unsent() {
      return state.unsent
    },
    get denied() {
      return state.denied
    },
    get everSynced() {
      return state.everSynced
    },
    get loaded() {
      return state.loaded
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    flushLocal() {
      const db = local?.db
      if (!db) return Promise.resolve()
      // IndexedDB starts a read-only transaction only after the read-write ones created before it
      // on the same store have finished: its completion means every earlier write is committed.
      return new Promise<void>((resolve, reject) => {
        const tx = db.transaction(['updates'], 'readonly')
        tx.objectStore('updates').count()
        tx.oncomplete = () => resolve()
        tx.onerror = () => reject(tx.error)
      })
    },
    destroy() {
      listeners.clear()
      window.removeEventListener('offline', offline)
      window.removeEventListener('online', online)
      provider.destroy()
      void local?.destroy()
      doc.destroy()
    },
  }
}

/**
 * A short sentence for a refused write the server reported, or null for a refusal that ends the
 * session (the close that follows it says why, once).
 */
export function deniedMessage(reason: string): string | null {
  switch (reason) {
    case ErrorCode.readOnly:
      return 'The server refused a change: this link is view-only.'
    case ErrorCode.tooLarge:
      return 'The server refused a change: the map would grow past its size limit.'
    default:
      return null
  }
}
