// The words of the skill-map document (CONTRACT §4): root names, id pattern, letters, levels,
// criticalities, skill categories, template names, and the small value checks every reader uses.
// Imports nothing: browser and server share it.

export const ROOT_NAMES = ['meta', 'roles', 'people', 'skills', 'responsibilities', 'assignments', 'ratings'] as const
export type RootName = (typeof ROOT_NAMES)[number]

/** Ids of people, skills, responsibilities and roles. No `/` and no `@`, so cell keys parse unambiguously. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/

export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value)
}

/** Names and labels of skills, roles and categories: room for a long name, never a pasted document. */
export const NAME_MAX = 200

export function isName(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0 && value.length <= NAME_MAX
}

export const LETTERS = ['R', 'A', 'C', 'I'] as const
export type Letter = (typeof LETTERS)[number]

export function isLetter(value: unknown): value is Letter {
  return typeof value === 'string' && (LETTERS as readonly string[]).includes(value)
}

export const LEVELS = [0, 1, 2, 3, 4] as const
export type Level = (typeof LEVELS)[number]

export const LEVEL_NAMES: Readonly<Record<Level, string>> = {
  0: 'None',
  1: 'Aware',
  2: 'Working',
  3: 'Proficient',
  4: 'Expert',
}

/** Behavioural anchors (research/domain.md §6), so that a 3 means the same thing in every team. */
export const LEVEL_ANCHORS: Readonly<Record<Level, string>> = {
  0: 'No hands-on exposure',
  1: 'Knows the concepts; needs guidance for any change',
  2: 'Does routine tasks independently; asks for help on hard cases',
  3: 'Owns it: designs, debugs incidents, reviews others\u2019 work',
  4: 'Sets standards, teaches others, go-to person across teams',
}

export function isLevel(value: unknown): value is Level {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 4
}

/** CONTRACT §5: a person covers a skill from Proficient up, the level at which they can own it alone. */
export const COVERED_LEVEL = 3

export const CRITICALITIES = [1, 2, 3] as const
export type Criticality = (typeof CRITICALITIES)[number]

export function isCriticality(value: unknown): value is Criticality {
  return value === 1 || value === 2 || value === 3
}

/** Role columns are addressed as `@roleKey` in assignment keys and exports. */
export const ROLE_PREFIX = '@'

export const SKILL_CATEGORIES = [
  'languages',
  'databases',
  'apis',
  'infrastructure',
  'delivery',
  'messaging',
  'cross-cutting',
] as const
export type SkillCategory = (typeof SKILL_CATEGORIES)[number]

export const SKILL_CATEGORY_LABELS: Readonly<Record<SkillCategory, string>> = {
  languages: 'Languages & runtimes',
  databases: 'Databases & stores',
  apis: 'API technologies',
  infrastructure: 'Infrastructure',
  delivery: 'Delivery',
  messaging: 'Messaging',
  'cross-cutting': 'Cross-cutting',
}

export const TEMPLATE_NAMES = ['backend', 'empty'] as const
export type TemplateName = (typeof TEMPLATE_NAMES)[number]

export function isTemplateName(value: unknown): value is TemplateName {
  return typeof value === 'string' && (TEMPLATE_NAMES as readonly string[]).includes(value)
}

/** Code-unit order: the same in every browser and on the server, unlike localeCompare. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** Valid epoch milliseconds: also what `new Date(at).toISOString()` accepts without throwing. */
export function isTimestamp(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= 8.64e15
}

// ---------------------------------------------------------------------------------------------
// Ids

/** Lowercase ASCII slug of a title; accents folded, everything else becomes `-`. May be empty. */
export function slugify(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '')
}

/**
 * A fresh id from a title: the slug when free, else slug plus a 4-character random suffix.
 * Two clients adding the same title at the same moment may pick the same slug and converge on one
 * entry; for a map that is the wanted outcome (same title, same thing).
 */
export function makeId(title: string, taken: (id: string) => boolean, random: () => number = Math.random): string {
  const slug = slugify(title) || 'item'
  if (!taken(slug)) return slug
  // 36^4 ≈ 1.7M suffixes: a handful of tries always finds a free one unless `random` is broken.
  for (let attempt = 0; attempt < 64; attempt++) {
    const suffix = Math.floor(random() * 36 ** 4)
      .toString(36)
      .padStart(4, '0')
    const id = `${slug}-${suffix}`
    if (!taken(id)) return id
  }
  throw new Error(`could not find a free id for "${title}"`)
}
