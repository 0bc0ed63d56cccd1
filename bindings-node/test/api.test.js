'use strict'
// The JavaScript API tests (@kiro/bindings-js, testlib/suite.cjs) against the native Node.js
// binding.
const path = require('node:path')
const kiro = require('..')

require('@kiro/bindings-js/testlib/suite.cjs')(kiro, { dts: path.join(__dirname, '..', 'types.d.ts'), fromPath: true })
