// `policy.run(actions, options)`: runs a policy's pipeline with JavaScript functions as the
// stages' actions. This file is the one copy of that glue, an ES module so that browsers load it
// as it is: the Node.js package requires it from kiro.js, the WebAssembly package from
// js/node.cjs and imports it from js/web.mjs (both through their `file:` dependency on
// `@kiro/bindings-js`, which npm installs as a symlink to this folder).
// It uses only what Node.js and browsers both have (Promise, AbortController, setTimeout,
// performance.now, queueMicrotask) and no module system beyond the `export` of `installRun`.
//
// It holds no engine logic. The native PipelineRun (`policy.startRun`) decides everything
// (order, needs, max_parallel, timeouts, retries and backoff, exit gates, fail-fast); this glue
// carries out what each step asks for: start an attempt (call the stage's function), cancel one
// (abort its signal), set or clear a timer.

// setTimeout's longest delay (2^31 - 1 ms); longer waits are made of several.
const MAX_DELAY = 2147483647

/** Throws a TypeError unless `actions` and `options` are what `run` takes. */
function checkArguments(actions, options) {
  if (actions === null || typeof actions !== 'object' || Array.isArray(actions)) {
    throw new TypeError('actions must be an object of stage names to functions')
  }
  for (const [stage, action] of Object.entries(actions)) {
    if (typeof action !== 'function') {
      throw new TypeError(`the action of stage \`${stage}\` must be a function, not ${action === null ? 'null' : typeof action}`)
    }
  }
  if (options !== null && options !== undefined && typeof options !== 'object') {
    throw new TypeError('the options must be an object like `{maxParallel, failFast, onEvent, signal}`')
  }
  const { onEvent, signal } = options ?? {}
  if (onEvent !== null && onEvent !== undefined && typeof onEvent !== 'function') {
    throw new TypeError('option `onEvent` must be a function')
  }
  if (signal !== null && signal !== undefined && (typeof signal.addEventListener !== 'function' || typeof signal.aborted !== 'boolean')) {
    throw new TypeError('option `signal` must be an AbortSignal')
  }
}

/**
 * Drives the native run `native` until it is done: resolves with its result, or rejects when
 * `onEvent` throws or the engine fails (after aborting every running attempt).
 */
function drive(native, actions, onEvent, signal) {
  return new Promise((resolve, reject) => {
    const origin = performance.now()
    const clock = () => performance.now() - origin // the run's time, in milliseconds
    const attempts = new Map() // attempt id -> its AbortController
    const timers = new Map() // timer id -> setTimeout handle
    let scheduled = false
    let over = false

    // Ends the run: with its result, or (given an error, whatever was thrown) rejected.
    const finish = (...error) => {
      over = true
      for (const handle of timers.values()) clearTimeout(handle)
      timers.clear()
      for (const controller of attempts.values()) controller.abort()
      attempts.clear()
      if (signal) signal.removeEventListener('abort', interrupt)
      if (error.length > 0) return reject(error[0])
      try {
        resolve(native.result())
      } catch (resultError) {
        reject(resultError)
      }
    }

    // Runs `f`; an exception (from `onEvent`, or the engine) ends the run with it.
    const guarded = (f) => {
      if (over) return
      try {
        f()
      } catch (error) {
        if (!over) finish(error)
      }
    }

    const schedule = () => {
      if (scheduled || over) return
      scheduled = true
      queueMicrotask(() => {
        scheduled = false
        guarded(step)
      })
    }

    // Carries out a step's requests in order, then calls the actions of the attempts it
    // started that it did not cancel too (an interruption before the first step does both).
    const step = () => {
      const now = clock()
      const { requests, events, done } = native.step(now)
      if (onEvent) for (const event of events) onEvent(event)
      const started = []
      for (const request of requests) {
        if (request.type === 'start') {
          attempts.set(request.id, new AbortController())
          started.push(request)
        } else carryOut(request, now)
      }
      for (const request of started) if (attempts.has(request.id)) start(request)
      if (done) finish()
    }

    const carryOut = (request, now) => {
      switch (request.type) {
        case 'cancel': {
          const controller = attempts.get(request.id)
          attempts.delete(request.id)
          return controller && controller.abort()
        }
        case 'set_timer':
          return setTimer(request.id, now + request.ms)
        case 'clear_timer':
          clearTimeout(timers.get(request.id))
          return timers.delete(request.id)
      }
    }

    // Timer `id` fires at `due` on the run's clock, as the engine counts (setTimeout may call
    // back a little early, or need several turns for a long wait: it then waits again).
    const setTimer = (id, due) => {
      const wait = Math.min(Math.ceil(due - clock()), MAX_DELAY)
      const handle = setTimeout(() => {
        if (clock() < due) return setTimer(id, due)
        timers.delete(id)
        guarded(() => native.fire(id))
        schedule()
      }, Math.max(wait, 0))
      timers.set(id, handle)
    }

    const start = ({ id, stage, attempt }) => {
      const { signal } = attempts.get(id)
      let outcome
      try {
        outcome = Promise.resolve(actions[stage]({ stage, attempt, signal }))
      } catch (error) {
        outcome = Promise.reject(error)
      }
      outcome.then(
        (metrics) =>
          settle(id, () => {
            try {
              native.complete(id, metrics)
            } catch (error) {
              // Reading the metrics threw (the caller's own getter): the attempt failed so.
              native.fail(id, error)
            }
          }),
        // What the action threw goes to the engine as it is: it names the attempt's failure
        // (`Name: message`) the same way in every binding; its `metrics` (for an exit gate
        // that decides on a failure) and `exitCode` (for `retry_on`) go with it.
        (error) => settle(id, () => failed(id, error)),
      )
    }

    // Reports the failure of attempt `id` with what was thrown. Reading `metrics` or
    // `exitCode` (the caller's own getters) may throw: the failure is then reported alone.
    const failed = (id, error) => {
      let extra
      try {
        const { metrics, exitCode } = error !== null && typeof error === 'object' ? error : {}
        extra = [metrics ?? undefined, typeof exitCode === 'number' ? exitCode : undefined]
        native.fail(id, error, ...extra)
      } catch {
        if (extra === undefined) native.fail(id, error)
        else native.fail(id, error, undefined, extra[1])
      }
    }

    // Reports the end of attempt `id`, unless it was cancelled or the run is over.
    const settle = (id, report) => {
      if (over || !attempts.has(id)) return
      attempts.delete(id)
      guarded(report)
      schedule()
    }

    function interrupt() {
      guarded(() => native.interrupt())
      schedule()
    }

    if (signal) {
      if (signal.aborted) interrupt()
      else signal.addEventListener('abort', interrupt, { once: true })
    }
    guarded(step)
  })
}

/**
 * Runs the policy's pipeline: `actions` maps stage names to functions `({stage, attempt,
 * signal}) => metrics | undefined` (or a Promise of them); stages without one succeed at once.
 * An action fails by throwing; the thrown value's `metrics` (what the failed action observed,
 * for an exit gate with `on_action_failure: gate`) and `exitCode` (for `retry_on`) are reported
 * with it.
 * Resolves with the run's result; rejects before anything runs for bad arguments (a `KiroError`
 * `KIRO-E005` for an action that names no stage).
 */
async function run(actions, options) {
  checkArguments(actions, options)
  const { maxParallel, failFast, onEvent, signal } = options ?? {}
  const native = this.startRun(Object.keys(actions), { maxParallel, failFast })
  return drive(native, actions, onEvent ?? undefined, signal ?? undefined)
}

/** Adds `run` to the prototype of a binding's `Policy` class, as a method like its others. */
export function installRun(Policy) {
  Object.defineProperty(Policy.prototype, 'run', { value: run, writable: true, configurable: true })
}
