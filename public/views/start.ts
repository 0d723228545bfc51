// The start page: the maps this token can see (GET /api/docs), a form that creates a map from a
// template (POST /api/docs, editors and admins), and a way in for someone who only has a token.
import { html, nothing, render, type TemplateResult } from 'lit-html'
import { isDocId } from '../../shared/protocol.js'
import { mapHref, startHref } from '../route.js'
import { canEdit, readToken, type Identity } from '../token.js'

interface DocSummary {
  id: string
  title: string
  updatedAt: string | number
  connections: number
}

type ListState =
  | { kind: 'loading' }
  | { kind: 'ready'; docs: DocSummary[] }
  | { kind: 'unavailable'; message: string }

interface StartState {
  list: ListState
  creating: boolean
  error: string | null
}

export function mountStart(root: HTMLElement, token: string | null, routeError?: string): () => void {
  const me = readToken(token)
  const state: StartState = { list: { kind: 'loading' }, creating: false, error: null }
  let gone = false
  const paint = (): void => {
    if (!gone) render(startView(me, token, state, routeError, { create }), root)
  }

  const create = async (form: HTMLFormElement): Promise<void> => {
    const data = new FormData(form)
    const title = String(data.get('title') ?? '').trim()
    const id = String(data.get('id') ?? '').trim()
    if (!title) return
    if (id && !isDocId(id)) {
      state.error = 'The id may hold letters, digits, ".", "_" and "-" (up to 64), and starts with a letter or digit.'
      paint()
      return
    }
    state.creating = true
    state.error = null
    paint()
    try {
      const res = await fetch('/api/docs', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ title, template: String(data.get('template') ?? 'backend'), ...(id ? { id } : {}) }),
      })
      if (res.status === 201) {
        const meta = (await res.json()) as { id: string }
        location.hash = mapHref(meta.id, token)
        return
      }
      state.error = await errorText(res, { 409: 'A map with this id exists already.', 403: 'This token cannot create maps.' })
    } catch {
      state.error = 'The server cannot be reached.'
    }
    state.creating = false
    paint()
  }

  if (me) {
    void (async () => {
      try {
        const res = await fetch('/api/docs', { headers: { authorization: `Bearer ${token}` } })
        if (res.ok) {
          const docs = (await res.json()) as DocSummary[]
          state.list = { kind: 'ready', docs: [...docs].sort((a, b) => String(b.updatedAt).localeCompare(String(a.updatedAt))) }
        } else {
          state.list = { kind: 'unavailable', message: await errorText(res, { 404: 'This server does not list maps yet.' }) }
        }
      } catch {
        state.list = { kind: 'unavailable', message: 'The server cannot be reached.' }
      }
      paint()
    })()
  }
  document.title = 'skillmap'
  paint()
  return () => {
    gone = true
    render(nothing, root)
  }
}

async function errorText(res: Response, known: Record<number, string>): Promise<string> {
  if (known[res.status]) return known[res.status]!
  if (res.status === 401) return 'This token is not valid or has expired. Ask for a new link.'
  try {
    const body = (await res.json()) as { message?: unknown }
    if (typeof body.message === 'string' && res.status < 500) return body.message
  } catch {
    // not JSON: fall through to the status
  }
  return `The server answered ${res.status}.`
}

function startView(
  me: Identity | null,
  token: string | null,
  state: StartState,
  routeError: string | undefined,
  actions: { create(form: HTMLFormElement): Promise<void> },
): TemplateResult {
  return html`<div class="start-page">
    <header class="topbar">
      <a class="brand" href=${startHref(token)}><span aria-hidden="true">◧</span><span class="brand-name">skillmap</span></a>
      ${me ? html`<span class="who-am-i">${me.name} · ${me.role}</span>` : nothing}
    </header>
    <main id="main" class="start-main">
      <h1>Who owns what, who knows what</h1>
      <p class="lede">A live map of your backend team's responsibilities (RACI) and skills, edited together.</p>
      ${routeError ? html`<p class="banner error" role="alert">${routeError}</p>` : nothing}
      ${me ? signedIn(me, token!, state, actions) : tokenForm(token)}
    </main>
  </div>`
}

function tokenForm(token: string | null): TemplateResult {
  const submit = (e: SubmitEvent): void => {
    e.preventDefault()
    const value = String(new FormData(e.currentTarget as HTMLFormElement).get('token') ?? '').trim()
    // Accept a whole link as well as a bare token.
    const fromLink = /[#?&]token=([^&\s]+)/.exec(value)?.[1]
    const docInLink = /#\/d\/([^?/]+)/.exec(value)?.[1]
    const next = fromLink ? decodeURIComponent(fromLink) : value
    location.hash = docInLink ? `/d/${docInLink}?token=${encodeURIComponent(next)}` : startHref(next)
  }
  return html`<section class="card">
    <h2>Open with your link</h2>
    ${token ? html`<p class="banner error" role="alert">That token cannot be read.</p>` : nothing}
    <p>Maps are opened with a link that carries a token, from whoever runs this server (<code>npm run token</code>).</p>
    <form class="stack" @submit=${submit}>
      <label class="field">Link or token <input name="token" required autocomplete="off" spellcheck="false" /></label>
      <button class="btn primary" type="submit">Open</button>
    </form>
  </section>`
}

function signedIn(me: Identity, token: string, state: StartState, actions: { create(form: HTMLFormElement): Promise<void> }): TemplateResult {
  const openById = (e: SubmitEvent): void => {
    e.preventDefault()
    const id = String(new FormData(e.currentTarget as HTMLFormElement).get('id') ?? '').trim()
    if (isDocId(id)) location.hash = mapHref(id, token)
  }
  const expired = me.expiresAt !== undefined && me.expiresAt < Date.now()
  return html`
    ${expired ? html`<p class="banner error" role="alert">This token has expired. Ask for a new link.</p>` : nothing}
    ${me.role === 'exporter'
      ? html`<p class="banner info">This token is for the REST API (exporter): it can download snapshots but not open live maps.</p>`
      : nothing}
    <section class="card" aria-labelledby="maps-heading">
      <h2 id="maps-heading">Maps</h2>
      ${listView(state.list, token)}
      ${me.doc !== '*' && me.doc
        ? html`<p><a class="btn" href=${mapHref(me.doc, token)} data-open=${me.doc}>Open ${me.doc}</a></p>`
        : html`<form class="inline-form" @submit=${openById} aria-label="Open a map by id">
            <label>Map id <input name="id" required pattern="[A-Za-z0-9][A-Za-z0-9_.\\-]{0,63}" autocomplete="off" /></label>
            <button class="btn" type="submit">Open</button>
          </form>`}
    </section>
    ${canEdit(me)
      ? html`<section class="card" aria-labelledby="create-heading">
          <h2 id="create-heading">New map</h2>
          <form
            class="stack create-map"
            @submit=${(e: SubmitEvent) => {
              e.preventDefault()
              void actions.create(e.currentTarget as HTMLFormElement)
            }}
          >
            <label class="field">Title <input name="title" required maxlength="120" placeholder="e.g. Payments backend" autocomplete="off" /></label>
            <label class="field"
              >Id (optional)
              <input name="id" maxlength="64" placeholder="made from the title when empty" autocomplete="off" spellcheck="false"
            /></label>
            <fieldset class="field">
              <legend>Start from</legend>
              <label class="radio"
                ><input type="radio" name="template" value="backend" checked /> Backend team: roles, ~14 responsibilities, ~25 skills</label
              >
              <label class="radio"><input type="radio" name="template" value="empty" /> Empty: roles only</label>
            </fieldset>
            ${state.error ? html`<p class="banner error" role="alert">${state.error}</p>` : nothing}
            <button class="btn primary" type="submit" ?disabled=${state.creating}>${state.creating ? 'Creating…' : 'Create map'}</button>
          </form>
        </section>`
      : nothing}
  `
}

function listView(list: ListState, token: string): TemplateResult {
  switch (list.kind) {
    case 'loading':
      return html`<p class="hint">Loading…</p>`
    case 'unavailable':
      return html`<p class="hint" data-list="unavailable">${list.message}</p>`
    case 'ready':
      if (list.docs.length === 0) return html`<p class="hint" data-list="empty">No maps yet.</p>`
      return html`<ul class="doc-list" data-list="ready">
        ${list.docs.map(
          (d) => html`<li>
            <a href=${mapHref(d.id, token)} data-doc=${d.id}><strong>${d.title || d.id}</strong> <span class="hint">${d.id}</span></a>
            <span class="hint">${updated(d.updatedAt)}${d.connections ? html` · <span class="live-count">${d.connections} here now</span>` : nothing}</span>
          </li>`,
        )}
      </ul>`
  }
}

function updated(at: string | number): string {
  const date = new Date(at)
  return Number.isNaN(date.getTime()) ? '' : `updated ${date.toLocaleString()}`
}
