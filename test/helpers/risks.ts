// The map the risk suites share (Node and Chromium run the same analytics on it). Each row is one
// case of CONTRACT §5 v2; the comments say which.
import * as Y from 'yjs'
import { addPerson, addResponsibility, addRole, addSkill, setAssignment, setRating, type Letter, type Level } from '../../shared/schema.js'

export function riskMap(): Y.Doc {
  const doc = new Y.Doc()
  addRole(doc, 'backend', 'Backend engineer')
  for (const id of ['ana', 'ben', 'cid', 'dan']) addPerson(doc, { id, name: id, role: 'backend' })
  addPerson(doc, { id: 'eve', name: 'eve', role: 'backend', active: false })
  for (const [id, category] of [
    ['pg', 'databases'],
    ['go', 'languages'],
    ['redis', 'databases'],
    ['k8s', 'infrastructure'],
    ['php', 'languages'],
    ['rust', 'languages'],
  ] as const) {
    addSkill(doc, { id, name: id, category })
  }
  const row = (id: string, criticality: 1 | 2 | 3, skills: string[], cells: Record<string, Letter>) => {
    addResponsibility(doc, { id, title: id, area: 'Server logic', criticality, skills })
    for (const [person, letter] of Object.entries(cells)) setAssignment(doc, id, person, letter, 'lead', 1000)
  }
  // single owner on a criticality-1 row: ok by v1, single-owner by v2
  row('docs', 1, [], { ana: 'A' })
  // the A and R holders have redis only at level 2; cid covers it, dan too (a C is no A/R), eve is inactive
  row('db', 2, ['redis'], { ana: 'A', ben: 'R', dan: 'C' })
  // holders cover pg and go between them; only cid covers both alone (dan has pg only, eve is inactive)
  row('api', 3, ['pg', 'go'], { ana: 'A', ben: 'R' })
  // an empty skills list: nothing uncovered and no backups, even though cid covers a lot
  row('ops', 2, [], { ana: 'A', ben: 'R' })
  // two As (a conflict) and a skill nobody active covers
  row('deploy', 3, ['k8s'], { ana: 'A', ben: 'A' })
  // only an inactive A: every risk but the conflict
  row('cache', 3, ['k8s'], { eve: 'A' })
  const levels: Array<[string, string, Level]> = [
    ['ana', 'redis', 2],
    ['ben', 'redis', 2],
    ['cid', 'redis', 3],
    ['dan', 'redis', 3],
    ['eve', 'redis', 4],
    ['ana', 'pg', 4],
    ['ben', 'go', 3],
    ['cid', 'pg', 3],
    ['cid', 'go', 3],
    ['dan', 'pg', 3],
    ['eve', 'pg', 4],
    ['eve', 'go', 4],
    ['eve', 'k8s', 4],
    ['ana', 'k8s', 1],
    ['cid', 'rust', 3],
  ]
  for (const [person, skill, level] of levels) setRating(doc, person, skill, level, 'lead', 1000)
  return doc
}
