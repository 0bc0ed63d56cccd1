//! Building a [`StatusReport`] from the engine's answers.

use super::{GaugeMetric, GaugeThreshold, HistoryPoint, MetricHistory, PanelStatus, StatusReport};
use crate::alert::{AlertEvent, AlertState, Reading, step};
use crate::condition::Program;
use crate::diagnostic::Diagnostic;
use crate::error::{CheckError, KiroError};
use crate::health::HealthReport;
use crate::metrics::MetricsInput;
use crate::policy::CompiledPolicy;
use serde_json::{Map, Value};

/// The dashboard of `policy` for `metrics` at `at_ms` (else the last time of `history`), with
/// the alerts and the history of `history` (alert events — observations, and any acks,
/// silences or external alerts — in time order) up to that moment. Events after it are left
/// out.
///
/// # Errors
/// `KIRO-E030` for a policy without `health`; the metrics' errors as for a check; an
/// observation whose values do not fit the policy, or an event the alert engine refuses (time
/// going backwards…), as an input error naming the event.
pub fn status(
    policy: &CompiledPolicy,
    metrics: &MetricsInput,
    history: &[AlertEvent],
    at_ms: Option<u64>,
) -> Result<StatusReport, CheckError> {
    let report = policy.health_of(metrics)?;
    let at = at_ms.or_else(|| history.last().map(AlertEvent::at_ms));
    let window: Vec<&AlertEvent> = match at {
        Some(at) => history.iter().filter(|e| e.at_ms() <= at).collect(),
        None => Vec::new(),
    };
    let given = !history.is_empty();
    let alerts = match (policy.alerts(), at) {
        (Some(_), Some(at)) if given => Some(active_alerts(policy, &window, at)?),
        _ => None,
    };
    let history = if given {
        Some(histories(policy, &report, &window)?)
    } else {
        None
    };
    let panels = panels(policy, report.panels);
    Ok(StatusReport {
        policy: policy.name().to_owned(),
        policy_hash: policy.hash().to_owned(),
        at_ms: at,
        status: panels
            .iter()
            .map(|p| p.status)
            .max()
            .unwrap_or(crate::health::HealthStatus::Healthy),
        panels,
        shared: report.shared,
        alerts,
        history,
    })
}

/// The panels of the report, each metric with its thresholds.
fn panels(policy: &CompiledPolicy, reports: Vec<crate::health::PanelReport>) -> Vec<PanelStatus> {
    let compiled = policy.health().map_or(&[][..], |h| &h.panels);
    reports
        .into_iter()
        .zip(compiled)
        .map(|(report, panel)| PanelStatus {
            metrics: report
                .metrics
                .into_iter()
                .zip(&panel.items)
                .map(|(m, item)| {
                    let threshold = |p: &Option<Program>| {
                        p.as_ref().map(|p| GaugeThreshold {
                            condition: p.source().to_owned(),
                            values: p
                                .thresholds()
                                .into_iter()
                                .filter(|(slot, _)| *slot == item.slot)
                                .map(|(_, k)| k)
                                .collect(),
                        })
                    };
                    GaugeMetric {
                        metric: m.metric,
                        value: m.value,
                        status: m.status,
                        warning: threshold(&item.warning),
                        critical: threshold(&item.critical),
                    }
                })
                .collect(),
            persona: report.persona,
            status: report.status,
            issues: report.issues,
            warnings: report.warnings,
            no_data: report.no_data,
        })
        .collect()
}

/// An input error about event `index` (from 0) of the history.
fn about_event(index: usize, diagnostics: &[Diagnostic]) -> CheckError {
    CheckError::Input(
        diagnostics
            .iter()
            .map(|d| {
                let mut d = d.clone();
                d.message = format!("history event {index}: {}", d.message);
                d
            })
            .collect(),
    )
}

/// The alert engine run over `window`, then ticked at `at`: the alerts active then.
fn active_alerts(
    policy: &CompiledPolicy,
    window: &[&AlertEvent],
    at: u64,
) -> Result<Vec<crate::alert::ActiveAlert>, CheckError> {
    let mut state = AlertState::new(policy).map_err(|e| about_event(0, e.diagnostics()))?;
    for (i, event) in window.iter().enumerate() {
        step(&mut state, policy, event).map_err(|e| about_event(i, e.diagnostics()))?;
    }
    if state.last_ms().is_none_or(|last| last < at) {
        step(&mut state, policy, &AlertEvent::Tick { at_ms: at })
            .map_err(|e| about_event(window.len(), e.diagnostics()))?;
    }
    Ok(state.active(policy))
}

/// An observation's readings as metrics input: no data, NaN and a failed source are `null`.
fn readings(values: &std::collections::BTreeMap<String, Reading>) -> Value {
    let map: Map<String, Value> = values
        .iter()
        .map(|(name, reading)| {
            let value = match reading {
                Reading::Failed { .. } | Reading::Missing => Value::Null,
                Reading::Bool(b) => Value::Bool(*b),
                Reading::Number(x) => {
                    serde_json::Number::from_f64(*x).map_or(Value::Null, Value::Number)
                }
                Reading::Text(t) if t.trim().eq_ignore_ascii_case("nan") => Value::Null,
                Reading::Text(t) => Value::String(t.clone()),
            };
            (name.clone(), value)
        })
        .collect();
    Value::Object(map)
}

/// Every panel metric's and shared metric's value at each observation of `window`, evaluated
/// as the panels are.
fn histories(
    policy: &CompiledPolicy,
    report: &HealthReport,
    window: &[&AlertEvent],
) -> Result<Vec<MetricHistory>, CheckError> {
    let mut out: Vec<MetricHistory> = Vec::new();
    let names = report
        .panels
        .iter()
        .flat_map(|p| p.metrics.iter().map(|m| m.metric.as_str()))
        .chain(report.shared.iter().map(|s| s.name.as_str()));
    for name in names {
        if !out.iter().any(|h| h.metric == name) {
            out.push(MetricHistory {
                metric: name.to_owned(),
                points: Vec::new(),
            });
        }
    }
    for (i, event) in window.iter().enumerate() {
        let AlertEvent::Observe { at_ms, values } = event else {
            continue;
        };
        let seen = MetricsInput::from_json(&readings(values))
            .map_err(CheckError::input)
            .and_then(|input| policy.health_of(&input))
            .map_err(|e| about_event(i, e.diagnostics()))?;
        let panel_values = seen
            .panels
            .iter()
            .flat_map(|p| p.metrics.iter().map(|m| (m.metric.as_str(), m.value)));
        let shared_values = seen.shared.iter().map(|s| (s.name.as_str(), s.value));
        for (name, value) in panel_values.chain(shared_values) {
            if let Some(h) = out.iter_mut().find(|h| h.metric == name)
                && h.points.last().is_none_or(|p| p.at_ms != *at_ms)
            {
                h.points.push(HistoryPoint {
                    at_ms: *at_ms,
                    value,
                });
            }
        }
    }
    Ok(out)
}
