//! JSON: the plan and the run result, pretty-printed with a trailing newline.

use crate::pipeline::{Plan, RunResult};

/// The plan as pretty JSON (the same fields as [`crate::pipeline::plan_to_json`]).
#[must_use]
pub fn plan_json(plan: &Plan) -> String {
    pretty(plan)
}

/// The run result as pretty JSON (the same fields as [`RunResult::to_json`]).
#[must_use]
pub fn run_json(result: &RunResult) -> String {
    pretty(result)
}

fn pretty<T: serde::Serialize>(value: &T) -> String {
    // INVARIANT: plans and results hold only strings, integers, finite floats and string-keyed
    // maps, so this cannot fail.
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}
