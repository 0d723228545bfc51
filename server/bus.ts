// Cross-instance fan-out. Rooms publish what they accepted and apply what other instances accepted.
// The bus is for speed, never for safety: every update is in the database before it is published,
// and messages carry the update's seq so a receiver that sees a gap reads the rows it missed.
import crypto from 'node:crypto'

export type BusMessage =
  | { kind: 'update'; seq: number; data: Uint8Array }
  | { kind: 'awareness'; data: Uint8Array }
  | { kind: 'deleted' }

export type BusListener = (msg: BusMessage) => void

/** News for every instance, about no one document: a token revoked (CONTRACT §2 v2), the webhook endpoints changed (§6c). */
export type ClusterMessage = { kind: 'revoked'; by: 'jti' | 'sub'; value: string; at: number } | { kind: 'webhooks' }

export type ClusterListener = (msg: ClusterMessage) => void

export interface Bus {
  readonly instanceId: string
  /** True when other instances may exist, so rooms must watch seqs and repair gaps from the store. */
  readonly shared: boolean
  /** Resolves once messages for the document will be delivered (subscribe before load). */
  subscribe(docId: string, listener: BusListener): Promise<void>
  unsubscribe(docId: string): Promise<void>
  /** Fire and forget: a lost message is repaired from the database. Never delivered to this instance. */
  publish(docId: string, msg: BusMessage): void
  /**
   * Fire and forget, to every other instance (never this one). Like document messages, a lost one
   * must be recoverable from the database: listeners re-read it on resync.
   */
  publishCluster(msg: ClusterMessage): void
  onCluster(listener: ClusterListener): void
  /** Called after an outage ends: messages may have been lost meanwhile, so re-read the store. */
  onResync(listener: () => void): void
  /** Whether the bus currently reaches the other instances. */
  healthy(): boolean
  close(): Promise<void>
}

/** In-process delivery between the buses of one process; each server gets its own hub unless given one. */
export interface LocalHub {
  members: Set<LocalMember>
}

interface LocalMember {
  instanceId: string
  deliver(docId: string, msg: BusMessage): void
  deliverCluster(msg: ClusterMessage): void
}

export function createLocalHub(): LocalHub {
  return { members: new Set() }
}

export function createLocalBus({ hub = createLocalHub() }: { hub?: LocalHub } = {}): Bus {
  const instanceId = crypto.randomUUID()
  const listeners = new Map<string, BusListener>()
  const clusterListeners: ClusterListener[] = []
  const member: LocalMember = {
    instanceId,
    deliver: (docId, msg) => listeners.get(docId)?.(msg),
    deliverCluster: (msg) => clusterListeners.forEach((fn) => fn(msg)),
  }
  hub.members.add(member)
  return {
    instanceId,
    get shared() {
      return hub.members.size > 1
    },
    async subscribe(docId, listener) {
      listeners.set(docId, listener)
    },
    async unsubscribe(docId) {
      listeners.delete(docId)
    },
    publish(docId, msg) {
      for (const other of hub.members) {
        // Asynchronous like a network hop, so a publisher never re-enters another room mid-flush.
        if (other !== member) queueMicrotask(() => other.deliver(docId, msg))
      }
    },
    publishCluster(msg) {
      for (const other of hub.members) {
        if (other !== member) queueMicrotask(() => other.deliverCluster(msg))
      }
    },
    onCluster(listener) {
      clusterListeners.push(listener)
    },
    onResync() {},
    healthy: () => true,
    async close() {
      hub.members.delete(member)
      listeners.clear()
      clusterListeners.length = 0
    },
  }
}
