'use strict'
// Hostile host values, shared by the Node.js binding (test/hostile.test.js) and the WebAssembly
// binding (bindings-wasm/test/hostile.test.js): every JavaScript value that is not one of the
// documented kinds (numbers, unit strings, booleans, null/undefined, plain objects) is a coded
// KiroError with the same message in both, wherever it is given (metrics at the top or nested,
// a batch's columns and items, options, every argument of every function), and only an
// object's own enumerable keys are read. The tables are generated: each hostile value in each
// place. `options.fromPath` says whether the binding can read files.

const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { test } = require('node:test')

const POLICY = `
name: hostile
metrics:
  c: {}
gates:
  - name: g
    kind: pre-merge
    criteria:
      - {name: c, pass: c >= 0, on_missing: pass}
`

const PIPELINE = 'name: ci\npipeline: {stages: [{name: a}]}\n'

/** A detached Float64Array: its buffer was transferred. */
function detached() {
  const buffer = new ArrayBuffer(16)
  const view = new Float64Array(buffer)
  structuredClone(buffer, { transfer: [buffer] })
  return view
}

/**
 * Values that are not one of the documented kinds, by the type name every message gives them
 * (the value's `Object.prototype.toString` tag, or its `typeof`). Made fresh for each use.
 */
const HOSTILE = {
  Promise: () => Promise.resolve(1),
  Map: () => new Map([['c', 1]]),
  Set: () => new Set([1]),
  WeakMap: () => new WeakMap(),
  Float64Array: () => new Float64Array([1]),
  Uint8Array: () => new Uint8Array([1]),
  ArrayBuffer: () => new ArrayBuffer(8),
  DataView: () => new DataView(new ArrayBuffer(8)),
  Number: () => new Number(1), // eslint-disable-line no-new-wrappers
  String: () => new String('1'), // eslint-disable-line no-new-wrappers
  Boolean: () => new Boolean(true), // eslint-disable-line no-new-wrappers
  Date: () => new Date(0),
  RegExp: () => /c/,
  Error: () => new Error('c'),
  Arguments: () => (function args() { return arguments })(1), // eslint-disable-line prefer-rest-params
  function: () => () => 1,
  symbol: () => Symbol('c'),
  bigint: () => 10n,
}

/** `a Map`, `an Error`, as every message writes a type with its article. */
function article(name) {
  return /^[aeiouAEIOU]/.test(name) ? `an ${name}` : `a ${name}`
}

/** Runs `fn`, expecting a KiroError with `code` and `message` (without the code's prefix). */
function throwsKiro(fn, code, message) {
  let caught
  assert.throws(fn, (error) => {
    caught = error
    return true
  })
  assert.equal(caught && caught.name, 'KiroError', `${caught && caught.stack}`)
  assert.equal(caught.code, code, caught.message)
  if (message !== undefined) assert.equal(caught.diagnostics[0].message, message)
  return caught
}

module.exports = function hostile(kiro, options = {}) {
  const policy = kiro.Policy.fromText(POLICY)

  test('hostile metric values are KIRO-E022 naming their type, at any depth', () => {
    for (const [name, make] of Object.entries(HOSTILE)) {
      throwsKiro(() => policy.check({ c: make() }), 'KIRO-E022', `metric \`c\` has a value of type \`${name}\``)
      throwsKiro(() => policy.check({ a: { b: make() } }), 'KIRO-E022', `metric \`a.b\` has a value of type \`${name}\``)
    }
  })

  test('hostile metrics objects are KIRO-E021 naming their type', () => {
    for (const [name, make] of Object.entries(HOSTILE)) {
      throwsKiro(() => policy.check(make()), 'KIRO-E021', `metrics must be an object of names to values, not ${article(name)}`)
    }
  })

  test('only own enumerable keys are metrics, never inherited ones', () => {
    // c is missing (on_missing: pass) unless the inherited -1 were read: then it would fail.
    const inherited = Object.create({ c: -1 })
    assert.equal(policy.check(inherited).verdict, 'pass')
    const hidden = Object.defineProperty({}, 'c', { value: -1, enumerable: false })
    assert.equal(policy.check(hidden).verdict, 'pass')
    const bySymbol = { [Symbol('c')]: -1 }
    assert.equal(policy.check(bySymbol).verdict, 'pass')
    // What is an object: a class instance, a null-prototype object, own keys of each.
    class Metrics {
      constructor() {
        this.c = -1
      }
    }
    assert.equal(policy.check(new Metrics()).verdict, 'fail')
    const bare = Object.assign(Object.create(null), { c: -1 })
    assert.equal(policy.check(bare).verdict, 'fail')
    // The tag decides, also one an object gives itself.
    throwsKiro(() => policy.check({ [Symbol.toStringTag]: 'Map', c: -1 }), 'KIRO-E021', 'metrics must be an object of names to values, not a Map')
    assert.equal(policy.check({ nested: Object.create({ x: 1 }), c: 1 }).verdict, 'pass')
    // Options and batch columns alike.
    assert.equal(policy.check({ c: 1 }, Object.create({ gate: 'nope' })).verdict, 'pass')
    assert.deepEqual(policy.checkBatch(Object.create({ c: [-1] })).counts, { pass: 0, warn: 0, fail: 0, error: 0 })
  })

  test('undeclared names and columns are warnings with did-you-mean; strict refuses them', () => {
    const decision = policy.check({ c: 1, cc: 2 })
    assert.equal(decision.verdict, 'pass')
    assert.deepEqual(decision.warnings.map((w) => [w.code, w.severity, w.source]), [['KIRO-E011', 'warning', 'metrics']])
    assert.equal('warnings' in policy.check({ c: 1 }), false)
    throwsKiro(() => policy.check({ c: 1, cc: 2 }, { strict: true }), 'KIRO-E011', 'the input gives `cc`, which the policy does not declare')
    const batch = policy.checkBatch({ c: [1], cc: [2] })
    assert.deepEqual(batch.warnings.map((w) => [w.code, w.source]), [['KIRO-E011', 'batch']])
    assert.equal('warnings' in policy.checkBatch({ c: [1] }), false)
    throwsKiro(() => policy.checkBatch({ c: [1], cc: [2] }, { strict: true }), 'KIRO-E011', 'the input gives `cc`, which the policy does not declare')
  })

  test('hostile values in options are KIRO-E003 naming their type', () => {
    for (const [name, make] of Object.entries(HOSTILE)) {
      const message = `the argument is not plain data: it holds ${article(name)}`
      throwsKiro(() => policy.check({ c: 1 }, make()), 'KIRO-E003', message)
      throwsKiro(() => policy.check({ c: 1 }, { gate: make() }), 'KIRO-E003', message)
      throwsKiro(() => policy.checkBatch({ c: [1] }, make()), 'KIRO-E003', message)
      throwsKiro(() => kiro.Policy.fromText(POLICY, make()), 'KIRO-E003', message)
      throwsKiro(() => kiro.validate(POLICY, make()), 'KIRO-E003', message)
      throwsKiro(() => kiro.Policy.fromText(PIPELINE).startRun([], make()), 'KIRO-E003', message)
    }
    // Options that are not an object at all: the same KIRO-E003 in every function, in both packages.
    for (const [given, value] of [['a string', 'g'], ['a number', 1], ['a boolean', true], ['an array', []]]) {
      throwsKiro(() => policy.check({ c: 1 }, value), 'KIRO-E003', `the options must be an object like \`{gate, kind, strict}\`, not ${given}`)
      throwsKiro(() => policy.checkBatch({ c: [1] }, value), 'KIRO-E003', `the options must be an object like \`{gate, kind, strict}\`, not ${given}`)
      throwsKiro(() => kiro.Policy.fromText(PIPELINE).startRun([], value), 'KIRO-E003', `the options must be an object like \`{maxParallel, failFast}\`, not ${given}`)
    }
    throwsKiro(() => kiro.validate(POLICY, 1), 'KIRO-E003', 'the format must be a string (`yaml`, `json` or `toml`), not a number')
  })

  test('hostile batch columns and items are KIRO-E032 naming their type', () => {
    for (const [name, make] of Object.entries(HOSTILE)) {
      throwsKiro(() => policy.checkBatch(make()), 'KIRO-E032', `batch columns must be an object of metric names to columns, not ${article(name)}`)
      const value = make()
      const typed = ArrayBuffer.isView(value) && !(value instanceof DataView)
      if (!typed) {
        throwsKiro(() => policy.checkBatch({ c: value }), 'KIRO-E032', `column \`c\` is ${article(name)}, not an array or typed array`)
      }
      throwsKiro(() => policy.checkBatch({ c: [1, make()] }), 'KIRO-E032', `column \`c\` item 1 is ${article(name)}; batch values are numbers, booleans or null`)
    }
    throwsKiro(() => policy.checkBatch({ c: new BigInt64Array(2) }), 'KIRO-E032', 'column `c` is a BigInt64Array; use a Float64Array or an array of numbers')
    throwsKiro(() => policy.checkBatch({ c: detached() }), 'KIRO-E032', 'column `c` is a Float64Array whose buffer is detached (it was transferred)')
    // An empty typed array is an empty column, not a detached one.
    assert.equal(policy.checkBatch({ c: new Float64Array(0) }).verdicts.length, 0)
    // A sparse array says it is long and holds nothing: read as missing values, not allocated.
    const sparse = [1]
    sparse.length = 3
    assert.deepEqual(Array.from(policy.checkBatch({ c: sparse }).verdicts), [0, 0, 0])
  })

  test('every argument of every function is checked: KIRO-E003 naming it and the type given', () => {
    const run = kiro.Policy.fromText(PIPELINE).startRun(['a'])
    const calls = {
      text: [(v) => kiro.Policy.fromText(v), (v) => kiro.validate(v)],
      state: [(v) => policy.restoreRun(v)],
      log: [(v) => policy.replayRun(v)],
      actions: [(v) => policy.startRun(v)],
      nowMs: [(v) => run.step(v)],
      id: [(v) => run.complete(v), (v) => run.fail(v, 'x'), (v) => run.fire(v)],
    }
    if (options.fromPath) calls.path = [(v) => kiro.Policy.fromPath(v)]
    const expected = { text: 'a string', state: 'a string', log: 'a string', path: 'a string', actions: 'an array of strings', nowMs: 'a number', id: 'a number' }
    const values = { ...HOSTILE, number: () => 1, boolean: () => true, object: () => ({}), null: () => null, undefined: () => undefined, string: () => 'x', array: () => [] }
    for (const [argument, fns] of Object.entries(calls)) {
      for (const [name, make] of Object.entries(values)) {
        const accepted = { 'a string': ['string'], 'a number': ['number'], 'an array of strings': ['array'] }[expected[argument]]
        if (accepted.includes(name)) continue
        const given = name === 'null' || name === 'undefined' ? name : article(name)
        for (const fn of fns) throwsKiro(() => fn(make()), 'KIRO-E003', `\`${argument}\` must be ${expected[argument]}, not ${given}`)
      }
    }
    throwsKiro(() => policy.startRun(['a', 1]), 'KIRO-E003', '`actions[1]` must be a string, not a number')
  })

  test('an action returning a hostile value fails its attempt with the reason', async () => {
    const pipeline = kiro.Policy.fromText(PIPELINE)
    for (const [name, make] of Object.entries(HOSTILE)) {
      if (name === 'Promise') continue // awaited: its value is what the action returned
      const result = await pipeline.run({ a: () => make() })
      const attempt = result.stages[0].attempts[0]
      assert.equal(attempt.outcome, 'failed', name)
      assert.equal(attempt.detail, `metrics must be an object of names to values, not ${article(name)}`)
    }
  })

  test('random metrics with hostile values hidden in them: always the first one, by its path', () => {
    // A seeded generator (the same cases in every run and in both packages): objects nested up
    // to three levels, of valid values and, now and then, a hostile one.
    let seed = 0x9e3779b9
    const next = () => {
      seed ^= seed << 13
      seed ^= seed >>> 17
      seed ^= seed << 5
      return (seed >>> 0) / 4294967296
    }
    const names = Object.keys(HOSTILE)
    const valid = [() => 1, () => -2.5, () => '5ms', () => true, () => null, () => undefined]
    const build = (depth, at, found) => {
      const object = {}
      const size = 1 + Math.floor(next() * 4)
      for (let i = 0; i < size; i++) {
        const key = `k${i}`
        const path = at ? `${at}.${key}` : key
        const roll = next()
        if (roll < 0.1) {
          const name = names[Math.floor(next() * names.length)]
          object[key] = HOSTILE[name]()
          found.push([path, name])
        } else if (roll < 0.3 && depth < 3) {
          object[key] = build(depth + 1, path, found)
        } else {
          object[key] = valid[Math.floor(next() * valid.length)]()
        }
      }
      return object
    }
    let hostileCases = 0
    for (let n = 0; n < 500; n++) {
      const found = []
      const metrics = build(0, '', found)
      if (found.length === 0) {
        // Unknown metrics are ignored: a decision, never an error.
        assert.equal(policy.check(metrics).verdict, 'pass')
        continue
      }
      hostileCases++
      // Keys are read in order, depth first: the first hostile value met is the one named.
      const [path, name] = found[0]
      throwsKiro(() => policy.check(metrics), 'KIRO-E022', `metric \`${path}\` has a value of type \`${name}\``)
    }
    assert.ok(hostileCases > 100, `only ${hostileCases} cases with a hostile value`)
  })

  test('a thousand caught misuses, then normal calls work', () => {
    const misuses = [
      () => kiro.Policy.fromText(1),
      () => kiro.validate(Symbol('x')),
      () => kiro.Policy.fromText({}),
      () => kiro.validate(10n),
      () => kiro.Policy.fromText(POLICY, 1),
      () => policy.check(new Map()),
      () => policy.check({ c: Promise.resolve(1) }),
      () => policy.check({ c: 1 }, new Map()),
      () => policy.checkBatch({ c: detached() }),
      () => policy.checkBatch(new Map()),
      () => policy.startRun(5),
      () => policy.restoreRun(true),
    ]
    for (let i = 0; i < 1000; i++) {
      assert.throws(misuses[i % misuses.length], (e) => e.name === 'KiroError' && e.code !== 'KIRO-E099')
    }
    assert.equal(policy.check({ c: 1 }).verdict, 'pass')
    assert.equal(kiro.Policy.fromText(POLICY).hash, policy.hash)
    assert.deepEqual(kiro.validate(POLICY), [])
    assert.deepEqual(Array.from(policy.checkBatch({ c: new Float64Array([1, -1]) }).verdicts), [0, 2])
  })

  if (options.fromPath) {
    test('fromPath reads regular files only, and at most 16 MiB of them', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiro-'))
      try {
        // A device: never a regular file, and endless.
        assert.throws(() => kiro.Policy.fromPath('/dev/zero'), (e) => {
          assert.equal(e.code, 'EINVAL')
          assert.match(e.message, /it is a character device, not a regular file/)
          return true
        })
        // A directory.
        assert.throws(() => kiro.Policy.fromPath(dir), (e) => e.code === 'EISDIR')
        // Too large, from its size: refused before reading (a sparse file costs no disk).
        const big = path.join(dir, 'big.yaml')
        fs.closeSync(fs.openSync(big, 'w'))
        fs.truncateSync(big, 16 * 1024 * 1024 + 1)
        throwsKiro(() => kiro.Policy.fromPath(big), 'KIRO-E006', `policy file \`${big}\` is too large: 16.0 MiB, more than the limit of 16 MiB`)
      } finally {
        fs.rmSync(dir, { recursive: true, force: true })
      }
    })

    test('fromPath does not wait for a FIFO with no writer', { skip: process.platform === 'win32' }, () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiro-'))
      try {
        const fifo = path.join(dir, 'policy.yaml')
        require('node:child_process').execFileSync('mkfifo', [fifo])
        assert.throws(() => kiro.Policy.fromPath(fifo), (e) => e.code === 'EINVAL' && /it is a FIFO, not a regular file/.test(e.message))
      } finally {
        fs.rmSync(dir, { recursive: true, force: true })
      }
    })
  }
}

module.exports.HOSTILE = HOSTILE
