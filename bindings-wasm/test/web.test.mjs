// The browser build (pkg-web, --target web) loaded as an ES module, with the panic guard.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import init, { initSync, Policy, PipelineRun, version, errorCodes, _panicForTest } from '../js/web.mjs'

const wasm = fs.readFileSync(fileURLToPath(new URL('../pkg-web/kiro_wasm_bg.wasm', import.meta.url)))
const POLICY = 'name: d\nmetrics: {c: {unit: "%"}}\ngates:\n  - {name: g, kind: pre-merge, criteria: [{name: c, pass: c >= 90%}]}\n'

test('the web build initialises and checks', async () => {
  await init({ module_or_path: wasm })
  assert.match(version(), /^\d+\.\d+\.\d+/)
  assert.ok(errorCodes().includes('KIRO-E001'))
  const decision = Policy.fromText(POLICY).check({ c: '87%' })
  assert.equal(decision.verdict, 'fail')
  assert.equal(decision.gates[0].criteria[0].explanation, 'c 87.0% < 90% (needs +3.0 points)')
})

test('initSync works too', () => {
  initSync({ module: wasm })
  assert.equal(Policy.fromText(POLICY).check({ c: 95 }).verdict, 'pass')
})

test('the web build runs pipelines with the shared glue', async () => {
  const ci = Policy.fromText('name: ci\npipeline: {stages: [{name: build}, {name: test, needs: [build], gate: g}]}\n' + POLICY.slice('name: d\n'.length))
  const events = []
  const result = await ci.run({ build: async () => {}, test: async () => ({ c: '95%' }) }, { onEvent: (e) => events.push(e.event) })
  assert.equal(result.verdict, 'pass', result.summary)
  assert.deepEqual(events, ['queued', 'queued', 'started', 'passed', 'started', 'passed'])
  assert.equal(PipelineRun.name, 'PipelineRun')
})

test('a panic in the web build is KIRO-E099 and the instance is replaced', () => {
  const before = Policy.fromText(POLICY)
  assert.throws(() => _panicForTest(), (e) => e.name === 'KiroError' && e.code === 'KIRO-E099' && e.kind === 'internal')
  assert.throws(() => before.check({ c: 95 }), /stale/)
  assert.equal(Policy.fromText(POLICY).check({ c: 95 }).verdict, 'pass')
})
