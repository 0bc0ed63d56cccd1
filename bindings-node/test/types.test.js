'use strict'
// The TypeScript declarations (index.d.ts, generated; types.d.ts) compile and describe the API.
const { execFileSync } = require('node:child_process')
const path = require('node:path')
const { test } = require('node:test')

test('a TypeScript user compiles against index.d.ts', () => {
  const tsc = require.resolve('typescript/bin/tsc')
  execFileSync(
    process.execPath,
    [tsc, '--noEmit', '--strict', '--target', 'es2022', '--lib', 'esnext,dom', '--module', 'nodenext', '--moduleResolution', 'nodenext', path.join(__dirname, 'types', 'usage.ts')],
    { stdio: 'inherit' },
  )
})
