// Random edits of a map through the shared writers, for the property suites (diff, replay, lean states).
import fc from 'fast-check'
import type * as Y from 'yjs'
import {
  addPerson,
  addResponsibility,
  addRole,
  addSkill,
  moveResponsibility,
  removePerson,
  removeResponsibility,
  removeRole,
  removeSkill,
  renameRole,
  setAssignment,
  setHidden,
  setRating,
  setTitle,
  updatePerson,
  updateResponsibility,
  updateSkill,
} from '../../shared/schema.js'

const PEOPLE = ['ana', 'ben', 'cai', 'dee']
const SKILLS = ['postgres', 'go', 'kafka']
const ROWS = ['api', 'cache', 'docs', 'events']
const ROLES = ['backend', 'frontend', 'qa']
const pick = <T>(list: readonly T[]) => fc.constantFrom(...list)
const name = fc.constantFrom('Ana', 'Ben', 'Zoë', 'Ops', 'x y')

export const edit = fc.oneof(
  fc.record({ k: fc.constant('title'), text: name }),
  fc.record({ k: fc.constant('addPerson'), id: pick(PEOPLE), name, role: pick(ROLES), team: fc.option(name, { nil: undefined }) }),
  fc.record({
    k: fc.constant('updatePerson'),
    id: pick(PEOPLE),
    name: fc.option(name, { nil: undefined }),
    role: fc.option(pick(ROLES), { nil: undefined }),
    team: fc.option(fc.option(name, { nil: null }), { nil: undefined }),
    active: fc.option(fc.boolean(), { nil: undefined }),
  }),
  fc.record({ k: fc.constant('removePerson'), id: pick(PEOPLE) }),
  fc.record({ k: fc.constant('addSkill'), id: pick(SKILLS), name, category: fc.constantFrom('databases', 'languages', 'ops') }),
  fc.record({ k: fc.constant('updateSkill'), id: pick(SKILLS), name: fc.option(name, { nil: undefined }), category: fc.option(fc.constantFrom('apis', 'ops'), { nil: undefined }) }),
  fc.record({ k: fc.constant('hide'), root: fc.constantFrom('skills' as const, 'roles' as const), id: pick([...SKILLS, ...ROLES]), hidden: fc.boolean() }),
  fc.record({ k: fc.constant('removeSkill'), id: pick(SKILLS) }),
  fc.record({ k: fc.constant('addRole'), id: pick(ROLES), label: name }),
  fc.record({ k: fc.constant('renameRole'), id: pick(ROLES), label: name }),
  fc.record({ k: fc.constant('removeRole'), id: pick(ROLES), to: pick(ROLES) }),
  fc.record({ k: fc.constant('addRow'), id: pick(ROWS), title: name, skills: fc.subarray(SKILLS) }),
  fc.record({
    k: fc.constant('updateRow'),
    id: pick(ROWS),
    title: fc.option(name, { nil: undefined }),
    area: fc.option(name, { nil: undefined }),
    criticality: fc.option(fc.constantFrom(1 as const, 2 as const, 3 as const), { nil: undefined }),
    skills: fc.option(fc.subarray(SKILLS), { nil: undefined }),
  }),
  fc.record({ k: fc.constant('moveRow'), id: pick(ROWS), index: fc.nat({ max: 4 }) }),
  fc.record({ k: fc.constant('removeRow'), id: pick(ROWS) }),
  fc.record({
    k: fc.constant('letter'),
    row: pick(ROWS),
    who: pick([...PEOPLE, '@backend', '@qa']),
    letter: fc.constantFrom('R' as const, 'A' as const, 'C' as const, 'I' as const, null),
    by: pick(['u1', 'u2']),
  }),
  fc.record({
    k: fc.constant('level'),
    person: pick(PEOPLE),
    skill: pick(SKILLS),
    level: fc.constantFrom(0 as const, 1 as const, 3 as const, 4 as const, null, undefined),
    by: pick(['u1', 'u2']),
  }),
)
export type Edit = typeof edit extends fc.Arbitrary<infer T> ? T : never

/** Applies one edit through the shared writers; an edit the writers refuse (a missing entry, a taken id) is skipped. */
export function applyEdit(doc: Y.Doc, e: Edit, at: number): void {
  const has = (root: string, id: string) => doc.getMap(root).has(id)
  switch (e.k) {
    case 'title':
      return setTitle(doc, e.text)
    case 'addPerson':
      if (!has('people', e.id)) addPerson(doc, { id: e.id, name: e.name, role: e.role, ...(e.team ? { team: e.team } : {}) })
      return
    case 'updatePerson': {
      if (!has('people', e.id)) return
      const { k: _k, id, ...changes } = e
      return updatePerson(doc, id, changes)
    }
    case 'removePerson':
      return removePerson(doc, e.id)
    case 'addSkill':
      if (!has('skills', e.id)) addSkill(doc, { id: e.id, name: e.name, category: e.category })
      return
    case 'updateSkill': {
      if (!has('skills', e.id)) return
      return updateSkill(doc, e.id, { ...(e.name ? { name: e.name } : {}), ...(e.category ? { category: e.category } : {}) })
    }
    case 'hide':
      if (has(e.root, e.id)) setHidden(doc, e.root, e.id, e.hidden)
      return
    case 'removeSkill':
      return removeSkill(doc, e.id)
    case 'addRole':
      if (!has('roles', e.id)) addRole(doc, e.id, e.label)
      return
    case 'renameRole':
      if (has('roles', e.id)) renameRole(doc, e.id, e.label)
      return
    case 'removeRole':
      if (has('roles', e.id) && e.to !== e.id && has('roles', e.to)) removeRole(doc, e.id, e.to)
      return
    case 'addRow':
      if (!has('responsibilities', e.id)) addResponsibility(doc, { id: e.id, title: e.title, area: 'Area', skills: e.skills })
      return
    case 'updateRow': {
      if (!has('responsibilities', e.id)) return
      const { k: _k, id, ...changes } = e
      return updateResponsibility(doc, id, Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)))
    }
    case 'moveRow':
      if (has('responsibilities', e.id)) moveResponsibility(doc, e.id, e.index)
      return
    case 'removeRow':
      return removeResponsibility(doc, e.id)
    case 'letter':
      if (e.letter === 'A' && e.who.startsWith('@')) return
      return setAssignment(doc, e.row, e.who, e.letter, e.by, at)
    case 'level':
      return setRating(doc, e.person, e.skill, e.level, e.by, at)
  }
}
