// The Import dialog (CONTRACT §8 v2): pick or drop a file, see what it will create and change and
// the problems (the server's dry run, so the preview is exactly what the import will do), then
// import. The map fills through the live connection like any other edit.
import { html, nothing, type TemplateResult } from 'lit-html'

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/** POST …/import's reply (server/routes/import.ts). */
export interface ImportReply {
  version: number
  format: string
  mode: 'merge' | 'replace'
  created: Counts
  updated: Counts
  removed: Counts & { cells: number }
  cells: number
  names: { people: string[]; skills: string[]; responsibilities: string[] }
  problems: Array<{ row: number | null; column: string | null; sheet?: string; message: string }>
}
type Counts = { people: number; skills: number; responsibilities: number }

const FORMAT_NAMES: Record<string, string> = {
  json: 'skillmap JSON snapshot',
  xlsx: 'skillmap workbook',
  csv: 'skillmap RACI letters CSV',
  'ratings-csv': 'skillmap skill levels CSV',
  'raci-csv': 'RACI matrix (CSV)',
  'raci-xlsx': 'RACI matrix (first sheet of a workbook)',
}

interface ImportState {
  open: boolean
  file: { name: string; type: string; bytes: ArrayBuffer } | null
  mode: 'merge' | 'replace'
  busy: boolean
  preview: ImportReply | null
  error: string | null
}

export interface ImportDialogOptions {
  docId: string
  token: string
  repaint(): void
  notify(text: string): void
}

export interface ImportDialog {
  button(): TemplateResult
  dialog(): TemplateResult | typeof nothing
}

/** The content type the server reads a file as, from its name (browsers label CSV inconsistently). */
export function typeOf(name: string): string {
  const ext = name.toLowerCase().split('.').pop()
  return ext === 'xlsx' ? XLSX_TYPE : ext === 'json' ? 'application/json' : ext === 'csv' || ext === 'txt' ? 'text/csv' : 'application/octet-stream'
}

export function createImportDialog({ docId, token, repaint, notify }: ImportDialogOptions): ImportDialog {
  const state: ImportState = { open: false, file: null, mode: 'merge', busy: false, preview: null, error: null }
  const set = (changes: Partial<ImportState>): void => {
    Object.assign(state, changes)
    repaint()
  }

  const send = async (dryRun: boolean): Promise<ImportReply | null> => {
    const file = state.file
    if (file === null) return null
    const res = await fetch(`/api/docs/${encodeURIComponent(docId)}/import?mode=${state.mode}&dryRun=${dryRun}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': file.type },
      body: file.bytes,
    })
    const body = (await res.json().catch(() => null)) as (ImportReply & { message?: string }) | null
    if (!res.ok) throw new Error(body?.message ?? res.statusText)
    return body
  }

  const preview = async (): Promise<void> => {
    set({ busy: true, error: null, preview: null })
    try {
      set({ busy: false, preview: await send(true) })
    } catch (err) {
      set({ busy: false, error: (err as Error).message })
    }
  }

  const choose = async (file: File | undefined): Promise<void> => {
    if (file === undefined) return
    set({ file: { name: file.name, type: typeOf(file.name), bytes: await file.arrayBuffer() } })
    await preview()
  }

  const run = async (): Promise<void> => {
    set({ busy: true, error: null })
    try {
      const result = await send(false)
      set({ open: false, busy: false, file: null, preview: null })
      if (result) notify(`Imported: ${summary(result)}${result.problems.length ? `; ${result.problems.length} row${result.problems.length === 1 ? '' : 's'} skipped` : ''}.`)
    } catch (err) {
      set({ busy: false, error: (err as Error).message })
    }
  }

  const close = (): void => set({ open: false, file: null, preview: null, error: null, busy: false })

  return {
    button: () => html`<button type="button" class="btn" data-action="import" @click=${() => set({ open: true })}>Import…</button>`,
    dialog() {
      if (!state.open) return nothing
      const p = state.preview
      return html`<dialog class="dialog import-dialog" aria-labelledby="import-title" data-modal @cancel=${(e: Event) => (e.preventDefault(), close())}>
        <form @submit=${(e: Event) => (e.preventDefault(), void run())}>
          <h2 id="import-title">Import into this map</h2>
          <label
            class="drop-zone"
            data-drop
            @dragover=${(e: DragEvent) => e.preventDefault()}
            @drop=${(e: DragEvent) => (e.preventDefault(), void choose(e.dataTransfer?.files[0]))}
          >
            <input type="file" name="file" accept=".xlsx,.csv,.json,.txt" @change=${(e: Event) => void choose((e.currentTarget as HTMLInputElement).files?.[0])} />
            <span>${state.file ? html`<strong>${state.file.name}</strong>` : 'Choose a file or drop it here'}</span>
            <span class="hint">A skillmap export (XLSX, CSV, JSON) or your own RACI matrix: a <em>Responsibility</em> column (an <em>Area</em> column before it if you like), then one column per person; letters R, A, C, I.</span>
          </label>
          <fieldset class="field criticality">
            <legend>How</legend>
            <label class="radio"><input type="radio" name="mode" value="merge" .checked=${state.mode === 'merge'} @change=${() => (set({ mode: 'merge' }), void preview())} /> Merge: write what the file holds</label>
            <label class="radio"><input type="radio" name="mode" value="replace" .checked=${state.mode === 'replace'} @change=${() => (set({ mode: 'replace' }), void preview())} /> Replace: also remove what the file lacks</label>
          </fieldset>
          ${state.busy ? html`<p class="hint" data-busy>Reading the file…</p>` : nothing}
          ${state.error ? html`<p class="notice error" role="alert" data-import-error>${state.error}</p>` : nothing}
          ${p ? previewView(p) : nothing}
          <div class="dialog-actions">
            <span class="spacer"></span>
            <button type="button" class="btn" @click=${close}>Cancel</button>
            <button type="submit" class="btn primary" data-action="run-import" ?disabled=${!p || state.busy || (p.cells === 0 && total(p.created) === 0 && total(p.updated) === 0 && total(p.removed) === 0)}>Import</button>
          </div>
        </form>
      </dialog>`
    },
  }
}

const total = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0)

function summary(p: ImportReply): string {
  const parts = [
    p.created.people && `${p.created.people} new ${p.created.people === 1 ? 'person' : 'people'}`,
    p.created.responsibilities && `${p.created.responsibilities} new responsibilit${p.created.responsibilities === 1 ? 'y' : 'ies'}`,
    p.created.skills && `${p.created.skills} new skill${p.created.skills === 1 ? '' : 's'}`,
    p.cells && `${p.cells} cell${p.cells === 1 ? '' : 's'} set`,
    p.removed.people + p.removed.responsibilities + p.removed.skills && `${p.removed.people + p.removed.responsibilities + p.removed.skills} removed`,
  ].filter(Boolean)
  return parts.length ? parts.join(', ') : 'nothing to change'
}

function previewView(p: ImportReply): TemplateResult {
  const where = (x: ImportReply['problems'][number]) => [x.sheet, x.row !== null ? `row ${x.row}` : null, x.column].filter(Boolean).join(' · ')
  return html`<section class="import-preview" data-preview aria-live="polite">
    <p><span class="hint">Read as</span> <strong data-format=${p.format}>${FORMAT_NAMES[p.format] ?? p.format}</strong></p>
    <p data-summary>This import will make ${summary(p)}${total(p.updated) ? `, and update ${total(p.updated)} existing` : ''}.</p>
    ${p.names.people.length || p.names.responsibilities.length || p.names.skills.length
      ? html`<ul class="import-new">
          ${p.names.people.length ? html`<li>People: ${p.names.people.join(', ')}</li>` : nothing}
          ${p.names.responsibilities.length ? html`<li>Responsibilities: ${p.names.responsibilities.join(', ')}</li>` : nothing}
          ${p.names.skills.length ? html`<li>Skills: ${p.names.skills.join(', ')}</li>` : nothing}
        </ul>`
      : nothing}
    ${p.problems.length
      ? html`<details class="import-problems" open>
          <summary>${p.problems.length} problem${p.problems.length === 1 ? '' : 's'}: these rows are skipped</summary>
          <table>
            <thead><tr><th scope="col">Where</th><th scope="col">Problem</th></tr></thead>
            <tbody>${p.problems.slice(0, 200).map((x) => html`<tr data-problem><td>${where(x)}</td><td>${x.message}</td></tr>`)}</tbody>
          </table>
        </details>`
      : html`<p class="hint" data-no-problems>No problems found.</p>`}
  </section>`
}
