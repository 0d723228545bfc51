// The abuse scenario's attacker (CONTRACT §9 v2): one connection at a time to its own document,
// sending an update bomb as soon as it is synced and reconnecting as soon as the server closes it,
// for as long as the step lasts. Half of its bombs are yjs#687's 7-byte one, the one that stalls an
// unchecked server; the others rotate through every other kind of lying header.
import { BOMBS } from '../test/helpers/updates.js'
import { BenchClient } from './clients.js'
import { sleep } from './proc.js'
import type { AttackStats, Endpoint } from './types.js'

const CONNECT_TIMEOUT_MS = 10_000
/** a bomb the server has not answered by closing within this long counts as not closed */
const CLOSE_TIMEOUT_MS = 5_000
/** after a failed connect: do not spin on a server that refuses everything */
const RETRY_MS = 20

export interface Attacker {
  stop(): Promise<AttackStats>
}

const bombFor = (i: number): Uint8Array => (i % 2 === 0 ? BOMBS[0]! : BOMBS[1 + ((i >> 1) % (BOMBS.length - 1))]!).update

export function startAttacker(endpoint: Endpoint, docId: string): Attacker {
  const stats: AttackStats = { bombs: 0, closed: 0, failedConnects: 0 }
  let stopped = false
  let wake: () => void = () => {}

  const one = async (i: number): Promise<void> => {
    let lost: () => void = () => {}
    const closed = new Promise<boolean>((resolve) => (lost = () => resolve(true)))
    const client = new BenchClient({ docId, endpoint, events: { onLost: () => lost() }, name: 'attacker' })
    try {
      await client.connect(CONNECT_TIMEOUT_MS)
    } catch {
      stats.failedConnects++
      await sleep(RETRY_MS)
      return
    }
    client.sendUpdate(bombFor(i))
    stats.bombs++
    let timer: NodeJS.Timeout | undefined
    const answered = await Promise.race([
      closed,
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), CLOSE_TIMEOUT_MS)
        wake = () => resolve(false)
      }),
    ])
    clearTimeout(timer)
    if (answered) stats.closed++
    client.close()
  }

  const done = (async () => {
    for (let i = 0; !stopped; i++) await one(i)
  })()
  return {
    stop: async () => {
      stopped = true
      wake()
      await done
      return stats
    },
  }
}
