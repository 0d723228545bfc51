// Where the browser is: `#/d/<docId>?token=…` opens a map, anything else is the start page.
// The token lives in the fragment, which browsers never send to a server, so it stays out of
// request lines and access logs; only the WebSocket URL carries it (the server redacts it).
import { isDocId } from '../shared/protocol.js'

export type Route =
  | { kind: 'map'; docId: string; token: string | null }
  | { kind: 'start'; token: string | null; error?: string }

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?', 2)
  const token = new URLSearchParams(query).get('token')
  const match = /^\/d\/([^/]+)\/?$/.exec(path)
  if (!match) return { kind: 'start', token }
  let docId: string
  try {
    docId = decodeURIComponent(match[1]!)
  } catch {
    return { kind: 'start', token, error: 'That link is broken: the map id cannot be read.' }
  }
  if (!isDocId(docId)) return { kind: 'start', token, error: `"${docId}" is not a valid map id.` }
  return { kind: 'map', docId, token }
}

export function mapHref(docId: string, token: string | null): string {
  return `#/d/${encodeURIComponent(docId)}${token ? `?token=${encodeURIComponent(token)}` : ''}`
}

export function startHref(token: string | null): string {
  return `#/${token ? `?token=${encodeURIComponent(token)}` : ''}`
}
