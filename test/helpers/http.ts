// A small REST client over fetch for the API suites: bearer tokens, JSON bodies, every reply read whole.
import * as assert from 'uvu/assert'

export interface HttpReply {
  status: number
  headers: Headers
  /** parsed JSON when the reply is JSON, else undefined */
  json: any
  text: string
  bytes: Uint8Array
}

export interface HttpOptions {
  token?: string | undefined
  /** sent as JSON unless it is a string (sent as is, with a JSON content type) */
  body?: unknown
  headers?: Record<string, string>
}

export async function http(base: string, method: string, path: string, { token, body, headers = {} }: HttpOptions = {}): Promise<HttpReply> {
  const h: Record<string, string> = { ...headers }
  if (token !== undefined) h.authorization = `Bearer ${token}`
  if (body !== undefined) h['content-type'] ??= 'application/json'
  const res = await fetch(`${base}${path}`, {
    method,
    headers: h,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  })
  const bytes = new Uint8Array(await res.arrayBuffer())
  const text = new TextDecoder().decode(bytes)
  const json = /json/.test(res.headers.get('content-type') ?? '') && text !== '' ? JSON.parse(text) : undefined
  return { status: res.status, headers: res.headers, json, text, bytes }
}

/** Fastify's error shape, exactly these four fields (CONTRACT §6). */
export function assertError(reply: HttpReply, status: number, code: string, what = ''): void {
  assert.is(reply.status, status, `${what}: status ${reply.status} ${reply.text}`)
  assert.equal(Object.keys(reply.json ?? {}).sort(), ['code', 'error', 'message', 'statusCode'], `${what}: error shape ${reply.text}`)
  assert.is(reply.json.statusCode, status, what)
  assert.is(reply.json.code, code, what)
  assert.type(reply.json.message, 'string')
}

/** The value of one unlabelled (or exactly labelled) sample in Prometheus text. */
export function metricValue(text: string, sample: string): number | undefined {
  const escaped = sample.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const match = new RegExp(`^${escaped} (\\S+)$`, 'm').exec(text)
  return match === null ? undefined : Number(match[1])
}
