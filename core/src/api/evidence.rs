//! Evidence (`crate::evidence`) at the boundary: reports a host has read, given as
//! `[{kind, file, text}]`, merged into metrics with their provenance, and a check of those
//! metrics. Every error is a coded [`BoundaryError`] naming the report (`source` is its `file`)
//! with its labels located in the report's text in the host's unit; the spans of the
//! provenance (`from[].span`) are byte offsets into the report's UTF-8 text.

use super::HostPolicy;
use super::options::CheckOptions;
use crate::decision::Decision;
use crate::diagnostic::{Code, Diagnostic, OffsetUnit, locate_all};
use crate::error::{BoundaryError, CheckError, ErrorKind};
use crate::evidence::{Evidence, EvidenceSummary, Kind, Limits, read};
use crate::metrics::MetricsInput;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Reads and merges `reports`, an array of `{kind, file, text}` (`kind`: `junit`, `coverage`,
/// `sarif`, `lighthouse`, `vulns` or `bundle`; `file`: the name errors and provenance give it),
/// counting error offsets in `unit`.
///
/// # Errors
/// `KIRO-E003` for a value of another shape; the readers' coded errors (`docs/evidence.md`)
/// for a report that cannot be read, or reports that conflict.
pub fn read_reports(reports: &Value, unit: OffsetUnit) -> Result<Evidence, BoundaryError> {
    let reports: Vec<EvidenceReport> = serde_json::from_value(reports.clone()).map_err(|e| {
        shape(&format!(
            "the reports must be an array of `{{kind, file, text}}` objects: {e}"
        ))
    })?;
    let mut evidence = Evidence::new();
    for EvidenceReport { kind, file, text } in &reports {
        let located = |d: Diagnostic| {
            let diagnostics = locate_all(vec![d], file, text, unit);
            BoundaryError::from(CheckError::Input(diagnostics))
        };
        let report = read(*kind, file, text, &Limits::default()).map_err(located)?;
        evidence.add(report).map_err(located)?;
    }
    Ok(evidence)
}

/// One report a host read, to be merged into metrics.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceReport {
    /// What it is evidence of: `junit`, `coverage` (LCOV, Cobertura, JaCoCo or a Go cover
    /// profile), `sarif`, `lighthouse`, `vulns` (npm audit, OSV-Scanner or Trivy) or `bundle`
    /// (webpack stats).
    pub kind: Kind,
    /// Its name in errors and provenance (a path, as the host names it).
    pub file: String,
    /// Its text.
    pub text: String,
}

/// [`read_reports`], answered as the reports read and the merged metrics with their
/// provenance.
///
/// # Errors
/// As [`read_reports`].
pub fn summarize(reports: &Value, unit: OffsetUnit) -> Result<EvidenceSummary, BoundaryError> {
    Ok(read_reports(reports, unit)?.summary())
}

impl HostPolicy {
    /// Checks the metrics `reports` give (as [`read_reports`] reads them), with `metrics` (the
    /// JSON value a check takes; `null`: none) beside them, with `options` as in
    /// [`HostPolicy::check`]. A metric the policy declares must come with the kind its unit
    /// says, and from only one place.
    ///
    /// # Errors
    /// As [`read_reports`]; `KIRO-E022` for a report's value of another kind than the declared
    /// unit; the reports' conflict code for a metric given twice; as a check otherwise.
    pub fn check_evidence(
        &self,
        reports: &Value,
        metrics: &Value,
        options: &CheckOptions,
    ) -> Result<Decision, BoundaryError> {
        let evidence = read_reports(reports, self.unit())?;
        let mut input = if metrics.is_null() {
            MetricsInput::default()
        } else {
            MetricsInput::from_json(metrics).map_err(CheckError::input)?
        };
        let declared: BTreeMap<&str, crate::units::Unit> = self.compiled().metric_units().collect();
        evidence
            .apply(&mut input, |name| declared.get(name).copied())
            .map_err(CheckError::input)?;
        let selection = options.selection();
        let checked = match &options.history {
            Some(history) => self.compiled().check_with_history(
                &input,
                &selection,
                history,
                options.branch.as_deref(),
            ),
            None => self.compiled().check(&input, &selection),
        };
        checked.map_err(|e| self.locate(BoundaryError::from_kiro(&e)))
    }
}

/// `KIRO-E003` saying `what`.
fn shape(what: &str) -> BoundaryError {
    BoundaryError::new(
        ErrorKind::Input,
        Diagnostic::error(Code::InvalidValue, what.to_owned()),
    )
}
