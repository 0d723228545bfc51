// Cell keys of the document (CONTRACT §4): `<responsibilityId>/<personId>`,
// `<responsibilityId>/@<roleKey>` for assignments and `<personId>/<skillId>` for ratings. Built and
// parsed only here.
import { isId, ROLE_PREFIX } from './vocabulary.js'

export function assignmentKey(responsibility: string, assignee: string): string {
  return `${responsibility}/${assignee}`
}

export function roleAssignee(roleKey: string): string {
  return ROLE_PREFIX + roleKey
}

export interface AssigneeRef {
  kind: 'person' | 'role'
  /** the person id or the role key, without the prefix */
  id: string
}

export function parseAssignee(assignee: string): AssigneeRef | null {
  const isRole = assignee.startsWith(ROLE_PREFIX)
  const id = isRole ? assignee.slice(ROLE_PREFIX.length) : assignee
  return isId(id) ? { kind: isRole ? 'role' : 'person', id } : null
}

export function parseAssignmentKey(key: string): { responsibility: string; assignee: string; ref: AssigneeRef } | null {
  const parts = key.split('/')
  if (parts.length !== 2) return null
  const [responsibility = '', assignee = ''] = parts
  const ref = parseAssignee(assignee)
  return isId(responsibility) && ref ? { responsibility, assignee, ref } : null
}

export function ratingKey(person: string, skill: string): string {
  return `${person}/${skill}`
}

export function parseRatingKey(key: string): { person: string; skill: string } | null {
  const parts = key.split('/')
  if (parts.length !== 2) return null
  const [person, skill] = parts
  return isId(person) && isId(skill) ? { person, skill } : null
}
