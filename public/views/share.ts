// The share dialog (admins): mint a viewer or editor link for this map with POST /api/tokens,
// show it with its expiry and a copy button. The token goes in the link's fragment, like every
// link of this app, so it never reaches a server log.
import { html, nothing, type TemplateResult } from 'lit-html'
import { mapHref } from '../route.js'

export interface ShareState {
  role: 'viewer' | 'editor'
  busy: boolean
  link: string | null
  expiresAt: string | null
  error: string | null
  copied: boolean
}

export const NEW_SHARE: ShareState = { role: 'viewer', busy: false, link: null, expiresAt: null, error: null, copied: false }

const EXPIRY: Array<{ value: string; label: string }> = [
  { value: '1d', label: '1 day' },
  { value: '7d', label: '7 days' },
  { value: '30d', label: '30 days' },
  { value: '90d', label: '90 days' },
  { value: '366d', label: '1 year (the longest allowed)' },
]

export interface ShareActions {
  update(next: Partial<ShareState>): void
  close(): void
}

/** Asks the server for a token and turns it into a link to this map. */
export async function mintLink(docId: string, adminToken: string, role: 'viewer' | 'editor', name: string, ttl: string): Promise<{ link: string; expiresAt: string }> {
  const res = await fetch('/api/tokens', {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ role, doc: docId, ttl, ...(name ? { name } : {}) }),
  })
  if (!res.ok) {
    let message = `The server answered ${res.status}.`
    try {
      const body = (await res.json()) as { message?: unknown }
      if (typeof body.message === 'string' && res.status < 500) message = body.message
    } catch {
      // not JSON: keep the status
    }
    throw new Error(res.status === 403 ? 'This token may not share this map.' : message)
  }
  const { token, expiresAt } = (await res.json()) as { token: string; expiresAt: string }
  return { link: `${location.origin}/${mapHref(docId, token)}`, expiresAt }
}

export function shareDialog(docId: string, state: ShareState, mint: (form: HTMLFormElement) => void, actions: ShareActions): TemplateResult {
  const copy = async (): Promise<void> => {
    if (!state.link) return
    try {
      await navigator.clipboard.writeText(state.link)
      actions.update({ copied: true })
    } catch {
      // No clipboard permission (an http origin, say): select the text so Ctrl+C copies it.
      const input = document.querySelector<HTMLInputElement>('input[data-share-link]')
      input?.select()
      actions.update({ error: 'Copy was refused by the browser: the link is selected, press Ctrl+C.' })
    }
  }
  return html`<dialog class="dialog share" aria-labelledby="share-title" data-modal data-share @cancel=${(e: Event) => (e.preventDefault(), actions.close())}>
    <form
      @submit=${(e: SubmitEvent) => {
        e.preventDefault()
        mint(e.currentTarget as HTMLFormElement)
      }}
    >
      <h2 id="share-title">Share ${docId}</h2>
      <fieldset class="field">
        <legend>They can</legend>
        <label class="radio"
          ><input type="radio" name="role" value="viewer" .checked=${state.role === 'viewer'} @change=${() => actions.update({ role: 'viewer', link: null, copied: false })} /> watch
          (viewer: sees changes live, edits nothing)</label
        >
        <label class="radio"
          ><input type="radio" name="role" value="editor" .checked=${state.role === 'editor'} @change=${() => actions.update({ role: 'editor', link: null, copied: false })} /> edit
          (editor: letters, levels, people, structure)</label
        >
      </fieldset>
      <label class="field">Their name (shown to others on the map) <input name="name" maxlength="80" autocomplete="off" placeholder="optional" /></label>
      <label class="field"
        >The link expires after
        <select name="ttl">
          ${EXPIRY.map((e) => html`<option value=${e.value} ?selected=${e.value === '7d'}>${e.label}</option>`)}
        </select></label
      >
      ${state.error ? html`<p class="banner error" role="alert">${state.error}</p>` : nothing}
      ${state.link
        ? html`<div class="share-result" data-role=${state.role}>
            <label class="field"
              >${state.role === 'viewer' ? 'View-only link' : 'Editor link'}
              <input data-share-link readonly .value=${state.link} @focus=${(e: Event) => (e.currentTarget as HTMLInputElement).select()}
            /></label>
            <p class="hint">
              Expires ${state.expiresAt ? new Date(state.expiresAt).toLocaleString() : ''}. Anyone with this link gets in, so send it to one person.
            </p>
            <button type="button" class="btn" data-action="copy-link" @click=${copy}>${state.copied ? 'Copied ✓' : 'Copy link'}</button>
          </div>`
        : nothing}
      <div class="dialog-actions">
        <button class="btn primary" type="submit" data-action="mint" ?disabled=${state.busy}>${state.busy ? 'Creating…' : state.link ? 'Create another link' : 'Create link'}</button>
        <span class="spacer"></span>
        <button type="button" class="btn" @click=${actions.close}>Close</button>
      </div>
    </form>
  </dialog>`
}
