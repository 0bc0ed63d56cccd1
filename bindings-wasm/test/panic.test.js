'use strict'
// WebAssembly-specific: the guard of js/guard.mjs. After KIRO-E099 or a trap (out of memory) the
// instance is replaced, so objects from before are stale and fail loudly instead of reading a
// fresh instance's memory; a method called on anything but a live object, or re-entered from a
// getter of its own argument, is a KiroError before it reaches the instance.
const assert = require('node:assert/strict')
const { test } = require('node:test')
const kiro = require('..')

const POLICY = 'name: d\nmetrics: {c: {}}\ngates:\n  - {name: g, kind: pre-merge, criteria: [{name: c, pass: c == 0}]}\n'

test('objects from before a panic are stale; new ones work', () => {
  const before = kiro.Policy.fromText(POLICY)
  assert.throws(() => kiro._panicForTest(), (e) => e.code === 'KIRO-E099')
  assert.throws(() => before.name, /stale object/)
  assert.throws(() => before.check({ c: 0 }), /stale object/)
  const after = kiro.Policy.fromText(POLICY)
  assert.equal(after.check({ c: 0 }).verdict, 'pass')
  // The string argument of the first call after the panic arrives intact.
  assert.throws(() => kiro._panicForTest(), (e) => e.code === 'KIRO-E099')
  assert.equal(kiro.Policy.fromText(POLICY).name, 'd')
})

test('running out of memory traps; the instance is replaced and later calls work', () => {
  const before = kiro.Policy.fromText(POLICY)
  for (let i = 0; i < 3; i++) {
    assert.throws(
      () => kiro._oomForTest(),
      (e) => e.name === 'KiroError' && e.code === 'KIRO-E099' && e.kind === 'internal' && /WebAssembly instance stopped \(unreachable\) and was replaced/.test(e.message),
    )
    const after = kiro.Policy.fromText(POLICY)
    assert.equal(after.check({ c: 0 }).verdict, 'pass')
    assert.deepEqual(Array.from(after.checkBatch({ c: new Float64Array([0, 1]) }).verdicts), [0, 2])
  }
  assert.throws(() => before.check({ c: 0 }), /stale object/)
})

test('methods called on anything but a live object are KIRO-E003, and cost the instance nothing', () => {
  const policy = kiro.Policy.fromText(POLICY)
  const run = kiro.Policy.fromText('name: ci\npipeline: {stages: [{name: a}]}').startRun([])
  const freed = kiro.Policy.fromText(POLICY)
  freed.free()
  freed.free() // a second free does nothing
  const misuses = [
    [() => freed.check({ c: 0 }), '`Policy.check` was called on a Policy, not on a live Policy (freed, or not made by kiro)'],
    [() => kiro.Policy.prototype.check.call({}, { c: 0 }), '`Policy.check` was called on an object, not on a live Policy (freed, or not made by kiro)'],
    [() => kiro.Policy.prototype.check.call(run, { c: 0 }), '`Policy.check` was called on a PipelineRun, not on a live Policy (freed, or not made by kiro)'],
    [() => Object.getOwnPropertyDescriptor(kiro.Policy.prototype, 'name').get.call(null), '`Policy.name` was called on null, not on a live Policy (freed, or not made by kiro)'],
    [() => kiro.PipelineRun.prototype.step.call(policy, 0), '`PipelineRun.step` was called on a Policy, not on a live PipelineRun (freed, or not made by kiro)'],
    [() => new kiro.Policy().check({}), null],
  ]
  for (let i = 0; i < 1000; i++) {
    const [misuse, message] = misuses[i % misuses.length]
    assert.throws(misuse, (e) => e.name === 'KiroError' && e.code === 'KIRO-E003' && (message === null || e.diagnostics[0].message === message))
  }
  assert.equal(policy.check({ c: 0 }).verdict, 'pass')
  assert.equal(kiro.Policy.fromText(POLICY).check({ c: 1 }).verdict, 'fail')
})

test('a call on a PipelineRun re-entered from a getter of its argument is KIRO-E003', () => {
  const policy = kiro.Policy.fromText('name: ci\npipeline: {stages: [{name: a}]}')
  const run = policy.startRun(['a'])
  const [start] = run.step(0).requests
  let inner
  const metrics = {
    get c() {
      try {
        run.step(1)
      } catch (error) {
        inner = error
      }
      return 1
    },
  }
  run.complete(start.id, metrics)
  assert.equal(inner.code, 'KIRO-E003')
  assert.equal(inner.diagnostics[0].message, '`PipelineRun.step` was called while another call on the same PipelineRun is in progress (from a getter or a Proxy trap of its argument)')
  // Freeing a policy from inside its own check is refused the same way; the check goes on.
  const checked = kiro.Policy.fromText(POLICY)
  let freeing
  const decision = checked.check({
    get c() {
      try {
        checked.free()
      } catch (error) {
        freeing = error
      }
      return 0
    },
  })
  assert.equal(freeing.code, 'KIRO-E003')
  assert.equal(decision.verdict, 'pass')
  assert.equal(run.step(2).done, true)
  assert.equal(checked.check({ c: 0 }).verdict, 'pass')
})

test('a run in progress when the instance is replaced rejects', async () => {
  const policy = kiro.Policy.fromText('name: ci\npipeline: {stages: [{name: a}, {name: b, needs: [a]}]}')
  const run = policy.run({
    a: () => {
      assert.throws(() => kiro._panicForTest(), (e) => e.code === 'KIRO-E099')
    },
    b: () => assert.fail('the run cannot go on'),
  })
  await assert.rejects(run, /stale object/)
  const after = await kiro.Policy.fromText('name: ci\npipeline: {stages: [{name: a}]}').run({ a: () => {} })
  assert.equal(after.verdict, 'pass')
})

test('the package exports exactly the documented API', () => {
  assert.deepEqual(Object.keys(kiro).sort(), ['Alerts', 'KiroError', 'Monitor', 'PipelineRun', 'Policy', 'Release', '_oomForTest', '_panicForTest', 'errorCodes', 'evaluateModel', 'fitModel', 'policySchema', 'readEvidence', 'scoreChanges', 'validate', 'version'])
})
