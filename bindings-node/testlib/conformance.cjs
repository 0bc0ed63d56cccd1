'use strict'
// The shared conformance corpus (tests/conformance/**/*.yaml) run through a JavaScript binding;
// used by bindings-node/test/conformance.test.js and bindings-wasm/test/conformance.test.js.
//
// Reads cases exactly like the Rust runner (tests/src/lib.rs): `policy` (inline text) or
// `policy_file` (relative to the case file), optional `format`, `metrics` (or `metrics_text` +
// `metrics_format`), optional `gate`/`kind`, then `expect` (a subset of the decision: objects key
// by key, arrays element-wise with equal length, numbers by value) or `expect_error` (a code
// among the error's diagnostics; with `expect_message`, one diagnostic with that code has
// exactly that message). With `plan: true`, `expect` is a subset of the pipeline's plan
// (`policy.plan()`) instead of a decision. `metrics_text` is parsed here (the bindings take
// metrics as data); a case whose text is meant to be unreadable (KIRO-E020) is skipped.

const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { test } = require('node:test')

const CORPUS = path.resolve(__dirname, '..', '..', 'tests', 'conformance')

function files(dir) {
  const out = []
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) out.push(...files(full))
    else if (/\.ya?ml$/.test(entry.name)) out.push(full)
  }
  return out.sort()
}

function subset(where, expected, actual) {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    assert.ok(actual !== null && typeof actual === 'object' && !Array.isArray(actual), `${where}: expected an object, got ${JSON.stringify(actual)}`)
    for (const [key, value] of Object.entries(expected)) {
      assert.ok(key in actual, `${where}.${key}: missing in the decision`)
      subset(`${where}.${key}`, value, actual[key])
    }
  } else if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${where}: expected an array, got ${JSON.stringify(actual)}`)
    assert.equal(actual.length, expected.length, `${where}: expected ${expected.length} items, got ${actual.length}`)
    expected.forEach((value, i) => subset(`${where}[${i}]`, value, actual[i]))
  } else {
    assert.equal(actual, expected, `${where}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
  }
}

module.exports = function conformance(kiro, YAML, options = {}) {
  if (!fs.existsSync(CORPUS)) {
    test('conformance corpus', { skip: `no corpus at ${CORPUS}` }, () => {})
    return
  }
  // YAML 1.2 core schema, as kiro's own reader.
  const parse = (text) => YAML.parse(text, { schema: 'core', version: '1.2' })
  for (const file of files(CORPUS)) {
    const doc = parse(fs.readFileSync(file, 'utf8')) || {}
    for (const spec of doc.cases || []) {
      const name = `${path.relative(CORPUS, file)}: ${spec.name || '(unnamed)'}`
      const skip = spec.policy === undefined && !options.fromPath ? 'policy_file needs a host with files' : false
      test(name, { skip }, (t) => {
        let metrics = spec.metrics ?? {}
        if (spec.metrics_text !== undefined) {
          try {
            metrics = (spec.metrics_format ?? 'json') === 'json' ? JSON.parse(spec.metrics_text) : parse(spec.metrics_text)
          } catch (error) {
            if (spec.expect_error === 'KIRO-E020') {
              t.skip("unreadable metrics text is the host reader's business in this binding")
              return
            }
            throw error
          }
        }
        const expectedError = spec.expect_error
        let actual
        try {
          const policy =
            spec.policy !== undefined
              ? kiro.Policy.fromText(spec.policy, spec.format ?? null)
              : options.fromPath(path.join(path.dirname(file), spec.policy_file), spec.format ?? null)
          actual =
            spec.plan === true ? policy.plan() : policy.check(metrics, { gate: spec.gate ?? null, kind: spec.kind ?? null })
        } catch (error) {
          if (!error || error.name !== 'KiroError') throw error
          const codes = error.diagnostics.map((d) => d.code)
          assert.equal(error.code, codes[0])
          assert.ok(codes.includes(expectedError), `unexpected error ${JSON.stringify(codes)}: ${error.message}`)
          if (spec.expect_message !== undefined) {
            assert.ok(
              error.diagnostics.some((d) => d.code === expectedError && d.message === spec.expect_message),
              `expected ${expectedError} with message ${JSON.stringify(spec.expect_message)}, got ${JSON.stringify(error.diagnostics)}`,
            )
          }
          return
        }
        assert.equal(expectedError, undefined, `expected error ${expectedError}, got: ${JSON.stringify(actual)}`)
        assert.ok(spec.expect !== undefined, 'the case has neither `expect` nor `expect_error`')
        subset('$', spec.expect, actual)
      })
    }
  }
}
