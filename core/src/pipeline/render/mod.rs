//! Pure renderings of a [`Plan`](super::Plan) — a terminal table ([`plan_human`]), JSON
//! ([`plan_json`]), Graphviz DOT ([`plan_dot`]) and Mermaid ([`plan_mermaid`]), with the
//! critical path highlighted — and of a [`RunResult`](super::RunResult): a terminal report
//! ([`run_human`]), JSON ([`run_json`]), JUnit XML ([`run_junit`]) and Markdown
//! ([`run_markdown`]). No I/O, no clock: the same input always renders to the same bytes.

mod dot;
mod human;
mod json;
mod junit;
mod markdown;
mod mermaid;

pub use dot::plan_dot;
pub use human::{plan_human, run_human};
pub use json::{plan_json, run_json};
pub use junit::run_junit;
pub use markdown::run_markdown;
pub use mermaid::plan_mermaid;

use std::borrow::Cow;

/// Text from the policy or a host with control characters shown as escapes, so that a line
/// stays one line and cannot drive a terminal.
fn clean(text: &str) -> Cow<'_, str> {
    if text.chars().any(char::is_control) {
        Cow::Owned(text.chars().flat_map(char::escape_default).collect())
    } else {
        Cow::Borrowed(text)
    }
}

/// `1 stage`, `3 stages`.
fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}
