// Exports of a skill map (CONTRACT §6): the snapshot JSON, CSV, a Markdown RACI table, Yjs bytes.
// They build from the plain data of readMap (read.ts), read once per export, so garbage written by
// any Yjs client never makes an export fail; it is reported in `problems` instead. Each takes that
// data or a Y.Doc (read first).
import * as Y from 'yjs'
import { analyze } from './analytics.js'
import { csvField, markdownCell, markdownText } from './escape.js'
import { compareRoleKeys, readMap, type Assignment, type MapData } from './read.js'
import type { Snapshot, SnapshotResponsibility } from './shapes.js'
import { compareStrings, type Letter } from './vocabulary.js'

export interface SnapshotOptions {
  id: string
  version: number
  exportedAt: Date | number | string
}

export type { Snapshot, SnapshotPerson, SnapshotRating, SnapshotResponsibility } from './shapes.js'

const LETTER_FIELDS: Readonly<Record<Letter, 'accountable' | 'responsible' | 'consulted' | 'informed'>> = {
  A: 'accountable',
  R: 'responsible',
  C: 'consulted',
  I: 'informed',
}

/**
 * The whole map as JSON, every list in a fixed order so that equal documents give equal snapshots.
 * Letter lists show every well-formed cell, counted or not (an A on a role column, on an inactive
 * person); `analytics` says what counts and `problems` says what is wrong.
 */
export function toSnapshot(input: MapData | Y.Doc, options: SnapshotOptions): Snapshot {
  const data = mapData(input)
  const cells = cellsByResponsibility(data)
  return {
    id: options.id,
    title: data.meta.title,
    version: options.version,
    exportedAt: new Date(options.exportedAt).toISOString(),
    roles: data.roles,
    people: data.people.map((p) => ({ id: p.id, name: p.name, role: p.role, team: p.team ?? null, active: p.active })),
    skills: data.skills,
    responsibilities: data.responsibilities.map((r) => {
      const row: SnapshotResponsibility = {
        id: r.id,
        area: r.area,
        title: r.title,
        description: r.description,
        criticality: r.criticality,
        order: r.order,
        skills: r.skills,
        accountable: [],
        responsible: [],
        consulted: [],
        informed: [],
      }
      for (const cell of cells.get(r.id) ?? []) row[LETTER_FIELDS[cell.letter]].push(cell.assignee)
      return row
    }),
    ratings: [...data.ratings]
      .sort((a, b) => compareStrings(a.person, b.person) || compareStrings(a.skill, b.skill))
      .map((r) => ({ person: r.person, skill: r.skill, level: r.level, by: r.by, at: new Date(r.at).toISOString() })),
    analytics: analyze(data),
    problems: data.problems,
  }
}

function mapData(input: MapData | Y.Doc): MapData {
  return input instanceof Y.Doc ? readMap(input) : input
}

/** Well-formed assignments per responsibility: people by id first, then role columns in role order. */
function cellsByResponsibility(data: MapData): Map<string, Assignment[]> {
  const cells = new Map<string, Assignment[]>()
  for (const cell of data.assignments) {
    const list = cells.get(cell.responsibility)
    if (list) list.push(cell)
    else cells.set(cell.responsibility, [cell])
  }
  const byAssignee = (a: Assignment, b: Assignment) =>
    a.kind !== b.kind
      ? a.kind === 'person'
        ? -1
        : 1
      : a.kind === 'person'
        ? compareStrings(a.assignee, b.assignee)
        : compareRoleKeys(a.assignee.slice(1), b.assignee.slice(1))
  for (const list of cells.values()) list.sort(byAssignee)
  return cells
}

const CSV_HEADER = ['responsibility_id', 'area', 'responsibility', 'assignee', 'assignee_kind', 'letter']

/**
 * One row per assignment of an existing responsibility, in snapshot order. RFC 4180: CRLF after
 * every record, fields quoted when they hold a comma, a quote, CR or LF, quotes doubled. Every
 * field is text, so each is defused against formulas (CONTRACT §6b).
 */
export function toCsv(input: MapData | Y.Doc): string {
  const data = mapData(input)
  const cells = cellsByResponsibility(data)
  const rows = [CSV_HEADER]
  for (const r of data.responsibilities) {
    for (const cell of cells.get(r.id) ?? []) rows.push([r.id, r.area, r.title, cell.assignee, cell.kind, cell.letter])
  }
  return rows.map((row) => row.map(csvField).join(',') + '\r\n').join('')
}

/**
 * A RACI table a person reads: responsibilities grouped by area (areas in the order of their first
 * responsibility), columns people then role columns. Cells for assignees that have no column (an
 * unknown person id) are not lost silently: the problems follow the table.
 */
export function toMarkdown(input: MapData | Y.Doc): string {
  const data = mapData(input)
  const title = markdownText(data.meta.title.replace(/\s+/g, ' ').trim() || 'Untitled map')
  const people = data.people
  const roles = data.roles
  const columns = [
    ...people.map((p) => ({ assignee: p.id, label: p.active ? p.name : `${p.name} (inactive)` })),
    ...roles.map((role) => ({ assignee: `@${role.key}`, label: role.label })),
  ]
  const letters = new Map(data.assignments.map((cell) => [`${cell.responsibility}/${cell.assignee}`, cell.letter]))

  const responsibilities = data.responsibilities
  const areaRank = new Map<string, number>()
  responsibilities.forEach((r, index) => {
    if (!areaRank.has(r.area)) areaRank.set(r.area, index)
  })
  const rows = [...responsibilities].sort((a, b) => (areaRank.get(a.area) ?? 0) - (areaRank.get(b.area) ?? 0))

  const line = (cells: string[]) => `| ${cells.join(' | ')} |`
  const lines = [
    `# ${title}`,
    '',
    line(['Area', 'Responsibility', ...columns.map((c) => markdownCell(c.label))]),
    line(['---', '---', ...columns.map(() => ':-:')]),
    ...rows.map((r) =>
      line([
        markdownCell(r.area),
        markdownCell(r.title),
        // Letters are R, A, C or I by the readers' validation: nothing to escape.
        ...columns.map((c) => letters.get(`${r.id}/${c.assignee}`) ?? ''),
      ]),
    ),
  ]
  const problems = data.problems
  if (problems.length > 0) {
    lines.push('', '## Problems', '', ...problems.map((p) => `- ${markdownText(p.path)}: ${markdownText(p.message)}`))
  }
  return lines.join('\n') + '\n'
}

/** The whole document as one Yjs update; applied to an empty Y.Doc it reproduces the map. */
export function toYjs(doc: Y.Doc): Uint8Array {
  return Y.encodeStateAsUpdate(doc)
}
