'use strict'
// Release, Alerts, risk and health: the JavaScript API, shared by the Node.js binding
// (test/sections.test.js) and the WebAssembly binding (bindings-wasm/test/sections.test.js). What
// they decide is the engine's and runs in the conformance corpus (tests/conformance/release/,
// alerts/, risk/, health/, through conformance.cjs); these tests check what only a JavaScript
// caller meets: the properties a release offers besides `step`, wrong argument types as coded
// errors, and saved states of another kind.

const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { test } = require('node:test')

const ROOT = path.join(__dirname, '..', '..')

/** The CLI's rendering of the same input (an insta snapshot of cli/tests/`file`.rs). */
function golden(name, file = 'cli') {
  const text = fs.readFileSync(path.join(ROOT, 'cli/tests/snapshots', `${file}__${name}.snap`), 'utf8')
  return text.split('---\n').slice(2).join('---\n')
}

/** The kova example's recorded samples as the alert engine's observations. */
function kovaHistory() {
  const rows = fs.readFileSync(path.join(ROOT, 'examples/kova/alerts-samples.csv'), 'utf8')
    .split('\n').filter((line) => line && !line.startsWith('#'))
  const names = rows[0].split(',').slice(1)
  return rows.slice(1).map((row) => {
    const [time, ...cells] = row.split(',')
    return { type: 'observe', at_ms: Date.parse(time), values: Object.fromEntries(names.map((n, i) => [n, Number(cells[i])])) }
  })
}

/** 2026-12-02T16:12:00Z, the `--at` of cli/tests/status.rs. */
const INCIDENT_MS = 1_796_227_920_000

const POLICY = `
name: t
metrics: {x: {unit: count}}
personas: [{name: devops}]
environments:
  - name: production
    approval: {personas: [devops], count: 1}
alerts:
  receivers: [{name: ops, channel: slack}]
  route: {receiver: ops, group_wait: 10s}
risk:
  models:
    - name: m
      factors: [{name: x, value: x, linear: {from: 0, to: 10}}]
  graph:
    components: {api: {depends_on: [db]}, db: {}}
`

const GATED = `
name: g
metrics: {coverage: {unit: "%"}}
gates:
  - name: merge
    kind: pre-merge
    criteria: [{name: cov, pass: coverage >= 80%}]
`

const TESTS = `
policy: g.yaml
cases:
  - name: covered passes
    metrics: {coverage: 85%}
    expect: {verdict: pass}
  - name: a wrong expectation fails with what the policy said
    metrics: {coverage: 70%}
    expect: {gates: {merge: {verdict: pass, criteria: {cov: pass}}}}
`

/** Runs `fn`, expecting a KiroError of kind `input` with `code`. */
function throwsKiro(fn, code) {
  let caught
  assert.throws(fn, (error) => {
    caught = error
    return true
  })
  assert.equal(caught?.name, 'KiroError', String(caught))
  assert.equal(caught.code, code, caught.message)
  assert.equal(caught.kind, 'input')
}

module.exports = function sectionsApi(kiro) {
  const policy = kiro.Policy.fromText(POLICY)

  test('a release says what it waits for and keeps a log', () => {
    const release = policy.startRelease()
    assert.deepEqual([release.done, release.next, release.log()], [false, null, []])
    release.step({ type: 'start', at_ms: 0, version: '2', author: 'ana' })
    assert.deepEqual([release.next.environment, release.next.for], ['production', 'approval'])
    assert.deepEqual(release.log().map((e) => e.kind), ['start', 'instruction'])
    const restored = policy.restoreRelease(release.snapshot())
    const decision = restored.step({ type: 'approve', at_ms: 5, environment: 'production', who: 'ben', persona: 'devops' })
    assert.equal(decision.phase, 'deploying')
  })

  test("the release plan takes a time on the caller's clock", () => {
    assert.deepEqual(policy.releasePlan(0).environments.map((e) => e.name), ['production'])
    throwsKiro(() => policy.releasePlan(-1), 'KIRO-E003')
    throwsKiro(() => policy.releasePlan('now'), 'KIRO-E003')
    throwsKiro(() => policy.releasePlan(1.5), 'KIRO-E003')
  })

  test('the alert engine says when to wake it', () => {
    const alerts = policy.startAlerts()
    assert.equal(alerts.wakeAtMs, null)
    const decision = alerts.step({ type: 'external', at_ms: 0, alerts: [{ labels: { alertname: 'A' } }] })
    assert.deepEqual(decision.effects.map((e) => e.type), ['alert', 'routed'])
    assert.equal(alerts.wakeAtMs, 10_000)
    const after = policy.restoreAlerts(alerts.snapshot()).step({ type: 'tick', at_ms: 10_000 })
    assert.ok(after.effects.some((e) => e.type === 'notify'))
  })

  test('a state of another kind or type is refused', () => {
    throwsKiro(() => policy.restoreRelease(policy.startAlerts().snapshot()), 'KIRO-E040')
    throwsKiro(() => policy.restoreAlerts(policy.startRelease().snapshot()), 'KIRO-E040')
    throwsKiro(() => policy.restoreAlerts(3), 'KIRO-E003')
    throwsKiro(() => policy.replayRelease('not a list'), 'KIRO-E003')
  })

  test('risk arguments of the wrong type are coded errors', () => {
    assert.deepEqual(policy.scoreRisk({ x: 5 }).map((r) => r.model), ['m'])
    assert.equal(policy.blastRadius(['db']).affected[1].component, 'api')
    throwsKiro(() => policy.scoreRisk({ x: 5 }, { changed: 'api' }), 'KIRO-E003')
    throwsKiro(() => policy.scoreRisk({ x: 5 }, { modle: 'm' }), 'KIRO-E003')
    throwsKiro(() => policy.checkAtRisk({ x: 5 }, 5), 'KIRO-E003')
    throwsKiro(() => policy.blastRadius('api'), 'KIRO-E003')
    throwsKiro(() => policy.blastRadius(['web']), 'KIRO-E166')
  })

  test('policy tests run against the policy and report mismatches', () => {
    const gated = kiro.Policy.fromText(GATED, null)
    const report = gated.test(TESTS)
    assert.deepEqual([report.passed, report.failed], [1, 1])
    const failed = report.cases[1]
    assert.ok(!failed.passed && failed.got.startsWith('fail'), failed.got)
    assert.ok(failed.mismatches.length > 0)
    throwsKiro(() => gated.test(TESTS.replace('merge:', 'merg:')), 'KIRO-E177')
    throwsKiro(() => gated.test('policy: g.yaml\ncases: []\n'), 'KIRO-E176')
  })

  test('a decision renders as the CLI renders it', () => {
    const kova = kiro.Policy.fromText(fs.readFileSync(path.join(ROOT, 'examples/kova/kiro.yaml'), 'utf8'), null)
    const metrics = (name) => JSON.parse(fs.readFileSync(path.join(ROOT, `examples/kova/metrics/${name}.json`), 'utf8'))
    for (const [input, format, snapshot] of [
      ['fail', 'markdown', 'check_fail_markdown'],
      ['fail', 'junit', 'check_fail_junit'],
      ['warn', null, 'check_warn_human'],
      ['warn', 'json', 'check_warn_json'],
    ]) {
      const rendered = kova.render(kova.check(metrics(input)), format)
      assert.equal(rendered.trimEnd(), golden(snapshot).trimEnd(), snapshot)
    }
    const gated = kiro.Policy.fromText(GATED, null)
    throwsKiro(() => kova.render(gated.check({ coverage: '90%' }), 'markdown'), 'KIRO-E003')
    throwsKiro(() => gated.render(gated.check({ coverage: '90%' }), 'markdwon'), 'KIRO-E003')
  })

  test('the dashboard renders as kiro status renders it', () => {
    const kova = kiro.Policy.fromText(fs.readFileSync(path.join(ROOT, 'examples/kova/alerts.yaml'), 'utf8'), null)
    const metrics = JSON.parse(fs.readFileSync(path.join(ROOT, 'cli/tests/fixtures/status/incident.json'), 'utf8'))
    const history = kovaHistory()
    for (const [format, snapshot] of [[null, 'status_human'], ['markdown', 'status_markdown'], ['html', 'status_html']]) {
      const rendered = kova.renderStatus(metrics, { history, atMs: INCIDENT_MS, format })
      assert.equal(rendered.trimEnd(), golden(snapshot, 'status').trimEnd(), snapshot)
    }
    const report = kova.status(metrics, { history, atMs: INCIDENT_MS })
    assert.equal(report.status, 'critical')
    assert.deepEqual(report.alerts.map((a) => [a.name, a.status]), [['HighErrorRate', 'firing'], ['SlowResponses', 'pending']])
    const bare = kova.status(metrics)
    assert.equal(bare.alerts, null)
    assert.equal(bare.history, null)
    throwsKiro(() => kova.renderStatus(metrics, { format: 'pdf' }), 'KIRO-E003')
    throwsKiro(() => kova.status(metrics, { history: [{ type: 'observe' }] }), 'KIRO-E003')
    throwsKiro(() => kova.status(metrics, { atMS: 1 }), 'KIRO-E003')
    throwsKiro(() => policy.status({ x: 1 }), 'KIRO-E030')
  })

  test('health without a health section is KIRO-E030', () => {
    throwsKiro(() => policy.health({ x: 1 }), 'KIRO-E030')
  })
}
