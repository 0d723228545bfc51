// History changes in words (CONTRACT §8 v2 history panel): one line per thing a person did, named
// from the current map (a removed person or skill by the name the history last gave it), letters
// and levels drawn as the grid draws them, and lines grouped by author and minute, newest first.
// An update that adds a person is one line ("added Dana Ray"), not one per field; so is removing
// a responsibility and the letters that went with it.
import { html, type TemplateResult } from 'lit-html'
import type { Json } from '../../shared/diff.js'
import { parseAssignmentKey, parseRatingKey, SKILL_CATEGORY_LABELS, isLetter, isLevel } from '../../shared/schema.js'
import { pathKey, type Author, type HistoryChange } from '../history.js'
import type { MapModel } from '../model.js'

export interface Line {
  seq: number
  at: string
  by: Author
  /** the data-key of what it is about (a cell, a row, a person…) */
  key: string | null
  /** the responsibility area it is about, for the area filter; null: not about a responsibility */
  area: string | null
  text: TemplateResult
}

export interface Group {
  by: Author
  at: string
  /** newest first */
  lines: Line[]
}

/** Names of things, from the map as it is now, else as the history last named them, else the id. */
export interface Names {
  person(id: string): string
  skill(id: string): string
  row(id: string): string
  role(key: string): string
  /** a RACI column: a person's name or a role column's label */
  assignee(assignee: string): string
  area(row: string): string | null
}

export function namesFor(model: MapModel, changes: readonly HistoryChange[]): Names {
  const learned = { people: new Map<string, string>(), skills: new Map<string, string>(), rows: new Map<string, string>(), roles: new Map<string, string>(), areas: new Map<string, string>() }
  const fields: Record<string, [keyof typeof learned, string]> = {
    people: ['people', 'name'],
    skills: ['skills', 'name'],
    responsibilities: ['rows', 'title'],
    roles: ['roles', 'label'],
  }
  for (const c of changes) {
    const [root = '', id = '', field = ''] = c.path.split('/')
    const value = typeof c.to === 'string' ? c.to : typeof c.from === 'string' ? c.from : null
    if (value === null) continue
    const known = fields[root]
    if (known && known[1] === field) learned[known[0]].set(id, value)
    if (root === 'responsibilities' && field === 'area') learned.areas.set(id, value)
  }
  const rows = new Map(model.responsibilities.map((r) => [r.id, r]))
  const skills = new Map(model.skills.map((s) => [s.id, s.name]))
  const names: Names = {
    person: (id) => model.peopleById.get(id)?.name ?? learned.people.get(id) ?? id,
    skill: (id) => skills.get(id) ?? learned.skills.get(id) ?? id,
    row: (id) => rows.get(id)?.title ?? learned.rows.get(id) ?? id,
    role: (key) => model.roleLabels.get(key) ?? learned.roles.get(key) ?? key,
    assignee: (a) => (a.startsWith('@') ? names.role(a.slice(1)) : names.person(a)),
    area: (id) => rows.get(id)?.area ?? learned.areas.get(id) ?? null,
  }
  return names
}

const name = (text: string): TemplateResult => html`<span class="h-name">${text}</span>`
const letterChip = (value: Json | undefined): TemplateResult => {
  const letter = isObject(value) && isLetter(value.letter) ? value.letter : null
  return letter ? html`<span class="chip chip-${letter} h-chip" title=${letter}>${letter}</span>` : html`<span class="chip chip-none h-chip">?</span>`
}
const levelChip = (value: Json | undefined): TemplateResult => {
  const level = isObject(value) ? value.level : undefined
  if (level === null) return html`<span class="lvl lvl-na h-lvl">N/A</span>`
  return isLevel(level) ? html`<span class="lvl lvl-${level} h-lvl">${level}</span>` : html`<span class="lvl lvl-none h-lvl">?</span>`
}
const sameCell = (a: Json | undefined, b: Json | undefined, field: 'letter' | 'level'): boolean => isObject(a) && isObject(b) && a[field] === b[field]
const text = (value: Json | undefined): string => (typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value))
const CRITICALITY = { 1: 'low', 2: 'medium', 3: 'critical' } as Record<string, string>

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

const ENTITY_ROOTS = new Set(['people', 'skills', 'responsibilities', 'roles'])
/** The field that names an entity: its creation and removal are told by it. */
const NAME_FIELD: Record<string, string> = { people: 'name', skills: 'name', responsibilities: 'title', roles: 'label' }

/** The changes (oldest first, as the server pages them) as lines, oldest first. */
export function linesOf(changes: readonly HistoryChange[], names: Names): Line[] {
  const lines: Line[] = []
  let i = 0
  while (i < changes.length) {
    const seq = changes[i]!.seq
    let j = i
    while (j < changes.length && changes[j]!.seq === seq) j++
    lines.push(...updateLines(changes.slice(i, j), names))
    i = j
  }
  return lines
}

/** One update's changes as lines. */
function updateLines(changes: HistoryChange[], names: Names): Line[] {
  const { seq, at, by } = changes[0]!
  const lines: Line[] = []
  const line = (key: string | null, area: string | null, t: TemplateResult): void => void lines.push({ seq, at, by, key, area, text: t })
  // The fields of each entity this update touched, and which entities it added or removed.
  const entities = new Map<string, HistoryChange[]>()
  const cells: HistoryChange[] = []
  for (const c of changes) {
    const [root = '', id = ''] = c.path.split('/')
    if (ENTITY_ROOTS.has(root)) {
      const k = `${root}/${id}`
      entities.set(k, [...(entities.get(k) ?? []), c])
    } else if (root === 'assignments' || root === 'ratings') cells.push(c)
    else if (c.path === 'meta/title') {
      line('meta:title', null, c.from === undefined || c.from === '' ? html`named the map ${name(text(c.to))}` : html`renamed the map ${name(text(c.from))} → ${name(text(c.to))}`)
    }
  }
  const removed = new Set<string>()
  const removedCells = new Map<string, number>()
  for (const [k, fields] of entities) {
    const root = k.slice(0, k.indexOf('/'))
    const named = fields.some((c) => c.path.endsWith(`/${NAME_FIELD[root]}`))
    if (named && fields.every((c) => c.kind === 'delete')) removed.add(k)
  }
  // Cells that went with a removed row, person, skill or role column are part of that removal.
  const keptCells = cells.filter((c) => {
    if (c.kind !== 'delete') return true
    const owner = cellOwners(c.path).find((o) => removed.has(o))
    if (owner) removedCells.set(owner, (removedCells.get(owner) ?? 0) + 1)
    return owner === undefined
  })
  const orders = [...entities.values()].flat().filter((c) => c.path.startsWith('responsibilities/') && c.path.endsWith('/order') && c.from !== undefined)
  for (const [k, fields] of entities) {
    const [root = '', id = ''] = k.split('/')
    const key = pathKey(k)
    const area = root === 'responsibilities' ? (names.area(id) ?? text(fields.find((c) => c.path.endsWith('/area'))?.to ?? fields.find((c) => c.path.endsWith('/area'))?.from)) : null
    if (removed.has(k)) {
      const n = removedCells.get(k) ?? 0
      const what = root === 'people' ? '' : root === 'skills' ? 'skill ' : root === 'roles' ? 'role column ' : 'responsibility '
      const gone = fields.find((c) => c.path.endsWith(`/${NAME_FIELD[root]}`))?.from
      line(key, area, html`removed ${what}${name(text(gone) || id)}${n ? ` and ${n} ${root === 'skills' ? (n === 1 ? 'level' : 'levels') : n === 1 ? 'letter' : 'letters'} with it` : ''}`)
      continue
    }
    const nameField = fields.find((c) => c.path.endsWith(`/${NAME_FIELD[root]}`))
    if (nameField && nameField.kind === 'set' && nameField.from === undefined && fields.every((c) => c.from === undefined)) {
      const label = text(nameField.to)
      if (root === 'people') {
        const role = fields.find((c) => c.path.endsWith('/role'))?.to
        line(key, area, html`added ${name(label)}${typeof role === 'string' ? ` (${names.role(role)})` : ''}`)
      } else if (root === 'skills') line(key, area, html`added skill ${name(label)}`)
      else if (root === 'roles') line(key, area, html`added role column ${name(label)}`)
      else line(key, area, html`added responsibility ${name(label)}${area ? ` in ${area}` : ''}`)
      continue
    }
    for (const c of fields) {
      if (c.path.endsWith('/order') && orders.length > 1) continue
      const t = fieldText(root, id, c, names)
      if (t) line(key, area, t)
    }
  }
  if (orders.length > 1) line(null, null, html`reordered ${orders.length} responsibilities`)
  for (const c of keptCells) {
    const key = pathKey(c.path)
    if (c.path.startsWith('assignments/')) {
      const parsed = parseAssignmentKey(c.path.slice('assignments/'.length))
      if (!parsed) continue
      const where = html`${name(names.row(parsed.responsibility))} × ${name(names.assignee(parsed.assignee))}`
      const area = names.area(parsed.responsibility)
      if (c.kind === 'delete') line(key, area, html`cleared ${where} <span class="h-was">(was ${letterChip(c.from)})</span>`)
      else if (c.from === undefined) line(key, area, html`set ${where} to ${letterChip(c.to)}`)
      else if (sameCell(c.from, c.to, 'letter')) line(key, area, html`set ${where} to ${letterChip(c.to)} again`)
      else line(key, area, html`changed ${where} from ${letterChip(c.from)} to ${letterChip(c.to)}`)
    } else {
      const parsed = parseRatingKey(c.path.slice('ratings/'.length))
      if (!parsed) continue
      const where = html`${name(names.person(parsed.person))} on ${name(names.skill(parsed.skill))}`
      if (c.kind === 'delete') line(key, null, html`cleared the level of ${where} <span class="h-was">(was ${levelChip(c.from)})</span>`)
      else if (c.from === undefined) line(key, null, html`rated ${where} ${levelChip(c.to)}`)
      else if (sameCell(c.from, c.to, 'level')) line(key, null, html`rated ${where} ${levelChip(c.to)} again`)
      else line(key, null, html`changed ${where} from ${levelChip(c.from)} to ${levelChip(c.to)}`)
    }
  }
  return lines
}

/** The entities a cell belongs to (`responsibilities/x`, `people/y`, …): it goes when one of them goes. */
function cellOwners(path: string): string[] {
  if (path.startsWith('assignments/')) {
    const parsed = parseAssignmentKey(path.slice('assignments/'.length))
    if (!parsed) return []
    return [`responsibilities/${parsed.responsibility}`, parsed.ref.kind === 'role' ? `roles/${parsed.ref.id}` : `people/${parsed.ref.id}`]
  }
  const parsed = parseRatingKey(path.slice('ratings/'.length))
  return parsed ? [`people/${parsed.person}`, `skills/${parsed.skill}`] : []
}

function fieldText(root: string, id: string, c: HistoryChange, names: Names): TemplateResult | null {
  const field = c.path.split('/')[2] ?? ''
  const from = text(c.from)
  const to = text(c.to)
  if (root === 'people') {
    const who = name(names.person(id))
    switch (field) {
      case 'name':
        return html`renamed ${name(from)} → ${name(to)}`
      case 'role':
        return html`changed the role of ${who}${c.from === undefined ? '' : html` from ${name(names.role(from))}`} to ${name(names.role(to))}`
      case 'team':
        return c.kind === 'delete' ? html`took ${who} out of team ${name(from)}` : html`moved ${who} to team ${name(to)}`
      case 'active':
        return c.to === false ? html`deactivated ${who}` : c.to === true ? html`reactivated ${who}` : null
    }
  }
  if (root === 'skills') {
    const skill = name(names.skill(id))
    switch (field) {
      case 'name':
        return html`renamed skill ${name(from)} → ${name(to)}`
      case 'category':
        return html`moved skill ${skill} to ${name((SKILL_CATEGORY_LABELS as Record<string, string>)[to] ?? to)}`
      case 'hidden':
        return c.kind === 'delete' ? html`showed skill ${skill} again` : html`hid skill ${skill}`
    }
  }
  if (root === 'roles') {
    const role = name(names.role(id))
    switch (field) {
      case 'label':
        return html`renamed role column ${name(from)} → ${name(to)}`
      case 'hidden':
        return c.kind === 'delete' ? html`showed role column ${role} again` : html`hid role column ${role}`
    }
  }
  if (root === 'responsibilities') {
    const row = name(names.row(id))
    switch (field) {
      case 'title':
        return html`renamed responsibility ${name(from)} → ${name(to)}`
      case 'description':
        return html`edited the description of ${row}`
      case 'area':
        return html`moved ${row} to area ${name(to || 'No area')}`
      case 'criticality':
        return html`made ${row} ${name(CRITICALITY[to] ?? to)}`
      case 'order':
        return html`moved ${row}`
      case 'skills': {
        const before = new Set(Array.isArray(c.from) ? c.from.map(String) : [])
        const after = new Set(Array.isArray(c.to) ? c.to.map(String) : [])
        const added = [...after].filter((s) => !before.has(s)).map(names.skill)
        const dropped = [...before].filter((s) => !after.has(s)).map(names.skill)
        const parts = [added.length ? `needs ${added.join(', ')}` : '', dropped.length ? `no longer needs ${dropped.join(', ')}` : ''].filter(Boolean).join('; ')
        return html`${row}: ${parts || 'changed the skills it needs'}`
      }
    }
  }
  return null
}

/** Local minute of an ISO time, for grouping. */
const minuteOf = (iso: string): number => Math.floor(Date.parse(iso) / 60_000)

/**
 * Updates newest first (the lines of one update in their own order), grouped while the author and
 * the minute stay the same.
 */
export function groupLines(lines: readonly Line[]): Group[] {
  const groups: Group[] = []
  let end = lines.length
  while (end > 0) {
    const seq = lines[end - 1]!.seq
    let start = end - 1
    while (start > 0 && lines[start - 1]!.seq === seq) start--
    const update = lines.slice(start, end)
    const first = update[0]!
    const last = groups.at(-1)
    if (last && last.by.sub === first.by.sub && minuteOf(last.at) === minuteOf(first.at)) last.lines.push(...update)
    else groups.push({ by: first.by, at: first.at, lines: update })
    end = start
  }
  return groups
}

