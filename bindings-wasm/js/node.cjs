'use strict'
// kiro for Node.js via WebAssembly: the wasm-bindgen output (pkg-node, --target nodejs) guarded
// as js/guard.mjs describes (misuse stopped before it reaches the instance; the instance replaced
// after a trap or an internal error), and `policy.run` from the glue shared with the Node.js
// binding (@kiro/bindings-js, run.mjs).
const kiro = require('./guard.mjs').guardExports(require('../pkg-node/kiro_wasm.js'))
require('@kiro/bindings-js/run.mjs').installRun(kiro.Policy)

// One by one, so that Node.js finds the names when an ES module imports this file
// (test/esm.test.mjs checks that they are all of the module's exports).
exports.KiroError = require('@kiro/bindings-js/errors.mjs').KiroError
exports.Policy = kiro.Policy
exports.PipelineRun = kiro.PipelineRun
exports.Monitor = kiro.Monitor
exports.Release = kiro.Release
exports.Alerts = kiro.Alerts
exports.validate = kiro.validate
exports.readEvidence = kiro.readEvidence
exports.fitModel = kiro.fitModel
exports.scoreChanges = kiro.scoreChanges
exports.evaluateModel = kiro.evaluateModel
exports.policySchema = kiro.policySchema
exports.version = kiro.version
exports.errorCodes = kiro.errorCodes
exports._panicForTest = kiro._panicForTest
exports._oomForTest = kiro._oomForTest
