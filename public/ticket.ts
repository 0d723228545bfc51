// Live connections on tickets (CONTRACT §2 v2): before every (re)connect, the app trades its token
// for a single-use 30 s ticket over REST and opens the WebSocket with `?ticket=`, so the long-lived
// token never appears in a URL that a reverse proxy logs. The provider is y-websocket's stock one;
// what it is given as its WebSocket class fetches the ticket first and then behaves like a WebSocket.
import { CloseCode } from '../shared/protocol.js'

/** What the server's answer to a ticket request means for the connection. */
export class TicketRefused extends Error {
  constructor(readonly closeCode: number) {
    super(`ticket refused (${closeCode})`)
    this.name = 'TicketRefused'
  }
}

/** POST /api/tokens/ticket with the token; a 401/403 becomes the close code a refused login gets. */
export async function fetchTicket(token: string): Promise<string> {
  const res = await fetch('/api/tokens/ticket', { method: 'POST', headers: { authorization: `Bearer ${token}` } })
  if (res.status === 401) throw new TicketRefused(CloseCode.unauthorized)
  if (res.status === 403) throw new TicketRefused(CloseCode.forbidden)
  if (!res.ok) throw new Error(`ticket request failed: ${res.status}`)
  const { ticket } = (await res.json()) as { ticket: string }
  return ticket
}

/** Not a browser code: a close that no server sent, after which the provider retries with backoff. */
const ABNORMAL_CLOSURE = 1006

type Handler<E> = ((event: E) => void) | null

/**
 * A WebSocket class for `WebsocketProvider`'s `WebSocketPolyfill` option. Each instance (one per
 * connection attempt) first gets a ticket, then opens the real socket at `url?ticket=…` and relays
 * its events. A refused ticket request closes it with 4401/4403, which the provider treats as final;
 * an unreachable server closes it like a dropped network (1006), which the provider retries.
 */
export function ticketedWebSocket(getTicket: () => Promise<string>): typeof WebSocket {
  class TicketedWebSocket {
    static readonly CONNECTING = 0
    static readonly OPEN = 1
    static readonly CLOSING = 2
    static readonly CLOSED = 3
    readonly CONNECTING = 0
    readonly OPEN = 1
    readonly CLOSING = 2
    readonly CLOSED = 3
    binaryType: BinaryType = 'arraybuffer'
    onopen: Handler<Event> = null
    onmessage: Handler<MessageEvent> = null
    onerror: Handler<Event> = null
    onclose: Handler<CloseEvent> = null
    #ws: WebSocket | null = null
    #closed = false

    constructor(readonly url: string, protocols?: string | string[]) {
      getTicket().then(
        (ticket) => {
          if (this.#closed) return
          const target = new URL(url)
          target.searchParams.set('ticket', ticket)
          const ws = new WebSocket(target, protocols)
          ws.binaryType = this.binaryType
          ws.onopen = (e) => this.onopen?.(e)
          ws.onmessage = (e) => this.onmessage?.(e)
          ws.onerror = (e) => this.onerror?.(e)
          ws.onclose = (e) => {
            this.#closed = true
            this.onclose?.(e)
          }
          this.#ws = ws
        },
        (err: unknown) => {
          if (this.#closed) return
          this.#closed = true
          const code = err instanceof TicketRefused ? err.closeCode : ABNORMAL_CLOSURE
          this.onclose?.(new CloseEvent('close', { code, reason: err instanceof Error ? err.message : 'no ticket' }))
        },
      )
    }

    get readyState(): number {
      if (this.#ws !== null) return this.#ws.readyState
      return this.#closed ? this.CLOSED : this.CONNECTING
    }

    get bufferedAmount(): number {
      return this.#ws?.bufferedAmount ?? 0
    }

    send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      this.#ws?.send(data)
    }

    close(code?: number, reason?: string): void {
      this.#closed = true
      this.#ws?.close(code, reason)
    }
  }
  return TicketedWebSocket as unknown as typeof WebSocket
}
