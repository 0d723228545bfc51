// The admin's Integrations dialog (issue 14): register a webhook for this map (its secret shown
// once), list this map's endpoints with their recent deliveries, retry one, delete an endpoint.
// Every call goes to /api/webhooks with the page's token (from the URL fragment) as a Bearer
// token; the server decides what this admin may manage.
import { html, nothing, type TemplateResult } from 'lit-html'
import { EVENT_TYPES, FORMATS, type EventType, type Format } from '../../shared/webhooks.js'

export interface Endpoint {
  id: string
  url: string
  doc: string
  events: EventType[]
  format: Format
  createdAt: string
}

export interface Delivery {
  id: string
  event: EventType
  doc: string
  status: 'pending' | 'delivered' | 'failed'
  attempts: number
  lastError: string | null
  deliveredAt: string | null
  nextAttemptAt: string | null
  createdAt: string
}

export interface IntegrationsState {
  /** null until the first list arrives */
  endpoints: Endpoint[] | null
  deliveries: Record<string, Delivery[]>
  busy: boolean
  /** the form's error (a 400 from the server, say) */
  error: string | null
  /** the list's error */
  listError: string | null
  /** the endpoint just registered, with its secret: shown this once */
  created: { id: string; url: string; secret: string } | null
  copied: boolean
  /** the endpoint whose Delete waits for a confirmation */
  confirming: string | null
  /** deliveries being retried */
  retrying: string[]
}

const EVENT_LABELS: Record<EventType, string> = {
  'responsibility.risk_changed': 'a responsibility’s risks change',
  'skill.status_changed': 'a skill goes between gap, risk and ok',
  'person.deactivated': 'a person is deactivated',
  'doc.created': 'a map is created',
  'doc.deleted': 'a map is deleted',
  'doc.restored': 'a map is restored to a version',
  'doc.changed': 'any edit (at most once per 10 s)',
}
const DEFAULT_EVENTS: readonly EventType[] = ['responsibility.risk_changed', 'person.deactivated']
const FORMAT_LABELS: Record<Format, string> = { standard: 'Standard Webhooks (signed JSON)', slack: 'Slack incoming webhook' }
/** How often the open dialog asks for new deliveries. */
const POLL_MS = 2000
const DELIVERIES_SHOWN = 8

async function api<T>(token: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  if (!res.ok) {
    let message = `The server answered ${res.status}.`
    try {
      const reply = (await res.json()) as { message?: unknown }
      if (typeof reply.message === 'string' && res.status < 500) message = reply.message
    } catch {
      // not JSON: keep the status
    }
    throw new Error(res.status === 403 ? `This token may not do that: ${message}` : message)
  }
  return (res.status === 204 ? undefined : await res.json()) as T
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err))

export interface IntegrationsController {
  readonly state: IntegrationsState | null
  open(): void
  close(): void
  dialog(): TemplateResult | typeof nothing
  destroy(): void
}

/** The dialog's state and its calls; `invalidate` repaints the page. `scopeAll`: the token is for `*`. */
export function integrationsController(docId: string, token: string, scopeAll: boolean, invalidate: () => void): IntegrationsController {
  let state: IntegrationsState | null = null
  let timer: ReturnType<typeof setInterval> | undefined
  let loading = false

  const update = (next: Partial<IntegrationsState>): void => {
    if (state) state = { ...state, ...next }
    invalidate()
  }

  /** This map's endpoints (and, for a `*` admin, the `*` ones that cover it) and their recent deliveries. */
  async function refresh(): Promise<void> {
    if (!state || loading) return
    loading = true
    try {
      const all = await api<Endpoint[]>(token, 'GET', '/api/webhooks')
      const endpoints = all.filter((e) => e.doc === docId || e.doc === '*')
      const lists = await Promise.all(
        endpoints.map((e) => api<Delivery[]>(token, 'GET', `/api/webhooks/${encodeURIComponent(e.id)}/deliveries?limit=${DELIVERIES_SHOWN}`).catch(() => [] as Delivery[])),
      )
      if (state) update({ endpoints, deliveries: Object.fromEntries(endpoints.map((e, i) => [e.id, lists[i]!])), listError: null })
    } catch (err) {
      if (state) update({ listError: errorText(err), endpoints: state.endpoints ?? [] })
    } finally {
      loading = false
    }
  }

  function stop(): void {
    if (timer !== undefined) clearInterval(timer)
    timer = undefined
  }

  function submit(form: HTMLFormElement): void {
    if (!state || state.busy) return
    const data = new FormData(form)
    const url = String(data.get('url') ?? '').trim()
    const events = data.getAll('events').map(String)
    const format = String(data.get('format') ?? 'standard')
    const doc = String(data.get('scope') ?? docId)
    if (events.length === 0) return update({ error: 'Pick at least one event.' })
    update({ busy: true, error: null, created: null, copied: false })
    api<Endpoint & { secret: string }>(token, 'POST', '/api/webhooks', { url, doc, events, format }).then(
      (made) => {
        form.reset()
        update({ busy: false, created: { id: made.id, url: made.url, secret: made.secret } })
        void refresh()
      },
      (err: unknown) => update({ busy: false, error: errorText(err) }),
    )
  }

  function remove(id: string): void {
    update({ confirming: null })
    api<void>(token, 'DELETE', `/api/webhooks/${encodeURIComponent(id)}`).then(
      () => {
        if (state) update({ endpoints: (state.endpoints ?? []).filter((e) => e.id !== id), created: state.created?.id === id ? null : state.created })
        void refresh()
      },
      (err: unknown) => update({ listError: errorText(err) }),
    )
  }

  function retry(endpoint: string, delivery: string): void {
    if (!state) return
    update({ retrying: [...state.retrying, delivery] })
    const done = (listError: string | null) => {
      if (state) update({ retrying: state.retrying.filter((d) => d !== delivery), listError })
      void refresh()
    }
    api<Delivery>(token, 'POST', `/api/webhooks/${encodeURIComponent(endpoint)}/deliveries/${encodeURIComponent(delivery)}/retry`).then(
      () => done(null),
      (err: unknown) => done(errorText(err)),
    )
  }

  async function copy(): Promise<void> {
    if (!state?.created) return
    try {
      await navigator.clipboard.writeText(state.created.secret)
      update({ copied: true })
    } catch {
      document.querySelector<HTMLInputElement>('input[data-secret]')?.select()
      update({ error: 'Copy was refused by the browser: the secret is selected, press Ctrl+C.' })
    }
  }

  function close(): void {
    stop()
    state = null
    invalidate()
  }

  function deliveryRow(endpoint: Endpoint, d: Delivery): TemplateResult {
    const when = d.deliveredAt ?? d.nextAttemptAt ?? d.createdAt
    const whenLabel = d.status === 'delivered' ? 'delivered' : d.status === 'pending' ? 'next try' : 'queued'
    const canRetry = d.status !== 'delivered'
    const retrying = state?.retrying.includes(d.id) ?? false
    return html`<li class="delivery" data-delivery=${d.id} data-status=${d.status} data-event=${d.event}>
      <div class="delivery-main">
        <span class="delivery-head">
          <span class="hook-status">${d.status}</span>
          <code class="delivery-event">${d.event}</code>
        </span>
        <span class="delivery-meta">${d.attempts} ${d.attempts === 1 ? 'attempt' : 'attempts'} · ${whenLabel}
          <time datetime=${when}>${new Date(when).toLocaleString()}</time></span>
        ${d.lastError ? html`<span class="delivery-error" data-last-error>${d.lastError}</span>` : nothing}
      </div>
      ${canRetry
        ? html`<button type="button" class="btn small" data-action="retry" ?disabled=${retrying} @click=${() => retry(endpoint.id, d.id)}>${retrying ? 'Retrying…' : 'Retry'}</button>`
        : nothing}
    </li>`
  }

  function endpointCard(e: Endpoint): TemplateResult {
    const deliveries = state?.deliveries[e.id] ?? []
    const confirming = state?.confirming === e.id
    return html`<li class="endpoint" data-endpoint=${e.id}>
      <div class="endpoint-head">
        <span class="endpoint-url" title=${e.url}>${e.url}</span>
        ${confirming
          ? html`<span class="endpoint-confirm" role="group" aria-label="Confirm delete">
              Delete it and its deliveries?
              <button type="button" class="btn small danger" data-action="confirm-delete" @click=${() => remove(e.id)}>Delete</button>
              <button type="button" class="btn small" data-action="cancel-delete" @click=${() => update({ confirming: null })}>Keep</button>
            </span>`
          : html`<button type="button" class="btn small" data-action="delete" @click=${() => update({ confirming: e.id })}>Delete</button>`}
      </div>
      <p class="hint endpoint-meta">
        ${e.doc === '*' ? 'every map' : 'this map'} · ${e.format} · ${e.events.join(', ')}
      </p>
      ${deliveries.length === 0
        ? html`<p class="hint" data-no-deliveries>No deliveries yet: it hears of changes made from its registration on.</p>`
        : html`<ul class="deliveries" aria-label="Recent deliveries">${deliveries.map((d) => deliveryRow(e, d))}</ul>`}
    </li>`
  }

  function dialog(): TemplateResult | typeof nothing {
    const s = state
    if (!s) return nothing
    return html`<dialog class="dialog integrations" aria-labelledby="integrations-title" data-modal data-integrations @cancel=${(e: Event) => (e.preventDefault(), close())}>
      <div class="dialog-body">
        <h2 id="integrations-title">Integrations for ${docId}</h2>
        <p class="hint">Webhooks: signed HTTP POSTs to another system (Slack, a dashboard, a ticket bot) when this map changes.</p>
        <form
          class="hook-form"
          data-hook-form
          @submit=${(e: SubmitEvent) => {
            e.preventDefault()
            submit(e.currentTarget as HTMLFormElement)
          }}
        >
          <label class="field">Receiver URL <input name="url" type="url" required maxlength="2048" autocomplete="off" placeholder="https://hooks.example.com/skillmap" /></label>
          <fieldset class="field">
            <legend>Send when</legend>
            <div class="event-checks">
              ${EVENT_TYPES.map(
                (t) => html`<label class="check"
                  ><input type="checkbox" name="events" value=${t} ?checked=${DEFAULT_EVENTS.includes(t)} />
                  <span><code>${t}</code> <span class="hint">${EVENT_LABELS[t]}</span></span></label
                >`,
              )}
            </div>
          </fieldset>
          <div class="hook-row">
            <label class="field"
              >Format
              <select name="format">
                ${FORMATS.map((f) => html`<option value=${f} ?selected=${f === 'standard'}>${FORMAT_LABELS[f]}</option>`)}
              </select></label
            >
            <label class="field"
              >For
              <select name="scope">
                <option value=${docId} selected>this map (${docId})</option>
                ${scopeAll ? html`<option value="*">every map (*)</option>` : nothing}
              </select></label
            >
          </div>
          ${s.error ? html`<p class="banner error" role="alert" data-hook-error>${s.error}</p>` : nothing}
          ${s.created
            ? html`<div class="share-result secret-result" data-created=${s.created.id}>
                <label class="field"
                  >Signing secret for ${s.created.url}
                  <input data-secret readonly .value=${s.created.secret} @focus=${(e: Event) => (e.currentTarget as HTMLInputElement).select()}
                /></label>
                <p class="hint"><strong>Shown only now:</strong> copy it into the receiver’s configuration to verify the <code>webhook-signature</code> header. It cannot be shown again; to get a new one, delete the endpoint and add it again.</p>
                <button type="button" class="btn" data-action="copy-secret" @click=${copy}>${s.copied ? 'Copied ✓' : 'Copy secret'}</button>
              </div>`
            : nothing}
          <div class="dialog-actions">
            <button class="btn primary" type="submit" data-action="add-webhook" ?disabled=${s.busy}>${s.busy ? 'Adding…' : 'Add webhook'}</button>
          </div>
        </form>
        <section class="endpoints-section" aria-labelledby="endpoints-title">
          <div class="endpoints-title">
            <h3 id="endpoints-title">Webhooks of this map</h3>
            <button type="button" class="btn small" data-action="refresh" @click=${() => void refresh()}>Refresh</button>
          </div>
          ${s.listError ? html`<p class="banner error" role="alert" data-list-error>${s.listError}</p>` : nothing}
          ${s.endpoints === null
            ? html`<p class="hint">Loading…</p>`
            : s.endpoints.length === 0
              ? html`<p class="hint" data-no-endpoints>None yet.</p>`
              : html`<ul class="endpoints">${s.endpoints.map(endpointCard)}</ul>`}
        </section>
        <div class="dialog-actions">
          <span class="spacer"></span>
          <button type="button" class="btn" data-action="close-integrations" @click=${close}>Close</button>
        </div>
      </div>
    </dialog>`
  }

  return {
    get state() {
      return state
    },
    open() {
      state = { endpoints: null, deliveries: {}, busy: false, error: null, listError: null, created: null, copied: false, confirming: null, retrying: [] }
      invalidate()
      void refresh()
      stop()
      timer = setInterval(() => void refresh(), POLL_MS)
    },
    close,
    dialog,
    destroy: stop,
  }
}
