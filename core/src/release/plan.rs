//! The plan of a release: the path through the environments, with the approvals, the traffic
//! steps and where each environment's windows stand at a given time — as data, and rendered
//! as text, Markdown or a Mermaid flowchart.

use super::compiled::{CompiledRelease, Step};
use super::schedule::{self, WindowStatus};
use crate::units::duration::format_duration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// An instant (ms since the Unix epoch) as RFC 3339 in UTC: `2026-12-03T09:00:00Z`.
#[must_use]
pub fn format_instant(ms: u64) -> String {
    i64::try_from(ms)
        .ok()
        .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .map_or_else(|| format!("{ms} ms"), |t| t.to_string())
}

/// The plan of a release through a policy's environments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ReleasePlan {
    /// The policy's name.
    pub policy: String,
    /// The policy's hash.
    pub hash: String,
    /// The time the windows are shown at, ms since the epoch.
    pub at_ms: u64,
    /// The environments in the order a release walks them.
    pub environments: Vec<PlanEnvironment>,
}

/// One environment of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanEnvironment {
    /// Its name.
    pub name: String,
    /// The environments done before it.
    pub after: Vec<String>,
    /// The gates that must pass to enter it.
    pub gates: Vec<String>,
    /// The approvals needed to enter it, in words (`null`: none).
    pub approval: Option<String>,
    /// The persona validations, in words.
    pub validations: Vec<String>,
    /// The strategy.
    pub strategy: String,
    /// The highest canary weight, percent.
    pub max_weight: u32,
    /// The traffic weight once the rollout is done, percent.
    pub traffic: u32,
    /// The steps after the deploy, in words.
    pub steps: Vec<String>,
    /// The soak time (`null`: none).
    pub soak: Option<String>,
    /// Whether it promotes to the next environment by itself.
    pub auto_promote: bool,
    /// `finish` or `stop_at_next_step`.
    pub on_close: String,
    /// Its windows, in words.
    pub windows: Vec<String>,
    /// Where its windows stand at the plan's time.
    pub window_status: PlanWindowStatus,
}

/// Where an environment's windows stand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PlanWindowStatus {
    /// Deploying allowed now.
    pub open: bool,
    /// The window in force.
    pub window: Option<String>,
    /// Why.
    pub reason: String,
    /// When it next opens (RFC 3339), when closed.
    pub opens_at: Option<String>,
    /// When it next closes (RFC 3339), when open and a close is known.
    pub closes_at: Option<String>,
}

impl From<WindowStatus> for PlanWindowStatus {
    fn from(s: WindowStatus) -> Self {
        Self {
            open: s.open,
            window: s.window,
            reason: s.reason,
            opens_at: s.opens_at_ms.map(format_instant),
            closes_at: s.closes_at_ms.map(format_instant),
        }
    }
}

/// The plan of `release` at `at_ms`.
pub(crate) fn plan(release: &CompiledRelease, name: &str, hash: &str, at_ms: u64) -> ReleasePlan {
    let environments = release
        .environments
        .iter()
        .map(|e| PlanEnvironment {
            name: e.name.clone(),
            after: e.after.clone(),
            gates: e.gates.clone(),
            approval: e.approval.as_ref().map(|a| {
                let mut text = format!("{} of {}", a.count, a.personas.join(", "));
                if a.separation_of_duties {
                    text.push_str(", not the author");
                }
                if let Some(x) = a.expires_ms {
                    let _ = write!(text, ", valid {}", format_duration(x));
                }
                text
            }),
            validations: e
                .validations
                .iter()
                .map(|v| {
                    format!(
                        "{}: {}{}",
                        v.persona,
                        v.checks.join(", "),
                        if v.required { "" } else { " (advisory)" }
                    )
                })
                .collect(),
            strategy: e.strategy.kind.as_str().to_owned(),
            max_weight: e.strategy.max_weight,
            traffic: e.traffic,
            steps: e.strategy.steps.iter().map(Step::describe).collect(),
            soak: (e.soak_ms > 0).then(|| format_duration(e.soak_ms)),
            auto_promote: e.auto_promote,
            on_close: if e.stop_at_next_step {
                "stop_at_next_step"
            } else {
                "finish"
            }
            .to_owned(),
            windows: e
                .windows
                .iter()
                .map(|w| {
                    format!(
                        "{} `{}`: {} ({})",
                        w.kind.as_str(),
                        w.name,
                        w.rule_text(),
                        w.tz_name
                    )
                })
                .collect(),
            window_status: schedule::status(&e.windows, at_ms).into(),
        })
        .collect();
    ReleasePlan {
        policy: name.to_owned(),
        hash: hash.to_owned(),
        at_ms,
        environments,
    }
}

fn window_line(s: &PlanWindowStatus) -> String {
    match (s.open, &s.opens_at, &s.closes_at) {
        (true, _, Some(c)) => format!("open until {c}"),
        (true, _, None) => "open".to_owned(),
        (false, Some(o), _) => format!("closed, opens at {o}"),
        (false, None, _) => "closed, no opening found".to_owned(),
    }
}

impl ReleasePlan {
    /// The plan as plain text.
    #[must_use]
    pub fn to_human(&self) -> String {
        let mut out = format!(
            "release plan of {} at {}\n",
            self.policy,
            format_instant(self.at_ms)
        );
        for (i, e) in self.environments.iter().enumerate() {
            let _ = writeln!(out, "\n{}. {}", i + 1, e.name);
            if !e.after.is_empty() {
                let _ = writeln!(out, "   after:       {}", e.after.join(", "));
            }
            if !e.gates.is_empty() {
                let _ = writeln!(out, "   gates:       {}", e.gates.join(", "));
            }
            let _ = writeln!(
                out,
                "   approval:    {}",
                e.approval.as_deref().unwrap_or("none")
            );
            for v in &e.validations {
                let _ = writeln!(out, "   validation:  {v}");
            }
            let _ = writeln!(
                out,
                "   strategy:    {} to {}% traffic{}",
                e.strategy,
                e.traffic,
                if e.strategy == "canary" {
                    format!(" (max canary weight {}%)", e.max_weight)
                } else {
                    String::new()
                }
            );
            for (n, s) in e.steps.iter().enumerate() {
                let _ = writeln!(out, "     {:>2}. {s}", n + 1);
            }
            if let Some(s) = &e.soak {
                let _ = writeln!(out, "   soak:        {s}");
            }
            let _ = writeln!(
                out,
                "   promotion:   {}",
                if e.auto_promote {
                    "automatic"
                } else {
                    "on promote"
                }
            );
            for w in &e.windows {
                let _ = writeln!(out, "   window:      {w}");
            }
            if !e.windows.is_empty() {
                let _ = writeln!(out, "   on close:    {}", e.on_close);
            }
            let _ = writeln!(
                out,
                "   now:         {} ({})",
                window_line(&e.window_status),
                e.window_status.reason
            );
        }
        out
    }

    /// The plan as a Markdown table.
    #[must_use]
    pub fn to_markdown(&self) -> String {
        let mut out = format!(
            "## Release plan of `{}`\n\nWindows as of {}.\n\n| # | environment | gates | approval | validations | strategy | steps | soak | promotion | windows now |\n|---|---|---|---|---|---|---|---|---|---|\n",
            self.policy,
            format_instant(self.at_ms)
        );
        let cell = |items: &[String]| {
            if items.is_empty() {
                "—".to_owned()
            } else {
                items.join("<br>").replace('|', "\\|")
            }
        };
        for (i, e) in self.environments.iter().enumerate() {
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} | {} | {} → {}% | {} | {} | {} | {} |",
                i + 1,
                e.name,
                cell(&e.gates),
                e.approval.as_deref().unwrap_or("—"),
                cell(&e.validations),
                e.strategy,
                e.traffic,
                cell(&e.steps),
                e.soak.as_deref().unwrap_or("—"),
                if e.auto_promote { "auto" } else { "manual" },
                window_line(&e.window_status).replace('|', "\\|"),
            );
        }
        out
    }

    /// The plan as a Mermaid flowchart.
    #[must_use]
    pub fn to_mermaid(&self) -> String {
        let id = |i: usize| format!("e{i}");
        let index = |name: &str| self.environments.iter().position(|e| e.name == name);
        let mut out = String::from("flowchart LR\n");
        for (i, e) in self.environments.iter().enumerate() {
            let mut label = format!("{}<br/>{} → {}%", e.name, e.strategy, e.traffic);
            if let Some(a) = &e.approval {
                let _ = write!(label, "<br/>approval: {a}");
            }
            let _ = write!(label, "<br/>{}", window_line(&e.window_status));
            let _ = writeln!(out, "  {}[\"{}\"]", id(i), label.replace('"', "'"));
        }
        for (i, e) in self.environments.iter().enumerate() {
            for a in &e.after {
                if let Some(j) = index(a) {
                    let edge = if self.environments.get(j).is_some_and(|p| p.auto_promote) {
                        "-->|auto|"
                    } else {
                        "-->|promote|"
                    };
                    let _ = writeln!(out, "  {} {edge} {}", id(j), id(i));
                }
            }
        }
        out
    }
}
