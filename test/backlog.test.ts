// A client that stops reading is dropped once what waits for it passes the send buffer limit
// (at least 8 MB), on both transports and on Socket.IO's long-polling, while the others on the document keep receiving: the
// server never holds an unbounded backlog for one bad connection (CONTRACT §3d).
import type { Socket as NetSocket } from 'node:net'
import { suite } from './helpers/suite.js'
import { connectIo, connectYws, joinIo, rawWs, valueIn } from './helpers/clients.js'
import { startServer, token } from './helpers/server.js'
import { until } from './helpers/wait.js'

const MB = 1024 * 1024
/** 40 updates of 900 KB: 36 MB for each reader, well past the limit and the kernel's buffers. */
const UPDATES = 40
const UPDATE_BYTES = 900 * 1024

const Backlog = suite('backlog')

/**
 * A Socket.IO client on HTTP long-polling that joins `docId` and then never polls again: whatever
 * the server sends it waits in engine.io's write buffer.
 */
async function stalledPolling(url: string, docId: string, token: string): Promise<void> {
  const base = `${url}/socket.io/?EIO=4&transport=polling`
  const open = await (await fetch(base)).text()
  const { sid } = JSON.parse(open.slice(1)) as { sid: string }
  const at = `${base}&sid=${sid}`
  const post = async (body: string): Promise<void> => {
    const res = await fetch(at, { method: 'POST', body })
    if (!res.ok) throw new Error(`polling POST: ${res.status}`)
  }
  await post(`40${JSON.stringify({ token })}`)
  // the namespace's connect acknowledgement, the last thing this client ever reads
  const connected = await (await fetch(at)).text()
  if (!connected.startsWith('40')) throw new Error(`polling connect: ${connected}`)
  await post(`42${JSON.stringify(['doc:join', docId])}`)
}

Backlog('a client that stops reading is dropped; the others keep receiving', async () => {
  // MAX_DOC_BYTES of 2 MB makes the limit its floor, 8 MB.
  const srv = await startServer({ MAX_MESSAGE_BYTES: String(MB), MAX_DOC_BYTES: String(2 * MB) })
  const t = await token('editor', 'slow', 'Slow', 'slow')
  const writer = connectYws(srv.wsUrl, 'slow', t)
  const reader = connectYws(srv.wsUrl, 'slow', t)
  const stalledYws = rawWs(srv.wsUrl, 'slow', t)
  const stalledIo = connectIo(srv.url, t)
  try {
    await Promise.all([writer.synced(), reader.synced(), stalledYws.opened, joinIo(stalledIo, 'slow'), stalledPolling(srv.url, 'slow', t)])
    const room = srv.server.rooms.get('slow')!
    await until(() => room.peers.size === 5, { what: 'five peers in the room' })

    // Both stop reading: first the kernel's buffers fill, then the server's.
    const tcpOf = (ws: unknown): NetSocket => (ws as { _socket: NetSocket })._socket
    tcpOf(stalledYws.ws).pause()
    tcpOf((stalledIo.io.engine.transport as unknown as { ws: unknown }).ws).pause()

    const blob = writer.doc.getMap<string>('blob')
    for (let i = 1; i <= UPDATES; i++) blob.set('value', `${i}:`.padEnd(UPDATE_BYTES, 'x'))

    await until(() => room.peers.size === 2, { timeout: 20_000, what: 'the three stalled peers dropped' })
    await valueIn(reader.doc.getMap('blob'), 'value', `${UPDATES}:`.padEnd(UPDATE_BYTES, 'x'), 20_000)
  } finally {
    stalledYws.ws.terminate()
    stalledIo.close()
    writer.close()
    reader.close()
    await srv.close()
  }
})

Backlog.run()
