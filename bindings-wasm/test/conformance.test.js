'use strict'
// The shared conformance corpus against the WebAssembly binding (policy_file cases read the file
// here, as a WebAssembly host would, and pass the text).
const fs = require('node:fs')
const kiro = require('..')

require('@kiro/bindings-js/testlib/conformance.cjs')(kiro, require('yaml'), {
  fromPath: (file, format) => {
    const ext = file.split('.').pop()
    const byExtension = { yaml: 'yaml', yml: 'yaml', json: 'json', toml: 'toml' }[ext] ?? null
    return kiro.Policy.fromText(fs.readFileSync(file, 'utf8'), format ?? byExtension)
  },
})
