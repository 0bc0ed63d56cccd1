//! Change risk (`crate::risk`) at the boundary: risk scoring and blast radius as calls and
//! answers, and [`HostRisk`], what a binding's policy object wraps.
//!
//! - [`HostRisk::score`]: a policy's risk models scored on metrics (a JSON value, as a
//!   check's), with the components a change touches; every report, by model.
//! - [`HostRisk::blast`]: the blast radius of a change.
//! - [`risk`] (and `_json`, `_json_str`): a policy and the request in, the reports out;
//!   [`blast`] (and `_json`, `_json_str`) likewise for the blast radius; [`risk_check`] for
//!   risk-based gating.
//!
//! Every error is a coded [`BoundaryError`] with its labels located in the host's unit
//! (`KIRO-E160`–`E169`, and the metrics' own codes).

use super::HostPolicy;
use super::call::{answer, load_policy, text_form};
use super::options::format_schema;
use crate::diagnostic::OffsetUnit;
use crate::error::BoundaryError;
use crate::risk::{BlastRadius, RiskGatedDecision, RiskReport};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Risk scoring over one loaded policy, as a binding holds it.
#[derive(Debug, Clone, Copy)]
pub struct HostRisk<'p> {
    policy: &'p HostPolicy,
}

impl<'p> HostRisk<'p> {
    /// Risk scoring over `policy`.
    #[must_use]
    pub fn new(policy: &'p HostPolicy) -> Self {
        Self { policy }
    }

    /// Scores the policy's risk models (all, or `model`) on `metrics`, with the blast radius
    /// of a change to `changed` when a factor reads it.
    ///
    /// # Errors
    /// As `CompiledPolicy::score_risk`, labels located in the host's unit.
    pub fn score(
        &self,
        metrics: &Value,
        changed: Option<&[String]>,
        model: Option<&str>,
    ) -> Result<Vec<RiskReport>, BoundaryError> {
        self.policy
            .compiled()
            .score_risk_value(metrics, changed, model)
            .map_err(|e| self.policy.locate(e.into()))
    }

    /// The blast radius of a change to `changed`.
    ///
    /// # Errors
    /// `KIRO-E160` without a `risk` section, `E169` without a graph, `E166` for an unknown
    /// component.
    pub fn blast(&self, changed: &[String]) -> Result<BlastRadius, BoundaryError> {
        self.policy
            .compiled()
            .blast_radius(changed)
            .map_err(|e| self.policy.locate(e.into()))
    }
}

/// A check whose gates depend on a change's risk (risk-based gating).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskCheckCall {
    /// The policy text.
    pub policy: String,
    /// `yaml`, `json` or `toml`; absent or null: detected from the text.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    #[schemars(schema_with = "format_schema")]
    pub format: Value,
    /// The unit of offsets in diagnostics (default: bytes of UTF-8).
    #[serde(default, skip_serializing_if = "OffsetUnit::is_utf8")]
    pub offsets: OffsetUnit,
    /// The metrics, as for a check.
    #[serde(default)]
    pub metrics: Value,
    /// The risk model whose level chooses the gates.
    pub model: String,
    /// The components the change touches, for `blast_radius`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed: Option<Vec<String>>,
    /// Only this gate (before bypasses).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<String>,
}

/// Checks a policy's gates at the risk a model gives the change.
///
/// # Errors
/// A policy error for a policy that does not compile; as `CompiledPolicy::check_at_risk`.
pub fn risk_check(call: &RiskCheckCall) -> Result<RiskGatedDecision, BoundaryError> {
    let policy = load_policy(&call.policy, &call.format, call.offsets)?;
    let metrics = if call.metrics.is_null() {
        Value::Object(serde_json::Map::new())
    } else {
        call.metrics.clone()
    };
    let selection = crate::Selection {
        gate: call.gate.clone(),
        ..crate::Selection::all()
    };
    policy
        .compiled()
        .check_at_risk_value(&metrics, &selection, &call.model, call.changed.as_deref())
        .map_err(|e| policy.locate(e.into()))
}

/// [`risk_check`] on a JSON call ([`RiskCheckCall`]).
#[must_use]
pub fn risk_check_json(call: Value) -> Value {
    answer(call, risk_check)
}

/// [`risk_check_json`] on JSON text.
#[must_use]
pub fn risk_check_json_str(call: &str) -> String {
    text_form(call, risk_check_json)
}

/// A policy's risk models scored on one set of metrics.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskCall {
    /// The policy text.
    pub policy: String,
    /// `yaml`, `json` or `toml`; absent or null: detected from the text.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    #[schemars(schema_with = "format_schema")]
    pub format: Value,
    /// The unit of offsets in diagnostics (default: bytes of UTF-8).
    #[serde(default, skip_serializing_if = "OffsetUnit::is_utf8")]
    pub offsets: OffsetUnit,
    /// The metrics, as for a check (an object of names to values).
    #[serde(default)]
    pub metrics: Value,
    /// The components the change touches, for `blast_radius`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed: Option<Vec<String>>,
    /// Score only this model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
}

/// The blast radius of a change.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BlastCall {
    /// The policy text.
    pub policy: String,
    /// `yaml`, `json` or `toml`; absent or null: detected from the text.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    #[schemars(schema_with = "format_schema")]
    pub format: Value,
    /// The unit of offsets in diagnostics (default: bytes of UTF-8).
    #[serde(default, skip_serializing_if = "OffsetUnit::is_utf8")]
    pub offsets: OffsetUnit,
    /// The components the change touches.
    pub changed: Vec<String>,
}

/// Scores a policy's risk models.
///
/// # Errors
/// A policy error for a policy that does not compile; as [`HostRisk::score`] otherwise.
pub fn risk(call: &RiskCall) -> Result<Vec<RiskReport>, BoundaryError> {
    let policy = load_policy(&call.policy, &call.format, call.offsets)?;
    let metrics = if call.metrics.is_null() {
        Value::Object(serde_json::Map::new())
    } else {
        call.metrics.clone()
    };
    HostRisk::new(&policy).score(&metrics, call.changed.as_deref(), call.model.as_deref())
}

/// [`risk`] on a JSON call ([`RiskCall`]), answering an `Answer` of the reports.
#[must_use]
pub fn risk_json(call: Value) -> Value {
    answer(call, risk)
}

/// [`risk_json`] on JSON text.
#[must_use]
pub fn risk_json_str(call: &str) -> String {
    text_form(call, risk_json)
}

/// The blast radius of a change.
///
/// # Errors
/// A policy error for a policy that does not compile; as [`HostRisk::blast`] otherwise.
pub fn blast(call: &BlastCall) -> Result<BlastRadius, BoundaryError> {
    let policy = load_policy(&call.policy, &call.format, call.offsets)?;
    HostRisk::new(&policy).blast(&call.changed)
}

/// [`blast`] on a JSON call ([`BlastCall`]), answering an `Answer` of the blast radius.
#[must_use]
pub fn blast_json(call: Value) -> Value {
    answer(call, blast)
}

/// [`blast_json`] on JSON text.
#[must_use]
pub fn blast_json_str(call: &str) -> String {
    text_form(call, blast_json)
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = "name: t\nmetrics: {x: {unit: count}}\nrisk:\n  models:\n    - name: m\n      factors: [{name: x, value: x, linear: {from: 0, to: 10}}]\n  graph:\n    components: {api: {depends_on: [db]}, db: {}}\n";

    #[test]
    fn risk_scores_through_json_text() {
        let call = serde_json::json!({"policy": POLICY, "metrics": {"x": 5}}).to_string();
        let answer: Value = serde_json::from_str(&risk_json_str(&call)).expect("json");
        assert_eq!(answer["ok"], true, "{answer}");
        assert_eq!(answer["value"][0]["score"], 50.0);
    }

    #[test]
    fn blast_errors_are_coded() {
        let call = serde_json::json!({"policy": POLICY, "changed": ["dbb"]});
        let answer = blast_json(call);
        assert_eq!(answer["ok"], false, "{answer}");
        assert_eq!(answer["error"]["code"], "KIRO-E166");
        let ok = blast_json(serde_json::json!({"policy": POLICY, "changed": ["db"]}));
        assert_eq!(ok["value"]["affected"][1]["component"], "api", "{ok}");
    }
}
