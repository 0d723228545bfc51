// The ratings CSV of CONTRACT §6b: one row per rating, `level` 0–4 or `N/A`. Values a spreadsheet
// would run as a formula are written with a leading `'` (escape.ts).
import { csvField } from './escape.js'
import type { Snapshot } from './export.js'

export const RATINGS_CSV_HEADER = ['person_id', 'person', 'skill_id', 'skill', 'category', 'level'] as const

/** How a level of null (not applicable) is written in every spreadsheet export and read on import. */
export const NOT_APPLICABLE = 'N/A'

/** Ratings in snapshot order (person id, then skill id); ratings of unknown ids keep their ids as names. */
export function toRatingsCsv(snapshot: Pick<Snapshot, 'people' | 'skills' | 'ratings'>): string {
  const people = new Map(snapshot.people.map((p) => [p.id, p.name]))
  const skills = new Map(snapshot.skills.map((s) => [s.id, s]))
  const rows: string[][] = [[...RATINGS_CSV_HEADER]]
  for (const r of snapshot.ratings) {
    const skill = skills.get(r.skill)
    rows.push([r.person, people.get(r.person) ?? r.person, r.skill, skill?.name ?? r.skill, skill?.category ?? '', r.level === null ? NOT_APPLICABLE : String(r.level)])
  }
  return rows.map((row) => row.map(csvField).join(',') + '\r\n').join('')
}
