//! The final verdict: what was actually seen, never more favourable.
//!
//! Ending or aborting an analysis turns nothing into a success: a trigger is `clean` only
//! when enough observations decided its condition, none of them held it, and no source failed
//! or gave NaN; otherwise its result names what was seen.

use super::compiled::CompiledMonitor;
use super::decision::{ActionTaken, EndReason, Final, TriggerResult, TriggerSummary};
use super::state::{MonitorState, Phase};

/// The final verdict of the monitor ending at `at` for `reason`.
pub(crate) fn finish(
    monitor: &CompiledMonitor,
    state: &MonitorState,
    reason: EndReason,
    detail: Option<String>,
    at: u64,
) -> Final {
    let mut actions = Vec::new();
    let mut triggers = Vec::with_capacity(monitor.triggers.len());
    for (trigger, ts) in monitor.triggers.iter().zip(&state.triggers) {
        let mut result = TriggerResult::Clean;
        let mut summary = TriggerSummary {
            name: trigger.name.clone(),
            result,
            hits: 0,
            decided: u32::MAX,
            missing: 0,
            inconclusive: 0,
            errors: 0,
        };
        for (i, s) in ts.tiers.iter().enumerate() {
            for &action in &s.acted {
                actions.push(ActionTaken {
                    trigger: trigger.name.clone(),
                    tier: i,
                    action,
                });
            }
            let c = &s.counters;
            let tier_result = if !s.acted.is_empty() {
                TriggerResult::Acted
            } else if matches!(s.phase, Phase::AwaitingApproval { .. }) {
                TriggerResult::AwaitingApproval
            } else if c.hits > 0 {
                TriggerResult::Hits
            } else if c.errors > 0 || c.inconclusive > 0 {
                TriggerResult::Errors
            } else if c.decided < trigger.limits.min_observations {
                TriggerResult::InsufficientData
            } else {
                TriggerResult::Clean
            };
            result = result.min(tier_result);
            summary.hits = summary.hits.max(c.hits);
            summary.decided = summary.decided.min(c.decided);
            summary.missing = summary.missing.max(c.missing);
            summary.inconclusive = summary.inconclusive.max(c.inconclusive);
            summary.errors = summary.errors.max(c.errors);
        }
        if summary.decided == u32::MAX {
            summary.decided = 0;
        }
        summary.result = result;
        triggers.push(summary);
    }
    let result = triggers
        .iter()
        .map(|t| t.result)
        .min()
        .unwrap_or(TriggerResult::InsufficientData);
    Final {
        reason,
        detail,
        at_ms: at,
        healthy: result == TriggerResult::Clean,
        result,
        actions,
        triggers,
    }
}
