// `npm start`'s entry point (CONTRACT §1): the demo editor link is printed only by the start that
// seeds `demo` on a fresh data directory, and SIGTERM stops the process with exit code 0.
import * as assert from 'uvu/assert'
import { startChild, tempDir, type ChildServer } from './helpers/server.js'
import { suite } from './helpers/suite.js'
import { within } from './helpers/wait.js'

const Startup = suite<{ children: ChildServer[] }>('startup', { children: [] })
Startup.after(async ({ children }) => {
  for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL')
})

async function startAndStop(ctx: { children: ChildServer[] }, dataDir: string): Promise<string> {
  const child = await startChild({ DATA_DIR: dataDir, SEED_DEMO: 'true' })
  ctx.children.push(child)
  child.child.kill('SIGTERM')
  assert.is(await within(child.exited, 15_000, 'the child to exit'), 0)
  return child.output()
}

Startup('a fresh data directory prints the demo link once; later starts print none', async (ctx) => {
  const dataDir = tempDir()
  const first = await startAndStop(ctx, dataDir)
  assert.match(first, /Open the demo map as an editor: http:\/\/127\.0\.0\.1:\d+\/#\/d\/demo\?token=ey/)
  const second = await startAndStop(ctx, dataDir)
  assert.match(second, /skillmap is running at http/)
  assert.not.match(second, /token=ey/)
})

Startup.run()
