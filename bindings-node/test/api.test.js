'use strict'
// The JavaScript API tests (testlib/suite.cjs) against the native Node.js binding.
const path = require('node:path')
const kiro = require('..')

require('../testlib/suite.cjs')(kiro, { dts: path.join(__dirname, '..', 'types.d.ts'), fromPath: true })
