// The bodies an endpoint receives (CONTRACT §6c): `standard` is the event itself, `{ type,
// timestamp, data }`; `slack` is an incoming-webhook message `{ text }`, one sentence that names the
// map, says what changed in words and links to the map. Rendered when the event is queued, so a
// retry sends the same bytes and a deleted map's last message still has its name.
// The risks say more than the v1 status (which is the first of them that applies), so the words
// are the risks'.
import type { Risk, SkillStatus } from '../../shared/analytics.js'
import type { Format } from '../../shared/webhooks.js'
import type { RiskState, WebhookEvent } from './events.js'

export { FORMATS, type Format } from '../../shared/webhooks.js'

export interface FormatContext {
  /** the map's title when the event happened; its id stands in when the title is empty */
  mapTitle: string
  /** where the app is served, e.g. https://map.example.com (links are made from it) */
  appUrl: string
}

export function formatBody(event: WebhookEvent, format: Format, context: FormatContext): string {
  if (format === 'standard') return JSON.stringify({ type: event.type, timestamp: event.timestamp, data: event.data })
  return JSON.stringify({ text: slackText(event, context) })
}

/**
 * The app's own link to a map (public/route.ts `mapHref`, without a token: a token never goes to a
 * chat). The app has no link to one responsibility, so messages link to the map.
 */
export function mapLink(appUrl: string, doc: string): string {
  return `${appUrl.replace(/\/+$/, '')}/#/d/${encodeURIComponent(doc)}`
}

// Slack reads &, < and > as markup (links, @channel mentions); user text must not be able to make any.
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

const RISK_PHRASES: Readonly<Record<Risk, string>> = {
  'multiple-accountable': 'more than one accountable',
  'no-accountable': 'no accountable',
  thin: 'fewer than two owners while critical',
  'single-owner': 'a single owner',
  'skills-uncovered': 'needed skills none of its owners covers',
}

const COVERED_BY: Readonly<Record<SkillStatus, string>> = {
  ok: 'two or more people',
  risk: 'one person only',
  gap: 'nobody',
}

function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('')
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`
}

function risks(state: RiskState): string {
  return state.risks.length === 0 ? 'no risks' : list(state.risks.map((risk) => RISK_PHRASES[risk]))
}

function slackText(event: WebhookEvent, { mapTitle, appUrl }: FormatContext): string {
  const map = `*${escape(mapTitle.trim() || event.data.doc)}*`
  const open = `<${mapLink(appUrl, event.data.doc)}|Open the map>`
  switch (event.type) {
    case 'responsibility.risk_changed':
      return `${map}: “${escape(event.data.title)}” now has ${risks(event.data.to)} (before: ${risks(event.data.from)}). ${open}`
    case 'skill.status_changed':
      return `${map}: the skill “${escape(event.data.name)}” is now covered by ${COVERED_BY[event.data.to]} (before: ${COVERED_BY[event.data.from]}). ${open}`
    case 'person.deactivated':
      return `${map}: ${escape(event.data.name)} is no longer active; their letters and skills count for nothing now. ${open}`
    case 'doc.created':
      return `The map ${map} was created. ${open}`
    case 'doc.deleted':
      return `The map ${map} was deleted.`
    case 'doc.restored':
      return `The map ${map} was restored to an earlier version (now version ${event.data.version}). ${open}`
    case 'doc.changed':
      return `The map ${map} was changed by ${escape(list(event.data.by)) || 'someone'}. ${open}`
  }
}
