// The bar on top of a map: back to the list, the map's title, the connection status, who is here.
import { html, nothing, type TemplateResult } from 'lit-html'
import type { Peer } from '../presence.js'
import type { Session, Status } from '../session.js'
import { presenceList } from './peers.js'

const STATUS_TEXT: Record<Status, string> = {
  loading: 'Opening…',
  connecting: 'Connecting…',
  syncing: 'Syncing…',
  online: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
  closed: 'Disconnected',
}

export interface HeaderProps {
  session: Session
  title: string
  peers: Peer[]
  backHref: string
  setTitle(title: string): void
  /**
   * Buttons for the header's toolbar (Share; Import and Export go here too): a slot kept in one
   * place, so features add a button without reshaping the header.
   */
  tools: TemplateResult[]
  /** shows the title read-only whatever the session may do (a previewed version) */
  readOnly?: boolean
}

export function headerView({ session, title, peers, backHref, setTitle, tools, readOnly: forced = false }: HeaderProps): TemplateResult {
  const { status, unsent, identity } = session
  const readOnly = forced || session.readOnly || status === 'closed'
  const kept = unsent > 0 && status !== 'online' && status !== 'closed'
  return html`<header class="topbar">
    <a class="brand" href=${backHref} title="All maps"><span aria-hidden="true">◧</span><span class="brand-name">skillmap</span></a>
    <div class="title-wrap" data-key="meta:title">
      ${readOnly
        ? html`<h1 class="map-title">${title || session.docId}</h1>`
        : html`<h1 class="visually-hidden">${title || session.docId}</h1>
            <input
              class="map-title"
              aria-label="Map title"
              maxlength="120"
              .value=${title}
              placeholder=${session.docId}
              @change=${(e: Event) => setTitle((e.currentTarget as HTMLInputElement).value.trim())}
              @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && (e.currentTarget as HTMLInputElement).blur()}
            />`}
    </div>
    <div class="conn" role="status" aria-live="polite" data-status=${status} title=${statusTitle(session)}>
      <span class="dot" aria-hidden="true"></span>
      <span class="conn-text">${STATUS_TEXT[status]}</span>
      ${kept ? html`<span class="conn-kept" data-unsent=${unsent}>${unsent} edit${unsent === 1 ? '' : 's'} kept here</span>` : nothing}
    </div>
    ${session.readOnly ? html`<span class="mode-badge" title="This link can watch, not edit">View only</span>` : nothing}
    <div class="header-tools" data-slot="tools">${tools}</div>
    <div class="here">${presenceList(identity, peers)}</div>
  </header>`
}

function statusTitle(session: Session): string {
  switch (session.status) {
    case 'online':
      return 'Connected: every change is saved on the server and shared live.'
    case 'offline':
      return session.readOnly
        ? 'No network. The map shows what it had; it catches up when the network is back.'
        : 'No network. Your edits are kept on this device and sent when the network is back.'
    case 'reconnecting':
      return 'The server cannot be reached; retrying. Edits are kept on this device meanwhile.'
    case 'closed':
      return session.closed?.message ?? 'Disconnected.'
    default:
      return 'Connecting to the server.'
  }
}
