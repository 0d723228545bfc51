// Tokens of an identity provider (CONTRACT §1 AUTH_JWKS_*, §2 v2): a local HTTP server plays the
// provider's JWKS endpoint; RS256 and ES256 tokens with the right iss and aud are accepted on REST
// and both live transports; everything else, including the alg-confusion and alg:none tricks, is not.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createPublicKey } from 'node:crypto'
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose'
import { suite } from './helpers/suite.js'
import * as assert from 'uvu/assert'
import { connectIo, joinIo, rawWs } from './helpers/clients.js'
import { http as request } from './helpers/http.js'
import { freePort } from './helpers/redis.js'
import { startServer, token as ownToken, type TestServer } from './helpers/server.js'
import { nextEvent } from './helpers/wait.js'

interface Key {
  kid: string
  alg: 'RS256' | 'ES256'
  privateKey: CryptoKey
  publicKey: CryptoKey
}

interface Ctx {
  idp?: http.Server
  srv?: TestServer
  keys: Key[]
  /** what the JWKS endpoint was asked, for the "fetched, not guessed" check */
  fetches: number
  closers: Array<() => void>
}

const ISSUER = 'https://idp.example.test/realms/skillmap'
const AUDIENCE = 'skillmap'

const Jwks = suite<Ctx>('jwks', { keys: [], fetches: 0, closers: [] })

Jwks.before(async (ctx) => {
  for (const alg of ['RS256', 'ES256'] as const) {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
    ctx.keys.push({ kid: `${alg.toLowerCase()}-1`, alg, privateKey, publicKey })
  }
  const jwks = { keys: await Promise.all(ctx.keys.map(async (k) => ({ ...(await exportJWK(k.publicKey)), kid: k.kid, alg: k.alg, use: 'sig' }))) }
  ctx.idp = http.createServer((req, res) => {
    if (req.url !== '/protocol/openid-connect/certs') {
      res.writeHead(404).end()
      return
    }
    ctx.fetches++
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks))
  })
  await new Promise<void>((resolve) => ctx.idp!.listen(0, '127.0.0.1', resolve))
  const { port } = ctx.idp.address() as AddressInfo
  ctx.srv = await startServer({
    AUTH_JWKS_URL: `http://127.0.0.1:${port}/protocol/openid-connect/certs`,
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
  })
})
Jwks.after.each((ctx) => {
  ctx.closers.splice(0).forEach((close) => close())
})
Jwks.after(async (ctx) => {
  await ctx.srv?.close()
  await new Promise((resolve) => ctx.idp?.close(resolve))
})

const CLAIMS = { name: 'Ida Provider', role: 'editor', doc: '*' }

/** A token as the provider would sign it; `claims` and `options` change what the test needs. */
function idpToken(key: Key, claims: JWTPayload = CLAIMS, { iss = ISSUER, aud = AUDIENCE, exp = '1h' as string | null, kid = key.kid } = {}): Promise<string> {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid, typ: 'JWT' }).setSubject('ida').setIssuedAt().setIssuer(iss).setAudience(aud).setJti(`idp-${Math.random()}`)
  if (exp !== null) jwt.setExpirationTime(exp)
  return jwt.sign(key.privateKey)
}

const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url')

async function refusedEverywhere(srv: TestServer, token: string, message?: string): Promise<void> {
  const res = await request(srv.url, 'GET', '/api/docs', { token })
  assert.is(res.status, 401, `REST ${res.text}`)
  if (message !== undefined) assert.is(res.json.message, message)
  const raw = rawWs(srv.wsUrl, 'idp-doc', token)
  assert.is((await raw.closed).code, 4401)
  const socket = connectIo(srv.url, token)
  const [err] = await nextEvent<[Error]>(socket, 'connect_error')
  socket.close()
  assert.is(err.message, 'unauthorized')
}

Jwks('RS256 and ES256 tokens of the provider work on REST and both live transports, with their claims', async (ctx) => {
  const srv = ctx.srv!
  for (const key of ctx.keys) {
    const token = await idpToken(key)
    const res = await request(srv.url, 'GET', '/api/docs', { token })
    assert.is(res.status, 200, `${key.alg}: ${res.text}`)

    const raw = rawWs(srv.wsUrl, 'idp-doc', token)
    ctx.closers.push(() => raw.ws.close())
    await raw.firstMessage()
    // sync step 1 (type 0), not a refusal (type 2)
    assert.is(raw.messages[0]![0], 0, key.alg)

    const socket = connectIo(srv.url, token)
    ctx.closers.push(() => socket.close())
    const joined = await joinIo(socket, 'idp-doc')
    assert.equal(joined.ack, { ok: true, role: 'editor' })
  }
  // and a ticket for the browser app, from a provider's token
  const ticket = await request(srv.url, 'POST', '/api/tokens/ticket', { token: await idpToken(ctx.keys[0]!) })
  assert.is(ticket.status, 200)
  assert.ok(ctx.fetches >= 1)
})

Jwks('wrong aud, wrong iss, no exp, missing role or doc, unknown key: refused', async (ctx) => {
  const srv = ctx.srv!
  const [rsa, ec] = ctx.keys
  await refusedEverywhere(srv, await idpToken(rsa!, CLAIMS, { aud: 'another-app' }), 'token has the wrong aud')
  await refusedEverywhere(srv, await idpToken(ec!, CLAIMS, { iss: 'https://evil.example.test' }), 'token has the wrong iss')
  await refusedEverywhere(srv, await idpToken(rsa!, CLAIMS, { exp: null }), 'token has no exp')
  await refusedEverywhere(srv, await idpToken(rsa!, { name: 'No role', doc: '*' }), 'token has no valid role')
  await refusedEverywhere(srv, await idpToken(ec!, { name: 'No doc', role: 'admin' }), 'token has no doc')
  // a key the provider never published
  const { privateKey, publicKey } = await generateKeyPair('RS256')
  await refusedEverywhere(srv, await idpToken({ kid: 'rs256-1', alg: 'RS256', privateKey, publicKey }), 'invalid token')
  // an ES256 key claiming to be the RSA key's kid
  await refusedEverywhere(srv, await idpToken(ec!, CLAIMS, { kid: 'rs256-1' }), 'invalid token')
})

Jwks('the HS256-with-the-public-key confusion token and alg:none are refused', async (ctx) => {
  const srv = ctx.srv!
  const rsa = ctx.keys[0]!
  // The classic forgery: HS256, keyed with the provider's public key (which anyone can fetch).
  const pem = await exportSPKI(rsa.publicKey)
  for (const secret of [pem, createPublicKey(pem).export({ format: 'der', type: 'spki' })]) {
    const confused = await new SignJWT(CLAIMS)
      .setProtectedHeader({ alg: 'HS256', kid: rsa.kid })
      .setSubject('mallory')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(typeof secret === 'string' ? new TextEncoder().encode(secret) : new Uint8Array(secret))
    await refusedEverywhere(srv, confused, 'invalid token')
  }
  const now = Math.floor(Date.now() / 1000)
  const payload = b64({ ...CLAIMS, sub: 'mallory', iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 3600 })
  for (const alg of ['none', 'None', 'NONE']) {
    await refusedEverywhere(srv, `${b64({ alg, typ: 'JWT' })}.${payload}.`, 'invalid token')
  }
})

Jwks('an unreachable provider: REST 503 and close 4500, at once rather than hanging; our own tokens still work', async () => {
  const port = await freePort()
  const srv = await startServer({ AUTH_JWKS_URL: `http://127.0.0.1:${port}/certs`, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE })
  try {
    const { privateKey, publicKey } = await generateKeyPair('ES256')
    const token = await idpToken({ kid: 'k', alg: 'ES256', privateKey, publicKey })
    const res = await request(srv.url, 'GET', '/api/docs', { token })
    assert.is(res.status, 503)
    assert.is(res.json.code, 'unavailable')
    assert.is((await rawWs(srv.wsUrl, 'idp-doc', token).closed).code, 4500)
    const socket = connectIo(srv.url, token)
    const [err] = await nextEvent<[Error]>(socket, 'connect_error')
    socket.close()
    assert.is(err.message, 'unavailable')
    assert.is(res.json.message, 'the identity provider could not be reached')
    assert.is((await request(srv.url, 'GET', '/api/docs', { token: await ownToken('viewer') })).status, 200)
  } finally {
    await srv.close()
  }
})

Jwks.run()
