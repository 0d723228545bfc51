// Spreadsheets in (CONTRACT §6b): our own workbook, recognised by its People and Responsibilities
// sheets and read whole (ids from those sheets, letters and levels from the RACI and Skills
// matrices, whose headers are the labels sheet-labels.ts made), or else a team's own RACI matrix
// on the first sheet.
import { isId, ROLE_PREFIX } from '../../shared/schema.js'
import { fold, uniqueLabels } from '../sheet-labels.js'
import { PEOPLE_HEADER, RESPONSIBILITIES_HEADER, ROLES_HEADER, SHEETS, SKILL_LIST_HEADER } from '../xlsx.js'
import { hasHeader } from './csv.js'
import { findMatrixHeader, readMatrix, TEAM_NAMES, type MatrixNames } from './matrix.js'
import { emptyImport, UnreadableFile, type FileAssignment, type ImportData, type Ref } from './model.js'
import { isBlank, type Book, type Sheet } from './tables.js'
import { clean, columnLetter, parseActive, parseCriticality, parseLevel } from './values.js'

export function isOurWorkbook(book: Book): boolean {
  const names = new Set(book.sheets.map((s) => s.name))
  return names.has(SHEETS.people) && names.has(SHEETS.responsibilities) && names.has(SHEETS.raci)
}

/** A team's matrix on the first sheet of any workbook. */
export function readTeamWorkbook(book: Book): ImportData {
  const first = book.sheets[0]!
  const header = findMatrixHeader(first.rows)
  if (header === undefined) throw new UnreadableFile(`the first sheet (${first.name}) is not a RACI matrix: its first row needs a Responsibility column`)
  const data = emptyImport('raci-xlsx', { responsibilities: true, assignments: true })
  readMatrix(first.rows, header, { ...TEAM_NAMES, sheet: first.name }, data)
  return data
}

/** Cells of a table sheet by column name; the header must start with `columns`. */
function tableRows(sheet: Sheet | undefined, columns: readonly string[]): { row: number; get(name: string): string }[] {
  if (sheet === undefined) return []
  if (!hasHeader(sheet.rows[0], columns)) throw new UnreadableFile(`the ${sheet.name} sheet needs the header ${columns.join(', ')}`)
  const out: { row: number; get(name: string): string }[] = []
  sheet.rows.slice(1).forEach((cells, i) => {
    if (isBlank(cells)) return
    out.push({ row: i + 2, get: (name) => clean(cells[columns.indexOf(name)] ?? '') })
  })
  return out
}

/** Header label → what it names: the exact label first, then the label case-insensitively. */
function labelIndex<T>(entries: Iterable<[string, T]>): (label: string) => T | undefined {
  const exact = new Map<string, T>()
  const folded = new Map<string, T | null>()
  for (const [label, value] of entries) {
    exact.set(label, value)
    folded.set(fold(label), folded.has(fold(label)) ? null : value)
  }
  return (label) => exact.get(label) ?? folded.get(fold(label)) ?? undefined
}

export function readOurWorkbook(book: Book): ImportData {
  const sheet = (name: string) => book.sheets.find((s) => s.name === name)
  const rolesSheet = sheet(SHEETS.roles)
  const skillList = sheet(SHEETS.skillList)
  const data = emptyImport('xlsx', {
    title: book.title !== undefined,
    roles: rolesSheet !== undefined,
    people: true,
    skills: true,
    responsibilities: true,
    assignments: true,
    ratings: sheet(SHEETS.skills) !== undefined,
  })
  if (book.title !== undefined) data.title = book.title
  const problem = (sheetName: string, row: number, column: string, message: string) => data.problems.push({ sheet: sheetName, row, column, message })

  for (const r of tableRows(rolesSheet, ROLES_HEADER)) {
    const key = r.get('key')
    if (!isId(key)) problem(SHEETS.roles, r.row, 'key', `not a role key: ${JSON.stringify(key)}; skipped`)
    else data.roles.push({ key, label: r.get('label') || key })
  }

  const people: { id: string | undefined; name: string }[] = []
  for (const r of tableRows(sheet(SHEETS.people), PEOPLE_HEADER)) {
    const id = r.get('id')
    const name = r.get('name')
    if (id !== '' && !isId(id)) {
      problem(SHEETS.people, r.row, 'id', `not an id: ${JSON.stringify(id)}; skipped`)
      continue
    }
    if (id === '' && name === '') continue
    const fields: ImportData['people'][number]['fields'] = {}
    if (name !== '') fields.name = name
    if (r.get('role') !== '') fields.role = r.get('role')
    fields.team = r.get('team') === '' ? null : r.get('team')
    if (r.get('active') !== '') {
      const active = parseActive(r.get('active'))
      if (active.ok) fields.active = active.value
      else problem(SHEETS.people, r.row, 'active', active.message)
    }
    data.people.push({ sheet: SHEETS.people, row: r.row, column: 'id', ref: ref(id, name), fields, defaults: { name: name || id } })
    people.push({ id: id || undefined, name: name || id })
  }

  const skills: { id: string | undefined; name: string }[] = []
  for (const r of tableRows(skillList, SKILL_LIST_HEADER)) {
    const id = r.get('id')
    if (id !== '' && !isId(id)) {
      problem(SHEETS.skillList, r.row, 'id', `not an id: ${JSON.stringify(id)}; skipped`)
      continue
    }
    if (id === '' && r.get('name') === '') continue
    const fields: ImportData['skills'][number]['fields'] = { category: r.get('category') }
    if (r.get('name') !== '') fields.name = r.get('name')
    data.skills.push({ sheet: SHEETS.skillList, row: r.row, column: 'id', ref: ref(id, r.get('name')), fields, defaults: { name: r.get('name') || id } })
    skills.push({ id: id || undefined, name: r.get('name') || id })
  }

  const responsibilities: { id: string | undefined; title: string }[] = []
  for (const r of tableRows(sheet(SHEETS.responsibilities), RESPONSIBILITIES_HEADER.slice(0, 6))) {
    const id = r.get('id')
    const title = r.get('title')
    if (id !== '' && !isId(id)) {
      problem(SHEETS.responsibilities, r.row, 'id', `not an id: ${JSON.stringify(id)}; skipped`)
      continue
    }
    if (id === '' && title === '') continue
    const fields: ImportData['responsibilities'][number]['fields'] = { area: r.get('area'), description: r.get('description') }
    if (title !== '') fields.title = title
    if (r.get('criticality') !== '') {
      const criticality = parseCriticality(r.get('criticality'))
      if (criticality.ok) fields.criticality = criticality.value
      else problem(SHEETS.responsibilities, r.row, 'criticality', criticality.message)
    }
    const skillIds = r.get('skills').split(/[,;]/).map((s) => s.trim()).filter((s) => s !== '')
    const bad = skillIds.filter((s) => !isId(s))
    if (bad.length > 0) problem(SHEETS.responsibilities, r.row, 'skills', `not skill ids: ${bad.join(', ')}; skipped`)
    fields.skills = skillIds.filter(isId).map((s) => ({ id: s }))
    const order = Number(r.get('order'))
    if (r.get('order') !== '' && Number.isFinite(order)) fields.order = order
    data.responsibilities.push({ sheet: SHEETS.responsibilities, row: r.row, column: 'id', ref: ref(id, title), fields, defaults: { title: title || id } })
    responsibilities.push({ id: id || undefined, title: title || id })
  }

  // The matrices' headers and row titles are the labels the export gave: read them back to ids.
  const personLabels = uniqueLabels(people.map((p, i) => ({ id: String(i), label: p.name })))
  const personByLabel = labelIndex(people.map((p, i): [string, Ref] => [personLabels.get(String(i))!, p.id ? { id: p.id } : { name: p.name }]))
  const roleByLabel = labelIndex([...uniqueLabels(data.roles.map((r) => ({ id: r.key, label: r.label })))].map(([key, label]): [string, string] => [label, key]))
  const column = (header: string): FileAssignment['assignee'] => {
    const person = personByLabel(header)
    if (person !== undefined) return { person }
    const role = roleByLabel(header) ?? (header.startsWith(ROLE_PREFIX) && isId(header.slice(1)) ? header.slice(1) : undefined)
    return role !== undefined ? { role } : { header }
  }
  const titleLabels = uniqueLabels(responsibilities.map((r, i) => ({ id: String(i), label: r.title })))
  const responsibilityByLabel = labelIndex(responsibilities.map((r, i): [string, Ref] => [titleLabels.get(String(i))!, r.id ? { id: r.id } : { name: r.title }]))
  const names: MatrixNames = { sheet: SHEETS.raci, column, row: (title) => responsibilityByLabel(title) ?? TEAM_NAMES.row(title) }
  const raci = sheet(SHEETS.raci)!
  const header = findMatrixHeader(raci.rows)
  if (header === undefined) throw new UnreadableFile('the RACI sheet needs a header row with a Responsibility column')
  const before = data.responsibilities.length
  readMatrix(raci.rows, header, names, data)
  // The RACI rows name responsibilities the Responsibilities sheet already lists: only new ones are kept as entities.
  const listed = new Set(responsibilities.map((r) => r.id ?? r.title))
  data.responsibilities = data.responsibilities.filter((r, i) => i < before || !listed.has(r.ref.id ?? r.ref.name ?? ''))

  const skillsSheet = sheet(SHEETS.skills)
  if (skillsSheet !== undefined) readSkillMatrix(skillsSheet, skills, column, data)
  return data
}

/** The Skills sheet: `Category`, `Skill`, then one column per person; levels 0–4 or N/A. */
function readSkillMatrix(sheet: Sheet, skills: { id: string | undefined; name: string }[], column: (header: string) => FileAssignment['assignee'], data: ImportData): void {
  const head = sheet.rows[0] ?? []
  if (!hasHeader(head, ['category', 'skill'])) throw new UnreadableFile('the Skills sheet needs the header Category, Skill, then one column per person')
  const labels = uniqueLabels(skills.map((s, i) => ({ id: String(i), label: s.name })))
  const skillByLabel = labelIndex(skills.map((s, i): [string, Ref] => [labels.get(String(i))!, s.id ? { id: s.id } : { name: s.name }]))
  const listed = skills.length > 0
  const people = head.map((raw, index) => {
    const label = clean(raw)
    if (index < 2 || label === '') return undefined
    const who = column(label)
    if ('person' in who) return who.person
    if ('header' in who) {
      // A person the People sheet does not list: created like a new column of a team's matrix.
      data.people.push({ sheet: sheet.name, row: 1, column: columnLetter(index), ref: { name: label }, fields: {}, defaults: { name: label } })
      return { name: label }
    }
    data.problems.push({ sheet: sheet.name, row: 1, column: columnLetter(index), message: `${label} is a role column; levels belong to people; column skipped` })
    return undefined
  })
  sheet.rows.slice(1).forEach((cells, i) => {
    const row = i + 2
    if (isBlank(cells)) return
    const name = clean(cells[1] ?? '')
    if (name === '') return void data.problems.push({ sheet: sheet.name, row, column: 'B', message: 'no skill in this row; skipped' })
    const skill = skillByLabel(name) ?? { name }
    if (!listed || skillByLabel(name) === undefined) {
      data.skills.push({ sheet: sheet.name, row, column: 'B', ref: skill, fields: {}, defaults: { name, category: clean(cells[0] ?? '') } })
    }
    cells.forEach((raw, index) => {
      const person = people[index]
      if (index < 2 || raw.trim() === '' || person === undefined) return
      const level = parseLevel(raw)
      const where = `${columnLetter(index)} (${clean(head[index] ?? '')})`
      if (!level.ok) return void data.problems.push({ sheet: sheet.name, row, column: where, message: level.message })
      data.ratings.push({ sheet: sheet.name, row, column: where, person, skill, level: level.value })
    })
  })
}

const ref = (id: string, name: string): Ref => ({ ...(id !== '' ? { id } : {}), ...(name !== '' ? { name } : {}) })
