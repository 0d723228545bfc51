// What an imported file says, in one neutral shape whatever its format (CONTRACT §6b): the parsers
// of each format produce it, apply.ts writes it into a map. Entities are named by a Ref, because a
// file may know an id, a name, or only a column header that is one or the other.

/** The formats the importer recognises; the route reports which one it read. */
export type ImportFormat = 'json' | 'xlsx' | 'csv' | 'ratings-csv' | 'raci-csv' | 'raci-xlsx'

/** How a file names an entity: matched by `id`, then by `name` (an id, then case-insensitively a name/title). */
export interface Ref {
  id?: string
  name?: string
}

/** Where in the file something is: a 1-based row (a CSV record, a sheet row, a list item) and a column. */
export interface Place {
  row: number | null
  column: string | null
  sheet?: string
}

export interface Problem extends Place {
  message: string
}

export interface FileEntity<Fields> extends Place {
  ref: Ref
  /** written over the map's values */
  fields: Partial<Fields>
  /** used only when the entity is created (a matrix row's title, a column header as a name) */
  defaults?: Partial<Fields>
}

export interface PersonFields {
  name: string
  role: string
  team: string | null
  active: boolean
}

export interface SkillFields {
  name: string
  category: string
}

export interface ResponsibilityFields {
  title: string
  description: string
  area: string
  criticality: 1 | 2 | 3
  order: number
  /** skills named by the file; resolved like every other reference */
  skills: Ref[]
}

export interface FileAssignment extends Place {
  responsibility: Ref
  /** a person, a role column by key, or a matrix column header that names either (see `columns`) */
  assignee: { person: Ref } | { role: string } | { header: string }
  letter: 'R' | 'A' | 'C' | 'I'
}

export interface FileRating extends Place {
  person: Ref
  skill: Ref
  level: 0 | 1 | 2 | 3 | 4 | null
}

/** Which parts of the map the file describes whole: `replace` removes from those what the file lacks. */
export interface Completeness {
  title: boolean
  roles: boolean
  people: boolean
  skills: boolean
  responsibilities: boolean
  assignments: boolean
  ratings: boolean
}

export interface ImportData {
  format: ImportFormat
  title?: string
  roles: { key: string; label: string }[]
  people: FileEntity<PersonFields>[]
  skills: FileEntity<SkillFields>[]
  responsibilities: FileEntity<ResponsibilityFields>[]
  assignments: FileAssignment[]
  ratings: FileRating[]
  /** headers of a team's own RACI matrix: each is a role column (`@key`, a role label) or a person, created when missing */
  columns: (Place & { header: string })[]
  complete: Completeness
  /** rows the parser could not read; they are skipped, never guessed */
  problems: Problem[]
}

export function emptyImport(format: ImportFormat, complete: Partial<Completeness>): ImportData {
  return {
    format,
    roles: [],
    people: [],
    skills: [],
    responsibilities: [],
    assignments: [],
    ratings: [],
    columns: [],
    complete: { title: false, roles: false, people: false, skills: false, responsibilities: false, assignments: false, ratings: false, ...complete },
    problems: [],
  }
}

/** A file that cannot be read at all: the route answers 400 and changes nothing. */
export class UnreadableFile extends Error {
  override readonly name = 'UnreadableFile'
}
