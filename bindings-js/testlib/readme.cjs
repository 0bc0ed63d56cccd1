'use strict'
// A README's examples run and print what the README says: each ```js block followed by "prints"
// and a ```text block. An example may `import { … } from` the package and use top-level
// `await`. Shared by bindings-node/test/readme.test.js and bindings-wasm/test/readme.test.js.
const assert = require('node:assert/strict')
const fs = require('node:fs')
const util = require('node:util')
const { test } = require('node:test')

const AsyncFunction = (async () => {}).constructor

/** Tests the examples of the README at `file`; `name` is the package, `kiro` what it loads. */
module.exports = function readmeExamples(file, name, kiro) {
  const readme = fs.readFileSync(file, 'utf8')
  // A ```js block (no ``` inside) followed by "prints" and a ```text block.
  const examples = [...readme.matchAll(/```js\n((?:(?!```)[\s\S])*)```\n\nprints\n\n```text\n([\s\S]*?)```/g)]

  test('the README has its examples', () => assert.ok(examples.length >= 2))

  for (const [i, [, code, expected]] of examples.entries()) {
    test(`README example ${i + 1}`, async () => {
      let out = ''
      const fakeConsole = { log: (...args) => (out += util.format(...args) + '\n') }
      const fakeRequire = (module) => (module === name ? kiro : require(module))
      const script = code.replace(
        /^import \{([^}]*)\} from '([^']+)'$/gm,
        (_, names, module) => `const {${names.replace(/ as /g, ': ')}} = require('${module}')`,
      )
      await new AsyncFunction('require', 'console', script)(fakeRequire, fakeConsole)
      assert.equal(out, expected)
    })
  }
}
