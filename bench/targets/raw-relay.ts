// The floor: a `ws` relay that forwards every frame to the other sockets of its room (the URL
// path). No CRDT, no storage, no auth; the same `ws` version and options as the other targets.
// Run as its own process: PORT=… node --import tsx bench/targets/raw-relay.ts
import { createServer } from 'node:http'
import { WebSocketServer, WebSocket } from 'ws'

const port = Number(process.env.PORT)
if (!port) throw new Error('PORT is required')

const rooms = new Map<string, Set<WebSocket>>()
const http = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' })
  res.end('raw relay\n')
})
const wss = new WebSocketServer({ server: http, perMessageDeflate: false })

wss.on('connection', (ws, req) => {
  const name = (req.url ?? '/').split('?')[0]!
  let room = rooms.get(name)
  if (!room) rooms.set(name, (room = new Set()))
  room.add(ws)
  const members = room
  ws.on('message', (data, isBinary) => {
    for (const peer of members) if (peer !== ws && peer.readyState === WebSocket.OPEN) peer.send(data, { binary: isBinary })
  })
  ws.on('error', () => ws.terminate())
  ws.on('close', () => {
    members.delete(ws)
    if (members.size === 0) rooms.delete(name)
  })
})

http.listen(port, '127.0.0.1')
process.on('SIGTERM', () => process.exit(0))
