// Webhooks survive a crash (CONTRACT §6c: events come from the committed log through an outbox in
// the database). On SQLite by default; on PostgreSQL under SKILLMAP_TEST_DB=postgres.
import * as assert from 'uvu/assert'
import type * as Y from 'yjs'
import { addPerson, addResponsibility, setAssignment } from '../shared/schema.js'
import { connectYws, converged } from './helpers/clients.js'
import { http } from './helpers/http.js'
import { startReceiver } from './helpers/receiver.js'
import { startChild, tempDir, token, type ChildServer } from './helpers/server.js'
import { suite } from './helpers/suite.js'
import { eventually, until, within } from './helpers/wait.js'

const Crash = suite<{ children: ChildServer[] }>('webhooks crash', { children: [] })

Crash.after(async (ctx) => {
  for (const node of ctx.children) {
    if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGKILL')
    await within(node.exited, 12_000, 'a server to exit')
  }
})

const ROWS = ['r1', 'r2', 'r3']

Crash('receiver down, three risk changes committed, the instance killed with SIGKILL at once, a new one on the same database, the receiver back: all three arrive, once each', async (ctx) => {
  // writer → child (commit) → observer sees the three; SIGKILL; child 2 on the same data → receiver
  const receiver = await startReceiver()
  await receiver.stop()
  const env = {
    DATA_DIR: tempDir(),
    WEBHOOK_ALLOW_PRIVATE: 'true',
    // retried every 500 ms for half a minute: the receiver is down for less than that
    WEBHOOK_RETRY_SCHEDULE: Array(60).fill('500ms').join(','),
  }
  const admin = await token('admin')
  const first = await startChild(env)
  ctx.children.push(first)
  assert.is((await http(first.url, 'POST', '/api/docs', { token: admin, body: { id: 'crash', title: 'Crash', template: 'empty' } })).status, 201)
  const writer = connectYws(first.wsUrl, 'crash', await token('editor', 'crash', 'Ana', 'ana-sub'))
  const observer = connectYws(first.wsUrl, 'crash', await token('viewer', 'crash', 'Obs', 'obs'))
  let hookId: string
  try {
    await Promise.all([writer.synced(), observer.synced()])
    // three rows ana alone owns (single-owner), set up before the endpoint exists
    writer.doc.transact(() => {
      addPerson(writer.doc, { id: 'ana', name: 'Ana', role: 'backend' })
      addPerson(writer.doc, { id: 'ben', name: 'Ben', role: 'backend' })
      for (const id of ROWS) {
        addResponsibility(writer.doc, { id, title: `Row ${id}`, area: 'API design', criticality: 1 })
        setAssignment(writer.doc, id, 'ana', 'A', 'x', 1)
      }
    })
    await converged(writer.doc, observer.doc)
    const made = await http(first.url, 'POST', '/api/webhooks', { token: admin, body: { url: `${receiver.url}/crash`, doc: 'crash', events: ['responsibility.risk_changed'] } })
    assert.is(made.status, 201, made.text)
    hookId = made.json.id

    // three updates, each taking a row out of single-owner; once the observer has them they are committed
    for (const id of ROWS) writer.doc.transact(() => setAssignment(writer.doc, id, 'ben', 'R', 'x', 2))
    const assignments = observer.doc.getMap('assignments') as Y.Map<unknown>
    await until(() => ROWS.every((id) => assignments.has(`${id}/ben`)), { on: [[observer.doc, 'update']], what: 'the observer to have the three changes' })
    first.child.kill('SIGKILL')
    assert.is(await first.exited, 'SIGKILL')
  } finally {
    writer.close()
    observer.close()
  }

  const second = await startChild(env)
  ctx.children.push(second)
  await receiver.start()
  try {
    const got = await receiver.waitFor('/crash', (r) => r.length >= 3, 'the three events after the restart', 60_000)
    // everything recorded as delivered: nothing is left to send twice
    await eventually(
      async () => {
        const list = await http(second.url, 'GET', `/api/webhooks/${hookId}/deliveries`, { token: admin })
        return list.json.length === 3 && list.json.every((d: { status: string }) => d.status === 'delivered')
      },
      { timeout: 30_000, what: 'the three deliveries recorded' },
    )
    assert.is(receiver.at('/crash').length, 3)
    assert.equal(got.map((r) => r.json.data.responsibility).sort(), ROWS)
    assert.is(new Set(got.map((r) => r.id)).size, 3)
    for (const r of got) {
      assert.is(r.json.type, 'responsibility.risk_changed')
      assert.equal(r.json.data.from, { status: 'ok', risks: ['single-owner'] })
      assert.equal(r.json.data.to, { status: 'ok', risks: [] })
    }
  } finally {
    await receiver.stop()
    second.child.kill('SIGTERM')
    assert.is(await within(second.exited, 12_000, 'the second server to exit'), 0)
  }
})

Crash.run()
