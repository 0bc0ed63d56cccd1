// How a conformance case's sections drive a JavaScript binding, shared by the Node.js and
// WebAssembly runners (testlib/conformance.cjs) and the browser test
// (bindings-wasm/testlib/browser/cases.mjs, in Chromium and in Node.js): the timeline of a
// `monitor:`, `release:` or `alerts:` case through the binding's native state machine, and the
// answers of `risk:` and `evidence:` cases. An ES module using nothing but the language, so that the same file
// runs in both.

/** Runs `f`: `{value}`, or `{error}` for a KiroError (anything else is thrown on). */
function attempt(f) {
  try {
    return { value: f() }
  } catch (error) {
    if (error?.name !== 'KiroError') throw error
    return { error }
  }
}

/** The sections that feed one of the core's state machines a timeline of events. */
export const MACHINES = ['monitor', 'release', 'alerts']

/** `monitor` -> `Monitor`, for the names of the policy's methods. */
const title = (kind) => kind[0].toUpperCase() + kind.slice(1)

/**
 * Runs the `kind` section `spec` of a case (`monitor`, `release` or `alerts`) on `policy`
 * exactly as tests/conformance/monitor/README.md says: every event goes to a machine saved and
 * restored after each event (`snapshot()` -> `policy.restoreMonitor` and its siblings) and to
 * one never stopped, which must decide the same bytes; a refused event must leave the saved
 * state as it was; without one, `policy.replayMonitor` (…) of the events must give the same
 * decisions and state. A machine that cannot start (a policy without the section) throws its
 * KiroError.
 *
 * Returns `{decisions, error, errorAt}`: the decisions before the refused event (all of them
 * when none was), its KiroError (null when none was) and its index (-1).
 */
export function simulateMachine(policy, kind, spec) {
  const events = spec?.events
  if (!Array.isArray(events)) throw new Error(`\`${kind}.events\` is a list`)
  const start = () => policy[`start${title(kind)}`]()
  let restored = start()
  const straight = start()
  const decisions = []
  for (const [i, event] of events.entries()) {
    const before = restored.snapshot()
    const a = attempt(() => restored.step(event))
    const b = attempt(() => straight.step(event))
    if (a.error && b.error) {
      if (restored.snapshot() !== before) throw new Error(`event ${i}: a refused event changed the state`)
      return { decisions, error: a.error, errorAt: i }
    }
    if (a.error || b.error) {
      throw new Error(`event ${i}: restored and straight machines disagree: ${a.error?.message ?? 'decided'} / ${b.error?.message ?? 'decided'}`)
    }
    const [restoredJson, straightJson] = [JSON.stringify(a.value), JSON.stringify(b.value)]
    if (restoredJson !== straightJson) {
      throw new Error(`event ${i}: a restored machine decided differently from one never stopped\nrestored: ${restoredJson}\nstraight: ${straightJson}`)
    }
    decisions.push(a.value)
    const text = restored.snapshot()
    restored = policy[`restore${title(kind)}`](text)
    if (restored.snapshot() !== text) throw new Error(`event ${i}: save -> restore -> save changed the state`)
  }
  const replay = policy[`replay${title(kind)}`](events)
  if (JSON.stringify(replay.decisions) !== JSON.stringify(decisions)) throw new Error('replaying the log gave other decisions')
  if (replay.state !== straight.snapshot()) throw new Error('replaying the log gave another state')
  return { decisions, error: null, errorAt: -1 }
}

/**
 * The answer of a `risk:` case (tests/conformance/risk/README.md) whose files the runner read
 * into `fit`, `evaluate` and `defect_model`: a fit of the defect-risk model (`{same}`: the model
 * text equals `defect_model`), a model's evaluation on the `evaluate` data, changes scored with a model, the blast radius of `blast`, the risk-gated
 * decision of `check`, or the reports by model name. Every case is answered twice and must
 * give the same bytes.
 */
export function riskAnswer(kiro, policy, spec) {
  const once = () => {
    if (spec.fit !== undefined) return { same: kiro.fitModel(spec.fit) === spec.defect_model }
    if (spec.evaluate !== undefined) return kiro.evaluateModel(spec.defect_model, spec.evaluate)
    if (spec.defect_model !== undefined) return kiro.scoreChanges(spec.defect_model, spec.changes ?? null)
    if (spec.blast !== undefined) return policy.blastRadius(spec.blast)
    const metrics = spec.metrics ?? {}
    if (spec.check !== undefined) return policy.checkAtRisk(metrics, spec.model ?? '', { changed: spec.changed ?? null, gate: spec.check?.gate ?? null })
    const reports = policy.scoreRisk(metrics, { changed: spec.changed ?? null, model: spec.model ?? null })
    return Object.fromEntries(reports.map((r) => [r.model, r]))
  }
  const answer = once()
  if (JSON.stringify(answer) !== JSON.stringify(once())) throw new Error('two runs differ')
  return answer
}

/**
 * The answer of an `evidence:` case (tests/conformance/evidence/README.md) whose reports all
 * carry their text (the runner reads the files): the reports read and merged, and the policy
 * checked on them.
 */
export function evidenceAnswer(kiro, policy, spec) {
  return {
    evidence: kiro.readEvidence(spec.evidence),
    decision: policy.checkEvidence(spec.evidence, spec.metrics ?? {}, { gate: spec.gate ?? null }),
  }
}
