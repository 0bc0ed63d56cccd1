'use strict'
// Running pipelines (@kiro/bindings-js, testlib/run.cjs, shared with the Node.js binding)
// against the WebAssembly binding for Node.js.
const path = require('node:path')
const kiro = require('..')

require('@kiro/bindings-js/testlib/run.cjs')(kiro, {
  dts: path.join(__dirname, '..', 'pkg-node', 'kiro_wasm.d.ts'),
  entry: path.join(__dirname, '..'),
})
