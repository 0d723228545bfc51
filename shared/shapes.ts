// The shapes other programs read (CONTRACT §5 analytics, §6 snapshot), defined once with TypeBox:
// each gives the TypeScript type (Static) and the JSON schema the REST routes validate, serialize
// and document with, so the two cannot drift apart. Plain JSON schemas: browser-safe, no Node.
import { Type, type Static, type TSchema, type TUnsafe } from 'typebox'

/** A string enum as `{ type: 'string', enum }` (what OpenAPI 3.0 understands; TypeBox unions become anyOf/const). */
function StringEnum<const T extends readonly string[]>(values: T, options: { description?: string } = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options })
}

const Count = (description?: string) => Type.Integer({ minimum: 0, ...(description ? { description } : {}) })
const Share = (description?: string) => Type.Number({ minimum: 0, maximum: 1, ...(description ? { description } : {}) })
const Ids = (description?: string) => Type.Array(Type.String(), description ? { description } : {})
const IsoTime = Type.String({ format: 'date-time' })

export const RESPONSIBILITY_STATUSES = ['multiple-accountable', 'no-accountable', 'thin', 'ok'] as const
export const SKILL_STATUSES = ['gap', 'risk', 'ok'] as const
/** v2: every condition that applies to a responsibility, in this order (CONTRACT §5). */
export const RISKS = ['multiple-accountable', 'no-accountable', 'thin', 'single-owner', 'skills-uncovered'] as const

export type ResponsibilityStatus = (typeof RESPONSIBILITY_STATUSES)[number]
export type SkillStatus = (typeof SKILL_STATUSES)[number]
export type Risk = (typeof RISKS)[number]

export const ResponsibilityAnalysis = Type.Object({
  id: Type.String(),
  status: StringEnum(RESPONSIBILITY_STATUSES, {
    description: 'v1: the first of multiple-accountable, no-accountable, thin that applies, else ok',
  }),
  busFactor: Count('distinct active people holding A or R'),
  accountable: Ids('active people holding A, by id'),
  risks: Type.Array(StringEnum(RISKS), { description: 'v2: every risk that applies, in this order' }),
  uncovered: Ids('v2: skills of its list that none of its active A or R holders covers (level 3 or more), in list order'),
  backups: Ids('v2: active people without A or R on it who cover every skill of its list (none for an empty list), by id'),
})
export type ResponsibilityAnalysis = Static<typeof ResponsibilityAnalysis>

export const SkillAnalysis = Type.Object({
  id: Type.String(),
  covered: Count('active people at level 3 or more'),
  status: StringEnum(SKILL_STATUSES),
})
export type SkillAnalysis = Static<typeof SkillAnalysis>

export const Summary = Type.Object(
  {
    responsibilities: Count(),
    ok: Count('responsibilities whose status is ok'),
    conflicts: Count('responsibilities with multiple-accountable'),
    noAccountable: Count('responsibilities with no-accountable'),
    thin: Count('responsibilities with thin'),
    singleOwner: Count('responsibilities with single-owner'),
    skillsUncovered: Count('responsibilities with skills-uncovered'),
    skillGaps: Count('skills (not hidden) with status gap'),
    skillRisks: Count('skills (not hidden) with status risk'),
  },
  { description: 'v2: how many responsibilities have each risk, and how many skills are gaps or risks' },
)
export type Summary = Static<typeof Summary>

export const PersonLoad = Type.Object({
  id: Type.String(),
  accountable: Count('responsibilities they hold A on'),
  responsible: Count('responsibilities they hold R on'),
  consulted: Count('responsibilities they hold C on'),
  informed: Count('responsibilities they hold I on'),
  covers: Count('skills they cover (level 3 or more)'),
})
export type PersonLoad = Static<typeof PersonLoad>

export const StatusChange = Type.Object({
  kind: StringEnum(['responsibility', 'skill'] as const),
  id: Type.String(),
  from: StringEnum([...RESPONSIBILITY_STATUSES, 'gap', 'risk'] as const),
  to: StringEnum([...RESPONSIBILITY_STATUSES, 'gap', 'risk'] as const),
})
export type StatusChange = Static<typeof StatusChange>

export const WhatIf = Type.Object({
  without: Ids('the people treated as inactive'),
  changed: Type.Array(StatusChange, { description: 'every responsibility and skill whose status differs from the map as it is' }),
  coverage: Type.Object({ from: Share(), to: Share() }, { description: 'v2: coverage as it is, and without these people' }),
})
export type WhatIf = Static<typeof WhatIf>

const analysisFields = {
  coverage: Share('share of responsibilities whose status is ok'),
  responsibilities: Type.Array(ResponsibilityAnalysis),
  skills: Type.Array(SkillAnalysis),
  summary: Summary,
  people: Type.Array(PersonLoad, { description: 'v2: per active person, by id' }),
}

/** The analytics inside a snapshot: no what-if. */
export const SnapshotAnalysis = Type.Object(analysisFields)
export type SnapshotAnalysis = Static<typeof SnapshotAnalysis>

export const Analysis = Type.Object(
  { ...analysisFields, whatIf: Type.Optional(WhatIf) },
  { description: 'CONTRACT §5 (v1 and v2). `whatIf` only when people were left out with `without`.' },
)
export type Analysis = Static<typeof Analysis>

export const Problem = Type.Object({
  path: Type.String({ description: 'where in the document, e.g. `assignments/api-rest/@frontend` or `people/ana/role`' }),
  message: Type.String(),
})
export type Problem = Static<typeof Problem>

const Hidden = Type.Optional(Type.Literal(true, { description: 'present (true) when hidden in the app' }))

export const SnapshotRole = Type.Object({ key: Type.String(), label: Type.String(), hidden: Hidden })
export const SnapshotPerson = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Type.String({ description: 'a role key' }),
  team: Type.Unsafe<string | null>({ type: ['string', 'null'], description: 'null when the person has no team' }),
  active: Type.Boolean(),
})
export type SnapshotPerson = Static<typeof SnapshotPerson>
export const SnapshotSkill = Type.Object({ id: Type.String(), name: Type.String(), category: Type.String(), hidden: Hidden })
export const SnapshotResponsibility = Type.Object({
  id: Type.String(),
  area: Type.String(),
  title: Type.String(),
  description: Type.String(),
  criticality: Type.Unsafe<1 | 2 | 3>({ type: 'integer', enum: [1, 2, 3] }),
  order: Type.Number(),
  skills: Ids('skill ids'),
  accountable: Ids('person ids (sorted), then `@roleKey` role columns (in role order)'),
  responsible: Ids(),
  consulted: Ids(),
  informed: Ids(),
})
export type SnapshotResponsibility = Static<typeof SnapshotResponsibility>
export const SnapshotRating = Type.Object({
  person: Type.String(),
  skill: Type.String(),
  level: Type.Unsafe<0 | 1 | 2 | 3 | 4 | null>({
    type: ['integer', 'null'],
    minimum: 0,
    maximum: 4,
    description: '0 None … 4 Expert; null: not applicable',
  }),
  by: Type.String(),
  at: IsoTime,
})
export type SnapshotRating = Static<typeof SnapshotRating>

export const Snapshot = Type.Object(
  {
    id: Type.String(),
    title: Type.String(),
    version: Type.Integer({ description: 'the last seq of the document log; also the ETag' }),
    exportedAt: IsoTime,
    roles: Type.Array(SnapshotRole),
    people: Type.Array(SnapshotPerson),
    skills: Type.Array(SnapshotSkill),
    responsibilities: Type.Array(SnapshotResponsibility),
    ratings: Type.Array(SnapshotRating),
    analytics: SnapshotAnalysis,
    problems: Type.Array(Problem, { description: 'what the document holds that breaks the schema' }),
  },
  { description: 'The whole map (CONTRACT §6), every list in a fixed order; `problems` lists what breaks the schema.' },
)
export type Snapshot = Static<typeof Snapshot>

/** A shape as a route schema under a name (`$id`), for Fastify's addSchema and OpenAPI components. */
export function named<T extends TSchema, Id extends string>(schema: T, $id: Id): T & { $id: Id } {
  return { ...schema, $id }
}
