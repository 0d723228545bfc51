// Writes what a file says into a map (CONTRACT §6b), in the caller's transaction: people, skills
// and responsibilities matched by id, then by name or title (case-insensitively), created when
// missing; letters and levels written where they differ; with `replace`, whatever the file
// describes whole and does not hold is removed. Only values that differ are written, so importing
// the same file twice changes nothing the second time.
import * as Y from 'yjs'
import {
  assignmentKey,
  isId,
  makeId,
  parseAssignmentKey,
  parseRatingKey,
  ratingKey,
  readAssignments,
  readPeople,
  readRatings,
  readResponsibilities,
  readRoles,
  readSkills,
  ROLE_PREFIX,
  type RootName,
} from '../../shared/schema.js'
import { fold, idInLabel } from '../sheet-labels.js'
import type { FileEntity, ImportData, Place, Problem, Ref } from './model.js'

export type ImportMode = 'merge' | 'replace'

export interface ApplyOptions {
  mode: ImportMode
  /** the caller's sub, written as `by` of every cell the import sets */
  by: string
  at: number
}

interface Counts {
  people: number
  skills: number
  responsibilities: number
}

export interface ImportResult {
  created: Counts
  updated: Counts
  removed: Counts & { cells: number }
  /** letters and levels set, changed or cleared */
  cells: number
  /** what was created, by name, for a preview */
  names: { people: string[]; skills: string[]; responsibilities: string[] }
  problems: Problem[]
}

const at = (place: Place) => ({ row: place.row, column: place.column, ...(place.sheet !== undefined ? { sheet: place.sheet } : {}) })

/** Finds a map entity for a file's Ref, remembering what each file id and name turned out to be. */
class Resolver {
  private readonly byName = new Map<string, string | null>()
  private readonly cache = new Map<string, string>()
  readonly touched = new Set<string>()

  constructor(
    readonly root: Y.Map<unknown>,
    entries: { id: string; name: string }[],
  ) {
    for (const { id, name } of entries) this.byName.set(fold(name), this.byName.has(fold(name)) ? null : id)
  }

  /**
   * The map id, undefined when nothing matches, null when a name matches several. A ref with an id
   * of its own matches by name only an entity that no other entry of the file has claimed: two
   * people of one file who share a name stay two people.
   */
  find(ref: Ref): string | null | undefined {
    if (ref.id !== undefined) {
      const cached = this.cache.get(`id:${ref.id}`)
      if (cached !== undefined) return cached
      if (this.root.get(ref.id) instanceof Y.Map) return ref.id
    }
    if (ref.name === undefined) return undefined
    if (ref.id === undefined) {
      const cached = this.cache.get(`name:${fold(ref.name)}`)
      if (cached !== undefined) return cached
      const labelled = idInLabel(ref.name)
      if (labelled !== undefined && this.root.get(labelled) instanceof Y.Map) return labelled
      if (this.root.get(ref.name.trim()) instanceof Y.Map) return ref.name.trim()
    }
    const byName = this.byName.get(fold(ref.name))
    if (ref.id !== undefined && typeof byName === 'string' && this.touched.has(byName)) return undefined
    return byName
  }

  remember(ref: Ref, id: string): void {
    if (ref.id !== undefined) this.cache.set(`id:${ref.id}`, id)
    if (ref.name !== undefined) this.cache.set(`name:${fold(ref.name)}`, id)
    this.touched.add(id)
  }

  /** A free id: the file's own if it has a valid, unused one, else one made from the name. */
  freshId(ref: Ref, name: string): string {
    const own = ref.id ?? (ref.name !== undefined ? idInLabel(ref.name) : undefined)
    if (own !== undefined && isId(own) && !this.root.has(own)) return own
    return makeId(name, (id) => this.root.has(id))
  }
}

/** Sets `field` only if it differs; `null` deletes it. Returns whether anything was written. */
function setField(entry: Y.Map<unknown>, field: string, value: unknown): boolean {
  if (value === undefined) return false
  const current = entry.get(field)
  if (value === null) {
    if (!entry.has(field)) return false
    entry.delete(field)
    return true
  }
  if (Array.isArray(value) && Array.isArray(current) && value.length === current.length && value.every((v, i) => v === current[i])) return false
  if (current === value) return false
  entry.set(field, value)
  return true
}

export function applyImport(doc: Y.Doc, data: ImportData, options: ApplyOptions): ImportResult {
  const result: ImportResult = {
    created: { people: 0, skills: 0, responsibilities: 0 },
    updated: { people: 0, skills: 0, responsibilities: 0 },
    removed: { people: 0, skills: 0, responsibilities: 0, cells: 0 },
    cells: 0,
    names: { people: [], skills: [], responsibilities: [] },
    problems: [...data.problems],
  }
  const replace = options.mode === 'replace'
  const problem = (place: Place, message: string) => result.problems.push({ ...at(place), message })
  const root = (name: RootName) => doc.getMap<unknown>(name)

  doc.transact(() => {
    if (replace && data.complete.title && data.title !== undefined) setField(root('meta'), 'title', data.title)

    // Roles first: matrix headers and assignments may name them.
    const roles = root('roles')
    const fileRoles = new Set<string>()
    for (const role of data.roles) {
      fileRoles.add(role.key)
      const entry = roles.get(role.key)
      if (entry instanceof Y.Map) setField(entry, 'label', role.label)
      else roles.set(role.key, new Y.Map<unknown>([['label', role.label]]))
    }
    if (replace && data.complete.roles) for (const key of [...roles.keys()]) if (!fileRoles.has(key)) roles.delete(key)

    const people = new Resolver(root('people'), readPeople(doc))
    const skills = new Resolver(root('skills'), readSkills(doc))
    const responsibilities = new Resolver(root('responsibilities'), readResponsibilities(doc).map((r) => ({ id: r.id, name: r.title })))

    const upsert = <F extends object>(
      resolver: Resolver,
      kind: keyof Counts,
      entity: FileEntity<F>,
      label: (name: string) => string,
      create: (id: string, name: string) => Y.Map<unknown>,
      patch: (entry: Y.Map<unknown>) => boolean,
    ): string | undefined => {
      const found = resolver.find(entity.ref)
      if (found === null) {
        problem(entity, `${JSON.stringify(entity.ref.name)} matches several ${kind}; skipped (use the id)`)
        return undefined
      }
      if (found === undefined) {
        const fields = { ...entity.defaults, ...entity.fields } as Record<string, unknown>
        const name = String(fields.name ?? fields.title ?? entity.ref.name ?? entity.ref.id ?? '').trim()
        if (name === '') {
          problem(entity, `no ${label('name')} to create it with; skipped`)
          return undefined
        }
        const id = resolver.freshId(entity.ref, name)
        resolver.root.set(id, create(id, name))
        resolver.remember(entity.ref, id)
        result.created[kind]++
        result.names[kind].push(name)
        return id
      }
      resolver.remember(entity.ref, found)
      if (patch(resolver.root.get(found) as Y.Map<unknown>)) result.updated[kind]++
      return found
    }

    for (const person of data.people) {
      const f = person.fields
      upsert(
        people,
        'people',
        person,
        (n) => n,
        (_id, name) => {
          const entry = new Y.Map<unknown>([
            ['name', name],
            ['role', f.role ?? person.defaults?.role ?? ''],
            ['active', f.active ?? true],
          ])
          if (typeof f.team === 'string') entry.set('team', f.team)
          return entry
        },
        (entry) => [setField(entry, 'name', f.name), setField(entry, 'role', f.role), setField(entry, 'team', f.team), setField(entry, 'active', f.active)].some(Boolean),
      )
    }

    // A team's matrix names people and role columns by header: a role column if it says `@key` or
    // a role's label, else a person (created when missing).
    const roleByLabel = new Map<string, string | null>()
    for (const role of readRoles(doc)) roleByLabel.set(fold(role.label), roleByLabel.has(fold(role.label)) ? null : role.key)
    const columnAssignee = new Map<string, string>()
    for (const column of data.columns) {
      const { header } = column
      if (header.startsWith(ROLE_PREFIX)) {
        const key = header.slice(1)
        if (roles.get(key) instanceof Y.Map) columnAssignee.set(header, roleAssigneeOf(key))
        else problem(column, `unknown role column ${JSON.stringify(header)}; its letters are skipped`)
        continue
      }
      const role = roleByLabel.get(fold(header))
      if (typeof role === 'string' && people.find({ name: header }) === undefined) {
        columnAssignee.set(header, roleAssigneeOf(role))
        continue
      }
      const name = header.replace(/\s*\([A-Za-z0-9_-]{1,64}\)\s*$/, '')
      const id = upsert(people, 'people', { ...column, ref: { name: header }, fields: {}, defaults: { name } }, (n) => n, (_id, n) => new Y.Map<unknown>([['name', n], ['role', ''], ['active', true]]), () => false)
      if (id !== undefined) columnAssignee.set(header, id)
    }

    for (const skill of data.skills) {
      const f = skill.fields
      upsert(
        skills,
        'skills',
        skill,
        (n) => n,
        (_id, name) => new Y.Map<unknown>([['name', name], ['category', f.category ?? skill.defaults?.category ?? '']]),
        (entry) => [setField(entry, 'name', f.name), setField(entry, 'category', f.category)].some(Boolean),
      )
    }

    let nextOrder = Math.floor(readResponsibilities(doc).at(-1)?.order ?? 0) + 1
    for (const responsibility of data.responsibilities) {
      const f = responsibility.fields
      let skillIds: string[] | undefined
      if (f.skills !== undefined) {
        skillIds = []
        for (const ref of f.skills) {
          const id = skills.find(ref)
          if (typeof id === 'string') skillIds.push(id)
          else problem(responsibility, `unknown skill ${JSON.stringify(ref.id ?? ref.name)}; left out of its skills`)
        }
      }
      upsert(
        responsibilities,
        'responsibilities',
        responsibility,
        (n) => (n === 'name' ? 'title' : n),
        (_id, title) =>
          new Y.Map<unknown>([
            ['title', title],
            ['description', f.description ?? ''],
            ['area', f.area ?? responsibility.defaults?.area ?? ''],
            ['criticality', f.criticality ?? 2],
            ['order', f.order ?? nextOrder++],
            ['skills', skillIds ?? []],
          ]),
        (entry) =>
          [
            setField(entry, 'title', f.title),
            setField(entry, 'description', f.description),
            setField(entry, 'area', f.area),
            setField(entry, 'criticality', f.criticality),
            setField(entry, 'order', f.order),
            setField(entry, 'skills', skillIds),
          ].some(Boolean),
      )
    }

    // Letters: what the file wants per cell, then written where the map differs.
    const letters = new Map<string, string>()
    for (const cell of data.assignments) {
      const responsibility = responsibilities.find(cell.responsibility)
      if (typeof responsibility !== 'string') {
        problem(cell, `unknown responsibility ${JSON.stringify(cell.responsibility.id ?? cell.responsibility.name)}; skipped`)
        continue
      }
      let assignee: string | undefined
      if ('person' in cell.assignee) {
        const id = people.find(cell.assignee.person)
        if (typeof id === 'string') assignee = id
        else problem(cell, `unknown person ${JSON.stringify(cell.assignee.person.id ?? cell.assignee.person.name)}; skipped`)
      } else if ('role' in cell.assignee) {
        if (roles.get(cell.assignee.role) instanceof Y.Map) assignee = roleAssigneeOf(cell.assignee.role)
        else problem(cell, `unknown role column ${JSON.stringify(cell.assignee.role)}; skipped`)
      } else {
        assignee = columnAssignee.get(cell.assignee.header)
      }
      if (assignee === undefined) continue
      if (cell.letter === 'A' && assignee.startsWith(ROLE_PREFIX)) {
        problem(cell, 'an A belongs to a named person, not a role column; skipped')
        continue
      }
      const key = assignmentKey(responsibility, assignee)
      const earlier = letters.get(key)
      if (earlier !== undefined && earlier !== cell.letter) problem(cell, `a second letter for the same cell (${earlier} before); this one is kept`)
      letters.set(key, cell.letter)
    }
    const assignments = root('assignments')
    const current = new Map(readAssignments(doc).map((a) => [assignmentKey(a.responsibility, a.assignee), a.letter]))
    for (const [key, letter] of letters) {
      if (current.get(key) === letter) continue
      assignments.set(key, { letter, by: options.by, at: options.at })
      result.cells++
    }

    const levels = new Map<string, number | null>()
    for (const cell of data.ratings) {
      const person = people.find(cell.person)
      const skill = skills.find(cell.skill)
      if (typeof person !== 'string') problem(cell, `unknown person ${JSON.stringify(cell.person.id ?? cell.person.name)}; skipped`)
      else if (typeof skill !== 'string') problem(cell, `unknown skill ${JSON.stringify(cell.skill.id ?? cell.skill.name)}; skipped`)
      else levels.set(ratingKey(person, skill), cell.level)
    }
    const ratings = root('ratings')
    const currentLevels = new Map(readRatings(doc).map((r) => [ratingKey(r.person, r.skill), r.level]))
    for (const [key, level] of levels) {
      if (currentLevels.get(key) === level) continue
      ratings.set(key, { level, by: options.by, at: options.at })
      result.cells++
    }

    if (!replace) return
    // `replace`: what the file describes whole and does not hold goes, with the cells that name it.
    const removeEntities = (resolver: Resolver, kind: keyof Counts) => {
      for (const id of [...resolver.root.keys()]) {
        if (resolver.touched.has(id)) continue
        resolver.root.delete(id)
        result.removed[kind]++
      }
    }
    if (data.complete.people) removeEntities(people, 'people')
    if (data.complete.skills) removeEntities(skills, 'skills')
    if (data.complete.responsibilities) removeEntities(responsibilities, 'responsibilities')
    const personGone = (id: string) => data.complete.people && !people.touched.has(id)
    const roleGone = (key: string) => !(roles.get(key) instanceof Y.Map)
    for (const key of [...assignments.keys()]) {
      const parsed = parseAssignmentKey(key)
      const gone =
        (data.complete.assignments && !letters.has(key)) ||
        parsed === null ||
        (data.complete.responsibilities && !responsibilities.touched.has(parsed.responsibility)) ||
        (parsed.ref.kind === 'person' ? personGone(parsed.ref.id) : roleGone(parsed.ref.id))
      if (!gone) continue
      assignments.delete(key)
      result.removed.cells++
    }
    for (const key of [...ratings.keys()]) {
      const parsed = parseRatingKey(key)
      const gone = (data.complete.ratings && !levels.has(key)) || parsed === null || personGone(parsed.person) || (data.complete.skills && !skills.touched.has(parsed.skill))
      if (!gone) continue
      ratings.delete(key)
      result.removed.cells++
    }
    if (data.complete.skills) {
      // A removed skill leaves no dangling id in the responsibilities that listed it.
      responsibilities.root.forEach((entry) => {
        if (!(entry instanceof Y.Map)) return
        const list: unknown = entry.get('skills')
        if (Array.isArray(list) && list.some((id) => !skills.touched.has(id))) entry.set('skills', list.filter((id) => skills.touched.has(id)))
      })
    }
  })
  return result
}

function roleAssigneeOf(key: string): string {
  return ROLE_PREFIX + key
}
