'use strict'
// The TypeScript declarations (pkg-node/kiro_wasm.d.ts, generated, with the shared types.d.ts
// embedded) compile and describe the API.
const { execFileSync } = require('node:child_process')
const path = require('node:path')
const { test } = require('node:test')

test('a TypeScript user compiles against the generated .d.ts', () => {
  const tsc = require.resolve('typescript/bin/tsc')
  execFileSync(
    process.execPath,
    [tsc, '--noEmit', '--strict', '--target', 'es2022', '--lib', 'esnext,dom', '--module', 'nodenext', '--moduleResolution', 'nodenext', path.join(__dirname, 'types', 'usage.ts'), path.join(__dirname, 'types', 'web-usage.mts')],
    { stdio: 'inherit' },
  )
})
