// Presence from awareness. Identity comes only from the `user` field the server stamps on every
// state it relays (CONTRACT §2); what a client writes there itself is overwritten, so nobody can
// appear as someone else. A client publishes only which cell it is on.
import type { Awareness } from 'y-protocols/awareness'
import { ROLES, type PresenceUser, type Role } from '../shared/protocol.js'

export interface Peer {
  clientId: number
  user: PresenceUser
  /** the data-key of the cell this peer is on, e.g. `r:api-rest/ana` */
  cell: string | null
  color: string
}

/** Everyone else connected to this map, ordered by name. States without a server stamp are skipped. */
export function readPeers(awareness: Awareness): Peer[] {
  const peers: Peer[] = []
  awareness.getStates().forEach((state, clientId) => {
    if (clientId === awareness.clientID) return
    const user = stampOf(state.user)
    if (!user) return
    const cell = typeof state.cell === 'string' && state.cell.length <= 200 ? state.cell : null
    peers.push({ clientId, user, cell, color: colorFor(user.id) })
  })
  return peers.sort((a, b) => a.user.name.localeCompare(b.user.name) || a.clientId - b.clientId)
}

function stampOf(value: unknown): PresenceUser | null {
  if (typeof value !== 'object' || value === null) return null
  const { id, name, role } = value as Record<string, unknown>
  if (typeof id !== 'string' || typeof name !== 'string' || !ROLES.includes(role as Role)) return null
  return { id, name, role: role as Role }
}

/** Peers by the cell they are on. */
export function peersByCell(peers: Peer[]): Map<string, Peer[]> {
  const cells = new Map<string, Peer[]>()
  for (const peer of peers) {
    if (peer.cell === null) continue
    cells.set(peer.cell, [...(cells.get(peer.cell) ?? []), peer])
  }
  return cells
}

/** One entry per user (a user may have several tabs open), with how many connections they have. */
export function distinctUsers(peers: Peer[]): Array<Peer & { connections: number }> {
  const users = new Map<string, Peer & { connections: number }>()
  for (const peer of peers) {
    const seen = users.get(peer.user.id)
    if (seen) seen.connections++
    else users.set(peer.user.id, { ...peer, connections: 1 })
  }
  return [...users.values()]
}

export function setCell(awareness: Awareness, cell: string | null): void {
  if (awareness.getLocalState()?.cell !== cell) awareness.setLocalStateField('cell', cell)
}

/**
 * A stable colour per user id, from a palette that keeps white text readable (WCAG AA on every
 * swatch) and stays clear of the RACI letter colours' meaning.
 */
const PALETTE = ['#7b3fa0', '#00707a', '#a3480b', '#3a5fc8', '#a01d5e', '#4f6b00', '#8a5a00', '#5b4bb7']

export function colorFor(id: string): string {
  let hash = 0
  for (let i = 0; i < id.length; i++) hash = (hash * 31 + id.charCodeAt(i)) >>> 0
  return PALETTE[hash % PALETTE.length]!
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean)
  const letters = parts.length > 1 ? parts[0]![0]! + parts.at(-1)![0]! : (parts[0] ?? '?').slice(0, 2)
  return letters.toUpperCase()
}
