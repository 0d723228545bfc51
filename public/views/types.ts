// What every view of an open map receives: the model, who is looking, where the others are, and
// the actions (each one a schema mutator with this user's id as `by`, or a change of view state).
import type { Letter, Level } from '../../shared/schema.js'
import type { Filters } from '../filter.js'
import type { BlameNote } from '../history.js'
import type { MapModel } from '../model.js'
import type { Peer } from '../presence.js'
import type { Identity } from '../token.js'

export type GridName = 'raci' | 'skills'
export type Tab = 'raci' | 'skills' | 'charts' | 'people' | 'structure'

export interface ViewContext {
  model: MapModel
  me: Identity
  readOnly: boolean
  /** others by the data-key of the cell they are on */
  peersByCell: Map<string, Peer[]>
  /** each grid's tab stop (a data-key), so Tab returns where the user left off */
  active: Record<GridName, string | null>
  /** the data-key of the cell whose picker is open */
  picking: string | null
  /** what the lead narrowed the grids to */
  filters: Filters
  /** who last set each cell, by data-key (server-verified, CONTRACT §6a); empty while unknown */
  blame: ReadonlyMap<string, BlameNote>
  actions: Actions
}

export interface PersonChanges {
  name?: string
  role?: string
  team?: string | null
  active?: boolean
}

export interface Actions {
  setLetter(responsibility: string, assignee: string, letter: Letter | null): void
  setLevel(person: string, skill: string, level: Level | null | undefined): void
  openResponsibility(id: string | null): void
  moveResponsibility(id: string, direction: -1 | 1): void
  addPerson(name: string, role: string, team: string): void
  updatePerson(id: string, changes: PersonChanges): void
  setTitle(title: string): void
  /** the user is on this cell (presence, roving tab stop) */
  focus(grid: GridName, key: string | null): void
  /** opens the level picker of a heatmap cell (writes nothing until a level is chosen) */
  openPicker(person: string, skill: string, anchor: HTMLElement): void
  /** opens the letter picker of a RACI cell (writes nothing until a letter is chosen) */
  openLetterPicker(responsibility: string, assignee: string, anchor: HTMLElement): void
  toggleWithout(person: string): void
  clearWithout(): void
  showTab(tab: Tab): void
  /** shows `tab` and moves focus to the element with this data-key */
  reveal(tab: Tab, key: string): void
  notify(message: string): void
  clearFilters(): void
  addSkill(name: string, category: string): void
  renameSkill(id: string, name: string): void
  recategoriseSkill(id: string, category: string): void
  removeSkill(id: string): void
  addRole(label: string): void
  renameRole(key: string, label: string): void
  /** removes a role column; the people who hold it move to `reassignTo` */
  removeRole(key: string, reassignTo?: string): void
  setHidden(root: 'roles' | 'skills', key: string, hidden: boolean): void
  hideUnusedSkills(): void
}
