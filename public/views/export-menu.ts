// The Export menu (CONTRACT §8 v2): the map as CSV, ratings CSV, XLSX, Markdown or JSON, and print.
// REST wants the token in an Authorization header, which a plain link cannot carry: each choice
// fetches the export and hands the browser the bytes as a download.
import { html, type TemplateResult } from 'lit-html'

export const EXPORTS = [
  { format: 'xlsx', label: 'Excel workbook (.xlsx)', file: 'xlsx' },
  { format: 'csv', label: 'RACI letters (.csv)', file: 'csv' },
  { format: 'ratings-csv', label: 'Skill levels (.csv)', file: 'ratings.csv' },
  { format: 'md', label: 'Markdown table (.md)', file: 'md' },
  { format: 'json', label: 'JSON snapshot (.json)', file: 'json' },
] as const

export interface ExportMenuProps {
  docId: string
  token: string
  /** tells the user what went wrong (a notice) */
  notify(text: string): void
}

export function exportMenu({ docId, token, notify }: ExportMenuProps): TemplateResult {
  const download = async (e: Event, format: string, file: string): Promise<void> => {
    ;(e.currentTarget as HTMLElement).closest('details')?.removeAttribute('open')
    try {
      const res = await fetch(`/api/docs/${encodeURIComponent(docId)}/snapshot?format=${format}`, { headers: { authorization: `Bearer ${token}` } })
      if (!res.ok) throw new Error(((await res.json().catch(() => null)) as { message?: string } | null)?.message ?? res.statusText)
      const url = URL.createObjectURL(await res.blob())
      const a = document.createElement('a')
      a.href = url
      a.download = `${docId}.${file}`
      document.body.append(a)
      a.click()
      a.remove()
      // The download has its own copy once the click is handled.
      setTimeout(() => URL.revokeObjectURL(url), 10_000)
    } catch (err) {
      notify(`Export failed: ${(err as Error).message}`)
    }
  }
  return html`<details class="menu export-menu">
    <summary class="btn" data-menu="export">Export</summary>
    <div class="menu-list" role="menu">
      ${EXPORTS.map(
        ({ format, label, file }) =>
          html`<button type="button" role="menuitem" data-export=${format} @click=${(e: Event) => void download(e, format, file)}>${label}</button>`,
      )}
      <button type="button" role="menuitem" data-export="print" @click=${(e: Event) => ((e.currentTarget as HTMLElement).closest('details')?.removeAttribute('open'), window.print())}>Print…</button>
    </div>
  </details>`
}
