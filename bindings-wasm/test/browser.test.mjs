// The browser build in a real browser: headless Chromium (Debian's /usr/bin/chromium, which
// .ci/install-tools.sh `browser` installs; driven by npm playwright-core, which downloads no
// browser) opens testlib/browser/index.html from a local HTTP server started here, which loads
// pkg-web through js/web.mjs as a user would (an import map for `kiro-wasm`, the default export's
// fetch of the .wasm). The same functions (testlib/browser/cases.mjs) then run there and here on
// pkg-node, with the same inputs, and their answers must be identical, byte for byte: the
// conformance corpus's decisions, plans, runs, monitors (with a snapshot and restore after every
// event, and a replay) and errors, checkBatch on Float64Array columns, a
// KiroError's code and diagnostics, policy.run with async actions on real timers (times aside),
// and the KIRO-E099 recovery. One browser for the whole file.
//
// Without Chromium (or playwright-core) the test fails under CI=true and skips elsewhere.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import http from 'node:http'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { after, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import * as cases from '../testlib/browser/cases.mjs'

const require = createRequire(import.meta.url)
const kiro = require('..') // pkg-node, as Node.js users load it
const YAML = require('yaml')
const { expectedError, assertExpectedError, withRiskFiles, withText } = require('@kiro/bindings-js/testlib/conformance.cjs')

const HERE = path.resolve(fileURLToPath(new URL('..', import.meta.url))) // bindings-wasm/
const CORPUS = path.resolve(HERE, '..', 'tests', 'conformance')
const CHROMIUM = '/usr/bin/chromium'
const IN_CI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0'
// Without the background-networking flags Chromium's own connections are refused by the closed
// network and it logs about them; Playwright adds --headless and --no-sandbox too, and passes
// the fresh profile made here as --user-data-dir.
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

// -- the HTTP server: bindings-wasm/ on 127.0.0.1, with the MIME types a browser needs ----------

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
}
const served = [] // [status, path, content type]
// Of node_modules, only kiro-wasm's own dependency (policy.run's glue, which the page's import
// map points to) is served, not the development tools.
const DEPENDENCY = path.join(HERE, 'node_modules', '@kiro', 'bindings-js') + path.sep
const servable = (file) => file.startsWith(HERE + path.sep) && (file.startsWith(DEPENDENCY) || !file.includes(`${path.sep}node_modules${path.sep}`))

function serve(request, response) {
  const url = new URL(request.url, 'http://127.0.0.1')
  const file = path.join(HERE, decodeURIComponent(url.pathname))
  const type = MIME[path.extname(file)]
  let body = null
  if (request.method === 'GET' && type && servable(file)) {
    try {
      body = fs.readFileSync(file)
    } catch {}
  }
  served.push([body ? 200 : 404, url.pathname, body ? type : null])
  if (!body) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
    return
  }
  response.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'no-store' }).end(body)
}

const server = http.createServer(serve)
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const ORIGIN = `http://127.0.0.1:${server.address().port}`

// -- the browser -----------------------------------------------------------------------------

const console_ = [] // what the page logged: [type, text]
let context = null
let page = null
let profile = null
let launchMs = null
let loadMs = null
let unavailable = null // why there is no browser

async function launch() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's \`chromium\` (.ci/install-tools.sh browser does, with apt-get)`)
  }
  let chromium
  try {
    ;({ chromium } = await import('playwright-core'))
  } catch (error) {
    throw new Error(`cannot load playwright-core (run .ci/install-tools.sh wasm-npm): ${error.message}`)
  }
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'kiro-chromium-'))
  let start = performance.now()
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, timeout: 60_000 })
  } catch (error) {
    throw new Error(`${CHROMIUM} did not launch: ${error.message}`)
  }
  launchMs = performance.now() - start
  page = context.pages()[0] ?? (await context.newPage())
  page.on('console', (message) => console_.push([message.type(), message.text()]))
  page.on('pageerror', (error) => console_.push(['pageerror', String(error)]))
  start = performance.now()
  await page.goto(`${ORIGIN}/testlib/browser/index.html`)
  try {
    await page.evaluate(() => window.kiroReady)
  } catch (error) {
    throw new Error(`the page did not initialise kiro: ${error.message}\npage console: ${JSON.stringify(console_)}\nserved: ${JSON.stringify(served)}`)
  }
  loadMs = performance.now() - start
}

try {
  await launch()
} catch (error) {
  unavailable = error.message
}

after(async () => {
  await context?.close()
  server.close()
  if (profile) fs.rmSync(profile, { recursive: true, force: true })
})

/** A test that needs the browser: skipped without it (the launch test says why). */
function browserTest(name, fn) {
  test(name, { skip: unavailable ? 'no browser (see "headless Chromium loads kiro-wasm")' : false }, fn)
}
/** Calls `name` of the page's `window.kiroTest` with `arg`. */
const inPage = (name, arg) => page.evaluate(([name, arg]) => window.kiroTest[name](arg), [name, arg])

// -- tests -------------------------------------------------------------------------------------

test('headless Chromium loads kiro-wasm', { skip: unavailable && !IN_CI ? `${unavailable} (this test fails under CI=true)` : false }, async (t) => {
  if (unavailable) assert.fail(`the browser test needs headless Chromium: ${unavailable}`)
  t.diagnostic(`${await page.evaluate(() => navigator.userAgent.match(/Chrome\/[\d.]+/)?.[0])} launched in ${launchMs.toFixed(0)} ms; page and kiro loaded in ${loadMs.toFixed(0)} ms`)
  assert.equal(await inPage('version'), kiro.version())
  assert.deepEqual(await inPage('exports'), ['Alerts', 'KiroError', 'Monitor', 'PipelineRun', 'Policy', 'Release', '_oomForTest', '_panicForTest', 'default', 'errorCodes', 'evaluateModel', 'fitModel', 'initSync', 'policySchema', 'readEvidence', 'scoreChanges', 'validate', 'version'])
  // The page went through js/web.mjs, and the .wasm came as application/wasm (else the glue falls
  // back from instantiateStreaming with a console warning, which the last test would catch).
  const paths = served.filter(([status]) => status === 200).map(([, p]) => p)
  for (const p of ['/js/web.mjs', '/pkg-web/kiro_wasm.js', '/node_modules/@kiro/bindings-js/run.mjs', '/testlib/browser/cases.mjs']) assert.ok(paths.includes(p), `${p} not served: ${JSON.stringify(served)}`)
  assert.deepEqual(
    served.filter(([, p]) => p.endsWith('.wasm')),
    [[200, '/pkg-web/kiro_wasm_bg.wasm', 'application/wasm']],
  )
  assert.deepEqual(
    served.filter(([status]) => status !== 200),
    [],
  )
})

/** The corpus's cases as data: policy text (policy_file read here), metrics parsed. */
function corpusCases() {
  const parse = (text) => YAML.parse(text, { schema: 'core', version: '1.2' })
  const files = (dir) =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [path.join(dir, e.name)] : []))
      .sort()
  const out = []
  for (const file of files(CORPUS)) {
    for (const spec of (parse(fs.readFileSync(file, 'utf8')) || {}).cases || []) {
      let metrics = spec.metrics ?? {}
      if (spec.metrics_text !== undefined) {
        try {
          metrics = (spec.metrics_format ?? 'json') === 'json' ? JSON.parse(spec.metrics_text) : parse(spec.metrics_text)
        } catch {
          continue // unreadable metrics text (KIRO-E020) is the host reader's business
        }
      }
      let policy = spec.policy
      let format = spec.format ?? null
      if (policy === undefined) {
        const policyFile = path.join(path.dirname(file), spec.policy_file)
        policy = fs.readFileSync(policyFile, 'utf8')
        format ??= { yaml: 'yaml', yml: 'yaml', json: 'json', toml: 'toml' }[path.extname(policyFile).slice(1)] ?? null
      }
      const c = { name: `${path.relative(CORPUS, file)}: ${spec.name || '(unnamed)'}`, policy, format, metrics }
      if (spec.gate !== undefined) c.gate = spec.gate
      if (spec.kind !== undefined) c.kind = spec.kind
      if (spec.strict !== undefined) c.strict = spec.strict
      if (spec.baseline !== undefined) c.baseline = spec.baseline
      if (spec.imports !== undefined) c.imports = spec.imports
      if (spec.plan === true) c.plan = true
      if (spec.run !== undefined) c.run = spec.run
      for (const section of ['monitor', 'release', 'alerts', 'risk', 'health']) if (spec[section] !== undefined) c[section] = spec[section]
      if (spec.evidence !== undefined) c.evidence = withText(spec.evidence, file)
      if (spec.risk !== undefined) c.risk = withRiskFiles(spec.risk, file)
      if (spec.error_at !== undefined) c.error_at = spec.error_at
      if (spec.expect_error !== undefined) c.expected = expectedError(spec)
      out.push(c)
    }
  }
  return out
}

browserTest('the conformance corpus: identical answers in the browser and in Node.js, byte for byte', async (t) => {
  const list = corpusCases()
  assert.ok(list.length >= 100, `only ${list.length} cases in ${CORPUS}`)
  const start = performance.now()
  const [inputs, browser] = await page.evaluate((list) => [JSON.stringify(list), window.kiroTest.runCases(list)], list)
  const browserMs = performance.now() - start
  assert.equal(inputs, JSON.stringify(list), 'the cases arrived in the page changed')
  const node = cases.runCases(kiro, list)
  assert.equal(browser.length, list.length)
  const differ = list.filter((c, i) => browser[i] !== node[i]).map((c) => c.name)
  const first = list.findIndex((c, i) => browser[i] !== node[i])
  assert.deepEqual(differ, [], first < 0 ? '' : `first difference, ${list[first].name}:\nbrowser ${browser[first]}\nnode    ${node[first]}`)
  const kinds = {}
  for (const answer of node) {
    const kind = Object.keys(JSON.parse(answer))[0]
    kinds[kind] = (kinds[kind] ?? 0) + 1
  }
  // The errors are the ones the corpus expects, their underlined text sliced in the browser.
  list.forEach((c, i) => {
    if (c.expected === undefined) return
    const answer = JSON.parse(browser[i])
    assert.ok(answer.error !== undefined, `${c.name}: expected ${c.expected.code}, got ${browser[i]}`)
    assertExpectedError(c.expected, answer.error.diagnostics, (j) => answer.underlined[j], `${c.name}: `)
    if (c.error_at !== undefined) assert.equal(answer.refused?.error_at, c.error_at, `${c.name}: the index of the refused event`)
  })
  // Every kind of answer is among them (a corpus that stopped checking any would show here).
  assert.deepEqual(Object.keys(kinds).sort(), ['alerts', 'decision', 'error', 'evidence', 'health', 'monitor', 'plan', 'release', 'risk', 'run'])
  t.diagnostic(`${list.length} cases (${JSON.stringify(kinds)}), ${node.join('').length} bytes of answers, ${browserMs.toFixed(0)} ms in the browser`)
})

const BATCH_POLICY = `
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

browserTest('checkBatch with Float64Array columns: the same verdict codes and counts', async () => {
  const n = 2000
  const columns = {
    coverage: Array.from({ length: n }, (_, i) => ((i * 37) % 1000) / 10),
    p95_latency: Array.from({ length: n }, (_, i) => (i * 53) % 700),
    'tests.failed': Array.from({ length: n }, (_, i) => i % 3),
    'tests.total': Array.from({ length: n }, (_, i) => (i % 11 === 0 ? 0 : 500)),
    e2e_green: Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : i % 5 !== 0)),
  }
  const float64 = ['coverage', 'p95_latency', 'tests.total']
  const inputs = [
    { policy: BATCH_POLICY, columns, float64 },
    { policy: BATCH_POLICY, columns, float64, options: { gate: 'quality' } },
    { policy: BATCH_POLICY, columns, float64, options: { kind: 'pre-deploy' } },
    { policy: BATCH_POLICY, columns: { coverage: [95, Infinity] }, float64: ['coverage'] }, // a bad record: code 3
  ]
  for (const [i, input] of inputs.entries()) {
    const browser = await inPage('checkBatch', input)
    const node = cases.checkBatch(kiro, input)
    assert.equal(browser.json, node.json, `batch ${i}`)
    if (i < 3) assert.equal(browser.verdictsIsUint8Array, true)
  }
  // Every verdict code occurs in the first batch, and the counts add up.
  const { verdicts, counts } = JSON.parse(cases.checkBatch(kiro, inputs[0]).json)
  assert.deepEqual([...new Set(verdicts)].sort(), [0, 1, 2, 3])
  assert.equal(counts.pass + counts.warn + counts.fail + counts.error, n)
  // An infinite value is that record's error (code 3, as KIRO-E022 in a single check), not the
  // batch's; the other record fails closed on the metrics it lacks.
  const bad = JSON.parse(cases.checkBatch(kiro, inputs[3]).json)
  assert.deepEqual(bad.verdicts, [2, 3])
  assert.equal(bad.counts.error, 1)
})

browserTest('a bad policy arrives as an Error with code and diagnostics', async () => {
  const BAD = 'name: bad\nmetrics: {c: {unit: "%"}}\ngates:\n  - {name: g, kind: pre-merge, criteria: [{name: c, pass: c >= }]}\n'
  const browser = await inPage('compileError', BAD)
  assert.ok(browser, 'the bad policy compiled in the browser')
  assert.equal(browser.isError, true)
  assert.equal(browser.name, 'KiroError')
  assert.match(browser.code, /^KIRO-E0\d\d$/)
  assert.equal(browser.kind, 'policy')
  assert.ok(Array.isArray(browser.diagnostics) && browser.diagnostics.length > 0)
  assert.equal(browser.diagnostics[0].code, browser.code)
  assert.ok(browser.diagnostics[0].labels.length > 0)
  assert.equal(JSON.stringify(browser), JSON.stringify(cases.compileError(kiro, BAD)))
})

browserTest('policy.run with async actions on real timers: the same result and events', async () => {
  const [browser, node] = await Promise.all([inPage('runPipeline'), cases.runPipeline(kiro)])
  assert.equal(browser.json, node.json)
  const { result, events } = JSON.parse(node.json)
  assert.equal(result.verdict, 'warn', result.summary)
  assert.deepEqual(
    result.stages.map((s) => [s.name, s.outcome, s.attempts.map((a) => a.detail ?? a.outcome)]),
    [
      ['build', 'passed', ['succeeded']],
      ['lint', 'passed', ['succeeded']],
      ['slow', 'timed_out', ['timed_out']],
      ['test', 'passed', ['Error: flaky network', 'succeeded']],
    ],
  )
  assert.ok(events.some((e) => e.event === 'retried'))
  for (const side of [browser, node]) {
    assert.equal(side.aborted, true, 'the timed-out action saw its signal abort')
    assert.equal(side.durationOk, true, 'the run lasted about as long as the slow stage')
  }
})

browserTest('nothing went wrong on the page (no errors or warnings in its console)', () => {
  assert.deepEqual(
    console_.filter(([type]) => type === 'error' || type === 'warning' || type === 'pageerror'),
    [],
  )
})

browserTest('a panic is KIRO-E099 and the instance is replaced, as in Node.js', async () => {
  const browser = await inPage('panicRecovery')
  assert.equal(browser.panic?.code, 'KIRO-E099')
  assert.equal(browser.panic.name, 'KiroError')
  assert.equal(browser.panic.kind, 'internal')
  assert.match(browser.stale?.message ?? '', /stale/)
  assert.equal(browser.after, 'pass')
  assert.equal(JSON.stringify(browser), JSON.stringify(cases.panicRecovery(kiro)))
})

browserTest('hostile values and misuse are the same KiroErrors as in Node.js; out of memory replaces the instance', async () => {
  const browser = await inPage('hostileValues')
  for (const error of browser.errors) {
    if (error.value !== undefined) continue // the inherited key is not read: a decision
    assert.equal(error.name, 'KiroError', JSON.stringify(error))
    assert.notEqual(error.code, 'KIRO-E099')
  }
  assert.equal(browser.oom.code, 'KIRO-E099')
  assert.match(browser.oom.message, /WebAssembly instance stopped \(unreachable\) and was replaced/)
  assert.equal(browser.after, 'pass')
  assert.equal(JSON.stringify(browser), JSON.stringify(cases.hostileValues(kiro)))
})
