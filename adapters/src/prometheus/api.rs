//! An answer of Prometheus' HTTP API (`/api/v1/query`, `/api/v1/query_range`) read into
//! series, every series and point with the place in the text it was written at.
//!
//! The envelope is `{"status": "success", "data": {"resultType": …, "result": …}}`, or
//! `{"status": "error", "errorType": …, "error": …}`. A point is `[<unix seconds>, "<value>"]`,
//! its value a string that may be `NaN`, `+Inf` or `-Inf`. Stale markers never appear in an
//! answer: Prometheus leaves a stale series out of a vector and the stale steps out of a
//! matrix.

use kiro::document::{self, Limits, Node, NodeKind};
use kiro::{Code, Diagnostic, Format, Span};
use std::collections::BTreeMap;

/// The largest answer read: 256 MiB (a month of 15-second points is about 4 MiB per series).
pub const MAX_ANSWER_BYTES: usize = 256 * 1024 * 1024;

/// One point of a series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Milliseconds since 1970 (Prometheus' timestamps have millisecond precision).
    pub at_ms: u64,
    /// The value; may be NaN or infinite.
    pub value: f64,
    /// Where `[time, "value"]` was written.
    pub span: Span,
}

/// One series: its labels and points.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The labels, `__name__` among them when the series has a metric name.
    pub labels: BTreeMap<String, String>,
    /// Where the series' `metric` object was written.
    pub span: Span,
    /// The points, in the order written (one for a vector).
    pub points: Vec<Point>,
}

impl Series {
    /// The series as Prometheus writes it: `name{label="value",…}`.
    #[must_use]
    pub fn selector(&self) -> String {
        let name = self.labels.get("__name__").map_or("", String::as_str);
        let labels: Vec<String> = self
            .labels
            .iter()
            .filter(|(k, _)| *k != "__name__")
            .map(|(k, v)| format!("{k}={v:?}"))
            .collect();
        if labels.is_empty() && !name.is_empty() {
            name.to_owned()
        } else {
            format!("{name}{{{}}}", labels.join(","))
        }
    }
}

/// The data of a successful answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Data {
    /// An instant vector: series of one point each.
    Vector(Vec<Series>),
    /// A range vector: series of any number of points.
    Matrix(Vec<Series>),
    /// A scalar: one point.
    Scalar(Point),
    /// A string.
    String(String),
}

impl Data {
    /// The `resultType` of the data.
    #[must_use]
    pub fn result_type(&self) -> &'static str {
        match self {
            Data::Vector(_) => "vector",
            Data::Matrix(_) => "matrix",
            Data::Scalar(_) => "scalar",
            Data::String(_) => "string",
        }
    }
}

/// An answer that does not carry data.
#[derive(Debug, Clone, PartialEq)]
pub enum AnswerError {
    /// Prometheus answered `{"status": "error"}` with this type and message.
    Prometheus {
        /// `errorType`: `bad_data`, `timeout`, `execution`, …
        error_type: String,
        /// `error`: what went wrong.
        error: String,
        /// The diagnostic, pointed at the answer's `error`.
        diagnostic: Box<Diagnostic>,
    },
    /// The text is not an answer of the API: not JSON, or JSON of another shape.
    Malformed(Box<Diagnostic>),
}

impl AnswerError {
    /// The diagnostic, pointed into the text.
    #[must_use]
    pub fn diagnostic(&self) -> &Diagnostic {
        match self {
            AnswerError::Prometheus { diagnostic, .. } | AnswerError::Malformed(diagnostic) => {
                diagnostic
            }
        }
    }
}

fn malformed(message: impl Into<String>, span: Span, label: &str) -> AnswerError {
    AnswerError::Malformed(Box::new(
        Diagnostic::error(Code::InputSyntax, message)
            .with_label(span, label)
            .with_help(
                "give an answer of Prometheus' HTTP API: `{\"status\": \"success\", \"data\": {\"resultType\": \"matrix\", \"result\": […]}}`",
            ),
    ))
}

/// Reads the text of an answer.
///
/// # Errors
/// [`AnswerError::Prometheus`] for an error answer; [`AnswerError::Malformed`] with a
/// [`Code::InputSyntax`] diagnostic (or [`Code::TooLarge`] past [`MAX_ANSWER_BYTES`]) for
/// text that is not an answer, pointed at the place at fault.
pub fn parse(text: &str) -> Result<Data, AnswerError> {
    let limits = Limits {
        max_bytes: MAX_ANSWER_BYTES,
        max_depth: 8,
    };
    let root = document::parse(text, Format::Json, &limits).map_err(|mut d| {
        if d.code == Code::Syntax {
            d.code = Code::InputSyntax;
        }
        AnswerError::Malformed(Box::new(d))
    })?;
    from_node(&root)
}

/// Reads an answer already read as a document (one value of a larger JSON file).
///
/// # Errors
/// As [`parse`].
pub fn from_node(root: &Node) -> Result<Data, AnswerError> {
    let status = string_at(root, "status", root.span)?;
    if status == "error" {
        let error_type = root
            .get("errorType")
            .and_then(as_str)
            .unwrap_or("unknown")
            .to_owned();
        let error = root.get("error").and_then(as_str).unwrap_or("").to_owned();
        let span = root.get("error").map_or(root.span, |n| n.span);
        let diagnostic = Box::new(
            Diagnostic::error(
                Code::InputSyntax,
                format!("Prometheus answered an error: {error_type}: {error}"),
            )
            .with_label(span, "the error"),
        );
        return Err(AnswerError::Prometheus {
            error_type,
            error,
            diagnostic,
        });
    }
    if status != "success" {
        let span = root.get("status").map_or(root.span, |n| n.span);
        return Err(malformed(
            format!("`status` is `{status}`, not `success` or `error`"),
            span,
            "unknown status",
        ));
    }
    let data = root
        .get("data")
        .ok_or_else(|| malformed("the answer has no `data`", root.span, "no `data`"))?;
    let result_type = string_at(data, "resultType", data.span)?;
    let result = data
        .get("result")
        .ok_or_else(|| malformed("the data has no `result`", data.span, "no `result`"))?;
    match result_type {
        "vector" => Ok(Data::Vector(series_list(result, false)?)),
        "matrix" => Ok(Data::Matrix(series_list(result, true)?)),
        "scalar" => Ok(Data::Scalar(point(result)?)),
        "string" => match &result.kind {
            NodeKind::Seq(items) => Ok(Data::String(
                items.get(1).and_then(as_str).unwrap_or("").to_owned(),
            )),
            _ => Err(malformed(
                "a string result is `[time, \"text\"]`",
                result.span,
                "not a pair",
            )),
        },
        other => Err(malformed(
            format!("`resultType` `{other}` is not vector, matrix, scalar or string"),
            data.get("resultType").map_or(data.span, |n| n.span),
            "unknown result type",
        )),
    }
}

fn as_str(node: &Node) -> Option<&str> {
    match &node.kind {
        NodeKind::String(s) => Some(s),
        _ => None,
    }
}

/// The string under `key` of `node`.
fn string_at<'a>(node: &'a Node, key: &str, outer: Span) -> Result<&'a str, AnswerError> {
    let Some(value) = node.get(key) else {
        let what = if matches!(node.kind, NodeKind::Map(_)) {
            format!("no `{key}`")
        } else {
            format!("{}, not an object", node.describe())
        };
        return Err(malformed(
            format!("expected an object with `{key}`"),
            outer,
            &what,
        ));
    };
    as_str(value).ok_or_else(|| {
        malformed(
            format!("`{key}` is {}, not a string", value.describe()),
            value.span,
            "not a string",
        )
    })
}

fn series_list(result: &Node, range: bool) -> Result<Vec<Series>, AnswerError> {
    let NodeKind::Seq(items) = &result.kind else {
        return Err(malformed(
            format!("`result` is {}, not a list of series", result.describe()),
            result.span,
            "not a list",
        ));
    };
    items.iter().map(|item| series(item, range)).collect()
}

fn series(item: &Node, range: bool) -> Result<Series, AnswerError> {
    let metric = item
        .get("metric")
        .ok_or_else(|| malformed("a series has no `metric` labels", item.span, "no `metric`"))?;
    let mut labels = BTreeMap::new();
    match &metric.kind {
        NodeKind::Map(entries) => {
            for (key, value) in entries {
                let value = as_str(value).ok_or_else(|| {
                    malformed(
                        format!(
                            "label `{}` is {}, not a string",
                            key.value,
                            value.describe()
                        ),
                        value.span,
                        "not a string",
                    )
                })?;
                labels.insert(key.value.clone(), value.to_owned());
            }
        }
        _ => {
            return Err(malformed(
                format!("`metric` is {}, not an object of labels", metric.describe()),
                metric.span,
                "not labels",
            ));
        }
    }
    let points = if range {
        let values = item.get("values").ok_or_else(|| {
            malformed(
                "a series of a matrix has no `values`",
                item.span,
                "no `values`",
            )
        })?;
        let NodeKind::Seq(values) = &values.kind else {
            return Err(malformed(
                format!("`values` is {}, not a list of points", values.describe()),
                values.span,
                "not a list",
            ));
        };
        values.iter().map(point).collect::<Result<Vec<_>, _>>()?
    } else {
        let value = item.get("value").ok_or_else(|| {
            malformed(
                "a series of a vector has no `value`",
                item.span,
                "no `value`",
            )
        })?;
        vec![point(value)?]
    };
    Ok(Series {
        labels,
        span: metric.span,
        points,
    })
}

/// `[<unix seconds>, "<value>"]`.
fn point(node: &Node) -> Result<Point, AnswerError> {
    let pair = || {
        malformed(
            "a point is `[<unix seconds>, \"<value>\"]`",
            node.span,
            "not a point",
        )
    };
    let NodeKind::Seq(items) = &node.kind else {
        return Err(pair());
    };
    let [time, value] = items.as_slice() else {
        return Err(pair());
    };
    let seconds = match time.kind {
        NodeKind::Integer(i) => i as f64,
        NodeKind::Float(f) => f,
        _ => return Err(pair()),
    };
    let ms = (seconds * 1000.0).round();
    // INVARIANT: 2^53 ms is beyond any date Prometheus stores; below it the cast is exact.
    if !(0.0..9_007_199_254_740_992.0).contains(&ms) {
        return Err(malformed(
            format!("`{seconds}` is not a time from 1970 on, in seconds"),
            time.span,
            "not a time",
        ));
    }
    let text = as_str(value).ok_or_else(pair)?;
    let value_of = text.trim().parse::<f64>().map_err(|_| {
        malformed(
            format!("`{text}` is not a number"),
            value.span,
            "not a number",
        )
    })?;
    // A whole, non-negative number below 2^53 (checked above): the cast is exact.
    let at_ms = ms as u64;
    Ok(Point {
        at_ms,
        value: value_of,
        span: node.span,
    })
}
