// A RACI matrix (CONTRACT §6b): a header row `Responsibility`, optionally `Area` before it, then one
// column per person or role column; letters R, A, C, I in the cells, in any case. A team's own
// sheet and the RACI sheet of our workbook both read through here; they differ in how a header and
// a row title name things, which the caller decides.
import { idInLabel } from '../sheet-labels.js'
import type { FileAssignment, ImportData, Ref } from './model.js'
import { isBlank } from './tables.js'
import { clean, columnLetter, parseLetter } from './values.js'

export interface MatrixHeader {
  /** 0-based index of the header row */
  index: number
  area: number | undefined
  responsibility: number
}

/** The first non-blank row, if it is a matrix header: a `Responsibility` cell, `Area` optionally somewhere before it. */
export function findMatrixHeader(rows: readonly string[][]): MatrixHeader | undefined {
  const index = rows.findIndex((row) => !isBlank(row))
  if (index === -1) return undefined
  const header = rows[index]!.map((cell) => cell.trim().toLowerCase())
  const responsibility = header.indexOf('responsibility')
  if (responsibility === -1) return undefined
  const area = header.slice(0, responsibility).indexOf('area')
  return { index, area: area === -1 ? undefined : area, responsibility }
}

export interface MatrixNames {
  sheet?: string
  /** A header cell → who its column is. */
  column(header: string): FileAssignment['assignee']
  /** A row's responsibility cell → the responsibility it names. */
  row(title: string): Ref
}

/** A team's own sheet: headers and titles are ids or names, resolved against the map on apply. */
export const TEAM_NAMES: MatrixNames = {
  column: (header) => ({ header }),
  row: (title) => ({ name: title, ...(idInLabel(title) ? { id: idInLabel(title)! } : {}) }),
}

/** Adds the matrix's rows, columns and letters to `data`; rows that cannot be read are listed in its problems. */
export function readMatrix(rows: readonly string[][], header: MatrixHeader, names: MatrixNames, data: ImportData): void {
  const sheet = names.sheet === undefined ? {} : { sheet: names.sheet }
  const headerRow = rows[header.index]!
  const columns: { index: number; header: string; assignee: FileAssignment['assignee'] }[] = []
  headerRow.forEach((raw, index) => {
    const label = clean(raw)
    if (index <= header.responsibility || index === header.area || label === '') return
    const assignee = names.column(label)
    columns.push({ index, header: label, assignee })
    if ('header' in assignee) data.columns.push({ row: header.index + 1, column: columnLetter(index), header: label, ...sheet })
  })
  const named = new Set(columns.map((c) => c.index))

  for (let i = header.index + 1; i < rows.length; i++) {
    const cells = rows[i]!
    if (isBlank(cells)) continue
    const row = i + 1
    const title = clean(cells[header.responsibility] ?? '')
    if (title === '') {
      data.problems.push({ row, column: columnLetter(header.responsibility), message: 'no responsibility in this row; skipped', ...sheet })
      continue
    }
    const area = header.area === undefined ? undefined : clean(cells[header.area] ?? '')
    const ref = names.row(title)
    data.responsibilities.push({
      row,
      column: columnLetter(header.responsibility),
      ...sheet,
      ref,
      // A blank Area cell says nothing about the area (spreadsheets leave repeated areas blank).
      fields: area === undefined || area === '' ? {} : { area },
      defaults: { title: idInLabel(title) ? title.replace(/\s*\([^()]*\)\s*$/, '') : title },
    })
    cells.forEach((raw, index) => {
      if (index === header.responsibility || index === header.area || raw.trim() === '') return
      if (!named.has(index)) {
        if (index > header.responsibility) data.problems.push({ row, column: columnLetter(index), message: 'a letter in a column without a header; skipped', ...sheet })
        return
      }
      const column = columns.find((c) => c.index === index)!
      const letter = parseLetter(raw)
      if (!letter.ok) {
        data.problems.push({ row, column: `${columnLetter(index)} (${column.header})`, message: letter.message, ...sheet })
        return
      }
      data.assignments.push({ row, column: `${columnLetter(index)} (${column.header})`, ...sheet, responsibility: ref, assignee: column.assignee, letter: letter.value })
    })
  }
}
