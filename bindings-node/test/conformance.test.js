'use strict'
// The shared conformance corpus against the native Node.js binding.
const kiro = require('..')

require('@kiro/bindings-js/testlib/conformance.cjs')(kiro, require('yaml'), { fromPath: (file, format) => kiro.Policy.fromPath(file, format) })
