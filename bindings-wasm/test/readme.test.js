'use strict'
// The README's examples run and print what the README says (bindings-node/testlib/readme.cjs).
const path = require('node:path')

require('../../bindings-node/testlib/readme.cjs')(path.join(__dirname, '..', 'README.md'), 'kiro-wasm', require('..'))
