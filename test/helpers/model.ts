// Small builders for the document-model suites: real Y.Docs, no mocks.
import * as Y from 'yjs'
import { addPerson, addResponsibility, addRole, addSkill, setAssignment, setRating } from '../../shared/schema.js'

/** Brings two documents to the same state by exchanging their missing updates both ways. */
export function exchange(a: Y.Doc, b: Y.Doc): void {
  const toB = Y.encodeStateAsUpdate(a, Y.encodeStateVector(b))
  const toA = Y.encodeStateAsUpdate(b, Y.encodeStateVector(a))
  Y.applyUpdate(b, toB)
  Y.applyUpdate(a, toA)
}

/**
 * A small map everybody can reason about: ana (A) and ben (R) own the critical `api`, ana owns
 * `cache` alone, `docs` has nobody; ana and ben cover postgres, ana covers go alone.
 */
export function smallMap(): Y.Doc {
  const doc = new Y.Doc()
  addRole(doc, 'backend', 'Backend engineer')
  addRole(doc, 'frontend', 'Frontend developer')
  addPerson(doc, { id: 'ana', name: 'Ana', role: 'backend', team: 'core' })
  addPerson(doc, { id: 'ben', name: 'Ben', role: 'backend' })
  addSkill(doc, { id: 'postgres', name: 'PostgreSQL', category: 'databases' })
  addSkill(doc, { id: 'go', name: 'Go', category: 'languages' })
  addResponsibility(doc, { id: 'api', title: 'REST API', area: 'API design', criticality: 3, skills: ['postgres'] })
  addResponsibility(doc, { id: 'cache', title: 'Caching', area: 'Caching', criticality: 2 })
  addResponsibility(doc, { id: 'docs', title: 'Docs', area: 'Server logic', criticality: 1 })
  setAssignment(doc, 'api', 'ana', 'A', 'u1', 1000)
  setAssignment(doc, 'api', 'ben', 'R', 'u1', 1000)
  setAssignment(doc, 'api', '@frontend', 'C', 'u1', 1000)
  setAssignment(doc, 'cache', 'ana', 'A', 'u1', 1000)
  setRating(doc, 'ana', 'postgres', 3, 'u1', 1000)
  setRating(doc, 'ben', 'postgres', 4, 'u1', 1000)
  setRating(doc, 'ana', 'go', 4, 'u1', 1000)
  setRating(doc, 'ben', 'go', null, 'u1', 1000)
  return doc
}
