'use strict'
// Hostile host values (@kiro/bindings-js, testlib/hostile.cjs) against the native Node.js binding.
const kiro = require('..')

require('@kiro/bindings-js/testlib/hostile.cjs')(kiro, { fromPath: true })
