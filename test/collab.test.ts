// Both transports on one port share one live document, and what they write outlives the server.
import { suite } from './helpers/suite.js'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { connectIo, connectYws, converged, joinIo, valueIn, type YwsClient } from './helpers/clients.js'
import { startServer, token, type TestServer } from './helpers/server.js'
import { WebSocket } from 'ws'
import { nextEvent, until } from './helpers/wait.js'

const Collab = suite<{ srv?: TestServer; clients: Array<{ close(): void }> }>('collab', { clients: [] })

Collab.before(async (ctx) => {
  ctx.srv = await startServer()
})

Collab.after.each((ctx) => {
  ctx.clients.splice(0).forEach((c) => c.close())
})

Collab.after(async (ctx) => {
  await ctx.srv?.close()
})

Collab('a y-websocket provider and a Socket.IO client co-edit one document on one port', async (ctx) => {
  // provider (yws) ⇄ server ⇄ socket.io-client, both on the same port
  const srv = ctx.srv!
  const yws = connectYws(srv.wsUrl, 'team-a', await token('editor', 'team-a', 'Ana', 'ana'))
  const socket = connectIo(srv.url, await token('editor', 'team-a', 'Ben', 'ben'))
  ctx.clients.push(yws, { close: () => socket.close() })
  const sio = await joinIo(socket, 'team-a')
  assert.equal(sio.ack, { ok: true, role: 'editor' })
  await Promise.all([yws.synced(), sio.synced])
  assert.is(socket.io.engine.transport.name, 'websocket')

  yws.doc.getMap('skills').set('ts', 3)
  await valueIn(sio.doc.getMap('skills'), 'ts', 3)
  sio.doc.getMap('skills').set('go', 2)
  await valueIn(yws.doc.getMap('skills'), 'go', 2)

  // concurrent edits on both sides converge
  yws.doc.getArray('log').push(['from yws'])
  sio.doc.getArray('log').push(['from io'])
  await converged(yws.doc, sio.doc)
  assert.is(yws.doc.getArray('log').length, 2)
})

Collab('a late joiner receives the full state, on either transport', async (ctx) => {
  const srv = ctx.srv!
  const first = connectYws(srv.wsUrl, 'late', await token('editor', 'late'))
  ctx.clients.push(first)
  await first.synced()
  const text = first.doc.getText('notes')
  for (let i = 0; i < 50; i++) text.insert(text.length, `line ${i}\n`)
  first.doc.getMap('meta').set('title', 'Late joiners')

  const late = connectYws(srv.wsUrl, 'late', await token('viewer', 'late'))
  ctx.clients.push(late)
  await late.synced()
  await converged(first.doc, late.doc)

  const socket = connectIo(srv.url, await token('viewer', 'late'))
  ctx.clients.push({ close: () => socket.close() })
  const sio = await joinIo(socket, 'late')
  await sio.synced
  await converged(first.doc, sio.doc)
  assert.is(sio.doc.getText('notes').toString(), text.toString())
})

Collab('one Socket.IO socket holds several documents', async (ctx) => {
  const srv = ctx.srv!
  const socket = connectIo(srv.url, await token('editor', '*'))
  ctx.clients.push({ close: () => socket.close() })
  const [a, b] = await Promise.all([joinIo(socket, 'multi-a'), joinIo(socket, 'multi-b')])
  await Promise.all([a.synced, b.synced])
  const watcher = connectYws(srv.wsUrl, 'multi-b', await token('viewer', 'multi-b'))
  ctx.clients.push(watcher)
  await watcher.synced()
  a.doc.getMap('m').set('doc', 'a')
  b.doc.getMap('m').set('doc', 'b')
  await valueIn(watcher.doc.getMap('m'), 'doc', 'b')
  assert.is(watcher.doc.getMap('m').get('doc'), 'b')
  b.leave()
  await until(() => ctx.srv!.server.rooms.get('multi-b')?.peers.size === 1, { what: 'the io peer to leave multi-b' })
})

Collab('a restart on the same DATA_DIR keeps every document', async () => {
  const first = await startServer()
  let client: YwsClient | undefined
  try {
    client = connectYws(first.wsUrl, 'kept', await token('editor', 'kept'))
    await client.synced()
    client.doc.getMap('skills').set('sql', 4)
    client.doc.getText('t').insert(0, 'persisted text')
    const socket = connectIo(first.url, await token('editor', 'kept'))
    const sio = await joinIo(socket, 'kept')
    await sio.synced
    await valueIn(sio.doc.getMap('skills'), 'sql', 4)
    sio.doc.getMap('skills').set('redis', 1)
    await valueIn(client.doc.getMap('skills'), 'redis', 1)
    socket.close()
  } finally {
    client?.close()
    await first.close()
  }

  const second = await startServer({ DATA_DIR: first.dataDir })
  try {
    const again = connectYws(second.wsUrl, 'kept', await token('viewer', 'kept'))
    await again.synced()
    assert.equal(again.doc.getMap('skills').toJSON(), { sql: 4, redis: 1 })
    assert.is(again.doc.getText('t').toString(), 'persisted text')
    again.close()
  } finally {
    await second.close()
  }
})

Collab('the loaded-document count returns to 0 after the last client leaves', async () => {
  const srv = await startServer()
  try {
    const clients = [connectYws(srv.wsUrl, 'idle-1', await token('editor')), connectYws(srv.wsUrl, 'idle-2', await token('editor'))]
    await Promise.all(clients.map((c) => c.synced()))
    const socket = connectIo(srv.url, await token('editor'))
    const sio = await joinIo(socket, 'idle-3')
    await sio.synced
    assert.is(srv.server.rooms.size, 3)
    clients.forEach((c) => c.close())
    socket.close()
    await until(() => srv.server.rooms.size === 0, { what: 'every room to unload' })
  } finally {
    await srv.close()
  }
})

Collab('a joined document is sent nothing before it is loaded, and an unknown one is created for editors', async (ctx) => {
  const srv = ctx.srv!
  const socket = connectIo(srv.url, await token('editor'))
  ctx.clients.push({ close: () => socket.close() })
  const fresh = await joinIo(socket, 'brand-new', new Y.Doc())
  await fresh.synced
  // the empty template: roles only
  assert.ok(fresh.doc.getMap('roles').has('backend'))
  assert.ok((await srv.server.store.get('brand-new')))
})

Collab('an upgrade anywhere but /yjs/<docId> and /socket.io/ is refused with 404', async (ctx) => {
  for (const path of ['/elsewhere', '/yjs/team-a/below', '/index.html']) {
    const ws = new WebSocket(`${ctx.srv!.wsUrl}${path}?token=x`)
    ws.on('error', () => {})
    const [, res] = await nextEvent<[unknown, { statusCode: number }]>(ws, 'unexpected-response')
    assert.is(res.statusCode, 404, path)
    ws.terminate()
  }
})

Collab('a malformed escape in the id is refused after the handshake like any invalid id (4400), not by the router', async (ctx) => {
  const ws = new WebSocket(`${ctx.srv!.wsUrl}/yjs/%E0%A4%A?token=${await token('editor')}`)
  ws.on('error', () => {})
  const [code] = await nextEvent<[number]>(ws, 'close')
  assert.is(code, 4400)
})

Collab.run()
