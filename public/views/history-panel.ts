// The History button, panel, preview bar and restore confirmation (CONTRACT §8 v2). The panel is a
// side panel on a desktop and a full-screen sheet on a phone: the changes (who changed what, when;
// what changed since your last visit) and the versions (preview, restore, name this one). Viewers
// get the same panel without restore and naming.
import { html, nothing, type TemplateResult } from 'lit-html'
import { guard } from 'lit-html/directives/guard.js'
import { versionLabel, type HistoryController, type HistoryState } from '../history-controller.js'
import { when, type HistoryChange, type Version } from '../history.js'
import type { MapModel } from '../model.js'
import { groupLines, linesOf, namesFor, type Group, type Line } from './history-lines.js'

/** Lines of one group shown before the rest fold away ("and 12 more"). */
const GROUP_LINES = 8
/** Phones: the panel covers the map, so a preview closes it (the bar brings it back). */
const PHONE = '(max-width: 640px)'

export function historyButton(h: HistoryController): TemplateResult {
  const count = h.state.since ? h.state.sinceKeys.size : 0
  return html`<button
    class="btn small history-button"
    data-control="history"
    aria-expanded=${h.state.open ? 'true' : 'false'}
    aria-controls="history-panel"
    data-seen=${h.state.head}
    data-visited=${h.state.visited ? 'true' : 'false'}
    title=${count ? `History: ${count} change${count === 1 ? '' : 's'} since your last visit` : 'History: who changed what, versions, restore'}
    @click=${() => h.toggle()}
  >
    <span aria-hidden="true" class="history-icon">◷</span><span class="tool-text">History</span>${count
      ? html`<span class="since-count" data-since-count=${count}><span class="visually-hidden">, </span>${count}<span class="visually-hidden"> new</span></span>`
      : nothing}
  </button>`
}

/** Lines and names are built once per set of changes and map, not on every repaint. */
let memo: { changes: readonly HistoryChange[]; since: readonly HistoryChange[] | null; model: MapModel; lines: Line[]; sinceLines: Line[] } | null = null
function linesFor(state: HistoryState, model: MapModel): { lines: Line[]; sinceLines: Line[] } {
  const since = state.since?.changes ?? null
  if (memo && memo.changes === state.changes && memo.since === since && memo.model === model) return memo
  const names = namesFor(model, since ? [...since, ...state.changes] : state.changes)
  memo = { changes: state.changes, since, model, lines: linesOf(state.changes, names), sinceLines: since ? linesOf(since, names) : [] }
  return memo
}

export function historyPanel(h: HistoryController, model: MapModel): TemplateResult | typeof nothing {
  const { state } = h
  if (!state.open) return nothing
  return html`<aside class="history-panel" id="history-panel" aria-labelledby="history-title" data-history data-section=${state.section}>
    <div class="history-head">
      <h2 id="history-title" tabindex="-1">History</h2>
      <div class="history-switch" role="group" aria-label="Show">
        ${(['changes', 'versions'] as const).map(
          (s) => html`<button type="button" data-section=${s} aria-pressed=${state.section === s ? 'true' : 'false'} @click=${() => h.showSection(s)}>
            ${s === 'changes' ? 'Changes' : 'Versions'}
          </button>`,
        )}
      </div>
      <button type="button" class="icon-close" data-control="close-history" aria-label="Close the history" @click=${() => h.toggle(false)}>×</button>
    </div>
    <div class="history-body">${state.section === 'changes' ? changesSection(h, model) : versionsSection(h)}</div>
  </aside>`
}

function changesSection(h: HistoryController, model: MapModel): TemplateResult {
  const { state } = h
  const { lines, sinceLines } = linesFor(state, model)
  const authors = new Map<string, string>()
  for (const c of [...(state.since?.changes ?? []), ...state.changes]) authors.set(c.by.sub, c.by.name)
  const areas = [...new Set(model.responsibilities.map((r) => r.area))].filter(Boolean)
  const { author, area } = state.filters
  const shown = lines.filter((l) => (!author || l.by.sub === author) && (!area || l.area === area))
  return html`
    ${state.since && sinceLines.length
      ? html`<section class="since-block" data-since-block aria-labelledby="since-title">
          <div class="since-top">
            <h3 id="since-title">Changed since your last visit <span class="count-pill">${state.sinceKeys.size}</span></h3>
            <button type="button" class="btn small" data-control="clear-since" @click=${() => h.clearSince()}>Clear</button>
          </div>
          <p class="hint">Highlighted on the grid until you clear them.</p>
          ${timeline(groupLines(sinceLines), 'since')}
        </section>`
      : nothing}
    <div class="history-filters">
      <label
        >Person
        <select data-history-filter="author" @change=${(e: Event) => h.setFilters({ author: (e.currentTarget as HTMLSelectElement).value })}>
          <option value="" ?selected=${author === ''}>Everyone</option>
          ${[...authors].sort((a, b) => a[1].localeCompare(b[1])).map(([sub, name]) => html`<option value=${sub} ?selected=${author === sub}>${name}</option>`)}
        </select></label
      >
      <label
        >Area
        <select data-history-filter="area" @change=${(e: Event) => h.setFilters({ area: (e.currentTarget as HTMLSelectElement).value })}>
          <option value="" ?selected=${area === ''}>Every change</option>
          ${areas.map((a) => html`<option value=${a} ?selected=${area === a}>${a}</option>`)}
        </select></label
      >
    </div>
    ${state.error ? html`<p class="banner error" role="alert">${state.error}</p>` : nothing}
    ${guard([lines, author, area], () => timeline(groupLines(shown), 'timeline'))}
    ${!state.loaded && state.loading ? html`<p class="hint" data-history-loading>Loading the history…</p>` : nothing}
    ${state.loaded && shown.length === 0
      ? html`<p class="empty-note" data-history-empty>
          ${lines.length === 0 ? 'No changes yet. Every edit shows up here, with who made it and when.' : 'No loaded change matches these filters.'}
        </p>`
      : nothing}
    ${state.loaded
      ? state.lo > 0
        ? html`<button type="button" class="btn load-older" data-control="load-older" ?disabled=${state.loading} @click=${() => void h.loadOlder()}>
            ${state.loading ? 'Loading…' : 'Load older changes'}
          </button>`
        : html`<p class="hint history-end">${lines.length ? 'That is the whole kept history.' : ''}</p>`
      : nothing}
  `
}

function timeline(groups: Group[], kind: 'since' | 'timeline'): TemplateResult {
  return html`<ol class="h-groups" data-list=${kind}>
    ${groups.map((g) => {
      const first = g.lines.slice(0, GROUP_LINES)
      const rest = g.lines.slice(GROUP_LINES)
      return html`<li class="h-group" data-by=${g.by.sub}>
        <p class="h-head"><span class="h-who">${g.by.name}</span> · <time datetime=${g.at}>${when(g.at)}</time></p>
        <ul class="h-lines">
          ${first.map(lineView)}
          ${rest.length
            ? html`<li class="h-more">
                <details>
                  <summary>and ${rest.length} more</summary>
                  <ul class="h-lines">${rest.map(lineView)}</ul>
                </details>
              </li>`
            : nothing}
        </ul>
      </li>`
    })}
  </ol>`
}

const lineView = (l: Line): TemplateResult => html`<li class="h-line" data-about=${l.key ?? ''} data-seq=${l.seq}>${l.text}</li>`

function versionsSection(h: HistoryController): TemplateResult {
  const { state } = h
  const name = (e: SubmitEvent): void => {
    e.preventDefault()
    const form = e.currentTarget as HTMLFormElement
    const value = String(new FormData(form).get('name') ?? '').trim()
    if (!value) return
    void h.nameVersion(value).then((ok) => ok && form.reset())
  }
  const versions = state.versions
  return html`
    ${h.canRestore
      ? html`<form class="name-version" data-form="name-version" @submit=${name}>
          <label class="field"
            >Name this version <input name="name" required maxlength="100" autocomplete="off" placeholder="e.g. before the reorg"
          /></label>
          <button class="btn" type="submit" ?disabled=${state.busy}>Name it</button>
        </form>`
      : nothing}
    ${state.versionsError ? html`<p class="banner error" role="alert">${state.versionsError}</p>` : nothing}
    <p class="hint">Named versions, and one for every hour with edits (its last change). Preview shows the map as it was, read-only.</p>
    ${versions === null
      ? html`<p class="hint">Loading the versions…</p>`
      : versions.length === 0
        ? html`<p class="empty-note">No versions yet. The first edit makes one.</p>`
        : html`<ol class="versions">
            ${versions.map((v, i) => versionItem(h, v, i === 0))}
          </ol>`}
  `
}

function versionItem(h: HistoryController, v: Version, newest: boolean): TemplateResult {
  const previewing = h.state.preview?.version.version === v.version
  return html`<li class=${`version${previewing ? ' previewing' : ''}`} data-version=${v.version} data-named=${v.name ? 'true' : 'false'}>
    <div class="v-main">
      <span class="v-name">${v.name ?? 'Automatic'}${newest ? html` <span class="count-pill">current</span>` : nothing}</span>
      <span class="v-meta">${when(v.at)}${v.by ? ` · ${v.name ? 'named by' : 'last edit by'} ${v.by.name}` : ''}</span>
    </div>
    <div class="v-actions">
      <button type="button" class="btn small" data-control="preview" aria-pressed=${previewing ? 'true' : 'false'} @click=${() => openPreview(h, v)}>Preview</button>
      ${h.canRestore && !newest ? html`<button type="button" class="btn small" data-action="restore" @click=${() => h.askRestore(v)}>Restore…</button>` : nothing}
    </div>
  </li>`
}

function openPreview(h: HistoryController, v: Version): void {
  if (window.matchMedia(PHONE).matches) h.toggle(false)
  void h.preview(v)
}

/** The bar above a previewed version: what it is, Restore (editors), Back to live. */
export function previewBar(h: HistoryController): TemplateResult | typeof nothing {
  const preview = h.state.preview
  if (!preview) return nothing
  const label = versionLabel(preview.version)
  return html`<div class="preview-bar" role="status" data-preview=${preview.version.version} data-loaded=${preview.doc ? 'true' : 'false'}>
    <p class="preview-text">
      ${preview.error
        ? preview.error
        : preview.doc
          ? html`<strong>Previewing the version of ${label}</strong> <span class="preview-note">— read-only</span>`
          : html`Loading the version of ${label}…`}
    </p>
    <span class="preview-actions">
      ${h.canRestore && preview.doc && h.state.versions?.[0]?.version !== preview.version.version ? html`<button type="button" class="btn small primary" data-action="restore-preview" @click=${() => h.askRestore(preview.version)}>Restore…</button>` : nothing}
      <button type="button" class="btn small" data-control="back-to-live" @click=${() => h.backToLive()}>Back to live</button>
    </span>
  </div>`
}

/** The confirmation a restore asks for. */
export function restoreDialog(h: HistoryController): TemplateResult | typeof nothing {
  const version = h.state.confirm
  if (!version) return nothing
  return html`<dialog class="dialog restore" aria-labelledby="restore-title" data-modal data-restore=${version.version} @cancel=${(e: Event) => (e.preventDefault(), h.cancelRestore())}>
    <form @submit=${(e: SubmitEvent) => (e.preventDefault(), void h.confirmRestore())}>
      <h2 id="restore-title">Restore the version of ${versionLabel(version)}?</h2>
      <p>The map becomes exactly what it was then, for everyone on it, at once.</p>
      <p class="hint">Nothing is lost: the restore is one new change in the history, under your name, and restoring the version just before it takes it back.</p>
      <div class="dialog-actions">
        <button class="btn primary" type="submit" data-action="confirm-restore" ?disabled=${h.state.busy}>${h.state.busy ? 'Restoring…' : 'Restore this version'}</button>
        <span class="spacer"></span>
        <button type="button" class="btn" data-action="cancel-restore" autofocus @click=${() => h.cancelRestore()}>Cancel</button>
      </div>
    </form>
  </dialog>`
}
