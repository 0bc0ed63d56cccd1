// The picture of a replay (`kiro replay --format svg|html`) in a real browser: headless Chromium
// (as in browser.test.mjs) opens the SVG as a file and the HTML page as content, with the
// network cut off, and the test checks what a person would see: the SVG parses, every value
// panel has a line with a real extent and its thresholds, every trigger has a lane with the
// bands the decisions give, and nothing was fetched or logged.
//
// The CLI comes from the Rust tests' build (target/debug/kiro; target/release/kiro also
// serves). Without it, or without Chromium, the test fails under CI=true and skips elsewhere.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { KIRO, ROOT, chromiumFor } from '../testlib/chromium.mjs'

const POLICY = path.join(ROOT, 'examples', 'kova', 'triggers.yaml')
const SAMPLES = path.join(ROOT, 'examples', 'kova', 'samples.csv')

const browser = chromiumFor('picture')
const { requests, logged } = browser
const pictureTest = browser.test

/** Runs `kiro replay` on the kova example; the picture's text. Exit 6 is the rollback it finds. */
function replay(format) {
  try {
    return execFileSync(KIRO, ['replay', POLICY, '--samples', SAMPLES, '--format', format], { encoding: 'utf8' })
  } catch (error) {
    assert.equal(error.status, 6, `kiro replay exited ${error.status}: ${error.stderr}`)
    return error.stdout
  }
}

/** What the rendered picture shows, measured in the page. */
const measure = () => {
  const box = (el) => el.getBoundingClientRect()
  const svg = document.querySelector('svg')
  return {
    parseError: !!document.querySelector('parsererror'),
    svgBox: svg ? [box(svg).width, box(svg).height] : null,
    series: [...document.querySelectorAll('g.series')].map((g) => ({
      name: g.dataset.name,
      lines: [...g.querySelectorAll('polyline, circle')].map((l) => [box(l).width, box(l).height]),
      thresholds: g.querySelectorAll('g.threshold').length,
    })),
    triggers: [...document.querySelectorAll('g.trigger')].map((g) => ({
      name: g.dataset.name,
      states: [...g.querySelectorAll('rect.state')].map((r) => r.dataset.state),
      effects: [...g.querySelectorAll('path.effect')].map((p) => p.querySelector('title').textContent),
    })),
    rows: document.querySelectorAll('table tr').length,
  }
}

function checkPicture(seen) {
  assert.equal(seen.parseError, false)
  assert.ok(seen.svgBox[0] >= 900 && seen.svgBox[1] > 400, `svg box ${seen.svgBox}`)
  const names = seen.series.map((s) => s.name)
  assert.deepEqual(names, ['error_rate', 'availability', 'performance_regression', 'security_incident_detected', 'api_error_ratio_5m'])
  for (const s of seen.series) {
    assert.ok(s.lines.length > 0, `${s.name} has no line`)
    assert.ok(s.lines.some(([w]) => w > 100), `${s.name}'s line has no extent: ${JSON.stringify(s.lines)}`)
  }
  // error_rate > 1%, and api_error_ratio_5m at its tiers' four distinct thresholds.
  assert.equal(seen.series[0].thresholds, 1)
  assert.equal(seen.series[4].thresholds, 4)
  const lanes = Object.fromEntries(seen.triggers.map((t) => [t.name, t]))
  assert.deepEqual(Object.keys(lanes), ['error-rate', 'availability', 'performance-regression', 'security-incident', 'api-errors'])
  assert.ok(lanes['error-rate'].states.includes('pending'))
  assert.ok(lanes['error-rate'].effects.some((e) => e.startsWith('rollback: ')), JSON.stringify(lanes['error-rate'].effects))
  assert.ok(lanes['api-errors'].states.includes('acted'))
  assert.deepEqual(lanes.availability.states, [])
}

pictureTest('kiro replay --format svg opens in Chromium as a well-formed picture', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiro-svg-'))
  const file = path.join(dir, 'replay.svg')
  fs.writeFileSync(file, replay('svg'))
  await browser.page.goto(pathToFileURL(file).href)
  const seen = await browser.page.evaluate(measure)
  fs.rmSync(dir, { recursive: true, force: true })
  checkPicture(seen)
})

pictureTest('kiro replay --format html: the picture and the actions, with nothing fetched', async () => {
  requests.length = 0
  logged.length = 0
  await browser.page.goto('about:blank')
  await browser.page.setContent(replay('html'))
  const seen = await browser.page.evaluate(measure)
  checkPicture(seen)
  assert.ok(seen.rows >= 3, `${seen.rows} table rows`)
  assert.deepEqual(requests.filter((u) => !u.startsWith('data:') && u !== 'about:blank'), [])
  assert.deepEqual(logged, [])
})
