// Reading one cell of a spreadsheet format: letters, levels, flags, and the `'` the CSV exports put
// before a value a spreadsheet would run as a formula (CONTRACT §6b), taken off again on the way in.
import { LEVEL_NAMES, LEVELS, type Letter, type Level } from '../../shared/schema.js'
import { NOT_APPLICABLE } from '../../shared/ratings-csv.js'
import { restoreFormula } from '../../shared/escape.js'

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string }

/** A cell's text: trimmed, and the `'` that defuseFormula put before a formula taken off (our CSV exports read back exactly). */
export function clean(value: string): string {
  return restoreFormula(value.trim())
}

export function parseLetter(raw: string): Parsed<Letter> {
  const value = raw.trim().toUpperCase()
  if (value === 'R' || value === 'A' || value === 'C' || value === 'I') return { ok: true, value }
  return { ok: false, message: `unknown letter ${JSON.stringify(raw.trim())}: use R, A, C or I` }
}

const LEVEL_BY_NAME = new Map<string, Level>(LEVELS.map((level) => [LEVEL_NAMES[level].toLowerCase(), level]))

/** 0–4, a level name (`Expert`), or `N/A` for not applicable (null). */
export function parseLevel(raw: string): Parsed<Level | null> {
  const value = raw.trim()
  if (/^[0-4]$/.test(value)) return { ok: true, value: Number(value) as Level }
  if (value.toUpperCase() === NOT_APPLICABLE || /^n\.?a\.?$/i.test(value)) return { ok: true, value: null }
  const named = LEVEL_BY_NAME.get(value.toLowerCase())
  if (named !== undefined) return { ok: true, value: named }
  return { ok: false, message: `unknown level ${JSON.stringify(value)}: use 0–4 or ${NOT_APPLICABLE}` }
}

export function parseActive(raw: string): Parsed<boolean> {
  const value = raw.trim().toLowerCase()
  if (['true', 'yes', 'y', '1', 'active'].includes(value)) return { ok: true, value: true }
  if (['false', 'no', 'n', '0', 'inactive'].includes(value)) return { ok: true, value: false }
  return { ok: false, message: `active must be true or false, got ${JSON.stringify(raw.trim())}` }
}

export function parseCriticality(raw: string): Parsed<1 | 2 | 3> {
  const value = raw.trim()
  if (value === '1' || value === '2' || value === '3') return { ok: true, value: Number(value) as 1 | 2 | 3 }
  return { ok: false, message: `criticality must be 1, 2 or 3, got ${JSON.stringify(value)}` }
}

/** Spreadsheet column letters of a 0-based index: 0 → A, 26 → AA. */
export function columnLetter(index: number): string {
  let n = index + 1
  let out = ''
  while (n > 0) {
    const rem = (n - 1) % 26
    out = String.fromCharCode(65 + rem) + out
    n = Math.floor((n - 1) / 26)
  }
  return out
}
