//! The notification timeline of `kiro alerts replay`: lines for a person, JSON lines, or
//! Markdown.

use kiro::alert::{AlertDecision, Effect, Mute};
use kiro::units::duration::format_duration;
use serde::Serialize;
use std::fmt::Write;

/// A serde enum's word (`first`, `slack`).
fn word<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn mute(m: &Mute) -> String {
    match m {
        Mute::Silenced { by } => format!("silenced by `{by}`"),
        Mute::Inhibited { by, rule } => format!("inhibited by `{by}` (rule {rule})"),
    }
}

/// One effect as (time, what, detail).
fn line(e: &Effect) -> (u64, String, String) {
    match e {
        Effect::Alert {
            at_ms,
            alert,
            to,
            reason,
        } => (*at_ms, format!("{alert} {}", word(to)), reason.clone()),
        Effect::Routed {
            at_ms,
            alert,
            groups,
        } => (*at_ms, format!("{alert} routed"), groups.join(", ")),
        Effect::Accounted {
            at_ms,
            alert,
            reason,
        } => (
            *at_ms,
            format!("{alert} not notified"),
            serde_json::to_string(reason).unwrap_or_default(),
        ),
        Effect::Muted { at_ms, alert, by } => (*at_ms, format!("{alert} muted"), mute(by)),
        Effect::Unmuted { at_ms, alert, was } => (
            *at_ms,
            format!("{alert} unmuted"),
            format!("was {}", mute(was)),
        ),
        Effect::Notify(n) => {
            let mut detail = format!("{} firing", n.firing.len());
            if !n.resolved.is_empty() {
                let _ = write!(detail, ", {} resolved", n.resolved.len());
            }
            if let Some(b) = n.batched {
                let _ = write!(detail, ", batch of {b}");
            }
            let _ = write!(
                detail,
                ": {}",
                n.firing
                    .iter()
                    .chain(&n.resolved)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("; ")
            );
            (
                n.at_ms,
                format!(
                    "NOTIFY {} ({}) {} [{}]",
                    n.receiver,
                    word(&n.channel),
                    word(&n.reason),
                    n.group
                ),
                detail,
            )
        }
        Effect::Escalate {
            at_ms,
            group,
            level,
            targets,
            alerts,
            reason,
        } => (
            *at_ms,
            format!(
                "ESCALATE level {level} [{group}] to {}",
                targets
                    .iter()
                    .map(|t| format!("{} {}", t.kind, t.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            format!("{reason}: {}", alerts.join("; ")),
        ),
        Effect::Acked {
            at_ms,
            by,
            alerts,
            until_ms,
        } => (
            *at_ms,
            format!("acked by {by}"),
            format!(
                "{}{}",
                alerts.join("; "),
                until_ms.map_or(String::new(), |u| format!(" until {}", format_duration(u)))
            ),
        ),
        Effect::AckExpired { at_ms, alert, by } => (
            *at_ms,
            format!("{alert} ack expired"),
            format!("acked by {by}"),
        ),
        Effect::EscalationStopped {
            at_ms,
            group,
            reason,
        } => (
            *at_ms,
            format!("escalation stopped [{group}]"),
            reason.clone(),
        ),
        Effect::EscalationRestarted {
            at_ms,
            group,
            reason,
        } => (
            *at_ms,
            format!("escalation restarted [{group}]"),
            reason.clone(),
        ),
        Effect::SilenceStarted { at_ms, id } => {
            (*at_ms, format!("silence {id} started"), String::new())
        }
        Effect::SilenceEnded { at_ms, id, reason } => {
            (*at_ms, format!("silence {id} ended"), reason.clone())
        }
        Effect::Flapping {
            at_ms,
            alert,
            started,
            changes,
        } => (
            *at_ms,
            format!("{alert} {}", if *started { "flapping" } else { "stable" }),
            if *started {
                format!("{changes} changes in the window")
            } else {
                String::new()
            },
        ),
    }
}

fn offset(at: u64, start: u64) -> String {
    format!("+{}", format_duration(at.saturating_sub(start)))
}

/// One line per effect, then a count of notifications and escalations.
pub fn human(name: &str, decisions: &[AlertDecision], start: u64) -> String {
    let mut out = format!("alerts of `{name}`\n");
    let (mut notified, mut escalated) = (0, 0);
    for e in decisions.iter().flat_map(|d| &d.effects) {
        match e {
            Effect::Notify(_) => notified += 1,
            Effect::Escalate { .. } => escalated += 1,
            _ => {}
        }
        let (at, what, detail) = line(e);
        if detail.is_empty() {
            let _ = writeln!(out, "{:>10}  {what}", offset(at, start));
        } else {
            let _ = writeln!(out, "{:>10}  {what}: {detail}", offset(at, start));
        }
    }
    let _ = writeln!(out, "{notified} notifications, {escalated} escalations");
    out
}

/// Every decision as a line of JSON.
pub fn jsonl(decisions: &[AlertDecision]) -> String {
    let mut out = String::new();
    for d in decisions {
        out.push_str(&serde_json::to_string(d).unwrap_or_default());
        out.push('\n');
    }
    out
}

/// A Markdown table of the effects.
pub fn markdown(name: &str, decisions: &[AlertDecision], start: u64) -> String {
    let cell = |s: &str| s.replace('|', "\\|");
    let mut out = format!(
        "### Alerts of `{}`\n\n| time | what | detail |\n|---|---|---|\n",
        cell(name)
    );
    for e in decisions.iter().flat_map(|d| &d.effects) {
        let (at, what, detail) = line(e);
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            offset(at, start),
            cell(&what),
            cell(&detail)
        );
    }
    out
}

/// Every notification's payload for its channel, as a line of JSON:
/// `{"at_ms", "receiver", "channel", "group", "payload"}`.
pub fn payloads(decisions: &[AlertDecision]) -> String {
    let mut out = String::new();
    for e in decisions.iter().flat_map(|d| &d.effects) {
        if let Effect::Notify(n) = e {
            let line = serde_json::json!({
                "at_ms": n.at_ms,
                "receiver": n.receiver,
                "channel": n.channel,
                "group": n.group,
                "payload": n.payload(),
            });
            out.push_str(&line.to_string());
            out.push('\n');
        }
    }
    out
}
