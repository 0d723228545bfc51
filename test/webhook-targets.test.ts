// Where webhooks may go (CONTRACT §6c): http(s) to public addresses only, checked at registration
// and again at connect time (DNS rebinding). Literal IPs, localhost and injected resolvers: no
// external network.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { checkTarget, checkUrl, classifyAddress, guardedLookup, TargetError, type Resolver } from '../server/webhooks/targets.js'

const strict = { allowPrivate: false }
const lenient = { allowPrivate: true }
/** A resolver that knows a few names and nothing else. */
const fixed =
  (table: Record<string, string[]>): Resolver =>
  async (hostname) => {
    const addresses = table[hostname]
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' })
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
  }

async function refusedWith(url: string, policy: Parameters<typeof checkTarget>[1], pattern: RegExp): Promise<void> {
  try {
    await checkTarget(url, policy)
  } catch (err) {
    assert.instance(err, TargetError, url)
    assert.match((err as Error).message, pattern, url)
    return
  }
  assert.unreachable(`${url} was accepted`)
}

test('addresses by class: public ones pass, every kind of internal one is named', () => {
  const cases: Array<[string, ReturnType<typeof classifyAddress>]> = [
    ['93.184.215.14', null],
    ['8.8.8.8', null],
    ['2606:4700:4700::1111', null],
    ['172.32.0.1', null], // just past 172.16/12
    ['100.128.0.1', null], // just past CGNAT
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['100.127.255.255', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['169.254.169.254', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['100.100.100.200', 'metadata'],
  ]
  for (const [address, expected] of cases) assert.is(classifyAddress(address), expected, address)
})

test('IPv4 inside IPv6 is judged as the IPv4 address: mapped, translated, NAT64 and 6to4 forms', () => {
  assert.is(classifyAddress('::ffff:127.0.0.1'), 'loopback')
  assert.is(classifyAddress('::ffff:7f00:1'), 'loopback')
  assert.is(classifyAddress('0:0:0:0:0:ffff:a00:1'), 'private')
  assert.is(classifyAddress('::ffff:169.254.169.254'), 'metadata')
  assert.is(classifyAddress('64:ff9b::7f00:1'), 'loopback')
  assert.is(classifyAddress('64:ff9b::10.0.0.1'), 'private')
  assert.is(classifyAddress('2002:c0a8:101::1'), 'private') // 6to4 of 192.168.1.1
  assert.is(classifyAddress('::ffff:0:7f00:1'), 'loopback') // SIIT's IPv4-translated form
  assert.is(classifyAddress('::ffff:0:a9fe:a9fe'), 'metadata')
  assert.is(classifyAddress('::ffff:8.8.8.8'), null)
  assert.is(classifyAddress('64:ff9b::808:808'), null)
  assert.is(classifyAddress('2002:808:808::1'), null)
  assert.is(classifyAddress('::ffff:0:808:808'), null)
})

test('only http and https URLs; anything else is a clear 400-style error', async () => {
  await refusedWith('ftp://example.com/hook', strict, /must be http or https, got ftp/)
  await refusedWith('file:///etc/passwd', strict, /must be http or https, got file/)
  await refusedWith('javascript:alert(1)', strict, /must be http or https/)
  await refusedWith('not a url', strict, /not a URL/)
  await refusedWith('', strict, /not a URL/)
})

test('literal IPs: loopback, private, link-local and metadata refused, in every spelling', async () => {
  await refusedWith('http://127.0.0.1:8080/hook', strict, /127\.0\.0\.1 is a loopback address.*WEBHOOK_ALLOW_PRIVATE/)
  await refusedWith('http://[::1]/hook', strict, /::1 is a loopback address/)
  await refusedWith('http://[::ffff:127.0.0.1]/hook', strict, /loopback/)
  // what browsers and curl also read as 127.0.0.1
  await refusedWith('http://2130706433/', strict, /127\.0\.0\.1 is a loopback/)
  await refusedWith('http://0x7f.1/', strict, /127\.0\.0\.1 is a loopback/)
  await refusedWith('http://10.0.0.5/', strict, /private/)
  await refusedWith('https://192.168.0.10/', strict, /private/)
  await refusedWith('http://100.64.1.1/', strict, /private/)
  await refusedWith('http://[fd00::5]/', strict, /private/)
  await refusedWith('http://[fe80::1]/', strict, /link-local/)
  await refusedWith('http://0.0.0.0:3000/', strict, /0\.0\.0\.0 is an unspecified address/)
  await refusedWith('http://169.254.169.254/latest/meta-data/', strict, /cloud metadata address/)
  await refusedWith('http://[fd00:ec2::254]/', strict, /cloud metadata address/)
  assert.is((await checkTarget('http://93.184.215.14/hook', strict)).href, 'http://93.184.215.14/hook')
})

test('host names: every address they resolve to is checked, localhost included', async () => {
  await refusedWith('http://localhost:3000/hook', strict, /localhost resolves to (127\.0\.0\.1|::1), a loopback address/)
  const resolve = fixed({ 'hooks.example.com': ['93.184.215.14', '2606:2800::1'], 'split.example.com': ['93.184.215.14', '10.0.0.7'] })
  assert.is((await checkTarget('https://hooks.example.com/in', { allowPrivate: false, resolve })).host, 'hooks.example.com')
  // one internal address among public ones is enough: the client may connect to any of them
  await refusedWith('https://split.example.com/in', { allowPrivate: false, resolve }, /split\.example\.com resolves to 10\.0\.0\.7, a private address/)
  await refusedWith('https://nowhere.example.com/in', { allowPrivate: false, resolve }, /cannot resolve nowhere\.example\.com \(ENOTFOUND\)/)
  await refusedWith('https://empty.example.com/', { allowPrivate: false, resolve: async () => [] }, /has no address/)
})

test('metadata host names are refused by name, even when private addresses are allowed', async () => {
  await refusedWith('http://metadata.google.internal/computeMetadata/v1/', lenient, /cloud metadata service/)
  await refusedWith('http://metadata.google.internal./computeMetadata/v1/', lenient, /cloud metadata service/)
  await refusedWith('http://169.254.169.254/', lenient, /cloud metadata address/)
  const resolve = fixed({ 'sneaky.example.com': ['169.254.169.254'] })
  await refusedWith('http://sneaky.example.com/', { allowPrivate: true, resolve }, /resolves to 169\.254\.169\.254, a cloud metadata address/)
})

test('allowPrivate lets loopback, private and link-local through (tests, single-host setups)', async () => {
  assert.is((await checkTarget('http://127.0.0.1:9/hook', lenient)).port, '9')
  assert.is((await checkTarget('http://localhost:9/hook', lenient)).hostname, 'localhost')
  assert.ok(await checkTarget('http://10.0.0.5/', lenient))
  assert.ok(await checkTarget('http://[fe80::1]/', lenient))
  assert.ok(checkUrl('http://192.168.1.1/', lenient))
})

// The connect-time guard: a real node:http request through guardedLookup to a real local server.
async function withServer(run: (port: number, hits: () => number) => Promise<void>): Promise<void> {
  let hits = 0
  const server: Server = createServer((_req, res) => {
    hits++
    res.end('ok')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    await run((server.address() as AddressInfo).port, () => hits)
  } finally {
    await new Promise((resolve) => server.close(resolve))
  }
}

function get(url: string, lookup: ReturnType<typeof guardedLookup>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { lookup, agent: false, signal: AbortSignal.timeout(5000) }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.end()
  })
}

test('a name that passed the check and resolves to loopback at connect time (DNS rebinding) is refused', async () => {
  await withServer(async (port, hits) => {
    // first answer public (the registration check), every later one 127.0.0.1 (the attacker's TTL-0 flip)
    let calls = 0
    const resolve: Resolver = async () => [{ address: calls++ === 0 ? '93.184.215.14' : '127.0.0.1', family: 4 }]
    const policy = { allowPrivate: false, resolve }
    await checkTarget(`http://rebind.example.com:${port}/`, policy)
    try {
      await get(`http://rebind.example.com:${port}/`, guardedLookup(policy))
      assert.unreachable('the request went through')
    } catch (err) {
      assert.instance(err, TargetError)
      assert.match((err as Error).message, /rebind\.example\.com resolves to 127\.0\.0\.1, a loopback address/)
    }
    assert.is(hits(), 0, 'nothing reached the receiver')
  })
})

test('the guarded lookup connects where the check allows: a real request to localhost with allowPrivate', async () => {
  await withServer(async (port, hits) => {
    assert.is(await get(`http://localhost:${port}/`, guardedLookup(lenient)), 200)
    const resolve = fixed({ 'receiver.test': ['127.0.0.1'] })
    assert.is(await get(`http://receiver.test:${port}/`, guardedLookup({ allowPrivate: true, resolve })), 200)
    assert.is(hits(), 2)
  })
})

test('the guarded lookup answers both forms net asks for (one address, or all with autoSelectFamily)', async () => {
  const lookup = guardedLookup({ allowPrivate: true, resolve: fixed({ dual: ['::1', '127.0.0.1'] }) })
  const one = await new Promise<[string, number]>((resolve, reject) =>
    lookup('dual', { family: 4 }, (err, address, family) => (err ? reject(err) : resolve([address as string, family ?? 0]))),
  )
  assert.equal(one, ['127.0.0.1', 4])
  const all = await new Promise<unknown>((resolve, reject) =>
    lookup('dual', { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
  )
  assert.equal(all, [
    { address: '::1', family: 6 },
    { address: '127.0.0.1', family: 4 },
  ])
  const none = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
    guardedLookup({ allowPrivate: true, resolve: fixed({ v6only: ['::1'] }) })('v6only', { family: 4 }, (err) => resolve(err)),
  )
  assert.is(none?.code, 'ENOTFOUND')
})

test.run()
