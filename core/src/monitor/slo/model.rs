//! The `slos` section as written.

use crate::document::Spanned;
use crate::monitor::model::Action;
use crate::units::DurationDecl;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A service level objective: the share of good events a service promises over a period. It
/// generates a trigger whose tiers alert on the rate at which the error budget burns
/// (multiwindow, multi-burn-rate alerts of Google's SRE workbook, chapter 5).
///
/// The events come from an error-ratio metric (`error_ratio`), or from two counters (`good`
/// and `total`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SloDecl {
    /// The objective's name: one word of letters, digits and `_`. The generated trigger is
    /// `slo:<name>` and its windows `<name>_burn_<span>`.
    pub name: Spanned<String>,
    /// What the objective promises.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The share of good events promised, above 0% and below 100% (`99.9%`; a bare number is
    /// in percent).
    pub objective: Spanned<PercentDecl>,
    /// The period the error budget is counted over (default `30d`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Spanned<DurationDecl>>,
    /// A metric holding the share of bad events (a percentage), observed as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_ratio: Option<Spanned<String>>,
    /// A counter of good events (with `total`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub good: Option<Spanned<String>>,
    /// A counter of all events (with `good`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<Spanned<String>>,
    /// What a page calls for (default `rollback`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<Spanned<Action>>,
    /// What a ticket calls for (default `warn`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<Spanned<Action>>,
    /// The alerts, instead of the workbook's three (2% of the budget in 1h/5m → page; 5% in
    /// 6h/30m → page; 10% in 3d/6h → ticket).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub burn_rates: Vec<Spanned<BurnRateDecl>>,
}

/// One multiwindow burn-rate alert: fire when `budget` of the error budget would be spent in
/// `long` at the current rate, over both `long` and `short`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BurnRateDecl {
    /// The share of the period's error budget spent in `long` that alerts (`2%`).
    pub budget: Spanned<PercentDecl>,
    /// The long window.
    pub long: Spanned<DurationDecl>,
    /// The short window, which makes the alert stop soon after the burn stops.
    pub short: Spanned<DurationDecl>,
    /// `page` or `ticket`.
    pub severity: Spanned<Severity>,
}

/// How urgent a burn-rate alert is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Someone must act now (default action: `rollback`).
    Page,
    /// Someone should look soon (default action: `warn`).
    Ticket,
}

impl Severity {
    /// The severity as written.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Page => "page",
            Severity::Ticket => "ticket",
        }
    }
}

/// A percentage as written: `"99.9%"`, or a bare number in percent (`99.9`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum PercentDecl {
    /// A number with `%` (or without a unit, in percent).
    Text(String),
    /// A number, in percent.
    Number(f64),
}

impl PercentDecl {
    /// The decimal as written, without the `%`.
    pub(crate) fn decimal(&self) -> String {
        match self {
            PercentDecl::Text(t) => t.trim().trim_end_matches('%').trim_end().to_owned(),
            PercentDecl::Number(n) => format!("{n}"),
        }
    }
}

impl std::fmt::Display for PercentDecl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}%", self.decimal())
    }
}
