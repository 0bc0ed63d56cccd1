'use strict'
// index.d.ts re-exports the shared TypeScript types and declares what the addon exports.
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { test } = require('node:test')
const kiro = require('..')

test('index.d.ts declares every export and re-exports types.d.ts', () => {
  const dts = fs.readFileSync(path.join(__dirname, '..', 'index.d.ts'), 'utf8')
  assert.match(dts, /export \* from '\.\/types'/)
  for (const name of Object.keys(kiro)) {
    if (name === '__napiBindingTarget') continue
    assert.match(dts, new RegExp(`export declare (function|class) ${name}\\b`), `${name} is not declared`)
  }
})
