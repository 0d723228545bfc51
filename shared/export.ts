// Exports of a skill map (CONTRACT §6): the snapshot JSON, CSV, a Markdown RACI table, Yjs bytes.
// They read through the tolerant readers of schema.ts, so garbage written by any Yjs client never
// makes an export fail; it is reported in `problems` instead.
import * as Y from 'yjs'
import { analyze, findProblems, type Analysis, type Problem } from './analytics.js'
import { csvField, markdownCell, markdownText } from './escape.js'
import {
  compareRoleKeys,
  compareStrings,
  readAssignments,
  readMeta,
  readPeople,
  readRatings,
  readResponsibilities,
  readRoles,
  readSkills,
  type Assignment,
  type Criticality,
  type Letter,
  type Level,
  type RoleEntry,
  type Skill,
} from './schema.js'

export interface SnapshotOptions {
  id: string
  version: string | number
  exportedAt: Date | number | string
}

export interface SnapshotPerson {
  id: string
  name: string
  role: string
  /** null when the person has no team */
  team: string | null
  active: boolean
}

export interface SnapshotResponsibility {
  id: string
  area: string
  title: string
  description: string
  criticality: Criticality
  order: number
  skills: string[]
  /** person ids (sorted), then `@roleKey` columns (in role order) */
  accountable: string[]
  responsible: string[]
  consulted: string[]
  informed: string[]
}

export interface SnapshotRating {
  person: string
  skill: string
  level: Level | null
  by: string
  /** ISO 8601 */
  at: string
}

export interface Snapshot {
  id: string
  title: string
  version: string | number
  exportedAt: string
  roles: RoleEntry[]
  people: SnapshotPerson[]
  skills: Skill[]
  responsibilities: SnapshotResponsibility[]
  ratings: SnapshotRating[]
  analytics: Omit<Analysis, 'whatIf'>
  problems: Problem[]
}

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
export function toSnapshot(doc: Y.Doc, options: SnapshotOptions): Snapshot {
  const meta = readMeta(doc)
  const cells = cellsByResponsibility(doc)
  return {
    id: options.id,
    title: meta.title,
    version: options.version,
    exportedAt: new Date(options.exportedAt).toISOString(),
    roles: readRoles(doc),
    people: readPeople(doc).map((p) => ({ id: p.id, name: p.name, role: p.role, team: p.team ?? null, active: p.active })),
    skills: readSkills(doc),
    responsibilities: readResponsibilities(doc).map((r) => {
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
    ratings: readRatings(doc)
      .sort((a, b) => compareStrings(a.person, b.person) || compareStrings(a.skill, b.skill))
      .map((r) => ({ person: r.person, skill: r.skill, level: r.level, by: r.by, at: new Date(r.at).toISOString() })),
    analytics: analyze(doc),
    problems: findProblems(doc),
  }
}

/** Well-formed assignments per responsibility: people by id first, then role columns in role order. */
function cellsByResponsibility(doc: Y.Doc): Map<string, Assignment[]> {
  const cells = new Map<string, Assignment[]>()
  for (const cell of readAssignments(doc)) {
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
export function toCsv(doc: Y.Doc): string {
  const cells = cellsByResponsibility(doc)
  const rows = [CSV_HEADER]
  for (const r of readResponsibilities(doc)) {
    for (const cell of cells.get(r.id) ?? []) rows.push([r.id, r.area, r.title, cell.assignee, cell.kind, cell.letter])
  }
  return rows.map((row) => row.map(csvField).join(',') + '\r\n').join('')
}

/**
 * A RACI table a person reads: responsibilities grouped by area (areas in the order of their first
 * responsibility), columns people then role columns. Cells for assignees that have no column (an
 * unknown person id) are not lost silently: the problems follow the table.
 */
export function toMarkdown(doc: Y.Doc): string {
  const title = markdownText(readMeta(doc).title.replace(/\s+/g, ' ').trim() || 'Untitled map')
  const people = readPeople(doc)
  const roles = readRoles(doc)
  const columns = [
    ...people.map((p) => ({ assignee: p.id, label: p.active ? p.name : `${p.name} (inactive)` })),
    ...roles.map((role) => ({ assignee: `@${role.key}`, label: role.label })),
  ]
  const letters = new Map(readAssignments(doc).map((cell) => [`${cell.responsibility}/${cell.assignee}`, cell.letter]))

  const responsibilities = readResponsibilities(doc)
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
  const problems = findProblems(doc)
  if (problems.length > 0) {
    lines.push('', '## Problems', '', ...problems.map((p) => `- ${markdownText(p.path)}: ${markdownText(p.message)}`))
  }
  return lines.join('\n') + '\n'
}

/** The whole document as one Yjs update; applied to an empty Y.Doc it reproduces the map. */
export function toYjs(doc: Y.Doc): Uint8Array {
  return Y.encodeStateAsUpdate(doc)
}
