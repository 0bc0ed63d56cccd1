'use strict'
// kiro for Node.js via WebAssembly: the wasm-bindgen output (pkg-node, --target nodejs) with
// internal errors handled as js/guard.cjs describes.
module.exports = require('./guard.cjs').guardExports(require('../pkg-node/kiro_wasm.js'))
