//! Input names that match no declared metric: a typo (`coverage.line` for `coverage.lines`)
//! must never turn silently into "no data". Each is reported with did-you-mean — a warning in
//! the decision, or, when the check is strict, an input error.

use crate::diagnostic::{Code, Diagnostic, Severity, Span};
use crate::metrics::table::MetricTable;

/// The most undeclared names reported one by one; the rest are counted in one more diagnostic,
/// so that a tool's whole report fed in as metrics gives a readable list.
pub const MAX_REPORTED: usize = 20;

/// One name given in the input: where, and whether as a list (structure that is not a metric).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Given<'a> {
    pub name: &'a str,
    pub span: Span,
    pub list: bool,
}

/// The diagnostics for every name of `given` that `table` does not declare, in order:
/// code `KIRO-E011`, `severity`, did-you-mean when a declared name is close, and a label on the
/// value when the input has spans. `source` names the input (`metrics`, `batch`).
///
/// `given` is read in the order it comes: for a [`MetricsInput`](super::MetricsInput), values
/// then lists, each in name order.
pub(crate) fn undeclared<'a>(
    table: &MetricTable,
    given: impl IntoIterator<Item = Given<'a>>,
    severity: Severity,
    source: &str,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut more = 0usize;
    for g in given {
        if table.slot_of(g.name).is_some() {
            continue;
        }
        if out.len() == MAX_REPORTED {
            more += 1;
            continue;
        }
        let what = if g.list { " as a list" } else { "" };
        let tail = match severity {
            Severity::Error => "",
            Severity::Warning => "; it is ignored",
        };
        let names = table.slots().iter().map(|m| m.name.as_str());
        let help = closest(g.name, names).map_or_else(
            || "declare it under `metrics` to use it, or leave it out of the input".to_owned(),
            |s| format!("did you mean `{s}`?"),
        );
        let mut d = Diagnostic::error(
            Code::UnknownMetric,
            format!(
                "the input gives `{}`{what}, which the policy does not declare{tail}",
                g.name
            ),
        )
        .with_help(help)
        .with_source(source);
        d.severity = severity;
        if g.span != Span::default() {
            d = d.with_label(g.span, "not declared");
        }
        out.push(d);
    }
    if more > 0 {
        let mut d = Diagnostic::error(
            Code::UnknownMetric,
            format!(
                "and {more} more undeclared name{}",
                if more == 1 { "" } else { "s" }
            ),
        )
        .with_source(source);
        d.severity = severity;
        out.push(d);
    }
    out
}

/// The declared name `name` was most likely meant for: the one fewest edits away, when that is
/// at most a quarter of its length (at least one). Dotted names share long prefixes, so a
/// prefix-weighted similarity would suggest `tests.e2e.pass_rate` for `tests.e2e.total`.
fn closest<'a>(name: &str, declared: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let most = (name.chars().count() / 4).max(1);
    declared
        .map(|d| (strsim::levenshtein(name, d), d))
        .filter(|&(edits, _)| edits <= most)
        .min_by_key(|&(edits, d)| (edits, d))
        .map(|(_, d)| d)
}

/// `diagnostics` without their labels: the form a decision carries, the same in every host
/// (a binding's input has no text to point into).
pub(crate) fn unlabelled(mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    for d in &mut diagnostics {
        d.labels.clear();
    }
    diagnostics
}
