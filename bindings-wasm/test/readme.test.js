'use strict'
// The README's examples run and print what the README says (@kiro/bindings-js,
// testlib/readme.cjs).
const path = require('node:path')

require('@kiro/bindings-js/testlib/readme.cjs')(path.join(__dirname, '..', 'README.md'), 'kiro-wasm', require('..'))
