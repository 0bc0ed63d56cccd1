'use strict'
// Tests of running pipelines from JavaScript, shared by the Node.js binding (bindings-node/test/run.test.js)
// and the WebAssembly binding (bindings-wasm/test/run.test.js): `policy.run` (the glue in
// run.mjs) with functions returning Promises on real time, and the native `PipelineRun` it
// drives. `options.dts` is the .d.ts declaring the types; `options.entry` the file that
// `require`s the package (for the test that the process exits when a run is over).

const assert = require('node:assert/strict')
const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const { test } = require('node:test')
const { interfaceKeys } = require('./dts.cjs')

const sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => {
      clearTimeout(timer)
      reject(signal.reason)
    })
  })

/** Resolves when `signal` aborts (and records that it did). */
const untilAborted = (signal) => new Promise((resolve) => signal.addEventListener('abort', resolve))

function pipeline(stages, extra = '') {
  return `name: ci
metrics: {coverage: {unit: "%"}}
gates:
  - {name: tests, kind: pre-merge, criteria: [{name: cov, pass: coverage >= 90%}]}
pipeline:
${extra}  stages:
${stages.map((s) => `    - ${s}`).join('\n')}
`
}

/** Asserts that `promise` rejects with a KiroError with `code`; returns the error. */
async function rejectsKiro(promise, code) {
  let caught
  await assert.rejects(promise, (error) => {
    caught = error
    return true
  })
  assert.equal(caught.name, 'KiroError', String(caught))
  assert.equal(caught.code, code, String(caught))
  return caught
}

module.exports = function runSuite(kiro, options) {
  const dts = fs.readFileSync(options.dts, 'utf8')
  const compile = (stages, extra) => kiro.Policy.fromText(pipeline(stages, extra))

  // -- policy.run ----------------------------------------------------------------------------

  test('run: parallel stages overlap; needs wait; the result is plain data', async () => {
    const policy = compile(['{name: a}', '{name: b}', '{name: c, needs: [a, b]}'])
    const times = {}
    const action = async ({ stage }) => {
      times[stage] = { start: performance.now() }
      await sleep(stage === 'c' ? 1 : 100)
      times[stage].end = performance.now()
    }
    const result = await policy.run({ a: action, b: action, c: action })
    assert.equal(result.verdict, 'pass', result.summary)
    assert.equal(result.interrupted, false)
    assert.ok(Math.max(times.a.start, times.b.start) < Math.min(times.a.end, times.b.end), 'a and b overlap')
    assert.ok(times.c.start >= Math.max(times.a.end, times.b.end), 'c waits for what it needs')
    assert.deepEqual(result.stages.map((s) => [s.name, s.outcome]), [
      ['a', 'passed'],
      ['b', 'passed'],
      ['c', 'passed'],
    ])
    assert.deepEqual(JSON.parse(JSON.stringify(result)), result)
    assert.deepEqual(result.policy, { name: 'ci', hash: policy.hash })
  })

  test('run: maxParallel is never exceeded', async () => {
    const policy = compile(['{name: a}', '{name: b}', '{name: c}', '{name: d}', '{name: e}'])
    let running = 0
    let most = 0
    const action = async () => {
      most = Math.max(most, ++running)
      await sleep(15)
      running--
    }
    const actions = Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((s) => [s, action]))
    const result = await policy.run(actions, { maxParallel: 2 })
    assert.equal(result.verdict, 'pass')
    assert.equal(most, 2)
  })

  test('run: the exit gate checks the metrics an action returns', async () => {
    const policy = compile(['{name: test, gate: tests}'])
    const pass = await policy.run({ test: async () => ({ coverage: 95 }) })
    assert.equal(pass.verdict, 'pass')
    assert.equal(pass.stages[0].gate.verdict, 'pass')
    assert.equal(pass.stages[0].gate.gates[0].criteria[0].explanation, 'coverage 95.0% >= 90%')
    const fail = await policy.run({ test: () => ({ coverage: '50%' }) })
    assert.equal(fail.verdict, 'fail')
    assert.equal(fail.stages[0].outcome, 'failed')
    assert.equal(fail.stages[0].gate.verdict, 'fail')
  })

  test('run: a throw or a rejection fails the attempt with its name and message', async () => {
    const policy = compile(['{name: a}', '{name: b}', '{name: c}'])
    const result = await policy.run(
      {
        a: () => {
          throw new Error('exit status 2')
        },
        b: async () => Promise.reject(new TypeError('no such file')),
        c: async () => {
          throw 'plain string' // eslint-disable-line no-throw-literal
        },
      },
      { failFast: false },
    )
    const details = result.stages.map((s) => [s.outcome, s.attempts[0].detail])
    assert.deepEqual(details, [
      ['failed', 'Error: exit status 2'],
      ['failed', 'TypeError: no such file'],
      ['failed', 'plain string'],
    ])
  })

  test('run: a thrown error\'s metrics let the exit gate decide, and its exitCode meets retry_on', async () => {
    const policy = compile([
      '{name: test, gate: tests, on_action_failure: gate, retries: 2}',
      '{name: fetch, retries: 3, retry_on: [{exit: [75]}]}',
    ], '  fail_fast: false\n')
    const attempts = { test: 0, fetch: 0 }
    const result = await policy.run({
      test: () => {
        attempts.test++
        throw Object.assign(new Error('3 tests failed'), { metrics: { coverage: 95 }, exitCode: 1 })
      },
      fetch: ({ attempt }) => {
        attempts.fetch++
        throw Object.assign(new Error('unavailable'), { exitCode: attempt === 1 ? 75 : 1 })
      },
    })
    assert.deepEqual(attempts, { test: 1, fetch: 2 })
    assert.equal(result.stages[0].outcome, 'passed')
    assert.equal(result.stages[0].gate.verdict, 'pass')
    assert.equal(result.stages[0].reason, 'Error: 3 tests failed; exit gate `tests` pass')
    assert.equal(result.stages[1].outcome, 'failed')
    assert.equal(result.stages[1].reason, 'Error: unavailable (after 2 attempts)')
    // A getter that throws leaves the failure alone: the gate sees no data and fails.
    const hostile = await policy.run({
      test: () => {
        throw Object.defineProperty(new Error('red'), 'metrics', {
          get() {
            throw new Error('no metrics')
          },
        })
      },
    })
    assert.equal(hostile.stages[0].outcome, 'failed')
    assert.equal(hostile.stages[0].gate.verdict, 'fail')
  })

  test('run: metrics the engine cannot read fail the stage with the reason', async () => {
    const policy = compile(['{name: a}', '{name: b, gate: tests}', '{name: c}', '{name: d}', '{name: e}'])
    const boom = {
      get coverage() {
        throw new Error('boom')
      },
    }
    const result = await policy.run(
      { a: () => 42, b: () => ({ coverage: 'fast' }), c: () => ({ coverage: NaN }), d: () => [1, 2], e: () => boom },
      { failFast: false },
    )
    const detail = (name) => result.stages.find((s) => s.name === name).attempts[0].detail
    for (const s of result.stages) assert.equal(s.outcome, 'failed', s.name)
    assert.match(detail('a'), /^metrics input must be a map of metric names to values/)
    const b = result.stages[1]
    assert.equal(b.attempts[0].outcome, 'succeeded', 'the action succeeded; its exit gate could not be checked')
    assert.equal(b.diagnostics[0].code, 'KIRO-E022')
    assert.match(b.reason, /coverage/)
    assert.equal(detail('c'), 'metric `coverage` is not a finite number')
    assert.equal(detail('d'), 'metrics input must be a map of metric names to values, found a sequence')
    assert.equal(detail('e'), 'Error: boom')
  })

  test('run: retries wait their backoff and the attempt number grows', async () => {
    const policy = compile(['{name: flaky, retries: 2, backoff: 10ms}'])
    const starts = []
    const result = await policy.run({
      flaky: async ({ attempt }) => {
        starts.push([attempt, performance.now()])
        if (attempt < 3) throw new Error(`exit status ${attempt}`)
      },
    })
    assert.equal(result.verdict, 'pass')
    assert.deepEqual(starts.map(([a]) => a), [1, 2, 3])
    assert.ok(starts[1][1] - starts[0][1] >= 10, 'the first backoff is 10ms')
    assert.ok(starts[2][1] - starts[1][1] >= 20, 'the second backoff doubles')
    const [first, second, third] = result.stages[0].attempts
    assert.ok(second.started_at_ms >= first.started_at_ms + first.duration_ms + 10)
    assert.ok(third.started_at_ms >= second.started_at_ms + second.duration_ms + 20)
    assert.deepEqual(result.stages[0].attempts.map((a) => [a.outcome, a.detail]), [
      ['failed', 'Error: exit status 1'],
      ['failed', 'Error: exit status 2'],
      ['succeeded', undefined],
    ])
  })

  test('run: a timeout aborts the attempt\'s signal', async () => {
    const policy = compile(['{name: slow, timeout: 30ms}'])
    let signal
    const result = await policy.run({
      slow: (ctx) => {
        signal = ctx.signal
        return untilAborted(ctx.signal).then(() => new Promise(() => {})) // never ends by itself
      },
    })
    assert.equal(signal.aborted, true)
    assert.equal(result.verdict, 'fail')
    assert.equal(result.stages[0].outcome, 'timed_out')
    assert.ok(result.stages[0].attempts[0].duration_ms >= 30, 'never before the timeout')
    assert.equal(result.stages[0].reason, 'timed out after 30ms')
  })

  test('run: fail-fast aborts the running attempts', async () => {
    const policy = compile(['{name: build}', '{name: lint}', '{name: test, needs: [build]}'])
    let buildSignal
    let testRan = false
    const result = await policy.run({
      build: ({ signal }) => {
        buildSignal = signal
        return sleep(10_000, signal)
      },
      lint: async () => {
        await sleep(5)
        throw new Error('3 lint errors')
      },
      test: () => {
        testRan = true
      },
    })
    assert.equal(buildSignal.aborted, true)
    assert.equal(testRan, false)
    assert.deepEqual(result.stages.map((s) => s.outcome), ['cancelled', 'failed', 'skipped'])
  })

  test('run: onEvent gets every event in order, shaped as the types declare', async () => {
    const policy = compile(['{name: build, retries: 1, backoff: 1ms}', '{name: test, needs: [build], gate: tests}'])
    const events = []
    const result = await policy.run(
      {
        build: ({ attempt }) => {
          if (attempt === 1) throw new Error('flaky')
        },
        test: async () => ({ coverage: 99 }),
      },
      { onEvent: (e) => events.push(e) },
    )
    assert.equal(result.verdict, 'pass')
    assert.deepEqual(events.map((e) => `${e.event} ${e.stage}`), [
      'queued build',
      'queued test',
      'started build',
      'retried build',
      'started build',
      'passed build',
      'started test',
      'passed test',
    ])
    const pascal = (kind) => kind.replace(/(^|_)([a-z])/g, (_, __, c) => c.toUpperCase())
    for (const e of events) assert.deepEqual(Object.keys(e).sort(), interfaceKeys(dts, `${pascal(e.event)}Event`).sort(), e.event)
    assert.equal(events.at(-1).verdict, 'pass')
    const sorted = events.map((e) => e.at_ms)
    assert.deepEqual(sorted, [...sorted].sort((a, b) => a - b))
  })

  test('run: an exception from onEvent stops the run and rejects with it', async () => {
    const policy = compile(['{name: a}', '{name: b}'])
    let signal
    const oops = new Error('oops')
    await assert.rejects(
      policy.run(
        { a: () => sleep(5), b: (ctx) => ((signal = ctx.signal), sleep(10_000, ctx.signal)) },
        {
          onEvent: (e) => {
            if (e.event === 'passed') throw oops
          },
        },
      ),
      (error) => error === oops,
    )
    assert.equal(signal.aborted, true, 'the running attempt is aborted')
  })

  test('run: the caller\'s AbortSignal interrupts the run', async () => {
    const policy = compile(['{name: build}', '{name: test, needs: [build]}'])
    const controller = new AbortController()
    let buildSignal
    setTimeout(() => controller.abort(), 20)
    const result = await policy.run(
      {
        build: ({ signal }) => {
          buildSignal = signal
          return sleep(10_000, signal)
        },
        test: () => assert.fail('test must not start'),
      },
      { signal: controller.signal },
    )
    assert.equal(buildSignal.aborted, true)
    assert.equal(result.interrupted, true)
    assert.equal(result.verdict, 'fail')
    assert.deepEqual(result.stages.map((s) => [s.outcome, s.reason]), [
      ['cancelled', 'the run was interrupted'],
      ['skipped', 'the run was interrupted'],
    ])

    let called = false
    const early = await policy.run({ build: () => (called = true) }, { signal: AbortSignal.abort() })
    assert.equal(called, false, 'an aborted signal runs nothing')
    assert.equal(early.interrupted, true)
    assert.ok(early.stages.every((s) => s.outcome === 'cancelled' || s.outcome === 'skipped'), early.summary)
  })

  test('run: bad arguments reject before anything runs', async () => {
    const policy = compile(['{name: build}', '{name: test}'])
    let called = false
    const action = () => (called = true)
    const e = await rejectsKiro(policy.run({ biuld: action, test: action }), 'KIRO-E005')
    assert.equal(e.kind, 'input')
    assert.equal(e.diagnostics[0].help, 'did you mean `build`?')
    assert.equal(e.diagnostics[0].message, 'there is an action for `biuld`, but the pipeline has no stage of that name')
    await rejectsKiro(compile(['{name: a}']).run({}, { maxParallel: 0 }), 'KIRO-E003')
    await rejectsKiro(kiro.Policy.fromText('name: x').run({}), 'KIRO-E033')
    await assert.rejects(policy.run({ build: 'npm run build' }), /the action of stage `build` must be a function, not string/)
    await assert.rejects(policy.run(null), TypeError)
    await assert.rejects(policy.run({}, { onEvent: 'log' }), /option `onEvent` must be a function/)
    await assert.rejects(policy.run({}, { signal: {} }), /option `signal` must be an AbortSignal/)
    assert.equal(called, false)
  })

  test('run: stages without an action succeed at once; the run resolves with nothing pending', async () => {
    const result = await compile(['{name: build}', '{name: test, needs: [build]}']).run({})
    assert.equal(result.verdict, 'pass')
    assert.deepEqual(result.stages.map((s) => s.attempts.length), [1, 1])
  })

  test('run: the process exits as soon as the run is over (no timer left behind)', () => {
    // A stage timeout and a backoff of an hour: their timers must be cleared when the run ends.
    const script = `
      const { Policy } = require(${JSON.stringify(options.entry)})
      const policy = Policy.fromText('name: ci\\npipeline:\\n  stages:\\n    - {name: a, timeout: 1h, retries: 1, backoff: 1h}\\n    - {name: b, timeout: 1h}\\n')
      policy.run({ a: async () => {}, b: () => new Promise((r) => setTimeout(r, 5)) }, { signal: new AbortController().signal })
        .then((r) => console.log(r.verdict))`
    const start = Date.now()
    const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 })
    assert.equal(out.trim(), 'pass')
    assert.ok(Date.now() - start < 15_000)
  })

  // -- PipelineRun ---------------------------------------------------------------------------

  test('PipelineRun: steps, requests and results as the types declare', () => {
    const policy = compile(['{name: build, timeout: 2s}', '{name: test, needs: [build], gate: tests}'])
    const run = policy.startRun(['build', 'test'])
    assert.equal(run.result(), null)
    const first = run.step(0)
    assert.deepEqual(Object.keys(first), interfaceKeys(dts, 'RunStep'))
    assert.deepEqual(first.requests, [
      { type: 'start', id: 1, stage: 'build', attempt: 1 },
      { type: 'set_timer', id: 2, ms: 2000 },
    ])
    assert.deepEqual(Object.keys(first.requests[0]), interfaceKeys(dts, 'StartRequest'))
    assert.deepEqual(Object.keys(first.requests[1]), interfaceKeys(dts, 'SetTimerRequest'))
    run.complete(1)
    const second = run.step(500)
    assert.deepEqual(second.requests, [
      { type: 'clear_timer', id: 2 },
      { type: 'start', id: 3, stage: 'test', attempt: 1 },
    ])
    assert.deepEqual(Object.keys(second.requests[0]), interfaceKeys(dts, 'ClearTimerRequest'))
    run.complete(3, { coverage: 50 })
    run.complete(3, { coverage: 99 }) // a second report of the same attempt is ignored
    const last = run.step(700)
    assert.equal(last.done, true)
    const result = run.result()
    assert.equal(result.verdict, 'fail')
    assert.equal(result.duration_ms, 700)
    const check = (value, name, optional = []) => {
      const declared = interfaceKeys(dts, name)
      for (const key of Object.keys(value)) assert.ok(declared.includes(key), `${name}.${key} is not declared`)
      for (const key of declared) assert.ok(key in value || optional.includes(key), `${name}.${key} is missing`)
    }
    check(result, 'RunResult')
    for (const stage of result.stages) {
      check(stage, 'StageResult', ['reason', 'started_at_ms', 'duration_ms', 'gate', 'diagnostics'])
      for (const attempt of stage.attempts) check(attempt, 'AttemptRecord', ['detail'])
    }
    assert.ok(result.stages[1].gate, 'the exit gate was checked')
  })

  test('PipelineRun: cancel requests, conversion failures and ignored reports', () => {
    const policy = compile(['{name: build}', '{name: lint}'])
    const run = policy.startRun(['build', 'lint'], { failFast: true, maxParallel: null })
    run.step(0)
    run.complete(2, { coverage: NaN }) // not metrics: the attempt fails, nothing is thrown
    const step = run.step(10)
    assert.deepEqual(step.requests, [{ type: 'cancel', id: 1 }])
    assert.deepEqual(Object.keys(step.requests[0]), interfaceKeys(dts, 'CancelRequest'))
    assert.equal(step.done, true)
    run.complete(1) // cancelled: ignored
    run.fail(99, 'unknown') // not an attempt: ignored
    run.fire(1.5) // not an id: ignored
    const result = run.result()
    assert.deepEqual(result.stages.map((s) => s.outcome), ['cancelled', 'failed'])
    assert.equal(result.stages[1].attempts[0].detail, 'metric `coverage` is not a finite number')
  })

  test('PipelineRun: errors are KiroErrors', () => {
    const throwsCode = (fn, code) =>
      assert.throws(fn, (e) => e.name === 'KiroError' && e.code === code && e.diagnostics[0].code === code)
    const policy = compile(['{name: build}'])
    throwsCode(() => policy.startRun(['biuld']), 'KIRO-E005')
    throwsCode(() => kiro.Policy.fromText('name: x').startRun([]), 'KIRO-E033')
    throwsCode(() => policy.startRun([], { maxParallel: 1.5 }), 'KIRO-E003')
    throwsCode(() => policy.startRun([], { maxParallel: '2' }), 'KIRO-E003')
    throwsCode(() => policy.startRun([], { failFast: 'yes' }), 'KIRO-E003')
  })
}
