'use strict'
// The package's entry point: the loader napi generates (index.js, which loads the addon) with
// `policy.run` added from @kiro/bindings-js (run.mjs), the JavaScript glue shared with the
// WebAssembly binding, and the `KiroError` class (errors.mjs). The re-export is written so that
// Node.js sees the named exports when an ES module imports this.
module.exports = require('./index.js')
require('@kiro/bindings-js/run.mjs').installRun(module.exports.Policy)
module.exports.KiroError = require('@kiro/bindings-js/errors.mjs').KiroError
