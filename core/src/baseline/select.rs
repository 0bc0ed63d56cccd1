//! Choosing the baseline runs and aggregating their metrics into slot values.

use super::history::EarlierRun;
use super::model::{BaselineDecl, Include};
use crate::condition::Aggregate;
use crate::decision::{PolicyRef, Verdict};
use crate::diagnostic::{Code, Diagnostic};
use crate::error::CheckError;
use crate::metrics::MetricsInput;
use crate::metrics::bind::metric_value;
use crate::metrics::table::MetricTable;

/// The most runs `last` may ask for.
pub(crate) const MAX_LAST: i64 = 100;

/// The default of `last`.
const DEFAULT_LAST: usize = 5;

/// A `baseline:` block with the defaults filled in: the policy's, or a gate's over it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BaselineRule {
    /// How many of the newest matching runs count.
    pub last: usize,
    /// Which verdicts count.
    pub include: Include,
    /// The branch to compare with; `None`: the current run's.
    pub branch: Option<String>,
}

impl BaselineRule {
    /// The rule of `decl` over `base` (each field given in `decl` wins), reporting a `last`
    /// out of range as `KIRO-E056`.
    pub(crate) fn resolve(
        decl: Option<&BaselineDecl>,
        base: &BaselineRule,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> BaselineRule {
        let Some(decl) = decl else {
            return base.clone();
        };
        let last = match &decl.last {
            None => base.last,
            Some(n) if (1..=MAX_LAST).contains(&n.value) => {
                usize::try_from(n.value).unwrap_or(DEFAULT_LAST)
            }
            Some(n) => {
                diagnostics.push(
                    Diagnostic::error(
                        Code::InvalidBaseline,
                        format!("`last: {}` is out of range", n.value),
                    )
                    .with_label(n.span, "not from 1 to 100")
                    .with_help("a baseline is the newest 1 to 100 matching runs"),
                );
                base.last
            }
        };
        BaselineRule {
            last,
            include: decl.include.as_ref().map_or(base.include, |i| i.value),
            branch: decl
                .branch
                .as_ref()
                .map(|b| b.value.clone())
                .or_else(|| base.branch.clone()),
        }
    }
}

impl Default for BaselineRule {
    fn default() -> Self {
        BaselineRule {
            last: DEFAULT_LAST,
            include: Include::Pass,
            branch: None,
        }
    }
}

/// Which earlier runs one baseline rule reads, for a host that queries a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaselineQuery {
    /// Runs on this branch; `None`: on any branch (no branch in the policy or the check).
    pub branch: Option<String>,
    /// Which verdicts count.
    pub include: Include,
    /// How many of the newest count.
    pub last: usize,
}

/// The baseline values of one check: every slot after the declared metrics, and for each rule
/// the sentence explanations add.
#[derive(Debug, Clone, Default)]
pub(crate) struct Baselines {
    /// `baseline(m, a)` under rule `r` at `r * 7n + m * 7 + a` (n declared metrics); NaN for
    /// no data.
    pub values: Vec<f64>,
    /// Per rule: `avg of 5 passing runs on main, #812–#816` style words, without the
    /// aggregate (`5 passing runs on main, #812–#816`), or why there is none
    /// (`no earlier passing run on main`), and whether there is one.
    pub notes: Vec<(bool, String)>,
}

/// Chooses the runs of each rule in `history` and aggregates every declared metric over them.
///
/// # Errors
/// `KIRO-E058` for a value in a chosen run that does not fit its metric.
pub(crate) fn compute(
    table: &MetricTable,
    rules: &[BaselineRule],
    policy: &PolicyRef,
    history: &[EarlierRun],
    current_branch: Option<&str>,
) -> Result<Baselines, CheckError> {
    let mut out = Baselines::default();
    let mut errors = Vec::new();
    // Newest first: by time, then later in the list first.
    let mut order: Vec<(usize, &EarlierRun)> = history.iter().enumerate().collect();
    order.sort_by(|(a, ra), (b, rb)| rb.at_ms.cmp(&ra.at_ms).then(b.cmp(a)));
    for rule in rules {
        let branch = rule.branch.as_deref().or(current_branch);
        let chosen: Vec<(usize, &EarlierRun)> = order
            .iter()
            .copied()
            .filter(|(_, run)| {
                run.policy.as_deref().is_none_or(|p| p == policy.name)
                    && branch.is_none_or(|b| run.branch.as_deref() == Some(b))
                    && admits(rule.include, run.verdict)
            })
            .take(rule.last)
            .collect();
        // Values per metric, newest first.
        let n = table.slots().len();
        let mut per_metric: Vec<Vec<f64>> = vec![Vec::new(); n];
        for &(i, run) in &chosen {
            let input = match MetricsInput::from_json(&run.metrics) {
                Ok(input) => input,
                Err(d) => {
                    errors.push(history_value_error(run, i, None, &d.message));
                    continue;
                }
            };
            for (slot, metric) in table.slots().iter().enumerate() {
                let Some(raw) = input.values.get(&metric.name) else {
                    continue;
                };
                match metric_value(metric, &raw.value) {
                    Ok(v) if v.is_nan() => {}
                    Ok(v) => {
                        if let Some(list) = per_metric.get_mut(slot) {
                            list.push(v);
                        }
                    }
                    Err(d) => {
                        errors.push(history_value_error(run, i, Some(&metric.name), &d.message))
                    }
                }
            }
        }
        for values in &per_metric {
            for aggregate in Aggregate::ALL {
                out.values.push(aggregate.of(values));
            }
        }
        out.notes.push(note(rule, branch, &chosen, policy));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(CheckError::Input(errors))
    }
}

fn admits(include: Include, verdict: Verdict) -> bool {
    match include {
        Include::Pass => verdict == Verdict::Pass,
        Include::PassOrWarn => matches!(verdict, Verdict::Pass | Verdict::Warn),
        Include::All => true,
    }
}

fn history_value_error(
    run: &EarlierRun,
    index: usize,
    metric: Option<&str>,
    message: &str,
) -> Diagnostic {
    let pointer = match metric {
        Some(name) => format!("/{index}/metrics/{}", name.replace('.', "/")),
        None => format!("/{index}/metrics"),
    };
    Diagnostic::error(
        Code::InvalidHistoryValue,
        format!("earlier run `{}` at `{pointer}`: {message}", run.id),
    )
    .with_help("fix or leave out the run; `null` stands for no data in that run")
    .with_source("history")
}

/// The words explanations use for the runs of `rule`.
fn note(
    rule: &BaselineRule,
    branch: Option<&str>,
    chosen: &[(usize, &EarlierRun)],
    policy: &PolicyRef,
) -> (bool, String) {
    let on = branch.map_or_else(|| "on any branch".to_owned(), |b| format!("on {b}"));
    let adjective = rule.include.adjective();
    if chosen.is_empty() {
        let what = match rule.include {
            Include::All => "no earlier run".to_owned(),
            _ => format!("no earlier {adjective} run"),
        };
        return (false, format!("{what} {on}"));
    }
    // Oldest first for the list of names.
    let ids: Vec<&str> = chosen.iter().rev().map(|(_, r)| r.id.as_str()).collect();
    let runs = match ids.as_slice() {
        [one] => (*one).to_owned(),
        [a, b] => format!("{a}, {b}"),
        [first, .., last] => format!("{first}–{last}"),
        [] => String::new(),
    };
    let count = chosen.len();
    let noun = if count == 1 { "run" } else { "runs" };
    let mut text = format!("{count} {adjective} {noun} {on}, {runs}");
    let changed: Vec<&str> = chosen
        .iter()
        .rev()
        .map(|(_, r)| r)
        .filter(|r| r.policy_hash.as_deref().is_some_and(|h| h != policy.hash))
        .map(|r| r.id.as_str())
        .collect();
    if !changed.is_empty() {
        text.push_str("; ");
        text.push_str(&changed.join(", "));
        text.push_str(" ran under another version of the policy");
    }
    (true, text)
}
