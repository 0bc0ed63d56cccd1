'use strict'
// Hostile host values (@kiro/bindings-js, testlib/hostile.cjs) against the WebAssembly binding
// for Node.js: the same assertions, the same messages as the native binding.
const kiro = require('..')

require('@kiro/bindings-js/testlib/hostile.cjs')(kiro, { fromPath: false })
