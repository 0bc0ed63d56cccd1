'use strict'
// Running pipelines (@kiro/bindings-js, testlib/run.cjs) against the native Node.js binding.
const path = require('node:path')
const kiro = require('..')

require('@kiro/bindings-js/testlib/run.cjs')(kiro, { dts: path.join(__dirname, '..', 'types.d.ts'), entry: path.join(__dirname, '..') })
