'use strict'
// The JavaScript API tests, shared by the Node.js binding (test/api.test.js) and the
// WebAssembly binding (bindings-wasm/test/api.test.js): both expose the same API, and these
// tests hold them to it. `options.dts` is the path of the .d.ts that declares the TypeScript
// types; `options.fromPath` says whether the binding can read files.

const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { test } = require('node:test')
const { interfaceKeys } = require('./dts.cjs')
const { KiroError: kiroErrorClass } = require('../errors.mjs')

const POLICY = `
name: demo
metrics:
  coverage: {unit: "%"}
  p95_latency: {unit: ms}
  tests.failed: {}
  tests.total: {}
  e2e_green: {unit: bool}
gates:
  - name: quality
    kind: pre-merge
    criteria:
      - {name: coverage, pass: coverage >= 90%, warn: coverage >= 80%}
      - {name: latency, pass: p95_latency < 500ms}
  - name: tests
    kind: pre-deploy
    criteria:
      - {name: failure-rate, pass: tests.failed / tests.total < 1%}
      - {name: e2e, pass: e2e_green}
`

const GOOD = Object.freeze({ coverage: 95, p95_latency: '420ms', tests: { failed: 0, total: 100 }, e2e_green: true })

function criterion(decision, gate, name) {
  const g = decision.gates.find((x) => x.name === gate)
  return g.criteria.find((c) => c.name === name)
}

/** Runs `fn`, expecting a KiroError with `code`; returns it. */
function throwsKiro(fn, code, kind) {
  let caught
  assert.throws(fn, (error) => {
    caught = error
    return true
  })
  assert.ok(caught instanceof Error, `not an Error: ${caught}`)
  assert.ok(caught instanceof kiroErrorClass, `not instanceof KiroError: ${caught}`)
  assert.equal(caught.name, 'KiroError', String(caught))
  assert.equal(caught.code, code, String(caught))
  if (kind) assert.equal(caught.kind, kind)
  assert.ok(Array.isArray(caught.diagnostics) && caught.diagnostics.length > 0)
  assert.equal(caught.diagnostics[0].code, code)
  assert.ok(caught.message.startsWith(code), caught.message)
  return caught
}

/** The string literals of `export type NAME = "a" | "b" ...;` in a .d.ts. */
function unionOf(dts, name) {
  const match = new RegExp(`export type ${name} =([^;]*);`).exec(dts)
  assert.ok(match, `no type ${name} in the .d.ts`)
  return [...match[1].matchAll(/"([^"]*)"/g)].map((m) => m[1])
}


module.exports = function suite(kiro, options) {
  const policy = kiro.Policy.fromText(POLICY)
  const dts = fs.readFileSync(options.dts, 'utf8')

  test('KiroError is a class every error kiro throws is an instance of, and nothing else', () => {
    assert.equal(typeof kiro.KiroError, 'function')
    const fromText = throwsKiro(() => kiro.Policy.fromText('name: [unclosed'), 'KIRO-E001', 'policy')
    assert.ok(fromText instanceof kiro.KiroError)
    const policy = kiro.Policy.fromText(POLICY)
    assert.ok(throwsKiro(() => policy.check({ coverage: 'lots' }), 'KIRO-E022', 'input') instanceof kiro.KiroError)
    assert.ok(throwsKiro(() => policy.check(GOOD, { gate: 'nope' }), 'KIRO-E005', 'input') instanceof kiro.KiroError)
    assert.ok(!(new Error('plain') instanceof kiro.KiroError))
    assert.ok(!(Object.assign(new Error('x'), { name: 'KiroError', code: 'ENOENT', diagnostics: [] }) instanceof kiro.KiroError))
    const made = new kiro.KiroError('KIRO-E003 made here', { code: 'KIRO-E003', kind: 'input', diagnostics: [] })
    assert.ok(made instanceof kiro.KiroError && made instanceof Error)
    assert.deepEqual([made.name, made.code, made.kind], ['KiroError', 'KIRO-E003', 'input'])
  })

  test('policy properties', () => {
    assert.equal(policy.name, 'demo')
    assert.match(policy.hash, /^sha256:[0-9a-f]{64}$/)
    assert.deepEqual(policy.metricNames, ['coverage', 'e2e_green', 'p95_latency', 'tests.failed', 'tests.total'])
    assert.deepEqual(policy.gateNames, ['quality', 'tests'])
  })

  test('formats give the same policy', () => {
    const asJson = JSON.stringify({
      name: 'demo',
      metrics: {
        coverage: { unit: '%' },
        p95_latency: { unit: 'ms' },
        'tests.failed': {},
        'tests.total': {},
        e2e_green: { unit: 'bool' },
      },
      gates: [
        {
          name: 'quality',
          kind: 'pre-merge',
          criteria: [
            { name: 'coverage', pass: 'coverage >= 90%', warn: 'coverage >= 80%' },
            { name: 'latency', pass: 'p95_latency < 500ms' },
          ],
        },
        {
          name: 'tests',
          kind: 'pre-deploy',
          criteria: [
            { name: 'failure-rate', pass: 'tests.failed / tests.total < 1%' },
            { name: 'e2e', pass: 'e2e_green' },
          ],
        },
      ],
    })
    assert.equal(kiro.Policy.fromText(asJson).hash, policy.hash)
    assert.equal(kiro.Policy.fromText(asJson, 'json').hash, policy.hash)
    assert.equal(kiro.Policy.fromText(POLICY, 'yaml').hash, policy.hash)
    assert.equal(kiro.Policy.fromText(POLICY, null).hash, policy.hash)
  })

  if (options.fromPath) {
    test('fromPath reads files; the extension decides the format', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiro-'))
      try {
        for (const name of ['kiro.yaml', 'kiro.yml', 'kiro.txt']) {
          fs.writeFileSync(path.join(dir, name), POLICY)
          assert.equal(kiro.Policy.fromPath(path.join(dir, name)).hash, policy.hash)
        }
        fs.writeFileSync(path.join(dir, 'kiro.json'), POLICY)
        throwsKiro(() => kiro.Policy.fromPath(path.join(dir, 'kiro.json')), 'KIRO-E001', 'policy')
        assert.equal(kiro.Policy.fromPath(path.join(dir, 'kiro.json'), 'yaml').hash, policy.hash)
        fs.writeFileSync(path.join(dir, 'bad.yaml'), Buffer.from([0x6e, 0x3a, 0x20, 0xff]))
        throwsKiro(() => kiro.Policy.fromPath(path.join(dir, 'bad.yaml')), 'KIRO-E001', 'policy')
        assert.throws(() => kiro.Policy.fromPath(path.join(dir, 'missing.yaml')), (e) => {
          assert.equal(e.code, 'ENOENT')
          assert.ok(e.path.endsWith('missing.yaml'))
          return true
        })
      } finally {
        fs.rmSync(dir, { recursive: true, force: true })
      }
    })
  }

  test('validate returns diagnostics', () => {
    assert.deepEqual(kiro.validate(POLICY), [])
    const diagnostics = kiro.validate('name: x\nmetrics: {}\ngates: []\nbogus: 1\n')
    assert.equal(diagnostics[0].code, 'KIRO-E002')
    assert.equal(diagnostics[0].severity, 'error')
    assert.equal(typeof diagnostics[0].labels[0].start, 'number')
  })

  test('schema, version and error codes', () => {
    const schema = kiro.policySchema()
    assert.ok(schema.properties && schema.properties.gates)
    assert.match(kiro.version(), /^\d+\.\d+\.\d+/)
    assert.ok(kiro.errorCodes().includes('KIRO-E099'))
  })

  // -- check ---------------------------------------------------------------------------------

  test('the decision is plain data equal to the canonical JSON', () => {
    const decision = policy.check(GOOD)
    assert.equal(decision.verdict, 'pass')
    assert.deepEqual(JSON.parse(JSON.stringify(decision)), decision)
    assert.deepEqual(Object.keys(decision), ['verdict', 'summary', 'policy', 'gates', 'personas'])
    assert.deepEqual(decision.policy, { name: 'demo', hash: policy.hash })
  })

  test('gate and kind select', () => {
    assert.deepEqual(policy.check(GOOD, { gate: 'tests' }).gates.map((g) => g.name), ['tests'])
    assert.deepEqual(policy.check(GOOD, { kind: 'pre-merge' }).gates.map((g) => g.name), ['quality'])
    assert.equal(policy.check(GOOD, {}).gates.length, 2)
    assert.equal(policy.check(GOOD, null).gates.length, 2)
    assert.equal(policy.check(GOOD, { gate: null, kind: undefined }).gates.length, 2)
    throwsKiro(() => policy.check(GOOD, { gate: 'nope' }), 'KIRO-E005', 'input')
    throwsKiro(() => policy.check(GOOD, { kind: 'post-deploy' }), 'KIRO-E030', 'input')
    const e = throwsKiro(() => policy.check(GOOD, { kind: 'pre-merj' }), 'KIRO-E003', 'input')
    assert.match(e.diagnostics[0].help, /pre-merge/)
  })

  test('integers, floats and unit strings are the same number', () => {
    const a = policy.check({ ...GOOD, coverage: 87 })
    assert.deepEqual(policy.check({ ...GOOD, coverage: 87.0 }), a)
    assert.deepEqual(policy.check({ ...GOOD, coverage: '87%' }), a)
    assert.deepEqual(criterion(a, 'quality', 'coverage').values, { coverage: 0.87 })
    const fraction = policy.check({ ...GOOD, coverage: 87.5 })
    assert.deepEqual(criterion(fraction, 'quality', 'coverage').values, { coverage: 0.875 })
  })

  test('null, undefined and absent mean no data', () => {
    const { coverage, ...rest } = GOOD
    const absent = policy.check(rest)
    assert.deepEqual(policy.check({ ...GOOD, coverage: null }), absent)
    assert.deepEqual(policy.check({ ...GOOD, coverage: undefined }), absent)
    const c = criterion(absent, 'quality', 'coverage')
    assert.deepEqual(c.values, { coverage: null })
    assert.equal(c.missing_rule_applied, 'fail')
  })

  test('nested objects flatten to dotted names', () => {
    const { tests, ...rest } = GOOD
    const nested = policy.check({ ...rest, tests: { failed: 3, total: 100 } })
    const dotted = policy.check({ ...rest, 'tests.failed': 3, 'tests.total': 100 })
    assert.deepEqual(nested, dotted)
    assert.equal(criterion(nested, 'tests', 'failure-rate').outcome, 'fail')
  })

  test('undeclared metrics are not read, even many, and are warned about', () => {
    const many = { ...GOOD }
    for (let i = 0; i < 100000; i++) many[`extra_${i}`] = i
    const { warnings, ...decision } = policy.check(many)
    assert.deepEqual(decision, policy.check(GOOD))
    // The first twenty one by one, the rest counted.
    assert.equal(warnings.length, 21)
    assert.ok(warnings.every((w) => w.code === 'KIRO-E011' && w.severity === 'warning'))
    assert.equal(warnings[20].message, 'and 99980 more undeclared names')
    throwsKiro(() => policy.check(many, { strict: true }), 'KIRO-E011', 'input')
  })

  test('non-finite numbers and wrong types give coded errors', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const e = throwsKiro(() => policy.check({ ...GOOD, tests: { failed: bad, total: 100 } }), 'KIRO-E022', 'input')
      assert.match(e.message, /`tests\.failed`/)
    }
    const cases = [
      [{ ...GOOD, coverage: [1, 2] }, 'KIRO-E022'],
      [{ ...GOOD, coverage: () => 1 }, 'KIRO-E022'],
      [{ ...GOOD, coverage: Symbol('x') }, 'KIRO-E022'],
      [{ ...GOOD, coverage: 10n }, 'KIRO-E022'],
      [{ ...GOOD, coverage: new Date() }, 'KIRO-E022'],
      [{ ...GOOD, coverage: true }, 'KIRO-E022'],
      [{ ...GOOD, e2e_green: 1 }, 'KIRO-E022'],
      [{ ...GOOD, p95_latency: '5KB' }, 'KIRO-E022'],
      [[1, 2, 3], 'KIRO-E021'],
      [42, 'KIRO-E021'],
      ['coverage: 90', 'KIRO-E021'],
      [null, 'KIRO-E021'],
      [undefined, 'KIRO-E021'],
    ]
    for (const [metrics, code] of cases) throwsKiro(() => policy.check(metrics), code, 'input')
  })

  test('deep and self-referencing metrics', () => {
    const deep = {}
    let node = deep
    for (let i = 0; i < 10000; i++) {
      node.x = {}
      node = node.x
    }
    throwsKiro(() => policy.check(deep), 'KIRO-E006', 'input')
    const loop = { coverage: 95 }
    loop.self = loop
    throwsKiro(() => policy.check(loop), 'KIRO-E006', 'input')
  })

  test('an exception from the caller\'s own getter propagates unchanged', () => {
    const boom = new Error('boom')
    const metrics = {
      get coverage() {
        throw boom
      },
    }
    assert.throws(() => policy.check(metrics), (e) => e === boom)
    assert.throws(() => policy.checkBatch({ get coverage() { throw boom } }), (e) => e === boom)
    assert.equal(policy.check(GOOD).verdict, 'pass')
  })

  test('runtime errors are evaluation errors', () => {
    const e = throwsKiro(() => policy.check({ ...GOOD, tests: { failed: 1, total: 0 } }), 'KIRO-E016', 'evaluation')
    assert.ok(e.diagnostics[0].labels.length > 0)
  })

  // -- errors --------------------------------------------------------------------------------

  test('a policy error carries every diagnostic', () => {
    const text =
      'name: x\nmetrics: {a: {unit: parsecs}}\ngates:\n  - name: g\n    kind: pre-merge\n    criteria:\n      - {name: c, pass: b > 1}\n'
    const e = throwsKiro(() => kiro.Policy.fromText(text), 'KIRO-E013', 'policy')
    const codes = e.diagnostics.map((d) => d.code)
    assert.ok(codes.includes('KIRO-E011'))
    for (const d of e.diagnostics) {
      for (const key of Object.keys(d)) assert.ok(interfaceKeys(dts, 'Diagnostic').includes(key), key)
    }
    assert.deepEqual(kiro.validate(text), e.diagnostics)
  })

  test('an error message says where the problem is and how to fix it', () => {
    assert.throws(
      () => kiro.Policy.fromText('name: t\ngatse: []\n', null),
      (e) => e.message === 'KIRO-E002: unknown field `gatse`\n  --> policy:2:1\n   |\n 2 | gatse: []\n   | ^^^^^ unknown field\n  = help: did you mean `gates`?',
    )
  })

  test('an error message shows the source line with a caret under the problem', () => {
    assert.throws(
      () => kiro.Policy.fromText('name: größe 🚀\nmetrics: {x: {unit: furlongs}}\n', null),
      (e) =>
        e.message.split('\n').slice(2, 5).join('\n') ===
        '   |\n 2 | metrics: {x: {unit: furlongs}}\n   |                     ^^^^^^^^ unknown unit',
    )
  })

  test('a bad format argument is an input error', () => {
    throwsKiro(() => kiro.Policy.fromText(POLICY, 'xml'), 'KIRO-E007', 'input')
    throwsKiro(() => kiro.validate(POLICY, 'ini'), 'KIRO-E007', 'input')
  })

  test('the ErrorCode type does not drift from the engine', () => {
    // ErrorCode is the core's Code, generated from its definition (scripts/generate-types.sh).
    assert.deepEqual(unionOf(dts, 'Code'), kiro.errorCodes())
  })

  test('decisions have exactly the keys the TypeScript types declare', () => {
    const decision = kiro.Policy.fromText(POLICY).check({ ...GOOD, coverage: 85 })
    const check = (value, name) => {
      const declared = interfaceKeys(dts, name)
      // What the types declare optional (`key?:`) may be left out; everything else is there.
      const optional = new Set(interfaceKeys(dts, name, { optionalOnly: true }))
      for (const key of Object.keys(value)) assert.ok(declared.includes(key), `${name}.${key} is not declared`)
      for (const key of declared) assert.ok(key in value || optional.has(key), `${name}.${key} is missing`)
    }
    check(decision, 'Decision')
    for (const g of decision.gates) {
      check(g, 'GateDecision')
      for (const c of g.criteria) check(c, 'CriterionDecision')
    }
    const withPersonas = kiro.Policy.fromText(
      'name: p\nmetrics: {a: {}}\npersonas: [{name: qa}]\ngates:\n  - {name: g, kind: pre-merge, owners: [qa], criteria: [{name: c, pass: a == 0}]}\n',
    ).check({ a: 1 })
    for (const p of withPersonas.personas) check(p, 'PersonaDecision')
    assert.equal(withPersonas.personas.length, 1)
  })

  // -- plan ----------------------------------------------------------------------------------

  test('plan: plain data with the critical path, keys as the TypeScript types declare', () => {
    const pipeline = kiro.Policy.fromText(
      'name: ci\npipeline:\n  stages:\n' +
        '    - {name: build, estimate: 10m}\n' +
        '    - {name: lint, estimate: 5m}\n' +
        '    - {name: test, needs: [build], estimate: 20m}\n',
    )
    const plan = pipeline.plan()
    assert.deepEqual(JSON.parse(JSON.stringify(plan)), plan)
    // The generated interfaces list keys alphabetically: compare them as sets.
    assert.deepEqual(Object.keys(plan).sort(), interfaceKeys(dts, 'Plan').sort())
    assert.deepEqual(plan.policy, { name: 'ci', hash: pipeline.hash })
    assert.deepEqual(plan.waves, [['build', 'lint'], ['test']])
    assert.deepEqual(plan.critical_path, ['build', 'test'])
    assert.equal(plan.total_ms, 30 * 60000)
    assert.deepEqual(plan.stages.map((s) => [s.name, s.critical, s.slack_ms]), [
      ['build', true, 0],
      ['lint', false, 25 * 60000],
      ['test', true, 0],
    ])
    for (const stage of plan.stages) assert.deepEqual(Object.keys(stage).sort(), interfaceKeys(dts, 'PlannedStage').sort())
    assert.deepEqual(plan.stages[2], {
      name: 'test',
      needs: ['build'],
      personas: [],
      wave: 1,
      estimate_ms: 1200000,
      earliest_start_ms: 600000,
      earliest_finish_ms: 1800000,
      latest_start_ms: 600000,
      latest_finish_ms: 1800000,
      slack_ms: 0,
      critical: true,
    })
  })

  test('plan: a policy without a pipeline is an input error', () => {
    const e = throwsKiro(() => policy.plan(), 'KIRO-E033', 'input')
    assert.equal(e.diagnostics[0].message, 'the policy has no pipeline')
  })

  // -- batches -------------------------------------------------------------------------------

  test('a batch matches single checks', () => {
    const columns = {
      coverage: [95, 85, 70, null, 91],
      p95_latency: new Float64Array([100, 200, 100, 100, 900]),
      'tests.failed': [0, 0, 0, 0, 0],
      'tests.total': new Int32Array([10, 10, 10, 10, 10]),
      e2e_green: [true, true, false, true, undefined],
    }
    const result = policy.checkBatch(columns)
    assert.ok(result.verdicts instanceof Uint8Array)
    const names = ['pass', 'warn', 'fail', 'error']
    const expected = []
    for (let i = 0; i < 5; i++) {
      const metrics = {}
      for (const [name, values] of Object.entries(columns)) metrics[name] = values[i]
      expected.push(policy.check(metrics).verdict)
    }
    assert.deepEqual([...result.verdicts].map((v) => names[v]), expected)
    const counts = { pass: 0, warn: 0, fail: 0, error: 0 }
    for (const v of expected) counts[v]++
    assert.deepEqual({ ...result.counts }, counts)
  })

  test('typed array columns of every number type', () => {
    const n = 1000
    const result = policy.checkBatch(
      {
        coverage: new Float64Array(n).fill(95),
        p95_latency: new Uint16Array(n).fill(100),
        'tests.failed': new Int8Array(n),
        'tests.total': new Float32Array(n).fill(10),
      },
      { gate: 'quality' },
    )
    assert.equal(result.verdicts.length, n)
    assert.equal(result.counts.pass, n)
    const sub = new Float64Array([0, 95, 95, 0]).subarray(1, 3)
    assert.equal(policy.checkBatch({ coverage: sub, p95_latency: [1, 1] }, { gate: 'quality' }).counts.pass, 2)
  })

  test('runtime errors in a batch are per record', () => {
    const result = policy.checkBatch({ 'tests.failed': [0, 1], 'tests.total': [10, 0], e2e_green: [true, true] }, { gate: 'tests' })
    assert.deepEqual([...result.verdicts], [0, 3])
    assert.equal(result.counts.error, 1)
  })

  test('bad batches give coded errors', () => {
    const cases = [
      [{ coverage: [1, 2], p95_latency: [1] }, 'KIRO-E032'],
      [{ coverage: [1, true] }, 'KIRO-E032'],
      [{ coverage: ['87%'] }, 'KIRO-E032'],
      [{ coverage: '87' }, 'KIRO-E032'],
      [{ coverage: 87 }, 'KIRO-E032'],
      [{ coverage: new BigInt64Array(2) }, 'KIRO-E032'],
      [[1, 2], 'KIRO-E032'],
      [null, 'KIRO-E032'],
      [{ e2e_green: [1.0] }, 'KIRO-E022'],
    ]
    for (const [columns, code] of cases) throwsKiro(() => policy.checkBatch(columns), code, 'input')
  })

  test('a bad record gets its own code and the others are judged', () => {
    const good = policy.checkBatch({ coverage: [95] }).verdicts[0]
    for (const column of [[95, NaN, 95], new Float64Array([95, Infinity, 95])]) {
      const result = policy.checkBatch({ coverage: column })
      assert.deepStrictEqual([...result.verdicts], [good, 3, good])
      assert.strictEqual(result.counts.error, 1)
    }
  })

  test('an empty batch', () => {
    const result = policy.checkBatch({})
    assert.equal(result.verdicts.length, 0)
    assert.deepEqual({ ...result.counts }, { pass: 0, warn: 0, fail: 0, error: 0 })
  })

  // Last: in WebAssembly a panic replaces the instance, making `policy` above stale.
  test('panics become KIRO-E099 errors and the module keeps working', () => {
    const e = throwsKiro(() => kiro._panicForTest(), 'KIRO-E099', 'internal')
    assert.match(e.message, /panic requested/)
    const again = kiro.Policy.fromText(POLICY)
    assert.equal(again.check(GOOD).verdict, 'pass')
    throwsKiro(() => kiro._panicForTest(), 'KIRO-E099', 'internal')
    assert.equal(kiro.Policy.fromText(POLICY).check(GOOD).verdict, 'pass')
  })
}
