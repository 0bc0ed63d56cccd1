//! One observation as the conditions read it: a value per metric and window slot, and for
//! each slot whether it has data, no data, NaN or a source error.

use super::event::Reading;
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::metrics::RawValue;
use crate::metrics::table::MetricTable;
use std::collections::BTreeMap;

/// What a slot holds at one observation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Status {
    Value,
    Missing,
    Nan,
    Error(String),
}

/// The slots of one observation: values in base units (NaN where there is no value) and why.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub values: Vec<f64>,
    pub status: Vec<Status>,
}

impl Record {
    /// Reads an observation's metric readings; `windows` slots follow the metrics, missing
    /// until computed.
    pub(crate) fn read(
        table: &MetricTable,
        windows: usize,
        readings: &BTreeMap<String, Reading>,
    ) -> Result<Record, Vec<Diagnostic>> {
        let n = table.slots().len();
        let mut record = Record {
            values: vec![f64::NAN; n + windows],
            status: vec![Status::Missing; n + windows],
        };
        let mut problems = Vec::new();
        for (name, reading) in readings {
            let Some(slot) = table.slot_of(name) else {
                let names: Vec<&str> = table.slots().iter().map(|m| m.name.as_str()).collect();
                let help = did_you_mean(name, names).map_or_else(
                    || "observe only the metrics the policy declares".to_owned(),
                    |s| format!("did you mean `{s}`?"),
                );
                problems.push(
                    Diagnostic::error(
                        Code::UnknownMetric,
                        format!(
                            "the observation names `{name}`, which the policy does not declare"
                        ),
                    )
                    .with_help(help)
                    .with_source("event"),
                );
                continue;
            };
            let raw = match reading {
                Reading::Failed { error } => {
                    record.status[slot] = Status::Error(error.clone());
                    continue;
                }
                Reading::Missing => continue,
                Reading::Number(x) if x.is_nan() => {
                    record.status[slot] = Status::Nan;
                    continue;
                }
                Reading::Text(t) if t.trim().eq_ignore_ascii_case("nan") => {
                    record.status[slot] = Status::Nan;
                    continue;
                }
                Reading::Bool(b) => RawValue::Bool(*b),
                Reading::Number(x) => RawValue::Number(*x),
                Reading::Text(t) => RawValue::Text(t.clone()),
            };
            let Some(metric) = table.get(slot) else {
                continue;
            };
            // As for a gate's input: the declared unit, and the metric's valid range (a
            // percentage from 0 to 100% unless the policy declares another).
            match crate::metrics::bind::metric_value(metric, &raw) {
                Ok(v) => {
                    record.values[slot] = v;
                    record.status[slot] = Status::Value;
                }
                Err(d) => problems.push(d.with_source("event")),
            }
        }
        if problems.is_empty() {
            Ok(record)
        } else {
            Err(problems)
        }
    }
}
