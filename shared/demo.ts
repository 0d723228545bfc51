// The demo map's team (CONTRACT §8 v2): eight people on the backend template whose letters and
// levels tell the story a lead should see on first open — a conflict on permissions, an A that left
// with Hana, a critical schema only Eli owns, gRPC and Kafka nobody covers, one DevOps engineer
// holding most of the infrastructure. The README's REST examples show the figures this gives.
import type * as Y from 'yjs'
import { hideUnusedSkills, addPerson, removeResponsibility, setAssignment, setRating, updateResponsibility } from './write.js'
import type { Letter, Level } from './vocabulary.js'

interface DemoPerson {
  id: string
  name: string
  role: string
  team: string
  active?: boolean
  levels: Record<string, Level>
}

export const DEMO_PEOPLE: readonly DemoPerson[] = [
  {
    id: 'ana',
    name: 'Ana Kovač',
    role: 'techlead',
    team: 'Platform',
    levels: {
      nodejs: 4, go: 3, postgresql: 3, 'rest-openapi': 4, grpc: 1, 'app-security': 2, 'identity-protocols': 2,
      'performance-engineering': 3, observability: 2, docker: 2, kubernetes: 1, redis: 2, 'event-streaming': 1, cicd: 2, cloud: 2,
    },
  },
  {
    id: 'ben',
    name: 'Ben Okafor',
    role: 'backend',
    team: 'Payments',
    levels: {
      nodejs: 4, go: 1, postgresql: 3, redis: 3, 'rest-openapi': 3, 'event-streaming': 2, 'app-security': 2,
      'identity-protocols': 3, docker: 2, observability: 1, 'performance-engineering': 2, grpc: 0, cicd: 1,
    },
  },
  {
    id: 'chloe',
    name: 'Chloé Martin',
    role: 'backend',
    team: 'Payments',
    levels: {
      nodejs: 3, go: 3, postgresql: 3, redis: 2, 'rest-openapi': 3, grpc: 2, 'app-security': 1, docker: 2,
      observability: 2, 'event-streaming': 1,
    },
  },
  {
    id: 'dev',
    name: 'Dev Patel',
    role: 'devops',
    team: 'Platform',
    levels: {
      docker: 4, kubernetes: 3, cloud: 3, cicd: 4, observability: 4, 'performance-engineering': 2, postgresql: 2, go: 2, redis: 2,
    },
  },
  {
    id: 'eli',
    name: 'Eli Schwartz',
    role: 'dba',
    team: 'Platform',
    levels: {
      postgresql: 4, 'performance-engineering': 3, go: 3, redis: 2, grpc: 2, docker: 3, kubernetes: 3, nodejs: 2,
      observability: 2, 'event-streaming': 2,
    },
  },
  {
    id: 'fatima',
    name: 'Fatima Haddad',
    role: 'security',
    team: 'Platform',
    levels: { 'app-security': 4, 'identity-protocols': 4, nodejs: 2, go: 1, docker: 2, cloud: 2, observability: 1 },
  },
  {
    id: 'gus',
    name: 'Gus Lindqvist',
    role: 'frontend',
    team: 'Payments',
    levels: { nodejs: 3, 'rest-openapi': 3, 'app-security': 1, docker: 1 },
  },
  {
    // left last month: her A on async jobs and her Kafka knowledge count for nothing now
    id: 'hana',
    name: 'Hana Sato',
    role: 'backend',
    team: 'Payments',
    active: false,
    levels: { 'event-streaming': 4, redis: 4, nodejs: 3 },
  },
]

/** The skills each row really needs in this team (the template lists alternatives, e.g. seven languages). */
const DEMO_SKILLS: Readonly<Record<string, readonly string[]>> = {
  'server-logic': ['nodejs', 'go'],
  'api-rest': ['rest-openapi'],
  'api-grpc': ['grpc'],
  'db-schema': ['postgresql'],
  'db-operations': ['postgresql', 'performance-engineering'],
  'auth-identity': ['identity-protocols', 'app-security'],
  'auth-permissions': ['app-security'],
  'service-boundaries': ['grpc', 'kubernetes'],
  performance: ['performance-engineering', 'observability'],
  caching: ['redis'],
  'async-jobs': ['event-streaming', 'redis'],
  'secure-coding': ['app-security'],
  integrations: ['rest-openapi'],
  observability: ['observability', 'kubernetes'],
  delivery: ['cicd', 'docker'],
}

/** Who holds A and R on each row; the template's role columns keep their R/C/I. */
const DEMO_CELLS: Readonly<Record<string, Readonly<Record<string, Letter>>>> = {
  'server-logic': { ana: 'A', ben: 'R', chloe: 'R' },
  'api-rest': { ben: 'A', chloe: 'R', gus: 'C' },
  'api-grpc': { chloe: 'A', eli: 'R' },
  // critical, and only Eli: thin and single owner (Ana, Ben and Chloé could back him up)
  'db-schema': { eli: 'A', ben: 'C' },
  'db-operations': { eli: 'A', dev: 'R' },
  'auth-identity': { fatima: 'A', ben: 'R' },
  // Ana and Fatima each named themselves accountable: a conflict
  'auth-permissions': { fatima: 'A', ana: 'A', ben: 'R' },
  'service-boundaries': { ana: 'A', dev: 'R' },
  performance: { dev: 'A', eli: 'R' },
  caching: { ben: 'A', chloe: 'R' },
  // Hana held the A and has left: no accountable
  'async-jobs': { hana: 'A', ben: 'R', chloe: 'I' },
  'secure-coding': { fatima: 'A', chloe: 'R' },
  integrations: { chloe: 'A', gus: 'R' },
  observability: { dev: 'A', eli: 'C' },
  delivery: { dev: 'A', eli: 'R' },
}

/**
 * Fills a map made from the backend template with the demo team, in one transaction. The team has
 * no GraphQL API (the row goes) and the skills nobody uses are hidden.
 */
export function applyDemo(doc: Y.Doc, by = 'demo', at: number = Date.now()): void {
  doc.transact(() => {
    removeResponsibility(doc, 'api-graphql')
    for (const [row, skills] of Object.entries(DEMO_SKILLS)) updateResponsibility(doc, row, { skills })
    for (const person of DEMO_PEOPLE) {
      addPerson(doc, { id: person.id, name: person.name, role: person.role, team: person.team, active: person.active ?? true })
      for (const [skill, level] of Object.entries(person.levels)) setRating(doc, person.id, skill, level, by, at)
    }
    for (const [row, cells] of Object.entries(DEMO_CELLS)) {
      for (const [person, letter] of Object.entries(cells)) setAssignment(doc, row, person, letter, by, at)
    }
    hideUnusedSkills(doc)
  })
}
