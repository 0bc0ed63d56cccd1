'use strict'
// `policy.run` is one JavaScript file, bindings-node/run.cjs, shared with the Node.js binding:
// build.sh copies it into pkg-node (as is) and pkg-web (wrapped as an ES module). A copy that
// differs from the source (a stale build, an edit to a copy) fails here.
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { test } = require('node:test')

const read = (...parts) => fs.readFileSync(path.join(__dirname, '..', ...parts), 'utf8')

test('the run glue in pkg-node and pkg-web is bindings-node/run.cjs', () => {
  const source = read('..', 'bindings-node', 'run.cjs')
  assert.equal(read('pkg-node', 'run.cjs'), source, 'pkg-node/run.cjs differs: run build.sh')
  const esm = read('pkg-web', 'run.js')
  const start = esm.indexOf(source)
  assert.ok(start >= 0, 'pkg-web/run.js does not contain run.cjs: run build.sh')
  const wrapper = esm.slice(0, start) + esm.slice(start + source.length)
  assert.equal(
    wrapper,
    '// bindings-node/run.cjs as an ES module, written by bindings-wasm/build.sh.\n' +
      'const module = { exports: {} }\n' +
      'export { installRun }\n',
  )
})
