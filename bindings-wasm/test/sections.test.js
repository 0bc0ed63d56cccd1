'use strict'
// Release, Alerts, risk and health (bindings-js/testlib/sections-api.cjs) against the WebAssembly binding.
require('@kiro/bindings-js/testlib/sections-api.cjs')(require('..'))
