//! The decision timeline of a replay: what changed at each event, as lines for a person, JSON
//! lines, or Markdown.

use kiro::monitor::{Final, MonitorDecision, TriggerReport};
use kiro::units::duration::format_duration;
use serde::Serialize;
use std::fmt::Write;

/// One change in the timeline: a trigger's new state, or an effect for the host.
struct Change<'a> {
    at_ms: u64,
    trigger: &'a str,
    what: String,
    detail: &'a str,
}

/// A serde enum's word (`awaiting_approval`).
fn word<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// What changed at each decision: a trigger whose state or action differs from the decision
/// before (every trigger at the first), then the decision's effects.
fn changes(decisions: &[MonitorDecision]) -> Vec<Change<'_>> {
    let mut out = Vec::new();
    let mut before: Option<&MonitorDecision> = None;
    for d in decisions {
        changes_at(before, d, &mut out);
        before = Some(d);
    }
    out
}

/// What changed at decision `d` after `before`.
fn changes_at<'a>(
    before: Option<&MonitorDecision>,
    d: &'a MonitorDecision,
    out: &mut Vec<Change<'a>>,
) {
    for (i, t) in d.triggers.iter().enumerate() {
        let prev = before.and_then(|b| b.triggers.get(i));
        if prev.is_none_or(|p| p.state != t.state || p.action != t.action) {
            out.push(Change {
                at_ms: d.at_ms,
                trigger: &t.name,
                what: state_word(t),
                detail: &t.explanation,
            });
        }
    }
    for e in &d.effects {
        let (trigger, what) = (e.trigger(), format!("=> {}", e.summary()));
        out.push(Change {
            at_ms: d.at_ms,
            trigger,
            what,
            detail: "",
        });
    }
}

/// A trigger's state and the action it calls for: `pending`, `acted (rollback)`.
pub fn state_word(t: &TriggerReport) -> String {
    match t.action {
        Some(a) => format!("{} ({})", word(&t.state), a.as_str()),
        None => word(&t.state),
    }
}

/// The lines of what changed at `d` after `before`, times shown from `start_ms`, for a live
/// display (`kiro watch`).
pub fn change_lines(
    before: Option<&MonitorDecision>,
    d: &MonitorDecision,
    start_ms: u64,
) -> Vec<String> {
    let mut changes = Vec::new();
    changes_at(before, d, &mut changes);
    changes
        .iter()
        .map(|c| {
            format!(
                "{:>9}  {}  {}  {}",
                offset(c.at_ms, start_ms),
                c.trigger,
                c.what,
                c.detail
            )
            .trim_end()
            .to_owned()
        })
        .collect()
}

/// The time of an event, from the first sample: `+0s`, `+5m30s`.
pub fn offset(at_ms: u64, start_ms: u64) -> String {
    format!("+{}", format_duration(at_ms.saturating_sub(start_ms)))
}

/// The final verdict on one line: how it ended, the result, the actions called for.
pub fn final_line(f: &Final) -> String {
    let mut actions: Vec<String> = f
        .actions
        .iter()
        .map(|a| format!("{} by {}", a.action.as_str(), a.trigger))
        .collect();
    if actions.is_empty() {
        actions.push("none".into());
    }
    let detail = f
        .detail
        .as_deref()
        .map_or_else(String::new, |d| format!(" ({d})"));
    format!(
        "ended by {}{detail}; result {}, healthy {}; actions: {}",
        word(&f.reason),
        word(&f.result),
        if f.healthy { "yes" } else { "no" },
        actions.join(", ")
    )
}

/// The notes after the timeline: samples left unreplayed after the monitor ended.
fn notes(unreplayed: usize) -> Option<String> {
    (unreplayed > 0)
        .then(|| format!("{unreplayed} later sample(s) not replayed: the monitor had ended"))
}

/// The timeline for a person: one line per change, then the final verdict.
pub fn human(
    policy: &str,
    decisions: &[MonitorDecision],
    start_ms: u64,
    unreplayed: usize,
) -> String {
    let mut out = format!(
        "replay of {policy}: {} events from {start_ms} ms\n\n",
        decisions.len()
    );
    let changes = changes(decisions);
    let name_width = changes.iter().map(|c| c.trigger.len()).max().unwrap_or(0);
    let what_width = changes.iter().map(|c| c.what.len()).max().unwrap_or(0);
    for c in &changes {
        let line = format!(
            "{:>9}  {:name_width$}  {:what_width$}  {}",
            offset(c.at_ms, start_ms),
            c.trigger,
            c.what,
            c.detail
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
    if let Some(f) = decisions.last().and_then(|d| d.final_verdict.as_ref()) {
        let _ = writeln!(out, "\n{} {}", offset(f.at_ms, start_ms), final_line(f));
    }
    if let Some(n) = notes(unreplayed) {
        let _ = writeln!(out, "{n}");
    }
    out
}

/// Every decision as one line of canonical JSON.
pub fn jsonl(decisions: &[MonitorDecision]) -> String {
    let mut out = String::new();
    for d in decisions {
        out.push_str(&serde_json::to_string(d).unwrap_or_default());
        out.push('\n');
    }
    out
}

/// A Markdown table cell: pipes escaped, one line.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The timeline as a Markdown table, for a CI job summary.
pub fn markdown(
    policy: &str,
    decisions: &[MonitorDecision],
    start_ms: u64,
    unreplayed: usize,
) -> String {
    let last = decisions.last().and_then(|d| d.final_verdict.as_ref());
    // The heading of every kiro Markdown report: the command and the verdict in capitals.
    let verdict = last.map_or_else(
        || "NOT ENDED".to_owned(),
        |f| {
            super::strongest(f)
                .map_or("HEALTHY", |a| a.as_str())
                .to_ascii_uppercase()
        },
    );
    let mut out = format!(
        "## kiro replay: **{verdict}**\n\nPolicy {}\n\n",
        cell(&format!("`{policy}`"))
    );
    if let Some(f) = last {
        let _ = writeln!(
            out,
            "**{}** at {}\n",
            cell(&final_line(f)),
            offset(f.at_ms, start_ms)
        );
    }
    out.push_str("| time | trigger | change | explanation |\n|---|---|---|---|\n");
    for c in changes(decisions) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            offset(c.at_ms, start_ms),
            cell(c.trigger),
            cell(&c.what),
            cell(c.detail)
        );
    }
    if let Some(n) = notes(unreplayed) {
        let _ = writeln!(out, "\n{n}");
    }
    out
}
