'use strict'
// The monitor's JavaScript API (bindings-js/testlib/monitor-api.cjs) against the native Node.js binding.
require('@kiro/bindings-js/testlib/monitor-api.cjs')(require('..'))
