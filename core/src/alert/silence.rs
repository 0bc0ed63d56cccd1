//! Silences: matchers with a start and an end (or "until resolved"), a reason and an author,
//! checked against the policy's limits when they are created.

use super::matcher::Matcher;
use crate::diagnostic::{Code, Diagnostic};
use serde::{Deserialize, Serialize};

/// A silence to check before it is taken.
pub(crate) struct Spec<'a> {
    pub matchers: &'a [Matcher],
    pub starts_ms: u64,
    /// `None`: until the alerts it mutes resolve (capped by the longest silence).
    pub ends_ms: Option<u64>,
    pub reason: &'a str,
    pub author: &'a str,
}

impl Spec<'_> {
    /// Refuses a silence that would mute everything, has no reason or author, ends before it
    /// starts or lasts longer than `max_ms`.
    pub(crate) fn check(&self, max_ms: u64) -> Result<(), Diagnostic> {
        let refuse = |message: String, help: &str| {
            Err(Diagnostic::error(Code::SilenceRefused, message).with_help(help))
        };
        if self.matchers.is_empty() {
            return refuse(
                "a silence needs at least one matcher".into(),
                "name what it mutes: `alertname=\"HighErrorRate\"`",
            );
        }
        if self.matchers.iter().all(|m| m.matches_value("")) {
            return refuse(
                format!(
                    "the silence would mute every alert: each of its matchers ({}) matches an alert without the label",
                    self.matchers
                        .iter()
                        .map(|m| format!("`{m}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                "add a matcher that needs a value, such as `alertname=\"HighErrorRate\"` or `service=~\"api.+\"`",
            );
        }
        if self.reason.trim().is_empty() {
            return refuse(
                "a silence needs a reason".into(),
                "say why: `reason: maintenance of the payments database`",
            );
        }
        if self.author.trim().is_empty() {
            return refuse(
                "a silence needs an author".into(),
                "say who: `author: alice`",
            );
        }
        if let Some(end) = self.ends_ms {
            if end <= self.starts_ms {
                return refuse(
                    format!(
                        "the silence ends ({end} ms) before it starts ({} ms)",
                        self.starts_ms
                    ),
                    "give an end after the start",
                );
            }
            if end - self.starts_ms > max_ms {
                return refuse(
                    format!(
                        "the silence lasts {}, longer than the policy's `max_duration` of {}",
                        crate::units::duration::format_duration(end - self.starts_ms),
                        crate::units::duration::format_duration(max_ms)
                    ),
                    "make it shorter, or raise `alerts.silences.max_duration`",
                );
            }
        }
        Ok(())
    }
}

/// A silence the engine holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Silence {
    pub matchers: Vec<String>,
    pub starts_ms: u64,
    /// When it ends: the end given, or for "until resolved" the longest silence's end.
    pub ends_ms: u64,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub until_resolved: bool,
    /// Whether it has muted a firing alert (an until-resolved silence ends once it mutes none).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub matched: bool,
    /// Whether it is in force (it started and has not ended).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub active: bool,
    pub reason: String,
    pub author: String,
}

impl Silence {
    /// The silence's matchers, compiled (they were checked when it was taken).
    pub(crate) fn compiled(&self) -> Vec<Matcher> {
        self.matchers
            .iter()
            .filter_map(|m| Matcher::parse(m, crate::diagnostic::Span::default()).ok())
            .collect()
    }
}
