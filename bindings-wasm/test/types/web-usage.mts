// Compiled by test/types.test.js: the browser entry point (js/web.mjs) is typed too.
import init, { initSync, Policy, PipelineRun, Monitor } from '../../js/web.mjs'
import type { Decision, MonitorDecision, RunResult } from '../../js/web.mjs'
await init()
const d: Decision = Policy.fromText('x').check({ a: 1 })
const r: RunResult = await Policy.fromText('x').run({ build: async ({ signal }) => (signal.aborted ? undefined : { a: 1 }) })
const native: PipelineRun = Policy.fromText('x').startRun([])
const monitor: Monitor = Policy.fromText('x').startMonitor()
const seen: MonitorDecision = monitor.observe(0, { a: NaN })
console.log(d.verdict, r.verdict, native.result(), initSync, seen.effects, monitor.snapshot())
