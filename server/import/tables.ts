// Files into tables of strings: CSV with csv-parse (RFC 4180, a BOM, `;` as Excel writes it in some
// locales), XLSX with exceljs (every sheet, each cell as the text a user sees). Either throws
// UnreadableFile, so a broken file is refused whole instead of half-imported.
import ExcelJS from 'exceljs'
import { parse } from 'csv-parse/sync'
import { UnreadableFile } from './model.js'

export interface Sheet {
  name: string
  /** rows as they are in the file (1-based row n is rows[n - 1]), blank rows included */
  rows: string[][]
}

export function readCsv(bytes: Buffer): string[][] {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new UnreadableFile('the CSV is not UTF-8 text')
  }
  const firstLine = text.slice(0, text.search(/\r?\n|$/))
  const delimiter = !firstLine.includes(',') && firstLine.includes(';') ? ';' : ','
  try {
    return parse(text, { bom: true, delimiter, relax_column_count: true, skip_empty_lines: false }) as string[][]
  } catch (err) {
    throw new UnreadableFile(`the CSV cannot be read: ${(err as Error).message}`)
  }
}

export interface Book {
  /** the workbook's title property, if it has one */
  title: string | undefined
  sheets: Sheet[]
}

export async function readXlsx(bytes: Buffer): Promise<Book> {
  const wb = new ExcelJS.Workbook()
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer)
  } catch (err) {
    throw new UnreadableFile(`the workbook cannot be read: ${(err as Error).message}`)
  }
  if (wb.worksheets.length === 0) throw new UnreadableFile('the workbook has no sheets')
  const sheets = wb.worksheets.map((ws) => {
    const rows: string[][] = []
    ws.eachRow({ includeEmpty: true }, (row, number) => {
      while (rows.length < number - 1) rows.push([])
      const cells: string[] = []
      row.eachCell({ includeEmpty: true }, (cell, col) => {
        while (cells.length < col - 1) cells.push('')
        cells.push(cellText(cell.value))
      })
      rows.push(cells)
    })
    return { name: ws.name, rows }
  })
  return { title: wb.title === '' ? undefined : wb.title, sheets }
}

/** A cell's value as the text a user sees: a formula's result, rich text joined, a link's text. */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (value instanceof Date) return value.toISOString()
  if ('richText' in value) return value.richText.map((part) => part.text).join('')
  if ('formula' in value || 'sharedFormula' in value) return cellText((value as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue)
  if ('text' in value) return cellText((value as ExcelJS.CellHyperlinkValue).text)
  if ('error' in value) return ''
  return ''
}

/** A row with nothing but blanks: skipped silently (spreadsheets are full of them). */
export function isBlank(row: readonly string[] | undefined): boolean {
  return row === undefined || row.every((cell) => cell.trim() === '')
}
