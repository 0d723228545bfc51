// Standard Webhooks signing (CONTRACT §6c): what we sign, the reference library verifies; what is
// tampered with on the way, it refuses.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Webhook, WebhookVerificationError } from 'standardwebhooks'
import { generateSecret, newMessageId, SecretError, secretKey, signature, signedHeaders } from '../server/webhooks/sign.js'

const body = JSON.stringify({ type: 'doc.changed', timestamp: '2026-12-01T10:00:00.000Z', data: { doc: 'team-a', version: 7, by: ['ana'] } })

test('a secret is whsec_ and base64 of 32 random bytes, a new one each time', () => {
  const a = generateSecret()
  const b = generateSecret()
  assert.match(a, /^whsec_[A-Za-z0-9+/]{43}=$/)
  assert.is(secretKey(a).length, 32)
  assert.is.not(a, b)
})

test('signed headers verify with the reference library, which hands back the payload', () => {
  const secret = generateSecret()
  const headers = signedHeaders(secret, newMessageId(), body)
  assert.equal(new Webhook(secret).verify(body, { ...headers }), JSON.parse(body))
  assert.is(headers['content-type'], 'application/json')
  assert.match(headers['webhook-id'], /^msg_[A-Za-z0-9_-]{22}$/)
  assert.match(headers['webhook-timestamp'], /^\d{10}$/)
})

test('the signature is the reference algorithm over "<id>.<timestamp>.<body>" keyed by the secret bytes', () => {
  const secret = generateSecret()
  const at = new Date('2026-12-01T10:00:00Z')
  const ours = signature(secret, 'msg_1', at.getTime() / 1000, body)
  assert.is(ours, new Webhook(secret).sign('msg_1', at, body))
  // non-ASCII bodies are signed as their UTF-8 bytes, as receivers read them off the wire
  const accented = JSON.stringify({ title: 'Chloé’s map ✓' })
  assert.is(signature(secret, 'msg_1', 1_700_000_000, accented), new Webhook(secret).sign('msg_1', new Date(1_700_000_000_000), accented))
})

test('a tampered body, timestamp or id, or another secret, fails verification', () => {
  const secret = generateSecret()
  const headers = signedHeaders(secret, 'msg_abc', body)
  const webhook = new Webhook(secret)
  const refused = (payload: string, h: Record<string, string>) =>
    assert.throws(() => webhook.verify(payload, h), (err: unknown) => err instanceof WebhookVerificationError)
  refused(body.replace('"version":7', '"version":8'), { ...headers })
  refused(body, { ...headers, 'webhook-timestamp': String(Number(headers['webhook-timestamp']) - 1) })
  refused(body, { ...headers, 'webhook-id': 'msg_abd' })
  assert.throws(() => new Webhook(generateSecret()).verify(body, { ...headers }), (err: unknown) => err instanceof WebhookVerificationError)
})

test('a retry signed hours later carries the same id and a fresh timestamp that still verifies', () => {
  const secret = generateSecret()
  const first = signedHeaders(secret, 'msg_same', body, Date.now() - 5 * 3_600_000)
  const retry = signedHeaders(secret, 'msg_same', body)
  assert.is(retry['webhook-id'], first['webhook-id'])
  assert.is(Number(retry['webhook-timestamp']) - Number(first['webhook-timestamp']), 5 * 3600)
  // receivers refuse old timestamps (replays); that is why each attempt is signed when it is sent
  assert.throws(() => new Webhook(secret).verify(body, { ...first }), /too old/)
  assert.equal(new Webhook(secret).verify(body, { ...retry }), JSON.parse(body))
})

test('secrets that are not whsec_ + base64 of 24 to 64 bytes are refused with a clear error', () => {
  const short = `whsec_${Buffer.alloc(16).toString('base64')}`
  for (const [bad, message] of [
    ['plain', /starts with whsec_/],
    ['whsec_', /base64/],
    ['whsec_not base64!', /base64/],
    ['whsec_abc', /base64/],
    [short, /24 to 64 bytes, this one 16/],
  ] as const) {
    assert.throws(() => secretKey(bad), (err: unknown) => err instanceof SecretError && message.test((err as Error).message), bad)
  }
  assert.throws(() => signedHeaders('plain', 'msg_1', body), (err: unknown) => err instanceof SecretError)
})

test.run()
