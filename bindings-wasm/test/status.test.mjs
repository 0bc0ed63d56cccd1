// The unified dashboard (`kiro status --format html`) in a real browser: headless Chromium (as in
// picture.test.mjs) opens the page with the network cut off, and the test checks what a person
// would see: a gauge per panel metric and shared metric with a drawn arc and its threshold
// marks, a line chart per metric with its thresholds, the active alerts as table rows, a
// screenshot that is not blank, and nothing fetched or logged.
//
// The CLI comes from the Rust tests' build (target/debug/kiro; target/release/kiro also
// serves). Without it, or without Chromium, the test fails under CI=true and skips elsewhere.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { KIRO, ROOT, chromiumFor } from '../testlib/chromium.mjs'

const POLICY = path.join(ROOT, 'examples', 'kova', 'alerts.yaml')
const INCIDENT = path.join(ROOT, 'cli', 'tests', 'fixtures', 'status', 'incident.json')
const SAMPLES = path.join(ROOT, 'examples', 'kova', 'alerts-samples.csv')

const browser = chromiumFor('dashboard')
const { requests, logged } = browser
const browserTest = browser.test

/** `kiro status … --format html` with `extra` arguments; exit 1 is the critical panel it finds. */
function status(metrics, extra) {
  try {
    return execFileSync(KIRO, ['status', POLICY, '--metrics', metrics, '--format', 'html', ...extra], { encoding: 'utf8' })
  } catch (error) {
    assert.equal(error.status, 1, `kiro status exited ${error.status}: ${error.stderr}`)
    return error.stdout
  }
}

/** What the page shows, measured in it. */
const measure = () => {
  const box = (el) => el.getBoundingClientRect()
  return {
    gauges: [...document.querySelectorAll('svg.gauge')].map((g) => ({
      metric: g.dataset.metric,
      status: g.dataset.status,
      box: [box(g).width, box(g).height],
      arc: g.querySelector('path.value') ? box(g.querySelector('path.value')).width : 0,
      marks: g.querySelectorAll('line.mark').length,
      text: g.querySelector('text').textContent,
    })),
    charts: [...document.querySelectorAll('svg.chart')].map((c) => ({
      metric: c.dataset.metric,
      lines: [...c.querySelectorAll('polyline, circle')].map((l) => box(l).width),
      thresholds: c.querySelectorAll('g.threshold').length,
    })),
    alerts: [...document.querySelectorAll('tr.alert')].map((r) => [r.dataset.status, r.children[2].textContent]),
    panels: [...document.querySelectorAll('section.panel')].map((s) => s.dataset.persona),
  }
}

/** How many pixels of a PNG screenshot are not the white background, counted in the page. */
async function inked(png) {
  const probe = await browser.context.newPage()
  try {
    return await probe.evaluate(async (src) => {
      const img = new Image()
      img.src = src
      await img.decode()
      const canvas = document.createElement('canvas')
      canvas.width = img.width
      canvas.height = img.height
      const g = canvas.getContext('2d')
      g.drawImage(img, 0, 0)
      const data = g.getImageData(0, 0, img.width, img.height).data
      let n = 0
      for (let i = 0; i < data.length; i += 4) if (data[i] < 240 || data[i + 1] < 240 || data[i + 2] < 240) n++
      return n
    }, `data:image/png;base64,${png.toString('base64')}`)
  } finally {
    await probe.close()
  }
}

browserTest('kiro status --format html: gauges, charts and alerts, with nothing fetched or logged', async () => {
  requests.length = 0
  logged.length = 0
  await browser.page.goto('about:blank')
  await browser.page.setContent(status(INCIDENT, ['--samples', SAMPLES, '--at', '2026-12-02T16:12:00Z']))
  const seen = await browser.page.evaluate(measure)
  assert.deepEqual(seen.panels, ['devops', 'performance'])
  const gauges = Object.fromEntries(seen.gauges.map((g) => [g.metric, g]))
  assert.deepEqual(seen.gauges.map((g) => g.metric), ['error_rate', 'availability', 'crisis_prevention_index', 'p95_latency', 'system_health', 'crisis_prevention_index'])
  for (const g of seen.gauges) {
    assert.ok(g.box[0] >= 150 && g.box[1] >= 100, `${g.metric}: box ${g.box}`)
    assert.ok(g.arc > 0, `${g.metric} has no value arc`)
  }
  assert.equal(gauges.error_rate.status, 'critical')
  assert.equal(gauges.error_rate.marks, 2)
  assert.equal(gauges.p95_latency.marks, 2)
  assert.equal(gauges.system_health.marks, 0)
  assert.equal(gauges.error_rate.text, '2.4%')
  assert.deepEqual(seen.charts.map((c) => c.metric), ['error_rate', 'availability', 'crisis_prevention_index', 'p95_latency', 'system_health'])
  const [errorRate, , , latency] = seen.charts
  assert.ok(errorRate.lines.some((w) => w > 300), `error_rate's line has no extent: ${errorRate.lines}`)
  assert.equal(errorRate.thresholds, 2)
  assert.equal(latency.thresholds, 2)
  assert.deepEqual(seen.alerts, [['firing', 'HighErrorRate'], ['pending', 'SlowResponses']])
  const shot = await browser.page.screenshot({ fullPage: true })
  assert.ok((await inked(shot)) > 5000, 'the screenshot is blank')
  assert.deepEqual(requests.filter((u) => !u.startsWith('data:') && u !== 'about:blank'), [])
  assert.deepEqual(logged, [])
})

browserTest('without a history: gauges only, "no data" where a value is missing', async () => {
  logged.length = 0
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiro-status-'))
  const metrics = path.join(dir, 'metrics.json')
  fs.writeFileSync(metrics, JSON.stringify({ error_rate: 0.3, p95_latency: null, availability: 99.95, deploy_success: 96, change_risk: 12 }))
  await browser.page.goto('about:blank')
  await browser.page.setContent(status(metrics, []))
  fs.rmSync(dir, { recursive: true, force: true })
  const seen = await browser.page.evaluate(measure)
  assert.equal(seen.charts.length, 0)
  const latency = seen.gauges.find((g) => g.metric === 'p95_latency')
  assert.equal(latency.status, 'no data')
  assert.equal(latency.text, 'no data')
  assert.equal(latency.arc, 0)
  assert.deepEqual(logged, [])
})
