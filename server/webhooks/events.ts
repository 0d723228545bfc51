// Webhook events (CONTRACT §6c), derived from plain data — MapData before and after a batch of
// committed updates, and their analyses (§5 v2 risks) — never from a live Y.Doc, whose state may
// already hold updates that are not committed, or not yet be loaded.
//
// How the delivery worker uses these building blocks (issue 14; the outbox waits for the async store):
// 1. Derive. Each document has a cursor: the last seq analysed. A pass over a document reads the
//    committed rows after the cursor up to the head, and calls deriveEvents with the state at the
//    cursor (kept from the previous pass, else rebuilt from the store) and at the head; `version`
//    is the head seq. For every event, every endpoint that `wants` it gets one outbox row
//    { id: newMessageId(), endpoint, doc, type, body: formatBody(event, endpoint.format, { mapTitle,
//    appUrl }), attempts: 0, nextAttemptAt: now }. The rows and the new cursor are written in one
//    transaction: an instance that dies before it re-derives the same events from the same cursor
//    after a restart, and one that dies after it finds them in the outbox; nothing lost, nothing
//    doubled. The body is fixed at enqueue (a deleted map keeps its name in its doc.deleted).
// 2. doc.changed. The same pass records the subs of the rows it read in a ChangeDebouncer
//    (debounce.ts). The window it returns is written as the document's doc.changed row, due at
//    `dueAt`; while that is in the future, later passes update the same row (`opened: false`)
//    instead of adding one, so a held doc.changed is as durable as any other event. After a
//    restart, `resume` with the newest doc.changed row of each document keeps the 10 s spacing.
// 3. Deliver. A delivery loop claims, with a lease, the oldest row of each endpoint (one in flight
//    per endpoint keeps order per document and endpoint; a row waiting for its retry holds back
//    the rows behind it, a held doc.changed does not, as it is not sent yet), signs it at the
//    attempt (signedHeaders: same id, fresh timestamp), sends it (send.ts), and records the
//    attempt: delivered, or attempts + 1 and nextAttempt() → the retry time or failed.
// doc.created, doc.deleted and doc.restored come from what does those things (docCreated…: the
// routes, and a join that creates a map), written to the outbox right after its own commit: an
// instance that dies between the two loses that one event (the edits' events are derived from
// the log, and are not lost).
import { analyze, type Analysis, type ResponsibilityStatus, type Risk, type SkillStatus } from '../../shared/analytics.js'
import type { MapData } from '../../shared/read.js'
import { EVENT_TYPES, type EventType } from '../../shared/webhooks.js'

export { EVENT_TYPES, type EventType } from '../../shared/webhooks.js'

export interface RiskState {
  status: ResponsibilityStatus
  risks: Risk[]
}

export interface EventData {
  'responsibility.risk_changed': { doc: string; responsibility: string; title: string; from: RiskState; to: RiskState; version: number }
  'skill.status_changed': { doc: string; skill: string; name: string; from: SkillStatus; to: SkillStatus; version: number }
  'person.deactivated': { doc: string; person: string; name: string; version: number }
  'doc.created': { doc: string; version: number }
  'doc.deleted': { doc: string; version: number }
  'doc.restored': { doc: string; version: number }
  'doc.changed': { doc: string; version: number; by: string[] }
}

/** One event as the `standard` format sends it: `timestamp` is when it happened (ISO 8601). */
export type WebhookEvent = { [T in EventType]: { type: T; timestamp: string; data: EventData[T] } }[EventType]
export type EventOf<T extends EventType> = Extract<WebhookEvent, { type: T }>

export function isEventType(value: unknown): value is EventType {
  return (EVENT_TYPES as readonly unknown[]).includes(value)
}

/** What an endpoint subscribed to: one document or every one (`*`), and some event types. */
export interface Subscription {
  doc: string
  events: readonly EventType[]
}

export function wants(subscription: Subscription, doc: string, type: EventType): boolean {
  return (subscription.doc === '*' || subscription.doc === doc) && subscription.events.includes(type)
}

function event<T extends EventType>(type: T, at: number, data: EventData[T]): EventOf<T> {
  return { type, timestamp: new Date(at).toISOString(), data } as EventOf<T>
}

export const docCreated = (doc: string, version: number, at: number) => event('doc.created', at, { doc, version })
export const docDeleted = (doc: string, version: number, at: number) => event('doc.deleted', at, { doc, version })
/** `version`: the new head, the update that made the content that of the older version. */
export const docRestored = (doc: string, version: number, at: number) => event('doc.restored', at, { doc, version })
export const docChanged = (doc: string, version: number, by: readonly string[], at: number) =>
  event('doc.changed', at, { doc, version, by: [...by] })

/** A map's data with its analysis: analysed once, then used as the `after` of one pass and the `before` of the next. */
export interface MapState {
  data: MapData
  analysis: Analysis
}

export function mapState(data: MapData): MapState {
  return { data, analysis: analyze(data) }
}

const byId = <T extends { id: string }>(items: readonly T[]): Map<string, T> => new Map(items.map((item) => [item.id, item]))

const sameRisks = (a: readonly Risk[], b: readonly Risk[]) => a.length === b.length && a.every((risk, i) => risk === b[i])

export interface Change {
  doc: string
  /** the seq of the last update the `after` state includes */
  version: number
  /** when that update was committed, epoch ms */
  at: number
  before: MapState
  after: MapState
}

/**
 * The person, responsibility and skill events between two states of a map, causes first: people
 * deactivated, then responsibilities whose status or risks changed (in map order), then skills
 * whose status changed (in map order). Only what exists in both states can change: a responsibility
 * or skill that was just created or removed has no `from` (or no `to`), so it raises nothing here —
 * a map made from a template starts with a doc.created, not with fourteen risk alarms. Hidden skills
 * raise nothing either: the team chose not to track them (the summary leaves them out too).
 */
export function deriveEvents({ doc, version, at, before, after }: Change): WebhookEvent[] {
  const events: WebhookEvent[] = []

  const peopleBefore = byId(before.data.people)
  for (const person of after.data.people) {
    if (peopleBefore.get(person.id)?.active === true && !person.active) {
      events.push(event('person.deactivated', at, { doc, person: person.id, name: person.name, version }))
    }
  }

  const rowsAfter = byId(after.data.responsibilities)
  const riskBefore = byId(before.analysis.responsibilities)
  for (const row of after.analysis.responsibilities) {
    const was = riskBefore.get(row.id)
    if (!was || (was.status === row.status && sameRisks(was.risks, row.risks))) continue
    events.push(
      event('responsibility.risk_changed', at, {
        doc,
        responsibility: row.id,
        title: rowsAfter.get(row.id)?.title ?? row.id,
        from: { status: was.status, risks: [...was.risks] },
        to: { status: row.status, risks: [...row.risks] },
        version,
      }),
    )
  }

  const skillsAfter = byId(after.data.skills)
  const statusBefore = byId(before.analysis.skills)
  for (const skill of after.analysis.skills) {
    const was = statusBefore.get(skill.id)
    const meta = skillsAfter.get(skill.id)
    if (!was || was.status === skill.status || meta?.hidden) continue
    events.push(event('skill.status_changed', at, { doc, skill: skill.id, name: meta?.name ?? skill.id, from: was.status, to: skill.status, version }))
  }

  return events
}
