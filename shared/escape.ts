// Escaping for exports that other programs open (CONTRACT §6b): a spreadsheet must never run a
// value of the map as a formula, and a Markdown viewer must never render one as HTML or a link.
// Any editor can write any text into a map, and a lead opens the export in Excel or Sheets.

/**
 * What Excel, LibreOffice and Google Sheets read as the start of a formula (OWASP "CSV Injection"):
 * `=`, `+`, `-`, `@`, and tab or carriage return, which some of them skip before looking again.
 */
const FORMULA_START = /^[=+\-@\t\r]/

/** Leading apostrophes are peeled first, so that `'=x` is escaped too and `restoreFormula` is exact. */
const needsDefusing = (value: string): boolean => FORMULA_START.test(value.replace(/^'+/, ''))

/**
 * A text cell as a spreadsheet shows it but never evaluates it: prefixed with `'`, which the
 * spreadsheet hides and treats as "this is text". Only text cells: a number is written as a number.
 */
export function defuseFormula(value: string): string {
  return needsDefusing(value) ? `'${value}` : value
}

/** The exact inverse of `defuseFormula`, for reading our own exports back (imports). */
export function restoreFormula(value: string): string {
  return value.startsWith("'") && needsDefusing(value) ? value.slice(1) : value
}

/** One field of an RFC 4180 record: defused, then quoted when it holds a comma, a quote, CR or LF. */
export function csvField(text: string): string {
  const value = defuseFormula(text)
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value
}

const HTML: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }

/** Text with no HTML in it: `<script>` arrives as text, never as a tag. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"]/g, (ch) => HTML[ch]!)
}

/**
 * Inline Markdown text that renders as exactly that text: HTML escaped; backslashes, brackets
 * (links and images, `[x](javascript:…)`) and backticks (code spans) escaped; formulas defused,
 * since Markdown tables get pasted into spreadsheets; whitespace runs become one space.
 */
export function markdownText(value: string): string {
  return escapeMarkdown(defuseFormula(value).replace(/\s+/g, ' '))
}

/** A Markdown table cell: as `markdownText`, pipes escaped and line breaks kept as `<br>`. */
export function markdownCell(value: string): string {
  const lines = defuseFormula(value).split(/\r\n|\r|\n/)
  return lines.map((line) => escapeMarkdown(line).replace(/\|/g, '\\|')).join('<br>')
}

function escapeMarkdown(value: string): string {
  return escapeHtml(value.replace(/[\\`[\]]/g, (ch) => `\\${ch}`))
}
