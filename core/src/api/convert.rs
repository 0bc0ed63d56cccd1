//! The conversion rules every binding shares. A binding walks its host's values (JavaScript,
//! Python) and reads host-specific things itself; what each value becomes, and every message
//! about a value it cannot take, comes from here. Batch columns have their own builder:
//! [`ColumnBuilder`](crate::ColumnBuilder) and [`Batch::from_columns`](crate::Batch::from_columns).
//! A host running a pipeline ([`HostRun`](crate::pipeline::HostRun)) reads request ids with
//! [`host_id`], and an action's result with [`attempt_report`]. Options are decoded in
//! [`super::options`]. An argument of the wrong type is [`argument_error`], a value inside one
//! that is not data [`not_plain_data`]; a policy file is read by [`read_policy_file`].

use crate::diagnostic::{Code, Diagnostic, Span};
use crate::document::{Format, Limits};
use crate::error::{BoundaryError, CheckError, ErrorKind, PolicyError};
use crate::metrics::MetricsInput;
use crate::pipeline::StageReport;
use serde_json::{Map, Number, Value};
use std::path::Path;

mod file;

pub use file::{FileError, max_policy_bytes, read_policy_file};

/// The largest integer below which every integral double is exact (2^53).
const EXACT_INTEGERS: f64 = 9_007_199_254_740_992.0;

/// A policy file the host has read: its bytes as text, and its format — `format` when given,
/// else the one the file's extension names, else `None` (the core detects it from the text).
///
/// # Errors
/// A [`PolicyError`] ([`Code::Syntax`], pointing at the first bad byte) when the bytes are not
/// UTF-8.
pub fn policy_file(
    path: &Path,
    bytes: Vec<u8>,
    format: Option<Format>,
) -> Result<(String, Option<Format>), PolicyError> {
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        PolicyError::new(vec![
            Diagnostic::error(Code::Syntax, "the policy is not valid UTF-8")
                .with_label(Span::new(at, at + 1), "not UTF-8")
                .with_source(path.display().to_string()),
        ])
    })?;
    let format = format.or_else(|| {
        path.extension()
            .and_then(|e| e.to_str())
            .and_then(Format::from_extension)
    });
    Ok((text, format))
}

/// Where a binding's walk over its host's metrics is: how deep, and the dotted name of the
/// value being read (`service.latency`). The walk builds the JSON value
/// [`CompiledPolicy::check_value`](crate::CompiledPolicy::check_value) reads, so flattening,
/// unit strings and messages about values come from the core; the methods here say what a
/// value becomes when JSON cannot hold it as the host has it.
#[derive(Debug, Clone, Default)]
pub struct MetricPath {
    path: String,
    depth: usize,
}

impl MetricPath {
    /// The top: the metrics object itself.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// How many levels below the metrics object (0: the object itself).
    #[must_use]
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Whether this is the metrics object itself.
    #[must_use]
    pub fn is_top(&self) -> bool {
        self.depth == 0
    }

    /// The dotted name of the value here (empty at the top).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.path
    }

    /// Reads the value under `key` with `read`, one level deeper.
    pub fn enter<T>(&mut self, key: &str, read: impl FnOnce(&mut Self) -> T) -> T {
        let len = self.path.len();
        if !self.path.is_empty() {
            self.path.push('.');
        }
        self.path.push_str(key);
        self.depth += 1;
        let value = read(self);
        self.depth -= 1;
        self.path.truncate(len);
        value
    }

    /// What stands for a collection here without reading it, if anything: at the depth the
    /// core rejects (`KIRO-E006`, with its own message) an empty object, which also ends the
    /// walk of an object that contains itself; an array (`is_array`) an empty array, since the
    /// core rejects arrays whatever their items. `None`: read the collection.
    #[must_use]
    pub fn placeholder(&self, is_array: bool) -> Option<Value> {
        if self.depth >= Limits::default().max_depth {
            Some(Value::Object(Map::new()))
        } else if is_array {
            Some(Value::Array(Vec::new()))
        } else {
            None
        }
    }

    /// A floating-point value, kept as a float. At the top a non-finite number is `null` (the
    /// core reports that metrics are not an object).
    ///
    /// # Errors
    /// [`Code::InvalidMetricValue`] for a non-finite number below the top.
    pub fn float(&self, value: f64) -> Result<Value, CheckError> {
        match Number::from_f64(value) {
            Some(n) => Ok(Value::Number(n)),
            None if self.is_top() => Ok(Value::Null),
            None => Err(CheckError::input(
                Diagnostic::error(
                    Code::InvalidMetricValue,
                    format!("metric `{}` is not a finite number", self.path),
                )
                .with_source("metrics"),
            )),
        }
    }

    /// A number from a host whose numbers are all doubles (JavaScript): integral ones become
    /// integers, as `JSON.parse` would give them to the core; others as [`MetricPath::float`].
    ///
    /// # Errors
    /// As [`MetricPath::float`].
    pub fn json_number(&self, value: f64) -> Result<Value, CheckError> {
        if value.fract() == 0.0 && value.abs() < EXACT_INTEGERS {
            #[expect(clippy::cast_possible_truncation, reason = "integral and below 2^53")]
            return Ok(Value::Number((value as i64).into()));
        }
        self.float(value)
    }

    /// The error for a value of a type metrics cannot hold (a function, a date, a set…);
    /// `type_name` is its type as the host names it. At the top the message is `top_level` (in
    /// the host's words for what metrics must be; [`Code::InputNotObject`]); below, `metric
    /// `a.b` has a value of type `…`` ([`Code::InvalidMetricValue`]). The help lists what
    /// metric values are, with the host's name for `null`.
    #[must_use]
    pub fn type_error(
        &self,
        type_name: &str,
        top_level: impl FnOnce() -> String,
        null: &str,
    ) -> CheckError {
        let (code, message) = if self.is_top() {
            (Code::InputNotObject, top_level())
        } else {
            (
                Code::InvalidMetricValue,
                format!("metric `{}` has a value of type `{type_name}`", self.path),
            )
        };
        CheckError::input(
            Diagnostic::error(code, message)
                .with_help(format!(
                    "metric values are numbers, strings with a unit (`\"87%\"`), booleans or {null}"
                ))
                .with_source("metrics"),
        )
    }
}

/// A host's name for a type with its article, for messages: `a number`, `an array`, `a Map`,
/// `an Int8Array`; `null` and `undefined` alone.
#[must_use]
pub fn with_article(type_name: &str) -> String {
    match type_name {
        "null" | "undefined" | "None" => type_name.to_owned(),
        _ if type_name.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']) => {
            format!("an {type_name}")
        }
        _ => format!("a {type_name}"),
    }
}

/// The error for an argument of the wrong type (a number where a policy's text belongs), the
/// same in every host: [`Code::InvalidValue`], ``"`text` must be a string, not a number"``.
/// `expected` is what the argument must be (`a string`); `type_name` the host's name for what
/// it was given (`number`, `Map`).
#[must_use]
pub fn argument_error(argument: &str, expected: &str, type_name: &str) -> BoundaryError {
    BoundaryError::new(
        ErrorKind::Input,
        Diagnostic::error(
            Code::InvalidValue,
            format!(
                "`{argument}` must be {expected}, not {}",
                with_article(type_name)
            ),
        ),
    )
}

/// The error for a value inside an argument (an options object, a format) that is not plain
/// data, the same in every host: [`Code::InvalidValue`], `the argument is not plain data: it
/// holds a Map`. `what` is the host's name for the value's type, or a phrase (`objects nested
/// too deeply`) when it starts with a space-separated word of its own.
#[must_use]
pub fn not_plain_data(what: &str) -> BoundaryError {
    let what = if what.contains(' ') {
        what.to_owned()
    } else {
        with_article(what)
    };
    BoundaryError::new(
        ErrorKind::Input,
        Diagnostic::error(
            Code::InvalidValue,
            format!("the argument is not plain data: it holds {what}"),
        ),
    )
}

/// The id of an attempt or a timer of a [`HostRun`](crate::pipeline::HostRun) given as a
/// double (JavaScript): `None` when it is not a whole number that can be an id, so that the
/// host's call is ignored like one with an unknown id.
#[must_use]
pub fn host_id(value: f64) -> Option<u64> {
    if value.fract() == 0.0 && (0.0..EXACT_INTEGERS).contains(&value) {
        #[expect(clippy::cast_possible_truncation, reason = "integral and below 2^53")]
        #[expect(clippy::cast_sign_loss, reason = "not negative")]
        return Some(value as u64);
    }
    None
}

/// An exception the host's own code raised: in a stage's action, or while the binding read what
/// the action returned (a getter, a mapping's own method). Every binding turns its host's
/// exception into one (`type_name`: the exception's class name, `TypeError`, `ValueError`;
/// empty for a thrown value that is not an exception), so that the attempt it fails says the
/// same in every host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostError {
    /// The exception's type, as the host names it; empty when the host threw a value that is
    /// not an exception (a JavaScript string).
    pub type_name: String,
    /// Its message (the value itself, as text, for a thrown value that is not an exception).
    pub message: String,
}

impl HostError {
    /// An exception of `type_name` saying `message`.
    #[must_use]
    pub fn new(type_name: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            type_name: type_name.into(),
            message: message.into(),
        }
    }

    /// The detail of the attempt it failed: `Type: message`, `Type` when the message is empty,
    /// `message` when there is no type.
    #[must_use]
    pub fn detail(&self) -> String {
        match (self.type_name.is_empty(), self.message.is_empty()) {
            (true, _) => self.message.clone(),
            (false, true) => self.type_name.clone(),
            (false, false) => format!("{}: {}", self.type_name, self.message),
        }
    }

    /// The report of the attempt it failed.
    #[must_use]
    pub fn report(&self) -> StageReport {
        StageReport::failure(self.detail())
    }
}

/// The report of an attempt whose action succeeded and returned metrics, as the host's walk
/// over them gave them ([`MetricPath`]): a success with those metrics, or, when they are not
/// metrics (the walk or [`MetricsInput::from_json`] failed), a failure whose detail is the
/// first problem's message. An action that returned nothing (the host's `null`) is
/// `StageReport::success(MetricsInput::default())`: hosts check for it before walking.
#[must_use]
pub fn attempt_report(metrics: Result<Value, BoundaryError>) -> StageReport {
    let input = metrics.and_then(|value| {
        MetricsInput::from_json(&value).map_err(|d| BoundaryError::new(ErrorKind::Input, d))
    });
    match input {
        Ok(input) => StageReport::success(input),
        Err(error) => StageReport::failure(
            error
                .diagnostics
                .first()
                .map_or(error.message, |d| d.message.clone()),
        ),
    }
}

/// The report of an attempt whose action failed (`failure`: a [`HostError::report`] or a
/// failure with the host's detail) but told more: the metrics it observed anyway (`metrics`,
/// the [`attempt_report`] of what it gave, for an exit gate that decides on a failure), and its
/// exit status (`exit_code`, a whole number that fits 32 bits, else ignored). Metrics that
/// cannot be read leave the failure without them, its detail saying why.
#[must_use]
pub fn failed_attempt(
    failure: StageReport,
    metrics: Option<StageReport>,
    exit_code: Option<f64>,
) -> StageReport {
    let exit_code = exit_code
        .filter(|c| c.fract() == 0.0 && (f64::from(i32::MIN)..=f64::from(i32::MAX)).contains(c))
        .map(|c| {
            #[expect(clippy::cast_possible_truncation, reason = "integral and within i32")]
            let code = c as i32;
            code
        });
    let failure = failure.with_exit_code(exit_code);
    match metrics {
        None => failure,
        Some(read) if read.success => failure.with_metrics(read.metrics),
        Some(read) => {
            let detail = [failure.detail, read.detail]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("; ");
            StageReport::failure(detail).with_exit_code(exit_code)
        }
    }
}

#[cfg(test)]
mod tests;
