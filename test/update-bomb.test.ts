// Update bombs (CONTRACT §3d v2, yjs#687): an editor sends updates whose headers declare millions of
// structs over each transport while a healthy pair edits another document. The bombers are closed
// as bad requests, no bomb reaches Y.applyUpdate (seen at the rooms' applyUpdate seam), the pair
// converges on every edit and the server stays up.
import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'
import * as assert from 'uvu/assert'
import { MessageType } from '../shared/protocol.js'
import { METRIC_NAMES } from '../server/metrics.js'
import { connectIo, connectYws, converged, joinIo, rawWs, valueIn, type IoDoc, type YwsClient } from './helpers/clients.js'
import { startServer, token, type TestServer } from './helpers/server.js'
import { suite } from './helpers/suite.js'
import { BOMBS } from './helpers/updates.js'
import { nextEvent, until } from './helpers/wait.js'

const BOMBS_PER_TRANSPORT = 20
const SYNC_STEP_2 = 1
const SYNC_UPDATE = 2

interface Ctx {
  srv?: TestServer
  /** every update given to Y.applyUpdate for a client, with the document it was applied to */
  applied: Array<{ doc: Y.Doc; update: Uint8Array }>
  a?: YwsClient
  b?: IoDoc
  bSocket?: ReturnType<typeof connectIo>
  round: number
}

const Bomb = suite<Ctx>('update-bomb', { applied: [], round: 0 })

Bomb.before(async (ctx) => {
  ctx.srv = await startServer({}, {
    applyUpdate: (doc, update, origin) => {
      ctx.applied.push({ doc, update })
      Y.applyUpdate(doc, update, origin)
    },
  })
  // the healthy pair, one per transport, on a document of its own
  ctx.a = connectYws(ctx.srv.wsUrl, 'healthy', await token('editor', 'healthy', 'A', 'a'))
  ctx.bSocket = connectIo(ctx.srv.url, await token('editor', 'healthy', 'B', 'b'))
  ctx.b = await joinIo(ctx.bSocket, 'healthy')
  await Promise.all([ctx.a.synced(), ctx.b.synced])
  // something on the target document that the bombs must not disturb
  const seed = connectYws(ctx.srv.wsUrl, 'target', await token('editor', 'target', 'S', 's'))
  await seed.synced()
  seed.doc.getMap('kept').set('value', 'before the bombs')
  await until(() => ctx.srv!.server.rooms.get('target')?.doc.getMap('kept').get('value') === 'before the bombs', { what: 'the seed on the server' })
  seed.close()
})

Bomb.after(async (ctx) => {
  ctx.a?.close()
  ctx.bSocket?.close()
  await ctx.srv?.close()
})

/** One edit on each side of the healthy pair, seen by the other, and the two converge. */
async function healthyRound(ctx: Ctx): Promise<void> {
  const round = ++ctx.round
  ctx.a!.doc.getMap('health').set(`a${round}`, round)
  ctx.b!.doc.getMap('health').set(`b${round}`, round)
  await valueIn(ctx.a!.doc.getMap('health'), `b${round}`, round)
  await valueIn(ctx.b!.doc.getMap('health'), `a${round}`, round)
  await converged(ctx.a!.doc, ctx.b!.doc)
}

const syncFrame = (step: number, update: Uint8Array): Uint8Array => {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MessageType.sync)
  encoding.writeVarUint(e, step)
  encoding.writeVarUint8Array(e, update)
  return encoding.toUint8Array(e)
}

/** The i-th bomb, as a sync update or a sync step 2 in turn. */
const bombFrame = (i: number): Uint8Array => syncFrame(i % 2 === 0 ? SYNC_UPDATE : SYNC_STEP_2, BOMBS[i % BOMBS.length]!.update)

const reachedYjs = (ctx: Ctx, update: Uint8Array): boolean =>
  ctx.applied.some((a) => a.update.byteLength === update.byteLength && Buffer.from(a.update).equals(update))

async function refusedTotal(ctx: Ctx, reasons = 'oversized-declaration|malformed'): Promise<number> {
  const text = await (await fetch(`${ctx.srv!.url}/metrics`)).text()
  const pattern = new RegExp(`^${METRIC_NAMES.updatesRefused}\\{reason="(${reasons})"\\} (\\d+)$`, 'gm')
  return [...text.matchAll(pattern)].reduce((n, m) => n + Number(m[2]), 0)
}

Bomb('y-websocket: every bomber is closed with 1002, the pair converges on every edit', async (ctx) => {
  const before = await refusedTotal(ctx)
  for (let i = 0; i < BOMBS_PER_TRANSPORT; i++) {
    // The bomber reconnects each time it is closed, as an attacker would.
    const role = i === 0 ? 'viewer' : 'editor' // a viewer's bombs are refused the same way
    const bomber = rawWs(ctx.srv!.wsUrl, 'target', await token(role, 'target', 'Eve', `eve-${role}`))
    await bomber.opened
    bomber.ws.send(bombFrame(i))
    const editing = healthyRound(ctx)
    assert.is((await bomber.closed).code, 1002, BOMBS[i % BOMBS.length]!.name)
    await editing
  }
  for (const { name, update } of BOMBS) assert.not.ok(reachedYjs(ctx, update), `${name} reached Y.applyUpdate`)
  assert.is((await refusedTotal(ctx)) - before, BOMBS_PER_TRANSPORT)
})

Bomb('Socket.IO: every bomber gets doc:error bad-request and is disconnected, the pair converges on every edit', async (ctx) => {
  const before = await refusedTotal(ctx)
  for (let i = 0; i < BOMBS_PER_TRANSPORT; i++) {
    const role = i === 0 ? 'viewer' : 'editor'
    const socket = connectIo(ctx.srv!.url, await token(role, 'target', 'Eve', `eve-${role}`))
    try {
      const bomber = await joinIo(socket, 'target')
      assert.ok(bomber.ack.ok)
      await bomber.synced
      const error = nextEvent<[string, { code: string }]>(socket, 'doc:error')
      const gone = nextEvent(socket, 'disconnect')
      bomber.send(bombFrame(i))
      const editing = healthyRound(ctx)
      const [docId, { code }] = await error
      assert.is(docId, 'target')
      assert.is(code, 'bad-request', BOMBS[i % BOMBS.length]!.name)
      await gone
      await editing
    } finally {
      socket.close()
    }
  }
  for (const { name, update } of BOMBS) assert.not.ok(reachedYjs(ctx, update), `${name} reached Y.applyUpdate`)
  assert.is((await refusedTotal(ctx)) - before, BOMBS_PER_TRANSPORT)
})

Bomb('the seam saw the healthy edits, the target document is intact and the server is up', async (ctx) => {
  // The seam is where client updates are applied: the pair's edits went through it.
  const healthyDoc = ctx.srv!.server.rooms.get('healthy')!.doc
  assert.ok(ctx.applied.filter((a) => a.doc === healthyDoc).length >= 2 * ctx.round)
  const res = await fetch(`${ctx.srv!.url}/healthz`)
  assert.is(res.status, 200)
  const reader = connectYws(ctx.srv!.wsUrl, 'target', await token('viewer', 'target', 'R', 'r'))
  try {
    await reader.synced()
    assert.is(reader.doc.getMap('kept').get('value'), 'before the bombs')
  } finally {
    reader.close()
  }
  await healthyRound(ctx)
})

Bomb("a viewer's write is counted as refused read-only, not as a bomb", async (ctx) => {
  const bombs = await refusedTotal(ctx)
  const readOnly = await refusedTotal(ctx, 'read-only')
  const viewer = connectYws(ctx.srv!.wsUrl, 'target', await token('viewer', 'target', 'V', 'v'))
  try {
    await viewer.synced()
    viewer.doc.getMap('kept').set('value', 'overwritten by a viewer')
    await until(() => viewer.denied.includes('read-only'), { what: 'permissionDenied read-only' })
    // Asked while the viewer holds the room loaded.
    assert.is(ctx.srv!.server.rooms.get('target')?.doc.getMap('kept').get('value'), 'before the bombs')
  } finally {
    viewer.close()
  }
  assert.ok((await refusedTotal(ctx, 'read-only')) > readOnly)
  assert.is(await refusedTotal(ctx), bombs)
})

Bomb.run()
