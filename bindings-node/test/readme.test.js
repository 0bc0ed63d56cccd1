'use strict'
// The README's examples run and print what the README says (testlib/readme.cjs).
const path = require('node:path')

require('../testlib/readme.cjs')(path.join(__dirname, '..', 'README.md'), 'kiro', require('..'))
