// Waiting without sleeping: every wait ends on an event or a condition, or fails after a timeout.
const DEFAULT_TIMEOUT_MS = 5000

// Loose on purpose: Node emitters, Yjs observables and typed Socket.IO sockets all fit.
interface Listenable {
  on(...args: any[]): unknown
  off(...args: any[]): unknown
}

/** Resolves with the arguments of the next `event` for which `accept` holds. */
export function nextEvent<T extends unknown[] = unknown[]>(
  emitter: Listenable,
  event: string,
  { accept = () => true, timeout = DEFAULT_TIMEOUT_MS }: { accept?: (...args: T) => boolean; timeout?: number } = {},
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, on)
      reject(new Error(`timed out after ${timeout} ms waiting for "${event}"`))
    }, timeout)
    const on = (...args: T): void => {
      if (!accept(...args)) return
      clearTimeout(timer)
      emitter.off(event, on)
      resolve(args)
    }
    emitter.on(event, on)
  })
}

/** Resolves once the asynchronous `check` holds (a database read), polled every few milliseconds. */
export async function eventually(check: () => Promise<boolean>, { timeout = DEFAULT_TIMEOUT_MS, what = 'condition' }: { timeout?: number; what?: string } = {}): Promise<void> {
  const deadline = Date.now() + timeout
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/**
 * Resolves once `check` holds, testing it now and after every `event` of every emitter given
 * (a Y.Doc's 'update', say), or on a short timer when there is no event to watch.
 */
export function until(
  check: () => boolean,
  { on = [], timeout = DEFAULT_TIMEOUT_MS, what = 'condition' }: { on?: Array<[Listenable, string]>; timeout?: number; what?: string } = {},
): Promise<void> {
  if (check()) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer)
      clearInterval(poll)
      on.forEach(([e, name]) => e.off(name, test))
    }
    const test = (): void => {
      if (!check()) return
      cleanup()
      resolve()
    }
    const timer = setTimeout(() => {
      cleanup()
      reject(new Error(`timed out after ${timeout} ms waiting for ${what}`))
    }, timeout)
    // Conditions without an event (a counter in the server) are re-checked every few milliseconds.
    const poll = on.length === 0 ? setInterval(test, 5) : undefined
    on.forEach(([e, name]) => e.on(name, test))
  })
}

/** Rejects if `promise` takes longer than `timeout`. */
export function within<T>(promise: Promise<T>, timeout = DEFAULT_TIMEOUT_MS, what = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${timeout} ms waiting for ${what}`)), timeout)
    }),
  ])
}
