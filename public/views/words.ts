// The analytics' codes in words, once for every view: the headline chips, the row badges, the
// what-if list and the charts all say "No accountable", never "no-accountable".
import type { Risk, ResponsibilityStatus, SkillStatus, Summary } from '../../shared/analytics.js'

export const RISK_WORDS: Record<Risk, { label: string; short: string; means: string }> = {
  'multiple-accountable': { label: 'Conflicts', short: 'Conflict', means: 'two or more people hold the A; exactly one should' },
  'no-accountable': { label: 'No accountable', short: 'No accountable', means: 'nobody holds the A' },
  thin: { label: 'Thin', short: 'Thin', means: 'critical, and fewer than two people hold A or R' },
  'single-owner': { label: 'Single owner', short: 'Single owner', means: 'one person or nobody holds A or R: bus factor 1' },
  'skills-uncovered': { label: 'Needed skills uncovered', short: 'Skills uncovered', means: 'a skill it needs that none of its A or R holders covers' },
}

export const STATUS_WORDS: Record<ResponsibilityStatus | SkillStatus, string> = {
  ok: 'OK',
  thin: 'Thin',
  'no-accountable': 'No accountable',
  'multiple-accountable': 'Conflict',
  gap: 'Gap',
  risk: 'Risk',
}

export type SkillRisk = 'gap' | 'risk'

export const SKILL_RISK_WORDS: Record<SkillRisk, { label: string; means: string }> = {
  gap: { label: 'Skill gaps', means: 'nobody covers the skill (level 3 or more)' },
  risk: { label: 'Skill risks', means: 'only one person covers the skill' },
}

/** The summary field that counts each risk (CONTRACT §5 v2). */
export const SUMMARY_FIELD: Record<Risk | SkillRisk, keyof Summary> = {
  'multiple-accountable': 'conflicts',
  'no-accountable': 'noAccountable',
  thin: 'thin',
  'single-owner': 'singleOwner',
  'skills-uncovered': 'skillsUncovered',
  gap: 'skillGaps',
  risk: 'skillRisks',
}

export const people = (n: number): string => `${n} ${n === 1 ? 'person' : 'people'}`
export const percent = (share: number): string => `${Math.round(share * 100)} %`
