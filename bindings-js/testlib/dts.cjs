'use strict'
// Reading the shared TypeScript declarations in tests (testlib/suite.cjs, testlib/run.cjs).

const assert = require('node:assert/strict')

/**
 * The property names of `export interface NAME { ... }` (top level of the body only); with
 * `optionalOnly`, only those declared optional (`name?:`).
 */
function interfaceKeys(dts, name, { optionalOnly = false } = {}) {
  const start = dts.indexOf(`export interface ${name} `)
  assert.ok(start >= 0, `no interface ${name} in the .d.ts`)
  let depth = 0
  let body = ''
  for (let i = dts.indexOf('{', start); i < dts.length; i++) {
    const ch = dts[i]
    if (ch === '{') depth++
    if (ch === '}') depth--
    if (depth === 0) break
    if (depth === 1) body += ch
  }
  const withoutComments = body.replace(/\/\*[\s\S]*?\*\//g, '')
  const pattern = optionalOnly ? /^\s*([a-z_]+)\?:/gm : /^\s*([a-z_]+)\??:/gm
  return [...withoutComments.matchAll(pattern)].map((m) => m[1])
}

module.exports = { interfaceKeys }
