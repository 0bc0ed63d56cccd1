'use strict'
// The shared conformance corpus (tests/conformance/**/*.yaml) run through a JavaScript binding;
// used by bindings-node/test/conformance.test.js and bindings-wasm/test/conformance.test.js.
//
// Reads cases exactly like the Rust runner (tests/src/lib.rs): `policy` (inline text) or
// `policy_file` (relative to the case file), optional `format` and `imports` (the texts of the
// files the policy imports, by path), `metrics` (or `metrics_text` +
// `metrics_format`), optional `gate`/`kind`, then `expect` (a subset of the decision: objects key
// by key, arrays element-wise with equal length, numbers by value) or `expect_error` (a code, or
// `{code, message, underlined}`, or a list of them for every diagnostic in order: some diagnostic has that code, exactly that message, and under
// its labels exactly that policy text, sliced here at the UTF-16 offsets the binding gave; the
// older `expect_message` beside a bare code is the message). With `plan: true`, `expect` is a subset of the pipeline's plan
// (`policy.plan()`) instead of a decision. With a `run:` section, the pipeline runs through the
// binding's native PipelineRun (`policy.startRun`) with a scripted host on virtual time, the
// simulation of tests/conformance/run/README.md: `expect` is a subset of the run's result and
// `expect_events` its exact events; the run is also checked saved and restored after every step
// (`run.snapshot()` -> `policy.restoreRun`) and replayed from its event log (`run.log()` ->
// `policy.replayRun`): same result, events and saved state. With a `monitor:`, `release:` or
// `alerts:` section, the events go through the binding's native Monitor, Release or Alerts as
// tests/conformance/monitor/README.md says (testlib/sections.mjs, shared with the browser test):
// `expect` is a subset of the list of decisions, `expect_error` the refused event's error (at
// `error_at`); alert cases check their effects as tests/conformance/alerts/README.md says
// (`checkEffects`). With `risk:`, `expect` is a subset of the reports by model, the risk-gated
// decision or the blast radius; with `health: true`, of the dashboard's health; with `evidence:`,
// of the reports read and the decision on them. `metrics_text` is parsed here (the bindings take metrics as
// data); a case whose text is meant to be unreadable (KIRO-E020) is skipped.

const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { test } = require('node:test')
const { MACHINES, evidenceAnswer, simulateMachine, riskAnswer } = require('./sections.mjs')

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

/** What `expect_error` asks for (tests/conformance/README.md), or undefined. */
function expectedError(spec) {
  const e = spec.expect_error
  if (e === undefined || e === null) return undefined
  if (Array.isArray(e)) {
    const every = e.map((item) => expectedError({ expect_error: item }))
    return { ...every[0], every }
  }
  if (typeof e === 'string') return { code: e, message: spec.expect_message }
  return { code: e.code, message: e.message ?? spec.expect_message, underlined: e.underlined, help: e.help, source: e.source }
}

/**
 * The text under each label of diagnostic `d` (JavaScript slices by UTF-16 units): of the policy
 * (source `policy`) or of the imported file it names (`imports`, path to text).
 */
function underlinedOf(d, policyText, imports = {}) {
  const text = d.source === 'policy' ? policyText : Object.hasOwn(imports, d.source ?? '') ? imports[d.source] : undefined
  return text === undefined ? null : d.labels.map((l) => text.slice(l.start, l.end))
}

/**
 * Fails unless some diagnostic is the `expected` error; `underlined(i)` is the policy text under
 * the labels of diagnostic `i` (sliced by the host that ran the case).
 */
function assertExpectedError(expected, diagnostics, underlined, where = '') {
  const found = diagnostics.map((d, i) => ({ code: d.code, message: d.message, underlined: underlined(i), help: d.help, source: d.source }))
  if (expected.every !== undefined) {
    assert.equal(found.length, expected.every.length, `${where}expected ${JSON.stringify(expected.every)}, got ${JSON.stringify(found)}`)
    expected.every.forEach((one, i) => assertExpectedError(one, [diagnostics[i]], () => underlined(i), `${where}error ${i}: `))
    return
  }
  const matches = (d) =>
    d.code === expected.code &&
    (expected.message === undefined || d.message === expected.message) &&
    (expected.help === undefined || d.help === expected.help) &&
    (expected.source === undefined || d.source === expected.source) &&
    (expected.underlined === undefined || JSON.stringify(d.underlined) === JSON.stringify(expected.underlined))
  assert.ok(found.some(matches), `${where}expected ${JSON.stringify(expected)}, got ${JSON.stringify(found)}`)
}

/**
 * Reports the end of a scripted attempt: `ok: metrics` (or null) or `fail: detail`, with the
 * failed action's `metrics` and `exit` status when given.
 */
function report(run, id, entry) {
  if (entry.fail !== undefined) run.fail(id, entry.fail, entry.metrics, entry.exit)
  else if ('ok' in entry) run.complete(id, entry.ok)
  else throw new Error(`an attempt needs \`ok\`, \`fail\` or \`hang\`: ${JSON.stringify(entry)}`)
}

/**
 * Runs the `run:` section `spec` on `policy` exactly as tests/conformance/run/README.md says,
 * checks that the run restored after every step and the run replayed from its log are the
 * same, and returns the result and the events as `"<at_ms> <kind> <stage>"`.
 */
function simulate(policy, spec) {
  const live = simulateOnce(policy, spec, false)
  const restored = simulateOnce(policy, spec, true)
  assert.deepEqual(restored.result, live.result, 'a run restored after every step differs')
  assert.deepEqual(restored.events, live.events, 'a run restored after every step differs')
  const replayed = policy.replayRun(live.run.log())
  assert.equal(replayed.snapshot(), live.run.snapshot(), "the replayed run's state differs")
  assert.deepEqual(replayed.result(), live.result, "the replayed run's result differs")
  return live
}

/** The simulation; with `restore`, the run is saved and restored after every step. */
function simulateOnce(policy, spec, restore) {
  const actions = spec.actions ?? {}
  const settings = spec.options ?? {}
  let run = policy.startRun(Object.keys(actions), { maxParallel: settings.max_parallel ?? null, failFast: settings.fail_fast ?? null })
  let now = 0
  let interruptAt = spec.interrupt_at_ms
  const ends = new Map() // attempt id -> [due, entry]
  const timers = new Map() // timer id -> due
  const events = []
  for (;;) {
    for (const id of [...ends.keys()].sort((a, b) => a - b)) {
      const [due, entry] = ends.get(id)
      if (due > now) continue
      report(run, id, entry)
      ends.delete(id)
    }
    if (interruptAt !== undefined && interruptAt <= now) {
      run.interrupt()
      interruptAt = undefined
    }
    const step = run.step(now)
    if (restore) run = policy.restoreRun(run.snapshot())
    for (const e of step.events) events.push(`${e.at_ms} ${e.event} ${e.stage}`)
    for (const request of step.requests) {
      if (request.type === 'start') {
        const script = actions[request.stage]
        const entry = script[Math.min(request.attempt, script.length) - 1]
        if (entry.hang !== true) ends.set(request.id, [now + (entry.ms ?? 0), entry])
      } else if (request.type === 'cancel') ends.delete(request.id)
      else if (request.type === 'set_timer') timers.set(request.id, now + request.ms)
      else if (request.type === 'clear_timer') timers.delete(request.id)
    }
    if (step.done) break
    for (const [id, due] of timers) if (due <= now) timers.delete(id)
    const candidates = [...[...ends.values()].map(([due]) => due), ...timers.values(), ...(interruptAt === undefined ? [] : [interruptAt])]
    if (candidates.length === 0) throw new Error('the run would wait forever')
    now = Math.max(now, Math.min(...candidates))
  }
  return { run, result: run.result(), events }
}

/**
 * The expectations of tests/conformance/alerts/README.md on the effects of every decision:
 * `expect_notifications` and `expect_escalations` are the exact lists of `notify` and
 * `escalate` effects, `expect_effects` appear among all effects in that order.
 */
function checkEffects(spec, decisions) {
  const effects = decisions.flatMap((d) => d.effects ?? [])
  for (const [key, type] of [['expect_notifications', 'notify'], ['expect_escalations', 'escalate']]) {
    if (spec[key] !== undefined) subset(`$${key}`, spec[key], effects.filter((e) => e.type === type))
  }
  let from = 0
  for (const [n, want] of (spec.expect_effects ?? []).entries()) {
    const at = effects.slice(from).findIndex((e) => {
      try {
        subset('$', want, e)
        return true
      } catch {
        return false
      }
    })
    assert.ok(at >= 0, `expect_effects[${n}] ${JSON.stringify(want)} not found in order; effects: ${JSON.stringify(effects)}`)
    from += at + 1
  }
  const keys = ['expect_notifications', 'expect_escalations', 'expect_effects', 'expect_error']
  assert.ok(keys.some((k) => spec[k] !== undefined), 'the case expects nothing')
}

/** The reports of an `evidence:` case, each with its text (read from `file`, relative to the case file, when absent). */
function withText(reports, caseFile) {
  return reports.map((r) => (r.text !== undefined ? r : { ...r, text: fs.readFileSync(path.join(path.dirname(caseFile), r.file), 'utf8') }))
}

/**
 * `check` of a plain case, and the verdict path (`policy.verdict`) on the same input, which must
 * agree with it: the decision's verdict and every criterion's outcome, or an error of the same
 * code.
 */
function checkAndVerdict(policy, metrics, options) {
  let decision
  try {
    decision = policy.check(metrics, options)
  } catch (error) {
    assert.throws(() => policy.verdict(metrics, options), (refused) => refused.code === error.code, 'the verdict path raised another error than check')
    throw error
  }
  const verdict = policy.verdict(metrics, options)
  const outcomes = decision.gates.flatMap((g) => g.criteria.map((c) => c.outcome))
  assert.deepEqual([verdict.verdict, verdict.criteria], [decision.verdict, outcomes], `verdict path: ${JSON.stringify(verdict)}`)
  return decision
}

/** A `risk:` section with its `fit_file`, `evaluate_file` and `defect_model_file` read (relative to the case file) into `fit`, `evaluate` and `defect_model`. */
function withRiskFiles(risk, caseFile) {
  const out = { ...risk }
  for (const key of ['fit', 'evaluate', 'defect_model']) {
    const file = risk[`${key}_file`]
    if (file !== undefined) out[key] = fs.readFileSync(path.join(path.dirname(caseFile), file), 'utf8')
  }
  return out
}

function conformance(kiro, YAML, options = {}) {
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
            if (expectedError(spec)?.code === 'KIRO-E020') {
              t.skip("unreadable metrics text is the host reader's business in this binding")
              return
            }
            throw error
          }
        }
        const expected = expectedError(spec)
        const policyFile = spec.policy === undefined ? path.join(path.dirname(file), spec.policy_file) : undefined
        const policyText = spec.policy ?? fs.readFileSync(policyFile, 'utf8')
        let actual
        try {
          const policy =
            spec.policy !== undefined ? kiro.Policy.fromText(spec.policy, spec.format ?? null, spec.imports ?? null) : options.fromPath(policyFile, spec.format ?? null)
          if (spec.run !== undefined) {
            const { result, events } = simulate(policy, spec.run)
            actual = result
            if (spec.expect_events !== undefined) assert.deepEqual(events, spec.expect_events)
          } else if (MACHINES.some((kind) => spec[kind] !== undefined)) {
            const kind = MACHINES.find((k) => spec[k] !== undefined)
            const { decisions, error, errorAt } = simulateMachine(policy, kind, spec[kind])
            if (kind === 'alerts') {
              checkEffects(spec, decisions)
              if (!error) {
                assert.equal(expected, undefined, `expected error ${expected?.code}, got none`)
                return
              }
            }
            if (error) {
              if (spec.error_at !== undefined) assert.equal(errorAt, spec.error_at, 'the index of the refused event')
              if (spec.expect !== undefined) subset('$', spec.expect, decisions)
              throw error
            }
            actual = decisions
          } else if (spec.evidence !== undefined) actual = evidenceAnswer(kiro, policy, { ...spec, metrics, evidence: withText(spec.evidence, file) })
          else if (spec.risk !== undefined) actual = riskAnswer(kiro, policy, withRiskFiles(spec.risk, file))
          else if (spec.health === true) actual = policy.health(metrics)
          else if (spec.plan === true) actual = policy.plan()
          else {
            const { history, branch } = spec.baseline ?? {}
            actual = checkAndVerdict(policy, metrics, { gate: spec.gate ?? null, kind: spec.kind ?? null, strict: spec.strict ?? null, history, branch })
          }
        } catch (error) {
          if (!error || error.name !== 'KiroError') throw error
          assert.equal(error.code, error.diagnostics[0].code)
          assert.ok(expected !== undefined, `unexpected error: ${error.message}`)
          assertExpectedError(expected, error.diagnostics, (i) => underlinedOf(error.diagnostics[i], policyText, spec.imports))
          return
        }
        assert.equal(expected, undefined, `expected error ${expected?.code}, got: ${JSON.stringify(actual)}`)
        assert.ok(spec.expect !== undefined || spec.expect_events !== undefined, 'the case has neither `expect` nor `expect_error`')
        if (spec.expect !== undefined) subset('$', spec.expect, actual)
      })
    }
  }
}

module.exports = conformance
module.exports.expectedError = expectedError
module.exports.assertExpectedError = assertExpectedError
module.exports.withText = withText
module.exports.withRiskFiles = withRiskFiles
