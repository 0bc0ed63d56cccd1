// Compiled with `tsc --noEmit --strict` by test/types.test.js: the published types must let a
// TypeScript user write this without casts.
import { Policy, PipelineRun, Monitor, Release, Alerts, validate, policySchema, version, errorCodes } from '../..'
import type { Decision, Diagnostic, ErrorCode, KiroError, BatchResult, CheckOptions, Plan, PlannedStage } from '../..'
import type { MonitorDecision, MonitorEvent, MonitorReplay, TriggerState } from '../..'
import type { ReleaseDecision, ReleaseReplay, ReleasePlan, Wait, LogEntry, AlertDecision, AlertsReplay, RiskOptions, RiskReport, RiskGatedDecision, BlastRadius, HealthReport } from '../..'
import type { AttemptRecord, PipelineEvent, RunOptions, RunResult, RunStep, StageAction, StageContext, StageOutcome, StageResult } from '../..'

const policy: Policy = Policy.fromText('name: x', 'yaml')
const options: CheckOptions = { gate: 'tests', kind: 'pre-merge' }
const decision: Decision = policy.check({ coverage: 87, p95: '420ms', tests: { failed: 0 }, green: true, gone: null }, options)
const verdict: 'pass' | 'warn' | 'fail' = decision.verdict
const score: number | null = decision.gates[0].score
const batch: BatchResult = policy.checkBatch({ coverage: new Float64Array([1, 2]), green: [true, null] })
const first: number = batch.verdicts[0] + batch.counts.pass
const plan: Plan = policy.plan()
const critical: string[] = plan.critical_path
const slack: number = plan.stages.map((s: PlannedStage) => s.slack_ms).reduce((a, b) => a + b, plan.total_ms)
const diagnostics: Diagnostic[] = validate('name: x', null)
const codes: ErrorCode[] = errorCodes()
const schema: Record<string, unknown> = policySchema()
const v: string = version()
try {
  Policy.fromPath('kiro.yaml')
} catch (e) {
  const error = e as KiroError
  const code: ErrorCode = error.code
  const kind: 'policy' | 'input' | 'evaluation' | 'internal' = error.kind
  console.log(code, kind, error.diagnostics[0].labels[0].start)
}

// Running the pipeline with functions, and the native run they drive.
const ci: Policy = Policy.fromText('name: ci', 'yaml')
const build: StageAction = async ({ stage, attempt, signal }: StageContext) => {
  signal.throwIfAborted()
  return { coverage: 95, stage, attempt }
}
const actions: Record<string, StageAction> = { build, lint: () => {}, test: () => undefined, e2e: () => Promise.resolve(null) }
const runOptions: RunOptions = {
  maxParallel: 2,
  failFast: false,
  signal: new AbortController().signal,
  onEvent: (event: PipelineEvent) => {
    if (event.event === 'retried') console.log(event.backoff_ms, event.reason)
    if (event.event === 'passed') console.log(event.verdict)
  },
}
const running: Promise<RunResult> = ci.run(actions, runOptions)
running.then((result: RunResult) => {
  const stage: StageResult = result.stages[0]
  const outcome: StageOutcome = stage.outcome
  const attempt: AttemptRecord | undefined = stage.attempts[0]
  console.log(result.verdict, result.interrupted, result.duration_ms, outcome, attempt?.detail, stage.gate?.verdict)
})
const native: PipelineRun = ci.startRun(['build'], { maxParallel: 1, failFast: null })
const step: RunStep = native.step(0)
for (const request of step.requests) {
  if (request.type === 'start') native.complete(request.id, { coverage: 90 })
  else if (request.type === 'set_timer') native.fire(request.id + request.ms)
  else if (request.type === 'cancel') native.fail(request.id, 'cancelled')
}
native.interrupt()
const over: RunResult | null = native.result()
console.log(step.done, over?.summary)
console.log(verdict, score, first, critical, slack, diagnostics, codes, schema, v)

// The monitor of rollback triggers.
const triggers: Policy = Policy.fromText('name: t', 'yaml')
const monitor: Monitor = triggers.startMonitor()
const seen: MonitorDecision = monitor.observe(0, { error_rate: 2, p95: '420ms', gone: null, broken: { error: 'timeout' }, odd: NaN })
const state: TriggerState = seen.triggers[0].state
const events: MonitorEvent[] = [{ type: 'tick', at_ms: 1000 }, { type: 'abort', at_ms: 2000, reason: 'stopped' }]
for (const event of events) console.log(monitor.step(event).final?.result)
console.log(monitor.tick(3000).wake_at_ms, monitor.approve(4000, 'perf', 'ana', 'performance').effects, monitor.reject(5000, 'perf', 'ana', 'performance'))
console.log(monitor.abort(6000), monitor.abort(6000, null), monitor.end(7000), monitor.ended)
const resumed: Monitor = triggers.restoreMonitor(monitor.snapshot())
const replay: MonitorReplay = triggers.replayMonitor(events)
console.log(state, resumed.ended, replay.decisions.length, replay.state)

// Releases, alerts, risk and health.
const release: Release = triggers.startRelease()
const released: ReleaseDecision = release.step({ type: 'start', at_ms: 0, version: '2', author: 'ana' })
const waiting: Wait | null = release.next
const log: LogEntry[] = release.log()
const releaseReplay: ReleaseReplay = triggers.replayRelease([{ type: 'tick', at_ms: 1 }])
const releasePlan: ReleasePlan = triggers.releasePlan(Date.now())
console.log(released.phase, waiting?.reason, log.length, release.done, releaseReplay.state, releasePlan.environments, triggers.restoreRelease(release.snapshot()).done)
const alerts: Alerts = triggers.startAlerts()
const alerted: AlertDecision = alerts.step({ type: 'tick', at_ms: 0 })
const alertsReplay: AlertsReplay = triggers.replayAlerts([{ type: 'tick', at_ms: 0 }])
console.log(alerted.effects.length, alerts.wakeAtMs, alertsReplay.state, triggers.restoreAlerts(alerts.snapshot()).wakeAtMs)
const riskOptions: RiskOptions = { changed: ['api'], model: 'change_risk' }
const reports: RiskReport[] = triggers.scoreRisk({ lines_changed: 12 }, riskOptions)
const gated: RiskGatedDecision = triggers.checkAtRisk({ lines_changed: 12 }, 'change_risk', { gate: 'unit' })
const blast: BlastRadius = triggers.blastRadius(['api'])
const health: HealthReport = triggers.health({ error_rate: 0.2 })
console.log(reports[0].score, gated.decision.verdict, blast.radius, health)
