// Webhook vocabulary shared by the server (routes, derivation, formats) and the admin's
// Integrations dialog in the browser: the event types and the body formats (CONTRACT §6c).

export const EVENT_TYPES = [
  'responsibility.risk_changed',
  'skill.status_changed',
  'person.deactivated',
  'doc.created',
  'doc.deleted',
  'doc.restored',
  'doc.changed',
] as const

export type EventType = (typeof EVENT_TYPES)[number]

export const FORMATS = ['standard', 'slack'] as const
export type Format = (typeof FORMATS)[number]
