// An open map: the session, the view state (tab, what-if, dialog, picker, tab stops), the actions
// (schema mutators stamped with this user's id) and one render function for the whole page.
import { html, nothing, render, type TemplateResult } from 'lit-html'
import {
  addPerson,
  addResponsibility,
  addRole,
  addSkill,
  hideUnusedSkills,
  recategoriseSkill,
  removeRole,
  removeSkill,
  renameRole,
  renameSkill,
  setHidden,
  assignmentKey,
  moveResponsibility,
  removeResponsibility,
  setAssignment,
  setRating,
  setTitle,
  updatePerson,
  updateResponsibility,
  ROLE_PREFIX,
  type Letter,
  type Level,
} from '../shared/schema.js'
import { ErrorCode } from '../shared/protocol.js'
import { createAct } from './act.js'
import { flash, markSince, watchRemoteChanges } from './flash.js'
import { moveTarget, readModel, type MapModel } from './model.js'
import { cellDataKey, watchOverwrites } from './overwrite.js'
import { createHistory } from './history-controller.js'
import type { BlameNote } from './history.js'
import { peersByCell, readPeers, setCell } from './presence.js'
import { startHref } from './route.js'
import { deniedMessage, openSession, type Session } from './session.js'
import type { Identity } from './token.js'
import type * as Y from 'yjs'
import { createUndo, isTyping, undoKey } from './undo.js'
import { focusCell } from './views/grid-nav.js'
import { exportMenu } from './views/export-menu.js'
import { headerView } from './views/header.js'
import { createImportDialog } from './views/import.js'
import { insightsView } from './views/insights.js'
import { peopleView } from './views/people.js'
import { LETTER_NAMES, pickerCell, pickerView, placePicker, type PickerState, type PickerValue } from './views/picker.js'
import { raciView } from './views/raci.js'
import { dialogFor, responsibilityDialog, type DialogState, type ResponsibilityFields } from './views/responsibility.js'
import { levelText, skillsView } from './views/skills.js'
import { integrationsController } from './views/integrations.js'
import { mintLink, NEW_SHARE, shareDialog, type ShareState } from './views/share.js'
import { structureView } from './views/structure.js'
import { chartsView } from './views/charts.js'
import { filtersView } from './views/filters.js'
import { headlineView } from './views/headline.js'
import { overwriteNotice, type OverwriteNotice } from './views/overwrite-notice.js'
import { undoTools } from './views/undo-tools.js'
import { historyButton, historyPanel, previewBar, restoreDialog } from './views/history-panel.js'
import { NO_FILTERS, SKILL_STATUSES, visibleRows, visibleSkills, type Filters } from './filter.js'
import type { Actions, GridName, Tab, ViewContext } from './views/types.js'

/** How long a notice stays on screen. */
const NOTICE_MS = 6000
/** Overwrite notices shown at once (the newest): more would cover the grid they are about. */
const MAX_OVERWRITES = 3

const TABS: Array<{ tab: Tab; label: string }> = [
  { tab: 'raci', label: 'RACI grid' },
  { tab: 'skills', label: 'Skills heatmap' },
  { tab: 'charts', label: 'Workload' },
  { tab: 'people', label: 'People' },
  { tab: 'structure', label: 'Structure' },
]

interface ViewState {
  tab: Tab
  without: Set<string>
  active: Record<GridName, string | null>
  dialog: DialogState | null
  picker: PickerState | null
  /** narrow screens: the analytics panel replaces the tab's content */
  insightsOpen: boolean
  notices: Array<{ id: number; text: string }>
  /** cells of mine someone else overwrote, until put back or dismissed */
  overwrites: OverwriteNotice[]
  /** the admin's share dialog, while open */
  share: ShareState | null
  filters: Filters
  /** phones: the filter selects are unfolded */
  filtersOpen: boolean
}

export interface SkillmapHandle {
  doc: Session['doc']
  provider: Session['provider']
  awareness: Session['awareness']
  session: Session
  model(): MapModel
}

declare global {
  interface Window {
    /** A debug handle on the open map (the same objects the page uses; the server stays the authority). */
    skillmap?: SkillmapHandle
    /**
     * Set by the app benchmark (scripts/app-perf.ts) before the page loads: the page then records
     * how long each model read with analytics and each paint (render plus layout) took, in ms.
     */
    __skillmapPerf?: { analyze: number[]; paint: number[]; layout?: number[] }
  }
}

export interface MountOptions {
  /** Replaces this map with a fresh copy from the server, showing `notice` once it is mounted. */
  reload(notice: string): void
  /** a notice to show from the start */
  notice?: string
}

export function mountMap(root: HTMLElement, docId: string, token: string, me: Identity, options: MountOptions): () => void {
  const session = openSession(docId, token, me)
  const perf = window.__skillmapPerf
  const { doc, awareness } = session
  const state: ViewState = {
    tab: 'raci',
    without: new Set(),
    active: { raci: null, skills: null },
    dialog: null,
    picker: null,
    insightsOpen: false,
    notices: [],
    overwrites: [],
    share: null,
    filters: { ...NO_FILTERS },
    filtersOpen: false,
  }
  let model: MapModel | null = null
  let pendingFocus: string | null = null
  const flashes = new Set<string>()
  let noticeId = 0
  let deniedSeen = 0
  let scheduled = false
  let destroyed = false
  let sinceMarked = false

  const invalidate = (): void => {
    if (scheduled || destroyed) return
    scheduled = true
    const run = (): void => {
      if (!scheduled) return
      scheduled = false
      paint()
    }
    // A frame when the tab is visible; the timer when frames are throttled (a background tab).
    requestAnimationFrame(run)
    setTimeout(run, 100)
  }
  const refresh = (): void => {
    model = null
    invalidate()
  }

  const notify = (text: string): void => {
    const id = ++noticeId
    state.notices = [...state.notices.slice(-2), { id, text }]
    setTimeout(() => {
      state.notices = state.notices.filter((n) => n.id !== id)
      invalidate()
    }, NOTICE_MS)
    invalidate()
  }

  const importer = createImportDialog({ docId, token, repaint: invalidate, notify })

  // Every document write goes through act (one transaction per action; Undo hooks in there).
  const mayWrite = (): boolean => !session.readOnly && !session.closed
  const act = createAct(doc, { mayWrite, onError: (message) => notify(message) })
  // Viewers have no undo: they never edit.
  const undo = session.readOnly ? null : createUndo(doc, act, { mayWrite })

  // The overwrite notice names whoever the server says last set the cell, once blame knows.
  const verifyOverwrites = (blame: ReadonlyMap<string, BlameNote>): void => {
    let changed = false
    state.overwrites = state.overwrites.map((o) => {
      const note = blame.get(cellDataKey(o.root, o.key))
      if (!note || note.sub === me.id || (o.verified && o.who?.id === note.sub && o.who.name === note.name)) return o
      changed = true
      return { ...o, who: { id: note.sub, name: note.name }, verified: true }
    })
    if (changed) invalidate()
  }
  const history = createHistory({
    docId,
    token,
    me,
    doc,
    isLocal: (origin) => origin === act.origin || (undo !== null && origin === undo.origin),
    repaint: invalidate,
    notify,
    onBlame: verifyOverwrites,
  })
  /** The previewed version read like the live map (CONTRACT §8 v2: read-only), once per version. */
  let previewed: { doc: Y.Doc; model: MapModel } | null = null
  const previewModel = (): MapModel | null => {
    const copy = history.state.preview?.doc
    if (!copy) return null
    if (previewed?.doc !== copy) previewed = { doc: copy, model: readModel(copy, state.without) }
    return previewed.model
  }

  const actions: Actions = {
    setLetter: (responsibility, assignee, letter: Letter | null) => act('Set a letter', () => setAssignment(doc, responsibility, assignee, letter, me.id)),
    setLevel: (person, skill, level: Level | null | undefined) => act('Set a level', () => setRating(doc, person, skill, level, me.id)),
    openResponsibility(id) {
      if (session.readOnly) return
      state.dialog = dialogFor(currentModel(), id)
      invalidate()
    },
    moveResponsibility(id, direction) {
      const index = moveTarget(currentModel(), id, direction)
      if (index === null) return
      act('Move a responsibility', () => moveResponsibility(doc, id, index))
      pendingFocus = `row:${id}`
    },
    addPerson(name, role, team) {
      act('Add a person', () => {
        const id = addPerson(doc, { name, role, ...(team ? { team } : {}) })
        notify(`${name} added. Give them letters in the RACI grid and levels in the heatmap.`)
        pendingFocus = `person:${id}`
      })
    },
    updatePerson: (id, changes) => act('Change a person', () => updatePerson(doc, id, changes)),
    setTitle: (title) => act('Rename the map', () => setTitle(doc, title)),
    focus(grid, key) {
      state.active[grid] = key
      setCell(awareness, key)
    },
    openPicker(person, skill, anchor) {
      if (session.readOnly) return
      const m = currentModel()
      state.picker = {
        kind: 'level',
        person,
        skill,
        personName: m.peopleById.get(person)?.name ?? person,
        skillName: m.skills.find((s) => s.id === skill)?.name ?? skill,
        current: m.ratings.get(`${person}/${skill}`)?.level,
        ...placePicker(anchor, 'level'),
      }
      invalidate()
    },
    openLetterPicker(responsibility, assignee, anchor) {
      if (session.readOnly) return
      const m = currentModel()
      const role = assignee.startsWith(ROLE_PREFIX)
      state.picker = {
        kind: 'letter',
        responsibility,
        assignee,
        assigneeName: role ? (m.roleLabels.get(assignee.slice(ROLE_PREFIX.length)) ?? assignee) : (m.peopleById.get(assignee)?.name ?? assignee),
        title: m.responsibilities.find((r) => r.id === responsibility)?.title ?? responsibility,
        role,
        current: m.assignments.get(assignmentKey(responsibility, assignee))?.letter ?? null,
        ...placePicker(anchor, 'letter'),
      }
      invalidate()
    },
    toggleWithout(person) {
      if (state.without.has(person)) state.without.delete(person)
      else state.without.add(person)
      previewed = null
      refresh()
    },
    clearWithout() {
      state.without.clear()
      previewed = null
      refresh()
    },
    showTab(tab) {
      state.tab = tab
      state.insightsOpen = false
      invalidate()
    },
    reveal(tab, key) {
      actions.showTab(tab)
      pendingFocus = key
    },
    notify,
    clearFilters: () => filterActions.clearFilters(),
    addSkill(name, category) {
      act('Add a skill', () => {
        const id = addSkill(doc, { name, category })
        notify(`${name} added. Rate people in the heatmap, and name it on the responsibilities that need it.`)
        pendingFocus = `skill:${id}`
      })
    },
    renameSkill: (id, name) => act('Rename a skill', () => renameSkill(doc, id, name)),
    recategoriseSkill: (id, category) => act('Move a skill to another category', () => recategoriseSkill(doc, id, category)),
    removeSkill: (id) => act('Remove a skill', () => removeSkill(doc, id)),
    addRole(label) {
      act('Add a role column', () => {
        const key = addRole(doc, undefined, label)
        pendingFocus = `role:@${key}`
      })
    },
    renameRole: (key, label) => act('Rename a role column', () => renameRole(doc, key, label)),
    removeRole: (key, reassignTo) => act('Remove a role column', () => removeRole(doc, key, reassignTo)),
    setHidden: (root, key, hidden) => act(hidden ? 'Hide a column' : 'Show a column', () => setHidden(doc, root, key, hidden)),
    hideUnusedSkills() {
      act('Hide unused skills', () => {
        const hidden = hideUnusedSkills(doc)
        const names = hidden.map((id) => currentModel().skills.find((s) => s.id === id)?.name ?? id)
        notify(hidden.length ? `Hidden: ${names.join(', ')}. Show them again here any time.` : 'Every template skill is rated or needed: nothing to hide.')
      })
    },
  }

  const dialogActions = {
    save(id: string | null, fields: ResponsibilityFields) {
      const known = new Set(currentModel().skills.map((s) => s.id))
      const values = { ...fields, skills: fields.skills.filter((s) => known.has(s)) }
      act(id === null ? 'Add a responsibility' : 'Edit a responsibility', () => {
        const exists = id !== null && currentModel().responsibilities.some((r) => r.id === id)
        const saved = exists ? (updateResponsibility(doc, id, values), id) : addResponsibility(doc, { ...values, ...(id ? { id } : {}) })
        pendingFocus = `row:${saved}`
      })
      state.dialog = null
      invalidate()
    },
    remove(id: string) {
      act('Remove a responsibility', () => removeResponsibility(doc, id))
      state.dialog = null
      invalidate()
    },
    askRemove() {
      if (state.dialog) state.dialog = { ...state.dialog, confirmRemove: true }
      invalidate()
    },
    close() {
      const id = state.dialog?.id
      state.dialog = null
      if (id) pendingFocus = `row:${id}`
      invalidate()
    },
  }

  const closePicker = (): void => {
    if (!state.picker) return
    pendingFocus = pickerCell(state.picker)
    state.picker = null
    invalidate()
  }
  const choose = (value: PickerValue): void => {
    const picker = state.picker
    if (!picker) return
    if (picker.kind === 'level') {
      const level = value as Level | null | undefined
      actions.setLevel(picker.person, picker.skill, level)
      announce(`${picker.personName}, ${picker.skillName}: ${levelText(level)}`)
    } else {
      const letter = (value ?? null) as Letter | null
      actions.setLetter(picker.responsibility, picker.assignee, letter)
      announce(`${picker.assigneeName}, ${picker.title}: ${letter ? LETTER_NAMES[letter] : 'not assigned'}`)
    }
    closePicker()
  }
  const announce = (text: string): void => {
    const live = root.querySelector('.sr-live')
    if (live) live.textContent = text
  }

  const setFilters = (changes: Partial<Filters>): void => {
    state.filters = { ...state.filters, ...changes }
    invalidate()
  }
  const filterActions = {
    setFilters,
    clearFilters: () => setFilters({ ...NO_FILTERS, sort: state.filters.sort }),
    toggleMore: () => ((state.filtersOpen = !state.filtersOpen), invalidate()),
  }
  const headlineActions = {
    toggleStatus(status: Filters['status']) {
      const skill = SKILL_STATUSES.has(status)
      const tab = skill ? 'skills' : 'raci'
      // A chip for the other grid takes the user there, already filtered.
      setFilters({ status: state.filters.status === status && state.tab === tab ? '' : status })
      if (state.tab !== tab) actions.showTab(tab)
    },
    setProblemsOnly: (on: boolean) => setFilters({ problemsOnly: on }),
  }
  const shownCount = (m: MapModel, grid: 'raci' | 'skills') =>
    grid === 'raci'
      ? { count: visibleRows(m, state.filters).length, total: m.responsibilities.length, what: 'responsibilities' }
      : { count: visibleSkills(m, state.filters).length, total: m.skills.filter((s) => !s.hidden).length, what: 'skills' }

  /** The header's toolbar: what this user may do with the whole map. */
  function headerTools(): TemplateResult[] {
    const tools: TemplateResult[] = []
    // While a version is previewed, Undo would change the live map nobody is looking at.
    if (undo && !history.state.preview) tools.push(undoTools(undo))
    tools.push(historyButton(history))
    if (me.role === 'admin' && !session.closed) {
      tools.push(html`<button class="btn small" data-action="share" @click=${() => ((state.share = { ...NEW_SHARE }), invalidate())}>Share</button>`)
      tools.push(html`<button class="btn small" data-action="integrations" @click=${() => integrations.open()}>Integrations</button>`)
    }
    return tools
  }
  const integrations = integrationsController(docId, token, me.doc === '*', () => invalidate())
  const shareActions = {
    update(next: Partial<ShareState>) {
      if (state.share) state.share = { ...state.share, ...next }
      invalidate()
    },
    close() {
      state.share = null
      invalidate()
    },
  }
  const mintShare = (form: HTMLFormElement): void => {
    const share = state.share
    if (!share || share.busy) return
    const data = new FormData(form)
    shareActions.update({ busy: true, error: null, copied: false })
    mintLink(docId, token, share.role, String(data.get('name') ?? '').trim(), String(data.get('ttl') ?? '7d')).then(
      ({ link, expiresAt }) => shareActions.update({ busy: false, link, expiresAt }),
      (err: unknown) => shareActions.update({ busy: false, error: err instanceof Error ? err.message : String(err) }),
    )
  }

  function currentModel(): MapModel {
    if (model) return model
    const started = perf ? performance.now() : 0
    model = readModel(doc, state.without)
    perf?.analyze.push(performance.now() - started)
    return model
  }

  function paint(): void {
    if (destroyed) return
    const live = currentModel()
    const started = perf ? performance.now() : 0
    const peers = readPeers(awareness)
    const closed = session.closed
    // A previewed version takes the live map's place, read-only, without presence or blame.
    const old = previewModel()
    const previewing = history.state.preview !== null
    if (previewing && (state.picker || state.dialog)) {
      state.picker = null
      state.dialog = null
    }
    const m = old ?? live
    const ctx: ViewContext = {
      model: m,
      me,
      // A closed session sends nothing more: its page becomes a read-only view of what it had.
      readOnly: session.readOnly || closed !== null || previewing,
      peersByCell: old ? new Map() : peersByCell(peers),
      blame: old ? new Map() : history.state.blame,
      active: state.active,
      picking: state.picker ? pickerCell(state.picker) : null,
      filters: state.filters,
      actions,
    }
    const gridTab = state.tab === 'raci' || state.tab === 'skills'
    const lead = session.loaded && gridTab
      ? html`${headlineView(m, state.filters, headlineActions)}
          ${filtersView(m, state.filters, shownCount(m, state.tab as 'raci' | 'skills'), state.tab as 'raci' | 'skills', filterActions, state.filtersOpen)}`
      : nothing
    const tabView = previewing && !old
      ? html`<p class="placeholder" data-placeholder>${history.state.preview?.error ?? 'Loading that version…'}</p>`
      : !session.loaded
      ? html`<p class="placeholder" data-placeholder>${closed ? 'Nothing to show.' : session.status === 'offline' ? 'Offline, and this device has no copy of this map yet.' : 'Loading the map…'}</p>`
      : state.tab === 'raci'
        ? raciView(ctx)
        : state.tab === 'skills'
          ? skillsView(ctx)
          : state.tab === 'structure'
            ? structureView(ctx)
            : state.tab === 'charts'
              ? chartsView(ctx)
              : peopleView(ctx)
    document.title = `${live.meta.title || docId} · skillmap`
    render(
      html`<div class="map-page" data-doc=${docId} data-readonly=${ctx.readOnly ? 'true' : 'false'} data-tab=${state.tab} data-previewing=${previewing ? 'true' : 'false'} data-history=${history.state.open ? 'open' : 'closed'}>
        <a class="skip" href="#main" @click=${(e: Event) => (e.preventDefault(), root.querySelector<HTMLElement>('#main')?.focus())}>Skip to the map</a>
        <div class="masthead">
        ${headerView({ session, title: m.meta.title, peers, backHref: startHref(token), setTitle: actions.setTitle, tools: headerTools(), readOnly: previewing })}
        ${closed ? html`<div class="banner error" role="alert" data-closed=${closed.code}>${closed.message} <a href=${startHref(null)}>Start page</a></div>` : nothing}
        <nav class="tabs" role="tablist" aria-label="Views" @keydown=${tabKeys}>
          ${TABS.map(
            ({ tab, label }) => html`<button
              role="tab"
              id=${`tab-${tab}`}
              aria-selected=${state.tab === tab && !state.insightsOpen ? 'true' : 'false'}
              aria-controls="main"
              tabindex=${state.tab === tab ? 0 : -1}
              data-tab=${tab}
              @click=${() => actions.showTab(tab)}
            >
              ${label}
            </button>`,
          )}
          <button
            class="insights-toggle"
            aria-pressed=${state.insightsOpen ? 'true' : 'false'}
            aria-controls="insights"
            @click=${() => ((state.insightsOpen = !state.insightsOpen), invalidate())}
          >
            Insights <span class="pct">${Math.round(m.analysis.coverage * 100)}%</span>
          </button>
          <span class="sheet-tools">${exportMenu({ docId, token, notify })}${ctx.readOnly ? nothing : importer.button()}</span>
        </nav>
        ${previewBar(history)}
        </div>
        ${session.readOnly && !closed
          ? html`<div class="banner info">You are watching this map live. Changes made by editors flash as they arrive.</div>`
          : nothing}
        <div class=${`layout${state.insightsOpen ? ' insights-open' : ''}${session.loaded ? '' : ' single'}`}>
          <main id="main" role="tabpanel" aria-labelledby=${`tab-${state.tab}`} tabindex="-1">${lead}${tabView}</main>
          ${session.loaded ? html`<div id="insights" class="insights-wrap">${insightsView(ctx)}</div>` : nothing}
        </div>
        ${state.dialog ? responsibilityDialog(m, state.dialog, dialogActions) : nothing}
        ${state.picker ? pickerView(state.picker, choose, closePicker) : nothing}
        ${importer.dialog()}
        ${state.share ? shareDialog(docId, state.share, mintShare, shareActions) : nothing}
        ${integrations.dialog()}
        ${historyPanel(history, live)}
        ${restoreDialog(history)}
        <div class="notices" role="status" aria-live="polite">
          ${state.overwrites.map((o) => overwriteNotice(live, o, overwriteActions))}
          ${state.notices.map((n) => html`<p class="notice-toast">${n.text}</p>`)}
        </div>
        <div class="visually-hidden sr-live" aria-live="polite"></div>
      </div>`,
      root,
    )
    afterPaint()
    if (perf) {
      // Reading a layout property makes the browser lay the page out now, inside the measurement.
      const rendered = performance.now()
      void root.offsetHeight
      perf.paint.push(performance.now() - started)
      perf.layout?.push(performance.now() - rendered)
    }
  }

  function afterPaint(): void {
    const dialog = root.querySelector<HTMLDialogElement>('dialog[data-modal]')
    if (dialog && !dialog.open) {
      dialog.showModal()
      dialog.querySelector<HTMLInputElement>('input[name=title]')?.focus()
    }
    const picker = root.querySelector<HTMLElement>('.picker')
    if (picker && !picker.contains(document.activeElement)) {
      ;(picker.querySelector<HTMLElement>('[aria-checked=true]') ?? picker.querySelector<HTMLElement>('button'))?.focus()
    }
    if (pendingFocus !== null) {
      const target = root.querySelector<HTMLElement>(`[data-key="${CSS.escape(pendingFocus)}"]`)
      const focusable = target?.matches('[data-r]') ? target : target?.querySelector<HTMLElement>('[data-r], input, button')
      pendingFocus = null
      if (focusable?.matches('[data-r]')) focusCell(focusable)
      else focusable?.focus()
    }
    // Each grid keeps one tab stop, even when the cell that held it is gone (a removed row).
    root.querySelectorAll<HTMLElement>('[data-grid]').forEach((grid) => {
      if (!grid.querySelector('[data-r][tabindex="0"]')) grid.querySelector<HTMLElement>('[data-r]')?.setAttribute('tabindex', '0')
    })
    // A previewed version is not where live changes land.
    if (history.state.preview) flashes.clear()
    if (flashes.size > 0) {
      flash(root, flashes)
      flashes.clear()
    }
    // Most visits have nothing to mark: then the page is not searched at all.
    const since = history.state.preview ? new Set<string>() : history.state.sinceKeys
    if (since.size > 0 || sinceMarked) markSince(root, since)
    sinceMarked = since.size > 0
    if (history.takeFocus()) root.querySelector<HTMLElement>('#history-title')?.focus()
  }

  const tabKeys = (e: KeyboardEvent): void => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return
    const at = TABS.findIndex((t) => t.tab === state.tab)
    const next = TABS[(at + (e.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length]!
    actions.showTab(next.tab)
    pendingFocus = null
    queueMicrotask(() => root.querySelector<HTMLElement>(`#tab-${next.tab}`)?.focus())
  }

  const onKey = (e: KeyboardEvent): void => {
    if (e.key === 'Escape' && state.picker) closePicker()
    else if (e.key === 'Escape' && history.state.open && !isTyping(e.target)) {
      history.toggle(false)
      queueMicrotask(() => root.querySelector<HTMLElement>('button[data-control="history"]')?.focus())
    }
    const step = undo ? undoKey(e) : null
    if (!undo || !step || isTyping(e.target) || history.state.preview) return
    e.preventDefault()
    if (step === 'undo' ? !undo.canUndo() : !undo.canRedo()) return
    const label = step === 'undo' ? undo.undoLabel() : undo.redoLabel()
    if (step === 'undo') undo.undo()
    else undo.redo()
    announce(`${step === 'undo' ? 'Undone' : 'Redone'}${label ? `: ${label}` : ''}`)
  }

  let overwriteId = 0
  const dropOverwrite = (root: string, key: string): void => {
    const kept = state.overwrites.filter((o) => o.root !== root || o.key !== key)
    if (kept.length === state.overwrites.length) return
    state.overwrites = kept
    invalidate()
  }
  const overwriteActions = {
    putBack(notice: OverwriteNotice) {
      const [a = '', b = ''] = notice.key.split('/')
      if (notice.root === 'assignments') actions.setLetter(a, b, notice.mine as Letter)
      else actions.setLevel(a, b, notice.mine as Level | null)
      dropOverwrite(notice.root, notice.key)
    },
    dismiss(notice: OverwriteNotice) {
      overwrites?.forget(notice.root, notice.key)
      dropOverwrite(notice.root, notice.key)
    },
  }

  doc.on('update', refresh)
  awareness.on('change', invalidate)
  const flashKeys = (keys: Set<string>): void => {
    keys.forEach((k) => flashes.add(k))
    invalidate()
  }
  const stopWatching = watchRemoteChanges(doc, session.provider, () => session.everSynced, flashKeys)
  // What an undo or redo changed flashes too: it may be far from where the user is looking.
  const stopWatchingUndo = undo ? watchRemoteChanges(doc, undo.origin, () => true, flashKeys) : () => {}
  const stopUndoRepaint = undo?.subscribe(invalidate) ?? (() => {})
  const overwrites = session.readOnly
    ? null
    : watchOverwrites({
        doc,
        me,
        awareness,
        isLocal: (origin) => origin === act.origin || origin === undo?.origin,
        remote: session.provider,
        onOverwrite(overwrite) {
          const others = state.overwrites.filter((o) => o.root !== overwrite.root || o.key !== overwrite.key)
          state.overwrites = [...others, { ...overwrite, id: ++overwriteId }].slice(-MAX_OVERWRITES)
          invalidate()
        },
        onChanged: dropOverwrite,
      })
  let wasOnline = false
  const unsubscribe = session.subscribe(() => {
    // Back online: edits kept here went out, so who set what may have changed.
    if (session.status === 'online' && !wasOnline) history.refreshSoon()
    wasOnline = session.status === 'online'
    if (session.denied.length > deniedSeen) {
      const fresh = session.denied.slice(deniedSeen)
      deniedSeen = session.denied.length
      // A view-only page that wrote anyway (from the console) holds what nobody else has: start
      // again from the server's copy, so the page shows the map as it is.
      if (session.readOnly && fresh.includes(ErrorCode.readOnly)) {
        queueMicrotask(() => options.reload(deniedMessage(ErrorCode.readOnly)!))
        return
      }
      fresh.forEach((reason) => {
        const message = deniedMessage(reason)
        if (message) notify(message)
      })
    }
    invalidate()
  })
  document.addEventListener('keydown', onKey)
  awareness.setLocalStateField('cell', null)
  window.skillmap = { doc, provider: session.provider, awareness, session, model: currentModel }
  if (options.notice) notify(options.notice)
  paint()

  return () => {
    destroyed = true
    integrations.destroy()
    stopWatching()
    stopWatchingUndo()
    stopUndoRepaint()
    overwrites?.stop()
    history.destroy()
    undo?.destroy()
    unsubscribe()
    document.removeEventListener('keydown', onKey)
    doc.off('update', refresh)
    awareness.off('change', invalidate)
    session.destroy()
    if (window.skillmap?.session === session) delete window.skillmap
    render(nothing, root)
  }
}
