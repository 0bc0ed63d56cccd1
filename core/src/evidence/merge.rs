//! Several reports merged into one set of metrics, each value with its provenance.
//!
//! Counts and sizes add up (tests, findings, vulnerabilities, bundles); coverage is the union of the reports' lines and branches,
//! its percentages recomputed from the merged totals; Lighthouse values cannot be added, so two
//! reports giving different values for one of them are a conflict ([`Code::ReportConflict`]).

use super::value::Value;
use super::{Data, MetricOut, Report, ReportFormat};
use super::{coverage::Coverage, junit::Tests, sarif::Findings, vulns::Vulns, webpack::Bundle};
use crate::diagnostic::{Code, Diagnostic, Span};
use crate::document::Spanned;
use crate::metrics::MetricsInput;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;

/// Where one report's value of a metric came from.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(rename = "EvidenceContribution")]
pub struct Contribution {
    /// The report file, as the host named it.
    pub file: String,
    /// That report's own value of the metric.
    #[serde(flatten)]
    pub value: Value,
    /// The element of the report it was read from (a byte span into the report's text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    /// The JSON pointer of the value in a JSON report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
}

/// A merged metric and the reports it came from.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(rename = "EvidenceMetric")]
pub struct Metric {
    /// The merged value.
    #[serde(flatten)]
    pub value: Value,
    /// Each report's own value, in the order the reports were added.
    pub from: Vec<Contribution>,
}

/// One report that was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ReportEntry {
    /// The file.
    pub file: String,
    /// Its format.
    pub format: ReportFormat,
}

/// Reports merged: add each with [`Evidence::add`], then read [`Evidence::metrics`].
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    reports: Vec<ReportEntry>,
    tests: Option<Tests>,
    coverage: Option<Coverage>,
    findings: Option<Findings>,
    vulns: Option<Vulns>,
    bundle: Option<Bundle>,
    /// Lighthouse metrics: the value (equal in every report that has it).
    web: BTreeMap<String, Value>,
    from: BTreeMap<String, Vec<Contribution>>,
}

/// The merged metrics: the reports read, and each metric with its provenance.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct EvidenceSummary {
    /// The reports read, in order.
    pub reports: Vec<ReportEntry>,
    /// Each merged metric by name, with the reports it came from.
    pub metrics: BTreeMap<String, Metric>,
}

impl Evidence {
    /// An empty set of evidence.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether no report was added.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.reports.is_empty()
    }

    /// The reports added, in order.
    #[must_use]
    pub fn reports(&self) -> &[ReportEntry] {
        &self.reports
    }

    /// Adds a report.
    ///
    /// # Errors
    /// [`Code::ReportConflict`] when a Lighthouse metric of this report differs from the value
    /// an earlier report gave; nothing is added then.
    pub fn add(&mut self, report: Report) -> Result<(), Diagnostic> {
        let mut own = Vec::new();
        report.data.metrics(&mut own);
        if let Data::Web(_) = report.data {
            for metric in &own {
                if let Some(&earlier) = self.web.get(&metric.name)
                    && earlier != metric.value
                {
                    return Err(self.conflict(&report.file, metric, earlier));
                }
            }
        }
        match report.data {
            Data::Tests(t) => match &mut self.tests {
                Some(tests) => tests.merge(t),
                None => self.tests = Some(t),
            },
            Data::Coverage(c) => match &mut self.coverage {
                Some(coverage) => coverage.merge(c),
                None => self.coverage = Some(c),
            },
            Data::Findings(f) => match &mut self.findings {
                Some(findings) => findings.merge(f),
                None => self.findings = Some(f),
            },
            Data::Vulns(v) => match &mut self.vulns {
                Some(vulns) => vulns.merge(v),
                None => self.vulns = Some(v),
            },
            Data::Bundle(b) => match &mut self.bundle {
                Some(bundle) => bundle.merge(b),
                None => self.bundle = Some(b),
            },
            Data::Web(_) => {
                for metric in &own {
                    self.web.insert(metric.name.clone(), metric.value);
                }
            }
        }
        for metric in own {
            self.from
                .entry(metric.name)
                .or_default()
                .push(Contribution {
                    file: report.file.clone(),
                    value: metric.value,
                    span: metric.span,
                    pointer: metric.pointer,
                });
        }
        self.reports.push(ReportEntry {
            file: report.file,
            format: report.format,
        });
        Ok(())
    }

    fn conflict(&self, file: &str, metric: &MetricOut, earlier: Value) -> Diagnostic {
        let earlier_file = self
            .from
            .get(&metric.name)
            .and_then(|f| f.first())
            .map_or("an earlier report", |c| c.file.as_str());
        Diagnostic::error(
            Code::ReportConflict,
            format!(
                "metric `{}` is {} in `{earlier_file}` but {} in `{file}`{}",
                metric.name,
                show(earlier),
                show(metric.value),
                metric
                    .pointer
                    .as_ref()
                    .map_or_else(String::new, |p| format!(" (pointer {p})"))
            ),
        )
        .with_help("pass one Lighthouse report per metric, e.g. the median run")
        .with_source(file)
    }

    /// The merged metrics by name, each with the reports it came from.
    #[must_use]
    pub fn metrics(&self) -> BTreeMap<String, Metric> {
        let mut merged = Vec::new();
        if let Some(t) = &self.tests {
            t.metrics(&mut merged);
        }
        if let Some(c) = &self.coverage {
            c.metrics(&mut merged);
        }
        if let Some(f) = &self.findings {
            f.metrics(&mut merged);
        }
        if let Some(v) = &self.vulns {
            v.metrics(&mut merged);
        }
        if let Some(b) = &self.bundle {
            b.metrics(&mut merged);
        }
        let mut out = BTreeMap::new();
        for metric in merged {
            let from = self.from.get(&metric.name).cloned().unwrap_or_default();
            out.insert(
                metric.name,
                Metric {
                    value: metric.value,
                    from,
                },
            );
        }
        for (name, value) in &self.web {
            let from = self.from.get(name).cloned().unwrap_or_default();
            out.insert(
                name.clone(),
                Metric {
                    value: *value,
                    from,
                },
            );
        }
        out
    }

    /// The merged metrics and their provenance as JSON:
    /// `{"reports": [{file, format}], "metrics": {name: {value, unit, from: [...]}}}`.
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self.summary()).unwrap_or(serde_json::Value::Null)
    }

    /// The reports read and the merged metrics with their provenance.
    #[must_use]
    pub fn summary(&self) -> EvidenceSummary {
        EvidenceSummary {
            reports: self.reports.clone(),
            metrics: self.metrics(),
        }
    }

    /// Adds the merged metrics the policy declares to `input` as values with units (the others
    /// are left out, so they are never warned about as undeclared). `declared(name)` is the unit
    /// a policy declares for metric `name`, if it declares it.
    ///
    /// # Errors
    /// For a metric the policy declares, nothing is added and: [`Code::InvalidMetricValue`]
    /// when the report's value is of another kind than the declared unit (a count for a `%`
    /// metric: never silently `3%`); [`Code::ReportConflict`] when `input` already has it (from
    /// a metrics file). Each names the report the value came from.
    pub fn apply(
        &self,
        input: &mut MetricsInput,
        declared: impl Fn(&str) -> Option<crate::units::Unit>,
    ) -> Result<(), Diagnostic> {
        let metrics = self.metrics();
        for (name, metric) in &metrics {
            let Some(unit) = declared(name) else {
                continue;
            };
            let file = metric.from.first().map_or("", |c| c.file.as_str());
            if unit.dimension != metric.value.unit.dimension() {
                return Err(Diagnostic::error(
                    Code::InvalidMetricValue,
                    format!(
                        "metric `{name}` is declared as {}, but report `{file}` gives {}",
                        unit.dimension.describe(),
                        metric.value.unit.dimension().describe()
                    ),
                )
                .with_help(format!(
                    "declare `{name}` with unit `{}` (docs/evidence.md lists the unit of each metric)",
                    metric.value.unit.declare_as()
                ))
                .with_source(file));
            }
            if input.values.contains_key(name) {
                return Err(Diagnostic::error(
                    Code::ReportConflict,
                    format!("metric `{name}` is given by the metrics input and by report `{file}`"),
                )
                .with_help(format!(
                    "remove `{name}` from the metrics input, or set it with `--metric {name}=...`"
                ))
                .with_source(file));
            }
        }
        // Only the declared ones: a report always gives its whole set (every suite, package and
        // chunk), which is never a mistake to warn about as an undeclared input name would be.
        for (name, metric) in metrics {
            if declared(&name).is_some() {
                input
                    .values
                    .insert(name, Spanned::new(Span::default(), metric.value.raw()));
            }
        }
        Ok(())
    }
}

fn show(value: Value) -> String {
    let unit = serde_json::to_value(value.unit)
        .ok()
        .and_then(|u| u.as_str().map(str::to_owned))
        .unwrap_or_default();
    match value.amount {
        Some(a) if unit == "count" || unit.is_empty() => format!("{a}"),
        Some(a) => format!("{a}{unit}"),
        None => "no data".to_owned(),
    }
}
