// The simulation of tests/conformance/monitor/README.md through a JavaScript binding's native
// Monitor, shared by the Node.js and WebAssembly runners (testlib/conformance.cjs) and the
// browser test (bindings-wasm/testlib/browser/cases.mjs, in Chromium and in Node.js). An ES
// module using nothing but the language, so that the same file runs in both.

/** Runs `f`: `{value}`, or `{error}` for a KiroError (anything else is thrown on). */
function attempt(f) {
  try {
    return { value: f() }
  } catch (error) {
    if (error?.name !== 'KiroError') throw error
    return { error }
  }
}

/**
 * Runs the `monitor:` section `spec` of a case on `policy` exactly as the README says: every
 * event goes to a monitor saved and restored after each event (`snapshot()` ->
 * `policy.restoreMonitor`) and to one never stopped, which must decide the same bytes; a
 * refused event must leave the saved state as it was; without one, `policy.replayMonitor` of
 * the events must give the same decisions and state. A monitor that cannot start (a policy
 * without triggers) throws its KiroError.
 *
 * Returns `{decisions, error, errorAt}`: the decisions before the refused event (all of them
 * when none was), its KiroError (null when none was) and its index (-1).
 */
export function simulateMonitor(policy, spec) {
  const events = spec?.events
  if (!Array.isArray(events)) throw new Error('`monitor.events` is a list')
  let restored = policy.startMonitor()
  const straight = policy.startMonitor()
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
      throw new Error(`event ${i}: restored and straight monitors disagree: ${a.error?.message ?? 'decided'} / ${b.error?.message ?? 'decided'}`)
    }
    const [restoredJson, straightJson] = [JSON.stringify(a.value), JSON.stringify(b.value)]
    if (restoredJson !== straightJson) {
      throw new Error(`event ${i}: a restored monitor decided differently from one never stopped\nrestored: ${restoredJson}\nstraight: ${straightJson}`)
    }
    decisions.push(a.value)
    const text = restored.snapshot()
    restored = policy.restoreMonitor(text)
    if (restored.snapshot() !== text) throw new Error(`event ${i}: save -> restore -> save changed the state`)
  }
  const replay = policy.replayMonitor(events)
  if (JSON.stringify(replay.decisions) !== JSON.stringify(decisions)) throw new Error('replaying the log gave other decisions')
  if (replay.state !== straight.snapshot()) throw new Error('replaying the log gave another state')
  return { decisions, error: null, errorAt: -1 }
}
