//! What a Prometheus answer means for the monitor: the reading of one metric.
//!
//! A metric's query must give one number. Everything else is explicit, never a silent value:
//!
//! | answer | reading |
//! |---|---|
//! | a vector of one series, or a scalar, with a finite value | the value |
//! | that value `NaN`, `+Inf` or `-Inf` | NaN (inconclusive) |
//! | an empty vector | no data |
//! | a vector of several series | a source error naming how many |
//! | a matrix (a range vector) or a string | a source error naming the result type |
//! | an error answer | a source error with Prometheus' error type and message |
//! | text that is not an answer (HTML, garbage) | a source error saying so |
//!
//! For a boolean metric, [`boolean`] reads `0` and `1` as false and true.

use super::api::{self, AnswerError, Data};
use kiro::monitor::Reading;

/// The reading of a value: the number when finite, else NaN (an infinity is no more a usable
/// measurement than NaN: 1/0 with no traffic).
#[must_use]
pub fn of_value(value: f64) -> Reading {
    if value.is_finite() {
        Reading::Number(value)
    } else {
        Reading::nan()
    }
}

/// The reading of an instant query's data.
#[must_use]
pub fn of_data(data: &Data) -> Reading {
    match data {
        Data::Scalar(point) => of_value(point.value),
        Data::Vector(series) => match series.as_slice() {
            [] => Reading::Missing,
            [one] => one
                .points
                .first()
                .map_or(Reading::Missing, |p| of_value(p.value)),
            [first, second, ..] => failed(format!(
                "the query gave {} series where one was expected ({}, {}{}); select one or aggregate (`sum(…)`)",
                series.len(),
                first.selector(),
                second.selector(),
                if series.len() > 2 { ", …" } else { "" }
            )),
        },
        Data::Matrix(_) => failed(
            "the query gave a range vector (matrix) where an instant vector was expected; drop the `[…]` range or aggregate it (`avg_over_time(…)`)".to_owned(),
        ),
        Data::String(_) => {
            failed("the query gave a string where a number was expected".to_owned())
        }
    }
}

/// The reading of the text of an instant query's answer.
#[must_use]
pub fn of_answer(text: &str) -> Reading {
    match api::parse(text) {
        Ok(data) => of_data(&data),
        Err(AnswerError::Prometheus {
            error_type, error, ..
        }) => failed(format!("Prometheus answered {error_type}: {error}")),
        Err(AnswerError::Malformed(d)) => failed(format!(
            "the answer is not Prometheus JSON ({}): {}",
            d.message,
            excerpt(text)
        )),
    }
}

/// The reading for a boolean metric: Prometheus has no booleans, so `0` is false and `1`
/// true; any other number is a source error (a live value never stops the monitor), and
/// every other reading stays as it is.
#[must_use]
pub fn boolean(reading: Reading) -> Reading {
    match reading {
        Reading::Number(0.0) => Reading::Bool(false),
        Reading::Number(1.0) => Reading::Bool(true),
        Reading::Number(x) => failed(format!(
            "the query gave {x} for a boolean metric, which needs 0 or 1"
        )),
        other => other,
    }
}

/// A source error reading.
#[must_use]
pub fn failed(error: String) -> Reading {
    Reading::Failed { error }
}

/// The start of a body, on one line, for a message: at most 60 characters.
#[must_use]
pub fn excerpt(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(61)
        .collect();
    let flat = flat.trim();
    if flat.chars().count() > 60 {
        format!("`{}…`", flat.chars().take(60).collect::<String>())
    } else if flat.is_empty() {
        "an empty body".to_owned()
    } else {
        format!("`{flat}`")
    }
}
