'use strict'
// The monitor's JavaScript API, shared by the Node.js binding (test/monitor.test.js) and the
// WebAssembly binding (bindings-wasm/test/monitor.test.js). What the monitor decides is the
// engine's and runs in the conformance corpus (tests/conformance/monitor/, through
// conformance.cjs); these tests check what only a JavaScript caller meets: the convenience
// methods, JavaScript values as readings (`NaN`, `undefined`), wrong argument types as coded
// errors, and states that belong to another policy.

const assert = require('node:assert/strict')
const { test } = require('node:test')

const TRIGGERS = `
name: deploy
metrics: {error_rate: {unit: "%"}, p95: {unit: ms}}
personas: [{name: performance}]
triggers:
  - {name: errors, when: error_rate > 1%, for: 1m, action: rollback}
  - {name: latency, when: p95 > 500ms, action: rollback, mode: manual, approvers: [performance], timeout: 15m}
`

/** Runs `fn`, expecting a KiroError with `code`; returns it. */
function throwsKiro(fn, code) {
  let caught
  assert.throws(fn, (error) => {
    caught = error
    return true
  })
  assert.equal(caught?.name, 'KiroError', String(caught))
  assert.equal(caught.code, code, caught.message)
  assert.equal(caught.kind, 'input')
  assert.equal(caught.diagnostics[0].code, code)
  return caught
}

module.exports = function monitorApi(kiro) {
  const policy = kiro.Policy.fromText(TRIGGERS)

  test('the convenience methods are the events given to step', () => {
    const byMethod = policy.startMonitor()
    const byStep = policy.startMonitor()
    const calls = [
      [(m) => m.observe(0, { error_rate: 2, p95: '600ms' }), { type: 'observe', at_ms: 0, values: { error_rate: 2, p95: '600ms' } }],
      [(m) => m.tick(30_000), { type: 'tick', at_ms: 30_000 }],
      [(m) => m.reject(40_000, 'latency', 'ana', 'performance'), { type: 'reject', at_ms: 40_000, trigger: 'latency', who: 'ana', persona: 'performance' }],
      [(m) => m.observe(50_000, { p95: 700 }), { type: 'observe', at_ms: 50_000, values: { p95: 700 } }],
      [(m) => m.approve(60_000, 'latency', 'ana', 'performance'), { type: 'approve', at_ms: 60_000, trigger: 'latency', who: 'ana', persona: 'performance' }],
    ]
    for (const [method, event] of calls) assert.deepEqual(method(byMethod), byStep.step(event))
    assert.equal(byMethod.snapshot(), byStep.snapshot())
    assert.equal(byMethod.ended, true)
    assert.ok(byMethod instanceof kiro.Monitor)
  })

  test('abort and end carry the final verdict', () => {
    const aborted = policy.startMonitor().abort(0, 'stopped by hand')
    assert.equal(aborted.final.reason, 'abort')
    assert.equal(aborted.final.detail, 'stopped by hand')
    assert.equal(policy.startMonitor().abort(0).final.detail, null)
    assert.equal(policy.startMonitor().abort(0, null).final.detail, null)
    const ended = policy.startMonitor()
    ended.observe(0, { error_rate: 0.5 })
    assert.equal(ended.end(60_000).final.reason, 'end')
    throwsKiro(() => ended.tick(70_000), 'KIRO-E043')
  })

  test('NaN is not a number, never no data; undefined is no data', () => {
    const observed = (values) => policy.startMonitor().observe(0, values).triggers[0].tiers[0].observed
    assert.deepEqual(policy.startMonitor().observe(0, { error_rate: NaN }), policy.startMonitor().observe(0, { error_rate: 'NaN' }))
    assert.equal(observed({ error_rate: NaN }), 'nan')
    assert.equal(observed({ error_rate: undefined }), 'missing')
    assert.equal(observed({ error_rate: null }), 'missing')
    assert.equal(observed({ error_rate: { error: 'HTTP 503' } }), 'error')
    const error = throwsKiro(() => policy.startMonitor().observe(0, { error_rate: Infinity }), 'KIRO-E022')
    assert.equal(error.diagnostics[0].message, 'metric `error_rate` is not a finite number')
  })

  const wrong = [
    ['an event that is a string', (m) => m.step('observe'), 'KIRO-E003'],
    ['an event without a time', (m) => m.step({ type: 'tick' }), 'KIRO-E003'],
    ['a time that is a string', (m) => m.tick('soon'), 'KIRO-E003'],
    ['a fractional time', (m) => m.tick(1.5), 'KIRO-E003'],
    ['a negative time', (m) => m.tick(-1), 'KIRO-E003'],
    ['a reading that is a function', (m) => m.observe(0, { error_rate: () => 2 }), 'KIRO-E003'],
    ['readings that are an array', (m) => m.observe(0, [['error_rate', 2]]), 'KIRO-E003'],
    ['an undeclared metric', (m) => m.observe(0, { eror_rate: 2 }), 'KIRO-E011'],
    ['a persona that is a number', (m) => m.approve(0, 'latency', 'ana', 7), 'KIRO-E003'],
    ['an approval nothing waits for', (m) => m.approve(0, 'latency', 'ana', 'performance'), 'KIRO-E043'],
    ['a reason that is a number', (m) => m.abort(0, 42), 'KIRO-E003'],
  ]
  for (const [name, call, code] of wrong) {
    test(`${name} is ${code} and changes nothing`, () => {
      const monitor = policy.startMonitor()
      const before = monitor.snapshot()
      throwsKiro(() => call(monitor), code)
      assert.equal(monitor.snapshot(), before)
    })
  }

  test('a state belongs to its policy', () => {
    const monitor = policy.startMonitor()
    monitor.observe(0, { error_rate: 2 })
    const saved = monitor.snapshot()
    assert.equal(policy.restoreMonitor(saved).snapshot(), saved)
    const other = kiro.Policy.fromText(TRIGGERS.replace('for: 1m', 'for: 2m'))
    throwsKiro(() => other.restoreMonitor(saved), 'KIRO-E041')
    throwsKiro(() => policy.restoreMonitor('{}'), 'KIRO-E040')
    throwsKiro(() => policy.restoreMonitor('not json'), 'KIRO-E040')
    throwsKiro(() => policy.restoreMonitor({ state: saved }), 'KIRO-E003')
    throwsKiro(() => policy.restoreMonitor(undefined), 'KIRO-E003')
  })

  test('a policy without triggers has no monitor', () => {
    const gates = kiro.Policy.fromText('name: g\nmetrics: {c: {}}\ngates:\n  - {name: g, kind: pre-merge, criteria: [{name: c, pass: c == 0}]}\n')
    throwsKiro(() => gates.startMonitor(), 'KIRO-E053')
    throwsKiro(() => gates.replayMonitor([]), 'KIRO-E053')
  })

  test('replayMonitor gives the decisions and state of stepping', () => {
    const events = [
      { type: 'observe', at_ms: 0, values: { error_rate: 2 } },
      { type: 'observe', at_ms: 60_000, values: { error_rate: 3 } },
    ]
    const monitor = policy.startMonitor()
    const decisions = events.map((e) => monitor.step(e))
    assert.deepEqual(policy.replayMonitor(events), { decisions, state: monitor.snapshot() })
    const error = throwsKiro(() => policy.replayMonitor([events[1], events[0]]), 'KIRO-E042')
    assert.match(error.diagnostics[0].message, /^event 1: time went backwards/)
    throwsKiro(() => policy.replayMonitor({ events }), 'KIRO-E003')
  })
}
