'use strict'
// The monitor's JavaScript API (bindings-js/testlib/monitor-api.cjs) against the WebAssembly binding.
require('@kiro/bindings-js/testlib/monitor-api.cjs')(require('..'))
