// Compiled with `tsc --noEmit --strict` by test/types.test.js: the published types must let a
// TypeScript user write this without casts.
import { Policy, validate, policySchema, version, errorCodes } from '../..'
import type { Decision, Diagnostic, ErrorCode, KiroError, BatchResult, CheckOptions, Plan, PlannedStage } from '../..'

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
console.log(verdict, score, first, critical, slack, diagnostics, codes, schema, v)
