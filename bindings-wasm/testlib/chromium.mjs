// Headless Chromium for the tests that open what the CLI draws (picture.test.mjs,
// status.test.mjs): one persistent context with the network requests and console messages of
// its page recorded, the CLI from the Rust tests' build (target/debug/kiro, or
// target/release/kiro), and tests that fail under CI=true and skip elsewhere when either is
// missing.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'

export const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)))
const CHROMIUM = '/usr/bin/chromium'
const IN_CI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0'
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
export const KIRO = ['debug', 'release'].map((p) => path.join(ROOT, 'target', p, 'kiro')).find((p) => fs.existsSync(p))

/**
 * Registers the browser's start and end with node:test, and a first test that fails under CI
 * when there is no browser or CLI. `browser.page` is the page; `browser.requests` and
 * `browser.logged` what it fetched and logged; `browser.test(name, fn)` a test skipped without
 * a browser.
 */
export function chromiumFor(what) {
  const browser = { context: null, page: null, requests: [], logged: [], unavailable: null }
  let profile = null
  before(async () => {
    try {
      if (!KIRO) throw new Error('no kiro CLI under target/ (cargo build -p kiro-cli)')
      if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}`)
      const { chromium } = await import('playwright-core')
      profile = fs.mkdtempSync(path.join(os.tmpdir(), 'kiro-chromium-'))
      browser.context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, timeout: 60_000 })
      browser.page = browser.context.pages()[0] ?? (await browser.context.newPage())
      browser.page.on('request', (r) => browser.requests.push(r.url()))
      browser.page.on('console', (m) => browser.logged.push(`${m.type()}: ${m.text()}`))
      browser.page.on('pageerror', (e) => browser.logged.push(`pageerror: ${e}`))
    } catch (error) {
      browser.unavailable = error.message
    }
  })
  after(async () => {
    await browser.context?.close()
    if (profile) fs.rmSync(profile, { recursive: true, force: true })
  })
  test(`the ${what} tests have a browser and the CLI`, { skip: false }, () => {
    if (browser.unavailable && IN_CI) assert.fail(browser.unavailable)
    if (browser.unavailable) console.log(`# skipping the ${what} tests: ${browser.unavailable}`)
  })
  browser.test = (name, fn) => test(name, { skip: browser.unavailable ? 'no browser or CLI' : false }, fn)
  return browser
}
