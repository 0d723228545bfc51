// uvu swallows an error thrown by a `before` hook: its runner returns from a `finally`, so the
// suite reports 0/N and the run still exits 0. Every suite with hooks comes from here instead,
// which prints the error and fails the run.
import { suite as uvuSuite, type Callback, type Test } from 'uvu'

let hookFailed = false
// uvu sets process.exitCode when it finishes; this runs after it.
process.on('exit', () => {
  if (hookFailed) process.exitCode = 1
})

export function suite<T = Record<string, unknown>>(name: string, state?: T): Test<T> {
  const test = uvuSuite<T>(name, state)
  const before = test.before
  const guarded = (hook: Callback<T>) =>
    before(async (ctx) => {
      try {
        await hook(ctx)
      } catch (err) {
        hookFailed = true
        console.error(`\n${name}: a before hook failed, so none of its tests ran:\n`, err)
        throw err
      }
    })
  test.before = Object.assign(guarded, { each: before.each })
  return test
}
