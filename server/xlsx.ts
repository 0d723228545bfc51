// The workbook export of CONTRACT §6b, from the plain snapshot: RACI and Skills as the app shows
// them (letter and level colours, frozen headers and row titles), then the tables People,
// Responsibilities and Analytics. Two more sheets, Roles and Skill list, hold the keys and ids the
// matrices show as labels, so that importing the workbook with `replace` reproduces the map.
// Strings are written as text cells, never as formulas, so no value is defused here (unlike CSV).
import ExcelJS from 'exceljs'
import type { Snapshot } from '../shared/export.js'
import { NOT_APPLICABLE } from '../shared/ratings-csv.js'
import { type Letter, type Level } from '../shared/schema.js'
import { uniqueLabels } from './sheet-labels.js'

export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

export const SHEETS = {
  raci: 'RACI',
  skills: 'Skills',
  people: 'People',
  responsibilities: 'Responsibilities',
  analytics: 'Analytics',
  roles: 'Roles',
  skillList: 'Skill list',
} as const

export const PEOPLE_HEADER = ['id', 'name', 'role', 'team', 'active'] as const
export const RESPONSIBILITIES_HEADER = ['id', 'area', 'title', 'description', 'criticality', 'skills', 'order'] as const
export const ROLES_HEADER = ['key', 'label'] as const
export const SKILL_LIST_HEADER = ['id', 'name', 'category'] as const

/** The app's colours (public/style.css: --r-bg … --l4-fg), as ARGB. */
const LETTER_COLOURS: Readonly<Record<Letter, { bg: string; fg: string }>> = {
  R: { bg: 'FF0E7A5A', fg: 'FFFFFFFF' },
  A: { bg: 'FF4338CA', fg: 'FFFFFFFF' },
  C: { bg: 'FFF2C14E', fg: 'FF3A2A00' },
  I: { bg: 'FFDBE3EE', fg: 'FF26364D' },
}
const LEVEL_COLOURS: Readonly<Record<Level, { bg: string; fg: string }>> = {
  0: { bg: 'FFEEF1F5', fg: 'FF475363' },
  1: { bg: 'FFD3E5F4', fg: 'FF14314D' },
  2: { bg: 'FF97C4E6', fg: 'FF0B2740' },
  3: { bg: 'FF3A7FC1', fg: 'FFFFFFFF' },
  4: { bg: 'FF1B4A85', fg: 'FFFFFFFF' },
}
const HEADER_FILL = 'FFF5F6F8'
const NOT_APPLICABLE_FG = 'FF556170'

/** Column widths in characters: row titles wide enough for a typical responsibility, cells one letter wide plus a name. */
const WIDTH = { area: 22, title: 40, cell: 12, text: 18, description: 60 } as const

export async function toXlsx(snapshot: Snapshot): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  wb.creator = 'skillmap'
  wb.title = snapshot.title
  // Fixed dates: the same map gives the same workbook apart from the zip's own timestamps.
  wb.created = wb.modified = new Date(snapshot.exportedAt)

  const personLabels = uniqueLabels(snapshot.people.map((p) => ({ id: p.id, label: p.name })))
  const roleLabels = uniqueLabels(snapshot.roles.map((r) => ({ id: r.key, label: r.label })))
  const columns = [
    ...snapshot.people.map((p) => ({ assignee: p.id, label: personLabels.get(p.id)! })),
    ...snapshot.roles.map((r) => ({ assignee: `@${r.key}`, label: roleLabels.get(r.key)! })),
  ]
  addRaci(wb, snapshot, columns)
  addSkills(wb, snapshot, personLabels)
  addTable(wb, SHEETS.people, PEOPLE_HEADER, snapshot.people.map((p) => [p.id, p.name, p.role, p.team ?? '', p.active]), [WIDTH.text, WIDTH.text, WIDTH.text, WIDTH.text, 8])
  addTable(
    wb,
    SHEETS.responsibilities,
    RESPONSIBILITIES_HEADER,
    snapshot.responsibilities.map((r) => [r.id, r.area, r.title, r.description, r.criticality, r.skills.join(', '), r.order]),
    [WIDTH.text, WIDTH.area, WIDTH.title, WIDTH.description, 11, WIDTH.title, 8],
  )
  addAnalytics(wb, snapshot)
  addTable(wb, SHEETS.roles, ROLES_HEADER, snapshot.roles.map((r) => [r.key, r.label]), [WIDTH.text, WIDTH.title])
  addTable(wb, SHEETS.skillList, SKILL_LIST_HEADER, snapshot.skills.map((s) => [s.id, s.name, s.category]), [WIDTH.text, WIDTH.title, WIDTH.text])
  return Buffer.from(await wb.xlsx.writeBuffer())
}

function addRaci(wb: ExcelJS.Workbook, snapshot: Snapshot, columns: { assignee: string; label: string }[]): void {
  const ws = wb.addWorksheet(SHEETS.raci, { views: [{ state: 'frozen', xSplit: 2, ySplit: 1 }] })
  ws.columns = [{ width: WIDTH.area }, { width: WIDTH.title }, ...columns.map(() => ({ width: WIDTH.cell }))]
  header(ws.addRow(['Area', 'Responsibility', ...columns.map((c) => c.label)]))
  for (const r of snapshot.responsibilities) {
    const letters = new Map<string, Letter>()
    for (const [letter, list] of [['R', r.responsible], ['A', r.accountable], ['C', r.consulted], ['I', r.informed]] as const) {
      for (const assignee of list) letters.set(assignee, letter)
    }
    const row = ws.addRow([r.area || null, r.title, ...columns.map((c) => letters.get(c.assignee) ?? null)])
    columns.forEach((c, i) => {
      const letter = letters.get(c.assignee)
      if (letter !== undefined) paint(row.getCell(i + 3), LETTER_COLOURS[letter], true)
    })
  }
}

function addSkills(wb: ExcelJS.Workbook, snapshot: Snapshot, personLabels: Map<string, string>): void {
  const ws = wb.addWorksheet(SHEETS.skills, { views: [{ state: 'frozen', xSplit: 2, ySplit: 1 }] })
  ws.columns = [{ width: WIDTH.text }, { width: WIDTH.title }, ...snapshot.people.map(() => ({ width: WIDTH.cell }))]
  header(ws.addRow(['Category', 'Skill', ...snapshot.people.map((p) => personLabels.get(p.id)!)]))
  const skillLabels = uniqueLabels(snapshot.skills.map((s) => ({ id: s.id, label: s.name })))
  const levels = new Map(snapshot.ratings.map((r) => [`${r.person}/${r.skill}`, r.level]))
  for (const s of snapshot.skills) {
    const cells = snapshot.people.map((p) => levels.get(`${p.id}/${s.id}`))
    const row = ws.addRow([s.category, skillLabels.get(s.id)!, ...cells.map((level) => (level === undefined ? null : level === null ? NOT_APPLICABLE : level))])
    cells.forEach((level, i) => {
      const cell = row.getCell(i + 3)
      if (level === null) cell.font = { color: { argb: NOT_APPLICABLE_FG }, italic: true }
      else if (level !== undefined) {
        paint(cell, LEVEL_COLOURS[level], level >= 3)
      }
      if (level !== undefined) cell.alignment = { horizontal: 'center' }
    })
  }
}

function addAnalytics(wb: ExcelJS.Workbook, snapshot: Snapshot): void {
  const ws = wb.addWorksheet(SHEETS.analytics, { views: [{ state: 'frozen', ySplit: 1 }] })
  ws.columns = [{ width: WIDTH.text }, { width: WIDTH.title }, { width: WIDTH.text }, { width: 12 }, { width: WIDTH.title }]
  header(ws.addRow(['kind', 'name', 'status', 'count', 'accountable']))
  ws.addRow(['coverage', snapshot.title, '', snapshot.analytics.coverage]).getCell(4).numFmt = '0%'
  const titles = new Map(snapshot.responsibilities.map((r) => [r.id, r.title]))
  const names = new Map(snapshot.people.map((p) => [p.id, p.name]))
  for (const r of snapshot.analytics.responsibilities) {
    ws.addRow(['responsibility', titles.get(r.id) ?? r.id, r.status, r.busFactor, r.accountable.map((id) => names.get(id) ?? id).join(', ')])
  }
  const skills = new Map(snapshot.skills.map((s) => [s.id, s.name]))
  for (const s of snapshot.analytics.skills) ws.addRow(['skill', skills.get(s.id) ?? s.id, s.status, s.covered])
}

function addTable(wb: ExcelJS.Workbook, name: string, head: readonly string[], rows: (string | number | boolean)[][], widths: number[]): void {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', xSplit: 1, ySplit: 1 }] })
  ws.columns = widths.map((width) => ({ width }))
  header(ws.addRow([...head]))
  // An empty string is written as an empty cell, which is what a spreadsheet user expects to see.
  for (const row of rows) ws.addRow(row.map((value) => (value === '' ? null : value)))
}

function header(row: ExcelJS.Row): void {
  row.font = { bold: true }
  row.eachCell((cell) => {
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: HEADER_FILL } }
    cell.border = { bottom: { style: 'thin', color: { argb: 'FFDDE2E8' } } }
  })
}

function paint(cell: ExcelJS.Cell, colour: { bg: string; fg: string }, bold: boolean): void {
  cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: colour.bg } }
  cell.font = { color: { argb: colour.fg }, bold }
  cell.alignment = { horizontal: 'center' }
}
