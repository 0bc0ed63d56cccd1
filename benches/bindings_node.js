// Node binding benchmarks: the batch check of the napi package against a hand-written JS
// function over an array of objects, the WebAssembly package's batch against the native one, one
// check call, and one monitor observation through ten rollback triggers.
//
// Run after both are built (`bash .ci/bindings.sh node wasm`):
//
//     node benches/bindings_node.js
//
// Every figure is the best of several runs in this one process, so the ratios compare like with
// like on whatever else the machine is doing.
'use strict'

const path = require('node:path')
const native = require(path.join(__dirname, '..', 'bindings-node'))
const wasm = require(path.join(__dirname, '..', 'bindings-wasm'))

const POLICY = `
name: bench
metrics:
  coverage: {unit: ratio}
  critical_vulns: {}
  high_vulns: {}
  p95_latency: {unit: ms}
  error_rate: {unit: ratio}
gates:
  - name: gate
    kind: pre-merge
    criteria:
      - {name: coverage, pass: coverage >= 90%}
      - {name: critical, pass: critical_vulns == 0}
      - {name: high, pass: high_vulns <= 2}
      - {name: latency, pass: p95_latency < 500ms}
      - {name: errors, pass: error_rate < 1%}
`
const N = 100_000

function data () {
  let x = 88172645463325252n
  const mask = (1n << 64n) - 1n
  const next = () => {
    x ^= (x << 13n) & mask; x ^= x >> 7n; x ^= (x << 17n) & mask
    return Number(x >> 11n) / 2 ** 53
  }
  const cols = {
    coverage: new Float64Array(N), critical_vulns: new Float64Array(N), high_vulns: new Float64Array(N),
    p95_latency: new Float64Array(N), error_rate: new Float64Array(N)
  }
  for (let i = 0; i < N; i++) {
    cols.coverage[i] = 0.8 + 0.2 * next()
    cols.critical_vulns[i] = next() < 0.05 ? 1 : 0
    cols.high_vulns[i] = Math.floor(4 * next())
    cols.p95_latency[i] = 100 + 600 * next()
    cols.error_rate[i] = 0.02 * next()
  }
  const records = []
  for (let i = 0; i < N; i++) {
    records.push({
      coverage: cols.coverage[i], critical_vulns: cols.critical_vulns[i], high_vulns: cols.high_vulns[i],
      p95_latency: cols.p95_latency[i], error_rate: cols.error_rate[i]
    })
  }
  return { cols, records }
}

function best (fn, repeat = 9) {
  let min = Infinity
  for (let i = 0; i < repeat; i++) {
    const t = process.hrtime.bigint()
    fn()
    min = Math.min(min, Number(process.hrtime.bigint() - t) / 1e6)
  }
  return min
}

const { cols, records } = data()
const handWritten = () => {
  const out = new Uint8Array(records.length)
  for (let i = 0; i < records.length; i++) {
    const r = records[i]
    out[i] = (r.coverage >= 0.9 && r.critical_vulns === 0 && r.high_vulns <= 2 &&
      r.p95_latency < 500 && r.error_rate < 0.01) ? 0 : 2
  }
  return out
}
const nativePolicy = native.Policy.fromText(POLICY)
const wasmPolicy = wasm.Policy.fromText(POLICY)

const expected = handWritten().filter((c) => c === 0).length
for (const [name, policy] of [['native', nativePolicy], ['wasm', wasmPolicy]]) {
  const got = policy.checkBatch(cols).counts.pass
  if (got !== expected) throw new Error(`${name} batch passes ${got} records, the JS function ${expected}`)
}

const js = best(handWritten)
const nat = best(() => nativePolicy.checkBatch(cols))
const was = best(() => wasmPolicy.checkBatch(cols))
const one = records[0]
const check = (policy) => best(() => { for (let i = 0; i < 10_000; i++) policy.check(one) }, 5) / 10_000 * 1e3
const verdict = (policy) => best(() => { for (let i = 0; i < 10_000; i++) policy.verdict(one) }, 5) / 10_000 * 1e3

// One observation of ten metrics through ten rollback triggers held for 5m (none fires), times
// moving on.
const TRIGGERS = `name: watch\nmetrics:\n${Array.from({ length: 10 }, (_, i) => `  m${i}: {unit: '%'}\n`).join('')}triggers:\n${Array.from({ length: 10 }, (_, i) => `  - {name: t${i}, when: m${i} > 1%, for: 5m, action: rollback}\n`).join('')}`
const readings = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`m${i}`, 0.5]))
const observe = (binding) => {
  const monitor = binding.Policy.fromText(TRIGGERS).startMonitor()
  let at = 0
  return best(() => { for (let i = 0; i < 10_000; i++) monitor.observe((at += 1000), readings) }, 5) / 10_000 * 1e3
}

console.log(`records: ${N}, passing: ${expected}`)
console.log(`hand-written JS over an array of objects: ${js.toFixed(2)} ms`)
console.log(`native checkBatch (Float64Array columns):  ${nat.toFixed(2)} ms  (${(js / nat).toFixed(2)}x the JS function's speed)`)
console.log(`wasm checkBatch (Float64Array columns):    ${was.toFixed(2)} ms  (${(was / nat).toFixed(2)}x the native time)`)
const [checkNative, checkWasm] = [check(nativePolicy), check(wasmPolicy)]
const [observeNative, observeWasm] = [observe(native), observe(wasm)]
console.log(`one check() call, full decision: native ${checkNative.toFixed(2)} us, wasm ${checkWasm.toFixed(2)} us`)
const [verdictNative, verdictWasm] = [verdict(nativePolicy), verdict(wasmPolicy)]
console.log(`one verdict() call, no explanations: native ${verdictNative.toFixed(2)} us (${(checkNative / verdictNative).toFixed(1)}x faster than check), wasm ${verdictWasm.toFixed(2)} us (${(checkWasm / verdictWasm).toFixed(1)}x)`)
console.log(`one monitor observation, 10 triggers: native ${observeNative.toFixed(2)} us (${(observeNative / checkNative).toFixed(1)}x one check), wasm ${observeWasm.toFixed(2)} us (${(observeWasm / checkWasm).toFixed(1)}x)`)
