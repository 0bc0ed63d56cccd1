// What test/browser.test.mjs runs twice, with the same code and the same inputs: in headless
// Chromium on the browser build (pkg-web through js/web.mjs, loaded by page.mjs) and in Node.js
// on pkg-node (`require('kiro-wasm')`). Every function takes the binding as `kiro` and returns
// plain data, canonical JSON where it can, so that the test compares the two byte for byte.
// No Node.js or browser API beyond setTimeout and AbortSignal: the same file must run in both.
import { MACHINES, evidenceAnswer, riskAnswer, simulateMachine } from '@kiro/bindings-js/testlib/sections.mjs'

/** An error as data: what a host sees of it (a KiroError's code, kind and diagnostics). */
export function describeError(error) {
  if (error === null || typeof error !== 'object') return { thrown: String(error) }
  return {
    isError: error instanceof Error,
    name: error.name,
    message: error.message,
    code: error.code,
    kind: error.kind,
    diagnostics: error.diagnostics,
  }
}

/** Reports the end of a scripted attempt: `ok: metrics` (or null) or `fail: detail`. */
function report(run, id, entry) {
  if (entry.fail !== undefined) run.fail(id, entry.fail)
  else if ('ok' in entry) run.complete(id, entry.ok)
  else throw new Error(`an attempt needs \`ok\`, \`fail\` or \`hang\`: ${JSON.stringify(entry)}`)
}

/**
 * A conformance case's `run:` section on virtual time, through the native PipelineRun
 * (`policy.startRun`): the simulation of tests/conformance/run/README.md, as
 * bindings-js/testlib/conformance.cjs does it, checked the same way: the run saved and
 * restored after every step, and the run replayed from its event log, must be the same.
 * Returns the result, the events and the saved state.
 */
function simulate(policy, spec) {
  const live = simulateOnce(policy, spec, false)
  const restored = simulateOnce(policy, spec, true)
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b)
  if (!same(restored.result, live.result) || !same(restored.events, live.events)) {
    throw new Error('a run restored after every step differs')
  }
  const state = live.run.snapshot()
  const replayed = policy.replayRun(live.run.log())
  if (replayed.snapshot() !== state || !same(replayed.result(), live.result)) {
    throw new Error('the replayed run differs')
  }
  return { result: live.result, events: live.events, state }
}

/** The simulation; with `restore`, the run is saved and restored after every step. */
function simulateOnce(policy, spec, restore) {
  const actions = spec.actions ?? {}
  const settings = spec.options ?? {}
  let run = policy.startRun(Object.keys(actions), { maxParallel: settings.max_parallel ?? null, failFast: settings.fail_fast ?? null })
  let now = 0
  let interruptAt = spec.interrupt_at_ms
  const ends = new Map() // attempt id -> [due, entry]
  const timers = new Map() // timer id -> due
  const events = []
  for (;;) {
    for (const id of [...ends.keys()].sort((a, b) => a - b)) {
      const [due, entry] = ends.get(id)
      if (due > now) continue
      report(run, id, entry)
      ends.delete(id)
    }
    if (interruptAt !== undefined && interruptAt !== null && interruptAt <= now) {
      run.interrupt()
      interruptAt = undefined
    }
    const step = run.step(now)
    if (restore) run = policy.restoreRun(run.snapshot())
    events.push(...step.events)
    for (const request of step.requests) {
      if (request.type === 'start') {
        const script = actions[request.stage]
        const entry = script[Math.min(request.attempt, script.length) - 1]
        if (entry.hang !== true) ends.set(request.id, [now + (entry.ms ?? 0), entry])
      } else if (request.type === 'cancel') ends.delete(request.id)
      else if (request.type === 'set_timer') timers.set(request.id, now + request.ms)
      else if (request.type === 'clear_timer') timers.delete(request.id)
    }
    if (step.done) break
    for (const [id, due] of timers) if (due <= now) timers.delete(id)
    const candidates = [...[...ends.values()].map(([due]) => due), ...timers.values(), ...(interruptAt == null ? [] : [interruptAt])]
    if (candidates.length === 0) throw new Error('the run would wait forever')
    now = Math.max(now, Math.min(...candidates))
  }
  return { run, result: run.result(), events }
}

/**
 * One conformance case, prepared by the test (policy text, metrics as data): what the binding
 * answers, as canonical JSON — the decision (or plan, run result and events, a state machine's
 * decisions, risk or health answer), or the error.
 */
export function runCase(kiro, c) {
  let answer
  let refusedAt
  try {
    const policy = kiro.Policy.fromText(c.policy, c.format ?? null, c.imports ?? null)
    if (c.run !== undefined) answer = { run: simulate(policy, c.run) }
    else if (MACHINES.some((kind) => c[kind] !== undefined)) {
      // The simulation shared with the Node.js runners (bindings-js/testlib/sections.mjs).
      const kind = MACHINES.find((k) => c[k] !== undefined)
      const { decisions, error, errorAt } = simulateMachine(policy, kind, c[kind])
      if (error) {
        refusedAt = { error_at: errorAt, decisions }
        throw error
      }
      answer = { [kind]: decisions }
    } else if (c.evidence !== undefined) answer = { evidence: evidenceAnswer(kiro, policy, c) }
    else if (c.risk !== undefined) answer = { risk: riskAnswer(kiro, policy, c.risk) }
    else if (c.health === true) answer = { health: policy.health(c.metrics ?? {}) }
    else if (c.plan === true) answer = { plan: policy.plan() }
    else {
      const options = { gate: c.gate ?? null, kind: c.kind ?? null, strict: c.strict ?? null }
      if (c.baseline !== undefined) Object.assign(options, { history: c.baseline.history ?? null, branch: c.baseline.branch ?? null })
      answer = { decision: policy.check(c.metrics ?? {}, options) }
    }
  } catch (error) {
    answer = { error: describeError(error) }
    // The text under each label of each diagnostic, sliced where this runs (UTF-16): of the
    // policy, or of the imported file the diagnostic names.
    if (Array.isArray(error?.diagnostics)) {
      const textOf = (source) => (source === 'policy' ? c.policy : Object.hasOwn(c.imports ?? {}, source ?? '') ? c.imports[source] : undefined)
      answer.underlined = error.diagnostics.map((d) => {
        const text = textOf(d.source)
        return text === undefined ? null : d.labels.map((l) => text.slice(l.start, l.end))
      })
    }
    if (refusedAt !== undefined) answer.refused = refusedAt
  }
  return JSON.stringify(answer)
}

/** Many cases: their answers, in order. */
export function runCases(kiro, cases) {
  return cases.map((c) => runCase(kiro, c))
}

/** `checkBatch` on columns (plain arrays here; `Float64Array` columns are made of them). */
export function checkBatch(kiro, { policy, columns, float64, options }) {
  const typed = {}
  for (const [name, values] of Object.entries(columns)) typed[name] = float64.includes(name) ? Float64Array.from(values) : values
  try {
    const result = kiro.Policy.fromText(policy).checkBatch(typed, options ?? null)
    return {
      verdictsIsUint8Array: result.verdicts instanceof Uint8Array,
      json: JSON.stringify({ verdicts: Array.from(result.verdicts), counts: result.counts }),
    }
  } catch (error) {
    return { json: JSON.stringify({ error: describeError(error) }) }
  }
}

/** What compiling `text` throws, as data (null when it compiles). */
export function compileError(kiro, text) {
  try {
    kiro.Policy.fromText(text)
    return null
  } catch (error) {
    return describeError(error)
  }
}

/** Waits `ms` of real time (setTimeout), or rejects as soon as `signal` aborts. */
const sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => {
      clearTimeout(timer)
      reject(signal.reason)
    })
  })

/** Times differ from run to run: every `*_ms` number becomes `"<ms>"`. */
function withoutTimes(value) {
  return JSON.parse(JSON.stringify(value, (key, v) => (key.endsWith('_ms') && typeof v === 'number' ? '<ms>' : v)))
}

export const RUN_POLICY = `name: ci
metrics: {coverage: {unit: "%"}}
gates:
  - {name: tests, kind: pre-merge, criteria: [{name: cov, pass: coverage >= 90%, warn: coverage >= 80%}]}
pipeline:
  max_parallel: 3
  stages:
    - {name: build, timeout: 10s}
    - {name: lint}
    - {name: slow, timeout: 300ms, continue_on_failure: true}
    - {name: test, needs: [build], gate: tests, retries: 1, backoff: 10ms}
`

/**
 * `policy.run` on real time with async actions: setTimeout sleeps, a retried rejection, a
 * timeout that aborts its action's signal, metrics checked by an exit gate. Returns the result
 * and the events (times replaced), whether the timed-out action saw its signal abort, and the
 * measured times' sanity.
 */
export async function runPipeline(kiro) {
  const policy = kiro.Policy.fromText(RUN_POLICY)
  const events = []
  let aborted = false
  const result = await policy.run(
    {
      build: async ({ signal }) => {
        await sleep(20, signal)
      },
      lint: () => {},
      slow: async ({ signal }) => {
        try {
          await sleep(10_000, signal)
        } catch (error) {
          aborted = signal.aborted
          throw error
        }
      },
      test: async ({ attempt }) => {
        await sleep(5)
        if (attempt === 1) throw new Error('flaky network')
        return { coverage: 87 }
      },
    },
    { onEvent: (e) => events.push(e) },
  )
  return {
    json: JSON.stringify(withoutTimes({ result, events })),
    aborted,
    // The slow stage ran until its 300ms timeout (allow for a coarse clock); the run took that long.
    durationOk: result.duration_ms >= 250 && result.duration_ms < 5000,
  }
}

/**
 * The internal error: `_panicForTest` throws KIRO-E099, the instance is replaced, objects from
 * before are stale, and new ones work.
 */
export function panicRecovery(kiro) {
  const POLICY = 'name: d\nmetrics: {c: {}}\ngates:\n  - {name: g, kind: pre-merge, criteria: [{name: c, pass: c == 0}]}\n'
  const before = kiro.Policy.fromText(POLICY)
  let panic = null
  try {
    kiro._panicForTest()
  } catch (error) {
    panic = describeError(error)
  }
  let stale = null
  try {
    before.check({ c: 0 })
  } catch (error) {
    stale = describeError(error)
  }
  return { panic, stale, after: kiro.Policy.fromText(POLICY).check({ c: 0 }).verdict }
}

/**
 * Hostile values and misuse (bindings-js/testlib/hostile.cjs has the full tables): each is a
 * KiroError, never a trap, then the instance runs out of memory (`_oomForTest`) and is replaced,
 * and new objects work.
 */
export function hostileValues(kiro) {
  const POLICY = 'name: d\nmetrics: {c: {}}\ngates:\n  - {name: g, kind: pre-merge, criteria: [{name: c, pass: c >= 0, on_missing: pass}]}\n'
  const policy = kiro.Policy.fromText(POLICY)
  const buffer = new ArrayBuffer(8)
  const detached = new Float64Array(buffer)
  structuredClone(buffer, { transfer: [buffer] })
  const attempt = (f) => {
    try {
      return { value: JSON.parse(JSON.stringify(f())) }
    } catch (error) {
      return describeError(error)
    }
  }
  const misuses = [
    () => kiro.Policy.fromText(1),
    () => kiro.validate(Symbol('x')),
    () => kiro.validate(10n),
    () => kiro.Policy.fromText({}),
    () => kiro.Policy.fromText(POLICY, 1),
    () => policy.check(new Map([['c', -1]])),
    () => policy.check({ c: Promise.resolve(-1) }),
    () => policy.check({ c: new Number(-1) }), // eslint-disable-line no-new-wrappers
    () => policy.check(Object.create({ c: -1 })).verdict,
    () => policy.check({ c: 1 }, new Map()),
    () => policy.checkBatch({ c: detached }),
    () => policy.checkBatch({ c: [new Date(0)] }),
    () => policy.startRun(5),
    () => kiro.Policy.prototype.check.call({}, { c: 1 }),
  ]
  const errors = misuses.map(attempt)
  const oom = attempt(() => kiro._oomForTest())
  return { errors, oom, after: kiro.Policy.fromText(POLICY).check({ c: 1 }).verdict }
}
