// The package's entry point (kiro.js, CommonJS) imported from an ES module: every export of the
// addon is a named export, `policy.run` included.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import * as kiro from '../kiro.js'
import { Policy } from '../kiro.js'

const require = createRequire(import.meta.url)

test('an ES module imports every export by name', async () => {
  const addon = require('../index.js')
  const named = Object.keys(kiro).filter((name) => name !== 'default' && name !== 'module.exports')
  assert.deepEqual(named.sort(), Object.keys(addon).sort())
  const result = await Policy.fromText('name: ci\npipeline: {stages: [{name: build}]}').run({ build: () => {} })
  assert.equal(result.verdict, 'pass')
})
