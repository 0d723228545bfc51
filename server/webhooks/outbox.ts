// What goes into the outbox (CONTRACT §6c), decided as plain functions of the endpoints and the
// events, inside the transaction that writes it (store.ts): which endpoints hear an event, the
// body each one gets (rendered once, so every retry sends the same bytes), and the doc.changed
// window of a pass (debounce.ts), kept in the document's cursor so that every instance spaces a
// document's doc.changed alike.
import { createChangeDebouncer, type ChangeWindow } from './debounce.js'
import { docChanged, wants, type EventType, type WebhookEvent } from './events.js'
import { formatBody, type FormatContext } from './format.js'
import { newMessageId } from './sign.js'
import type { CoverageStart, Endpoint, HeldChange, NewDelivery, PassPlan } from './store.js'

/** The events derived from the committed log (the others come from the routes that cause them). */
export const DERIVED_EVENTS: readonly EventType[] = ['responsibility.risk_changed', 'skill.status_changed', 'person.deactivated', 'doc.changed']

/** Whether an endpoint needs the log of `doc` derived. */
export function derives(endpoint: Endpoint, doc: string): boolean {
  return DERIVED_EVENTS.some((type) => wants(endpoint, doc, type))
}

/** Which documents need deriving at all: every one (but those listed) or a few. */
export function coverage(endpoints: readonly Endpoint[]): { all: true; except: string[] } | { all: false; docs: string[] } {
  const deriving = endpoints.filter((e) => DERIVED_EVENTS.some((type) => e.events.includes(type)))
  if (deriving.some((e) => e.doc === '*')) return { all: true, except: [] }
  return { all: false, docs: [...new Set(deriving.map((e) => e.doc))] }
}

export function covers(endpoints: readonly Endpoint[], doc: string): boolean {
  return endpoints.some((e) => derives(e, doc))
}

/**
 * The cursors a new endpoint starts at their heads: those of the documents it derives for and no
 * other endpoint did, whose cursors nobody kept moving. The others are current, and a jump would
 * lose what their passes have not written yet.
 */
export function coverageStart(endpoint: Endpoint, others: readonly Endpoint[]): CoverageStart {
  if (!DERIVED_EVENTS.some((type) => endpoint.events.includes(type))) return { all: false, docs: [] }
  const before = coverage(others)
  if (before.all) return { all: false, docs: [] }
  if (endpoint.doc === '*') return { all: true, except: before.docs }
  return { all: false, docs: before.docs.includes(endpoint.doc) ? [] : [endpoint.doc] }
}

/** One row per endpoint that wants the event, its body in the endpoint's format. */
export function deliveriesOf(event: WebhookEvent, endpoints: readonly Endpoint[], context: FormatContext, nextAttemptAt: number): NewDelivery[] {
  const eventAt = Date.parse(event.timestamp)
  return endpoints
    .filter((e) => wants(e, event.data.doc, event.type))
    .map((e) => ({ id: newMessageId(), endpointId: e.id, doc: event.data.doc, type: event.type, body: formatBody(event, e.format, context), nextAttemptAt, eventAt }))
}

export interface PassInput {
  doc: string
  /** the events the pass derived, in order */
  events: readonly WebhookEvent[]
  /** the pass's head and the subs of the rows it read; null when it read none */
  changed: { version: number; by: readonly string[] } | null
  /** the cursor's window */
  window: ChangeWindow | null
  /** the endpoints and held rows as the transaction sees them */
  endpoints: readonly Endpoint[]
  held: readonly HeldChange[]
  context: FormatContext
  now: number
  /** the spacing of doc.changed (debounce.ts's default: the contract's 10 s) */
  intervalMs?: number
}

/**
 * The rows of one pass: its events for every endpoint that wants them, then its doc.changed. The
 * first change after a quiet interval opens a window due at once; later ones within the interval
 * open one due when it ends, and changes before that join it: its held rows are rewritten with the
 * newest version and every writer, so a receiver hears of a busy map at most once per interval.
 */
export function planPass({ doc, events, changed, window, endpoints, held, context, now, intervalMs }: PassInput): PassPlan {
  const deliveries = events.flatMap((event) => deliveriesOf(event, endpoints, context, now))
  const rewrites: PassPlan['rewrites'] = []
  const wanting = endpoints.filter((e) => wants(e, doc, 'doc.changed'))
  if (changed === null || wanting.length === 0) return { deliveries, rewrites, window }
  const debouncer = createChangeDebouncer({ now: () => now, ...(intervalMs === undefined ? {} : { intervalMs }) })
  if (window !== null) debouncer.resume(window)
  const { window: next, opened } = debouncer.record(doc, changed.version, changed.by)
  const event = docChanged(doc, next.version, next.by, next.dueAt)
  for (const endpoint of wanting) {
    const row = opened ? undefined : held.find((h) => h.endpointId === endpoint.id)
    const body = formatBody(event, endpoint.format, context)
    // An endpoint without a held row in a window that is still open: added since it opened.
    if (row !== undefined) rewrites.push({ id: row.id, body })
    else deliveries.push({ id: newMessageId(), endpointId: endpoint.id, doc, type: 'doc.changed', body, nextAttemptAt: next.dueAt, eventAt: next.dueAt })
  }
  return { deliveries, rewrites, window: next }
}
