// Presence marks: who else is on a cell, and the row of everyone connected to the map.
import { html, nothing, type TemplateResult } from 'lit-html'
import { distinctUsers, initials, type Peer } from '../presence.js'
import type { Identity } from '../token.js'

/** The name tag(s) on a cell someone else is on. */
export function peerTags(peers: Peer[]): TemplateResult | typeof nothing {
  if (peers.length === 0) return nothing
  return html`<span class="peer-tags" aria-hidden="true">${peers.map(
    (p) => html`<span class="peer-tag" style=${`background: ${p.color}`} data-peer=${p.user.id}>${p.user.name}</span>`,
  )}</span>`
}

/** Everyone here: me first, then the others by name, one avatar per user. */
export function presenceList(me: Identity, peers: Peer[]): TemplateResult {
  const users = distinctUsers(peers)
  return html`<ul class="presence" aria-label=${`${users.length + 1} here`}>
    <li class="avatar me" title=${`${me.name} (you, ${me.role})`}>
      <span aria-hidden="true">${initials(me.name)}</span><span class="visually-hidden">${me.name} (you, ${me.role})</span>
    </li>
    ${users.map(
      (u) => html`<li
        class="avatar"
        style=${`background: ${u.color}`}
        data-user=${u.user.id}
        title=${`${u.user.name} (${u.user.role})${u.connections > 1 ? `, ${u.connections} tabs` : ''}${u.cell ? ' · editing' : ''}`}
      >
        <span aria-hidden="true">${initials(u.user.name)}</span>
        <span class="visually-hidden">${u.user.name} (${u.user.role})</span>
        ${u.user.role === 'viewer' ? html`<span class="badge-eye" aria-hidden="true">◉</span>` : nothing}
      </li>`,
    )}
  </ul>`
}
