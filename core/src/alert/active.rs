//! The alerts active at a moment — firing, or pending (the condition holds, not yet for `for`)
//! — as a dashboard lists them. Read from the engine's state; nothing is decided here.

use super::decision::{Mute, Status};
use super::state::AlertState;
use super::step::alert_id;
use crate::policy::CompiledPolicy;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An alert that is firing or pending.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActiveAlert {
    /// Its id (its labels).
    pub id: String,
    /// Its `alertname` label.
    pub name: String,
    /// `firing` or `pending`.
    pub status: Status,
    /// Its `severity` label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// Its `owner` label (the owning persona).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Since when it has been firing, or its condition has held (pending).
    pub since_ms: u64,
    /// Its rendered summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// What mutes it (a silence or an inhibition).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub muted: Option<Mute>,
    /// Who acknowledged it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acked_by: Option<String>,
}

impl AlertState {
    /// The alerts firing or pending now: firing ones first, each kind oldest first (then by
    /// id).
    #[must_use]
    pub fn active(&self, policy: &CompiledPolicy) -> Vec<ActiveAlert> {
        let label = |labels: &super::matcher::Labels, key: &str| labels.get(key).cloned();
        let mut out: Vec<ActiveAlert> = self
            .alerts
            .iter()
            .filter(|(_, a)| a.firing)
            .map(|(id, a)| ActiveAlert {
                id: id.clone(),
                name: label(&a.labels, "alertname").unwrap_or_default(),
                status: Status::Firing,
                severity: label(&a.labels, "severity"),
                owner: label(&a.labels, "owner"),
                since_ms: a.since_ms,
                summary: a.annotations.get("summary").cloned(),
                muted: a.muted.clone(),
                acked_by: a.ack.as_ref().map(|k| k.by.clone()),
            })
            .collect();
        let rules = policy.alerts().map_or(&[][..], |a| &a.rules);
        for (rule, rs) in rules.iter().zip(&self.rules) {
            let id = alert_id(&rule.labels);
            let Some(since) = rs.since_ms else { continue };
            if self.alerts.get(&id).is_some_and(|a| a.firing) {
                continue;
            }
            out.push(ActiveAlert {
                name: rule.name.clone(),
                status: Status::Pending,
                severity: label(&rule.labels, "severity"),
                owner: label(&rule.labels, "owner"),
                since_ms: since,
                summary: None,
                muted: None,
                acked_by: None,
                id,
            });
        }
        out.sort_by(|a, b| {
            (a.status != Status::Firing, a.since_ms, &a.id).cmp(&(
                b.status != Status::Firing,
                b.since_ms,
                &b.id,
            ))
        });
        out
    }
}
