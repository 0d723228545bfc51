// Our two CSV exports read back (CONTRACT §6): the assignments CSV (one row per letter) and the
// ratings CSV (one row per level). Ids are matched first; the names beside them create what is missing.
import { RATINGS_CSV_HEADER } from '../../shared/ratings-csv.js'
import { isId, ROLE_PREFIX } from '../../shared/schema.js'
import { emptyImport, type ImportData, type Ref } from './model.js'
import { isBlank } from './tables.js'
import { clean, columnLetter, parseLetter, parseLevel } from './values.js'

export const ASSIGNMENTS_CSV_HEADER = ['responsibility_id', 'area', 'responsibility', 'assignee', 'assignee_kind', 'letter'] as const

export function hasHeader(row: readonly string[] | undefined, header: readonly string[]): boolean {
  return row !== undefined && header.every((name, i) => (row[i] ?? '').trim().toLowerCase() === name)
}

const ref = (id: string, name: string): Ref => ({ ...(id !== '' ? { id } : {}), ...(name !== '' ? { name } : {}) })

/** The assignments CSV: `replace` replaces every letter of the map, and nothing else. */
export function readAssignmentsCsv(rows: string[][]): ImportData {
  const data = emptyImport('csv', { assignments: true })
  const seen = new Set<string>()
  rows.slice(1).forEach((cells, i) => {
    const row = i + 2
    if (isBlank(cells)) return
    const [id = '', area = '', title = '', assignee = '', kind = '', letterText = ''] = cells.map(clean)
    const problem = (column: number, message: string) => data.problems.push({ row, column: ASSIGNMENTS_CSV_HEADER[column]!, message })
    if (id === '' && title === '') return problem(0, 'no responsibility id or title; skipped')
    if (id !== '' && !isId(id)) return problem(0, `not an id: ${JSON.stringify(id)}; skipped`)
    const letter = parseLetter(letterText)
    if (!letter.ok) return problem(5, letter.message)
    const isRole = kind === 'role' || (kind === '' && assignee.startsWith(ROLE_PREFIX))
    const key = isRole ? assignee.replace(/^@/, '') : assignee
    if (!isId(key)) return problem(3, `not a ${isRole ? 'role key' : 'person id'}: ${JSON.stringify(assignee)}; skipped`)
    if (kind !== '' && kind !== 'person' && kind !== 'role') return problem(4, `assignee_kind must be person or role, got ${JSON.stringify(kind)}`)
    const responsibility = ref(id, title)
    const key2 = `${id || title.toLowerCase()}`
    if (!seen.has(key2)) {
      seen.add(key2)
      data.responsibilities.push({ row, column: ASSIGNMENTS_CSV_HEADER[0], ref: responsibility, fields: area === '' ? {} : { area }, defaults: { title: title || id } })
    }
    data.assignments.push({ row, column: 'letter', responsibility, assignee: isRole ? { role: key } : { person: { id: key } }, letter: letter.value })
  })
  return data
}

/** The ratings CSV: `replace` replaces every level of the map, and nothing else. */
export function readRatingsCsv(rows: string[][]): ImportData {
  const data = emptyImport('ratings-csv', { ratings: true })
  const people = new Set<string>()
  const skills = new Set<string>()
  rows.slice(1).forEach((cells, i) => {
    const row = i + 2
    if (isBlank(cells)) return
    const [personId = '', person = '', skillId = '', skill = '', category = '', levelText = ''] = cells.map(clean)
    const problem = (column: number, message: string) => data.problems.push({ row, column: RATINGS_CSV_HEADER[column]!, message })
    if (personId === '' && person === '') return problem(0, 'no person id or name; skipped')
    if (skillId === '' && skill === '') return problem(2, 'no skill id or name; skipped')
    if (personId !== '' && !isId(personId)) return problem(0, `not an id: ${JSON.stringify(personId)}; skipped`)
    if (skillId !== '' && !isId(skillId)) return problem(2, `not an id: ${JSON.stringify(skillId)}; skipped`)
    const level = parseLevel(levelText)
    if (!level.ok) return problem(5, level.message)
    const personRef = ref(personId, person)
    const skillRef = ref(skillId, skill)
    if (!people.has(personId || person.toLowerCase())) {
      people.add(personId || person.toLowerCase())
      data.people.push({ row, column: 'person_id', ref: personRef, fields: {}, defaults: { name: person || personId } })
    }
    if (!skills.has(skillId || skill.toLowerCase())) {
      skills.add(skillId || skill.toLowerCase())
      data.skills.push({ row, column: 'skill_id', ref: skillRef, fields: {}, defaults: { name: skill || skillId, category } })
    }
    data.ratings.push({ row, column: columnLetter(5) + ' (level)', person: personRef, skill: skillRef, level: level.value })
  })
  return data
}
