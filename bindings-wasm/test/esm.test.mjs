// The Node.js entry point (js/node.cjs, CommonJS) imported from an ES module: every export of the
// WebAssembly module is a named export, `policy.run` included.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import * as kiro from '../js/node.cjs'
import { Policy } from '../js/node.cjs'

const require = createRequire(import.meta.url)

test('an ES module imports every export by name', async () => {
  const wasm = require('../pkg-node/kiro_wasm.js')
  const expected = [...Object.keys(wasm).filter((name) => name !== '__wbg_reset_state' && name !== '__kiroError'), 'KiroError']
  const named = Object.keys(kiro).filter((name) => name !== 'default' && name !== 'module.exports')
  assert.deepEqual(named.sort(), expected.sort())
  const result = await Policy.fromText('name: ci\npipeline: {stages: [{name: build}]}').run({ build: () => {} })
  assert.equal(result.verdict, 'pass')
})
