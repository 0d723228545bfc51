// The load process: started by run.ts (pinned to its own core), receives one job over IPC,
// runs it, sends back one result, exits. It never outlives the orchestrator.
import { runLoad } from './load.js'
import { seed, coldLoad } from './cold.js'
import { seedHistory, loadHistory } from './history.js'
import type { Job, JobResult, GeneratorMessage } from './types.js'

if (!process.send) {
  console.error('generator.ts is started by bench/run.ts (it needs an IPC channel)')
  process.exit(2)
}

const reply = (msg: GeneratorMessage) =>
  new Promise<void>((resolve) => {
    if (!process.connected) return resolve()
    process.send!(msg, undefined, {}, () => resolve())
  })

process.on('disconnect', () => process.exit(3))

process.once('message', async (job: Job) => {
  let code = 0
  try {
    let result: JobResult
    if (job.kind === 'load') result = await runLoad(job)
    else if (job.kind === 'history') result = job.phase === 'seed' ? await seedHistory(job) : await loadHistory(job)
    else if (job.phase === 'seed') result = await seed(job)
    else result = await coldLoad(job)
    await reply({ type: 'result', result })
  } catch (err) {
    code = 1
    await reply({ type: 'error', message: (err as Error).stack ?? String(err) })
  }
  // open sockets or timers must not keep a finished generator alive
  process.exit(code)
})
