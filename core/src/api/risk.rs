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
use super::options::{RiskOptions, decode_components, format_schema};
use crate::diagnostic::{Code, Diagnostic, OffsetUnit};
use crate::error::{BoundaryError, ErrorKind};
use crate::risk::fit::{ChangeData, ChangeScore, DefectModel, Evaluation, FitError};
use crate::risk::{BlastRadius, RiskGatedDecision, RiskReport};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::borrow::Cow;

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

    /// Scores the policy's risk models (all, or `model`) on `metrics` (`null`: none), with the blast radius
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
            .score_risk_value(&or_empty(metrics), changed, model)
            .map_err(|e| self.policy.locate(e.into()))
    }

    /// Checks the policy's gates (all, or `gate`) at the risk level `model` gives the change
    /// (risk-based gating): the decision with every bypass and the level that allowed it.
    ///
    /// # Errors
    /// As `CompiledPolicy::check_at_risk`, labels located in the host's unit.
    pub fn check(
        &self,
        metrics: &Value,
        model: &str,
        changed: Option<&[String]>,
        gate: Option<&str>,
    ) -> Result<RiskGatedDecision, BoundaryError> {
        let selection = crate::Selection {
            gate: gate.map(str::to_owned),
            ..crate::Selection::all()
        };
        self.policy
            .compiled()
            .check_at_risk_value(&or_empty(metrics), &selection, model, changed)
            .map_err(|e| self.policy.locate(e.into()))
    }

    /// [`HostRisk::score`] with the options a binding gives (`{changed, model}`, decoded by
    /// [`RiskOptions::decode`]).
    ///
    /// # Errors
    /// An input error for bad options; as [`HostRisk::score`] otherwise.
    pub fn score_value(
        &self,
        metrics: &Value,
        options: &Value,
    ) -> Result<Vec<RiskReport>, BoundaryError> {
        let options = RiskOptions::decode(options)?;
        self.score(
            metrics,
            options.changed.as_deref(),
            options.model.as_deref(),
        )
    }

    /// [`HostRisk::check`] with the model and the options a binding gives (`{changed, gate}`).
    ///
    /// # Errors
    /// An input error for a model that is not a string or bad options; as
    /// [`HostRisk::check`] otherwise.
    pub fn check_value(
        &self,
        metrics: &Value,
        model: &Value,
        options: &Value,
    ) -> Result<RiskGatedDecision, BoundaryError> {
        let Some(model) = model.as_str() else {
            return Err(BoundaryError::new(
                ErrorKind::Input,
                Diagnostic::error(
                    Code::InvalidValue,
                    "the risk model to gate by must be a string (its name)",
                ),
            ));
        };
        let options = RiskOptions::decode(options)?;
        if options.model.is_some() {
            return Err(BoundaryError::new(
                ErrorKind::Input,
                Diagnostic::error(Code::InvalidValue, "unknown option `model`")
                    .with_help("the model to gate by is the argument before the options"),
            ));
        }
        self.check(
            metrics,
            model,
            options.changed.as_deref(),
            options.gate.as_deref(),
        )
    }

    /// The blast radius of a change to the components a binding gives (an array of names).
    ///
    /// # Errors
    /// An input error for a value that is not an array of strings; as [`HostRisk::blast`].
    pub fn blast_value(&self, changed: &Value) -> Result<BlastRadius, BoundaryError> {
        self.blast(&decode_components(changed)?)
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

/// The metrics, or no metrics for `null` (an absent field of a call).
fn or_empty(metrics: &Value) -> Cow<'_, Value> {
    if metrics.is_null() {
        Cow::Owned(Value::Object(serde_json::Map::new()))
    } else {
        Cow::Borrowed(metrics)
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
    HostRisk::new(&policy).check(
        &call.metrics,
        &call.model,
        call.changed.as_deref(),
        call.gate.as_deref(),
    )
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
    HostRisk::new(&policy).score(
        &call.metrics,
        call.changed.as_deref(),
        call.model.as_deref(),
    )
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

/// Fits a defect-risk model on change data given as CSV text (as `kiro risk fit` reads it;
/// `normalised` as its `--normalised`): the model file's text, byte for byte what the CLI
/// writes.
///
/// # Errors
/// The fitting's coded errors (`KIRO-E170`, `E171`, …) for data that cannot be fitted.
pub fn fit_model(csv: &str, normalised: bool) -> Result<String, BoundaryError> {
    Ok(crate::risk::fit::fit(csv, normalised)?.to_json())
}

/// Scores changes (the JSON value of one object of change metrics, or a list of them) with the
/// model file `model` wrote by [`fit_model`] or `kiro risk fit`.
///
/// # Errors
/// `KIRO-E172` for text that is not such a model (another version, a checksum that does not
/// match); `KIRO-E170` for changes that are not objects of the model's metrics.
pub fn score_changes(model: &str, changes: &Value) -> Result<Vec<ChangeScore>, BoundaryError> {
    let model = DefectModel::from_json(model)?;
    let data = ChangeData::from_json(changes).map_err(FitError::new)?;
    Ok(model.score(&data)?)
}

/// Evaluates the model file `model` on labelled change data given as CSV text (as `kiro risk
/// evaluate` reads it): the model's and the lines-added baseline's figures on every row.
///
/// # Errors
/// `KIRO-E172` for text that is not a model file; `KIRO-E170` for data that cannot be read or
/// lacks a metric the model reads; `KIRO-E171` for data of one class.
pub fn evaluate_model(model: &str, csv: &str) -> Result<Evaluation, BoundaryError> {
    let model = DefectModel::from_json(model)?;
    Ok(model.evaluate(csv)?)
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
