// Where webhooks may go (CONTRACT §6c): http(s) URLs whose host resolves only to public addresses,
// unless private ones are allowed (WEBHOOK_ALLOW_PRIVATE, for tests and single-host setups). Checked
// twice: when an endpoint is registered (a 400 naming the address), and at every connection through
// guardedLookup, so a name that resolved to a public address then and to 127.0.0.1 now (DNS
// rebinding) is refused too. Redirects are never followed by the sender, so they cannot bypass this.
import { lookup as dnsLookup } from 'node:dns/promises'
import { BlockList, isIP, type LookupFunction } from 'node:net'

export type Refusal = 'loopback' | 'private' | 'link-local' | 'unspecified' | 'multicast' | 'reserved' | 'metadata'

export interface ResolvedAddress {
  address: string
  family: number
}

/** Every address of a host name, as dns.lookup with `all: true` gives them. Injected in tests. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>

export interface TargetPolicy {
  /** let webhooks reach loopback, private and link-local addresses; cloud metadata stays refused */
  allowPrivate: boolean
  resolve?: Resolver
}

export class TargetError extends Error {
  readonly code = 'bad-webhook-url'
  constructor(message: string) {
    super(message)
    this.name = 'TargetError'
  }
}

const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true })

/** Names of the metadata services that answer on link-local addresses inside clouds (GCP's also resolves there). */
const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata.goog', 'metadata'])

type Range = [address: string, prefix: number]

// Each class is its own list, so a refusal can say what kind of address it hit. Metadata comes
// first: its addresses also fall in link-local or private ranges, and it is refused even when
// private addresses are allowed (no webhook has a reason to post to the instance's credentials).
const RANGES: ReadonlyArray<[Refusal, ReadonlyArray<Range>, ReadonlyArray<Range>]> = [
  [
    'metadata',
    // AWS, Azure, GCP, OpenStack, DigitalOcean; Alibaba; Oracle
    [['169.254.169.254', 32], ['100.100.100.200', 32], ['192.0.0.192', 32]],
    // AWS over IPv6
    [['fd00:ec2::254', 128]],
  ],
  ['unspecified', [['0.0.0.0', 8]], [['::', 128]]], // 0.x.x.x reaches this host on Linux
  ['loopback', [['127.0.0.0', 8]], [['::1', 128]]],
  [
    'private',
    [['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16], ['100.64.0.0', 10], ['198.18.0.0', 15]], // RFC 1918, CGNAT, benchmarking
    [['fc00::', 7], ['fec0::', 10], ['64:ff9b:1::', 48]], // unique local, old site-local, local-use NAT64
  ],
  ['link-local', [['169.254.0.0', 16]], [['fe80::', 10]]],
  ['multicast', [['224.0.0.0', 4]], [['ff00::', 8]]],
  [
    'reserved',
    [['192.0.0.0', 24], ['192.0.2.0', 24], ['198.51.100.0', 24], ['203.0.113.0', 24], ['240.0.0.0', 4]], // IETF, documentation, future use and broadcast
    [['::', 96], ['100::', 64], ['2001:db8::', 32]], // IPv4-compatible (deprecated), discard-only, documentation
  ],
]

/** The 32 bits of an IPv4 address as two IPv6 groups: 127.0.0.1 → 7f00:1. */
function ipv4Groups(address: string): string {
  const [a = 0, b = 0, c = 0, d = 0] = address.split('.').map(Number)
  return `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
}

// IPv6 addresses that carry an IPv4 address a translator or relay would deliver to: NAT64
// (64:ff9b::/96), IPv4-translated (SIIT, ::ffff:0:0:0/96) and 6to4 (2002::/16). Each IPv4 range is
// also listed in these forms, so 64:ff9b::7f00:1 is loopback like 127.0.0.1. IPv4-mapped addresses (::ffff:127.0.0.1) need
// nothing: BlockList checks them as the IPv4 address they map.
const LISTS: ReadonlyArray<[Refusal, BlockList]> = RANGES.map(([refusal, v4, v6]) => {
  const list = new BlockList()
  for (const [address, prefix] of v4) {
    list.addSubnet(address, prefix, 'ipv4')
    list.addSubnet(`64:ff9b::${ipv4Groups(address)}`, 96 + prefix, 'ipv6')
    list.addSubnet(`::ffff:0:${ipv4Groups(address)}`, 96 + prefix, 'ipv6')
    list.addSubnet(`2002:${ipv4Groups(address)}::`, 16 + prefix, 'ipv6')
  }
  for (const [address, prefix] of v6) list.addSubnet(address, prefix, 'ipv6')
  return [refusal, list]
})

/** Why an IP address is refused as a webhook target, or null when it is a public (unicast) address. */
export function classifyAddress(address: string): Refusal | null {
  const family = isIP(address)
  if (family === 0) throw new TypeError(`not an IP address: ${JSON.stringify(address)}`)
  const type = family === 4 ? 'ipv4' : 'ipv6'
  for (const [refusal, list] of LISTS) if (list.check(address, type)) return refusal
  return null
}

function refused(address: string, allowPrivate: boolean): Refusal | null {
  const refusal = classifyAddress(address)
  return refusal === null || (allowPrivate && refusal !== 'metadata') ? null : refusal
}

function refusalMessage(host: string, address: string, refusal: Refusal, allowPrivate: boolean): string {
  const what = refusal === 'metadata' ? 'a cloud metadata address' : `${refusal === 'unspecified' ? 'an' : 'a'} ${refusal} address`
  const subject = host === address ? `${address} is` : `${host} resolves to ${address},`
  const hint = allowPrivate || refusal === 'metadata' ? '' : ' (WEBHOOK_ALLOW_PRIVATE=true allows private ones)'
  return `webhook url: ${subject} ${what}; webhooks only go to public addresses${hint}`
}

/** `[::1]` → `::1`: URL keeps the brackets of an IPv6 host. */
function bareHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1')
}

/**
 * The checks that need no DNS: an http(s) URL, no metadata host name, and a literal IP host that
 * is allowed. The sender runs these before every attempt (a literal IP never goes through lookup).
 */
export function checkUrl(raw: string, policy: TargetPolicy): URL {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new TargetError(`webhook url: not a URL: ${JSON.stringify(raw.slice(0, 200))}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TargetError(`webhook url: must be http or https, got ${url.protocol.replace(/:$/, '')}`)
  }
  // WHATWG URL parsing already turned 0x7f.1, 2130706433 and friends into 127.0.0.1.
  const host = bareHost(url)
  if (METADATA_HOSTS.has(host.replace(/\.$/, ''))) {
    throw new TargetError(`webhook url: ${host} is a cloud metadata service; webhooks only go to public addresses`)
  }
  if (isIP(host) !== 0) {
    const refusal = refused(host, policy.allowPrivate)
    if (refusal) throw new TargetError(refusalMessage(host, host, refusal, policy.allowPrivate))
  }
  return url
}

async function resolveAllowed(host: string, policy: TargetPolicy): Promise<ResolvedAddress[]> {
  let addresses: ResolvedAddress[]
  try {
    addresses = await (policy.resolve ?? systemResolver)(host)
  } catch (err) {
    throw new TargetError(`webhook url: cannot resolve ${host} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`)
  }
  if (addresses.length === 0) throw new TargetError(`webhook url: ${host} has no address`)
  // All of them, not the first: a client may connect to any, and an attacker picks the order.
  for (const { address } of addresses) {
    const refusal = refused(address, policy.allowPrivate)
    if (refusal) throw new TargetError(refusalMessage(host, address, refusal, policy.allowPrivate))
  }
  return addresses
}

/** The registration check: checkUrl, then every address the host resolves to. Throws TargetError. */
export async function checkTarget(raw: string, policy: TargetPolicy): Promise<URL> {
  const url = checkUrl(raw, policy)
  const host = bareHost(url)
  if (isIP(host) === 0) await resolveAllowed(host, policy)
  return url
}

/**
 * A `lookup` for net/http/https connections that resolves like dns.lookup and refuses the
 * connection when any address is not allowed, so what is checked is what is connected to.
 */
export function guardedLookup(policy: TargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    resolveAllowed(hostname, policy).then(
      (all) => {
        const wanted = options.family === 4 || options.family === 6 ? all.filter((a) => a.family === options.family) : all
        const first = wanted[0]
        if (!first) {
          const err: NodeJS.ErrnoException = new Error(`webhook url: ${hostname} has no IPv${options.family} address`)
          err.code = 'ENOTFOUND'
          callback(err, '', 0)
        } else if (options.all) {
          // net's types describe the single-address form only; with `all` it wants the list.
          ;(callback as unknown as (err: null, addresses: ResolvedAddress[]) => void)(null, wanted)
        } else {
          callback(null, first.address, first.family)
        }
      },
      (err: Error) => callback(err, '', 0),
    )
  }
}
