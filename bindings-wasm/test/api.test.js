'use strict'
// The JavaScript API tests shared with the Node.js binding (@kiro/bindings-js testlib/suite.cjs),
// against the WebAssembly binding for Node.js (js/node.cjs over pkg-node).
const path = require('node:path')
const kiro = require('..')

require('@kiro/bindings-js/testlib/suite.cjs')(kiro, {
  dts: path.join(__dirname, '..', 'pkg-node', 'kiro_wasm.d.ts'),
  fromPath: false,
})
