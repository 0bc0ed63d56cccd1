'use strict'
// The README's example runs and prints what the README says.
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const util = require('node:util')
const { test } = require('node:test')

test('README example', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8')
  const code = /```js\n([\s\S]*?)```/.exec(readme)[1]
  const expected = /prints\n\n```text\n([\s\S]*?)```/.exec(readme)[1]
  let out = ''
  const fakeConsole = { log: (...args) => (out += util.format(...args) + '\n') }
  const fakeRequire = (name) => (name === 'kiro' ? require('..') : require(name))
  new Function('require', 'console', code)(fakeRequire, fakeConsole)
  assert.equal(out, expected)
})
