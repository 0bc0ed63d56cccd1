// The size budget written in README.md: the release engine after wasm-opt, gzipped.
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const zlib = require('node:zlib')
const { test } = require('node:test')

const BUDGET_GZIPPED_BYTES = 1550 * 1024

test('the web engine fits its gzipped size budget', () => {
  const wasm = fs.readFileSync(path.join(__dirname, '..', 'pkg-web', 'kiro_wasm_bg.wasm'))
  const gzipped = zlib.gzipSync(wasm, { level: 9 }).length
  assert.ok(
    gzipped <= BUDGET_GZIPPED_BYTES,
    `kiro_wasm_bg.wasm is ${gzipped} bytes gzipped (${wasm.length} raw), over the budget of ${BUDGET_GZIPPED_BYTES}`
  )
})
