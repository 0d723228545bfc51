// An open map: the session, the view state (tab, what-if, dialog, picker, tab stops), the actions
// (schema mutators stamped with this user's id) and one render function for the whole page.
import { html, nothing, render } from 'lit-html'
import {
  addPerson,
  addResponsibility,
  addRole,
  addSkill,
  makeId,
  removeRole,
  removeSkill,
  renameRole,
  updateSkill,
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
import { flash, watchRemoteChanges } from './flash.js'
import { moveTarget, readModel, type MapModel } from './model.js'
import { peersByCell, readPeers, setCell } from './presence.js'
import { startHref } from './route.js'
import { deniedMessage, openSession, type Session } from './session.js'
import type { Identity } from './token.js'
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
import { structureView } from './views/structure.js'
import type { Actions, GridName, Tab, ViewContext } from './views/types.js'

/** How long a notice stays on screen. */
const NOTICE_MS = 6000

const TABS: Array<{ tab: Tab; label: string }> = [
  { tab: 'raci', label: 'RACI grid' },
  { tab: 'skills', label: 'Skills heatmap' },
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
  const { doc, awareness } = session
  const state: ViewState = {
    tab: 'raci',
    without: new Set(),
    active: { raci: null, skills: null },
    dialog: null,
    picker: null,
    insightsOpen: false,
    notices: [],
  }
  let model: MapModel | null = null
  let pendingFocus: string | null = null
  const flashes = new Set<string>()
  let noticeId = 0
  let deniedSeen = 0
  let scheduled = false
  let destroyed = false

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
  const act = createAct(doc, { mayWrite: () => !session.readOnly && !session.closed, onError: (message) => notify(message) })

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
      refresh()
    },
    clearWithout() {
      state.without.clear()
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
    addSkill(name, category) {
      act('Add a skill', () => {
        const id = addSkill(doc, { name, category })
        notify(`${name} added. Rate people in the heatmap, and name it on the responsibilities that need it.`)
        pendingFocus = `skill:${id}`
      })
    },
    renameSkill: (id, name) => act('Rename a skill', () => updateSkill(doc, id, { name })),
    recategoriseSkill: (id, category) => act('Move a skill to another category', () => updateSkill(doc, id, { category })),
    removeSkill: (id) => act('Remove a skill', () => removeSkill(doc, id)),
    addRole(label) {
      act('Add a role column', () => {
        const key = makeId(label, (k) => currentModel().roleLabels.has(k))
        addRole(doc, key, label)
        pendingFocus = `role:@${key}`
      })
    },
    renameRole: (key, label) => act('Rename a role column', () => renameRole(doc, key, label)),
    removeRole: (key) => act('Remove a role column', () => removeRole(doc, key)),
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

  function currentModel(): MapModel {
    model ??= readModel(doc, state.without)
    return model
  }

  function paint(): void {
    if (destroyed) return
    const m = currentModel()
    const peers = readPeers(awareness)
    const closed = session.closed
    const ctx: ViewContext = {
      model: m,
      me,
      // A closed session sends nothing more: its page becomes a read-only view of what it had.
      readOnly: session.readOnly || closed !== null,
      peersByCell: peersByCell(peers),
      active: state.active,
      picking: state.picker ? pickerCell(state.picker) : null,
      actions,
    }
    const tabView = !session.loaded
      ? html`<p class="placeholder" data-placeholder>${closed ? 'Nothing to show.' : session.status === 'offline' ? 'Offline, and this device has no copy of this map yet.' : 'Loading the map…'}</p>`
      : state.tab === 'raci'
        ? raciView(ctx)
        : state.tab === 'skills'
          ? skillsView(ctx)
          : state.tab === 'structure'
            ? structureView(ctx)
            : peopleView(ctx)
    document.title = `${m.meta.title || docId} · skillmap`
    render(
      html`<div class="map-page" data-doc=${docId} data-readonly=${ctx.readOnly ? 'true' : 'false'} data-tab=${state.tab}>
        <a class="skip" href="#main" @click=${(e: Event) => (e.preventDefault(), root.querySelector<HTMLElement>('#main')?.focus())}>Skip to the map</a>
        <div class="masthead">
        ${headerView({ session, title: m.meta.title, peers, backHref: startHref(token), setTitle: actions.setTitle })}
        ${closed ? html`<div class="banner error" role="alert" data-closed=${closed.code}>${closed.message} <a href=${startHref(null)}>Start page</a></div>` : nothing}
        ${session.readOnly && !closed
          ? html`<div class="banner info">You are watching this map live. Changes made by editors flash as they arrive.</div>`
          : nothing}
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
        </div>
        <div class=${`layout${state.insightsOpen ? ' insights-open' : ''}${session.loaded ? '' : ' single'}`}>
          <main id="main" role="tabpanel" aria-labelledby=${`tab-${state.tab}`} tabindex="-1">${tabView}</main>
          ${session.loaded ? html`<div id="insights" class="insights-wrap">${insightsView(ctx)}</div>` : nothing}
        </div>
        ${state.dialog ? responsibilityDialog(m, state.dialog, dialogActions) : nothing}
        ${state.picker ? pickerView(state.picker, choose, closePicker) : nothing}
        ${importer.dialog()}
        <div class="notices" role="status" aria-live="polite">
          ${state.notices.map((n) => html`<p class="notice-toast">${n.text}</p>`)}
        </div>
        <div class="visually-hidden sr-live" aria-live="polite"></div>
      </div>`,
      root,
    )
    afterPaint()
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
    if (flashes.size > 0) {
      flash(root, flashes)
      flashes.clear()
    }
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
  }

  doc.on('update', refresh)
  awareness.on('change', invalidate)
  const stopWatching = watchRemoteChanges(doc, session.provider, () => session.everSynced, (keys) => {
    keys.forEach((k) => flashes.add(k))
    invalidate()
  })
  const unsubscribe = session.subscribe(() => {
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
    stopWatching()
    unsubscribe()
    document.removeEventListener('keydown', onKey)
    doc.off('update', refresh)
    awareness.off('change', invalidate)
    session.destroy()
    if (window.skillmap?.session === session) delete window.skillmap
    render(nothing, root)
  }
}
