'use strict'
// WebAssembly-specific: after KIRO-E099 the instance is replaced (js/guard.cjs), so objects from
// before are stale and fail loudly instead of reading a fresh instance's memory.
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
  assert.deepEqual(Object.keys(kiro).sort(), ['Monitor', 'PipelineRun', 'Policy', '_panicForTest', 'errorCodes', 'policySchema', 'validate', 'version'])
})
