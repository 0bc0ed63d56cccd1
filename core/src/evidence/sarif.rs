//! SARIF 2.1.0 logs (CodeQL, Semgrep, ESLint's SARIF formatter, Trivy, Bandit, Checkov, and
//! most scanners).
//!
//! Each result of each run is one finding, counted by level and by rule:
//! - its level is `level`, else its rule's `defaultConfiguration.level`, else `warning`; a
//!   result whose `kind` is not `fail` (`pass`, `open`, `review`, ...) is level `none`;
//! - its rule is `ruleId`, else `rule.id`, else the id of the rule at `ruleIndex` (or
//!   `rule.index`) in the tool's `driver.rules`, else `unknown`;
//! - `baselineState` (`new`, `unchanged`, `updated`, `absent`, written when the scanner compared
//!   with a baseline) makes "new findings only" possible; an `absent` result (in the baseline,
//!   gone now) is counted as fixed, not as a finding;
//! - a result with an accepted suppression (`suppressions` with `status` `accepted` or none) is
//!   counted as suppressed, not as a finding.

use super::json;
use super::name::metric_key;
use super::value::Value;
use super::{MetricOut, place};
use crate::diagnostic::{Code, Diagnostic, Span};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The four SARIF levels, in metric-name order.
const LEVELS: [&str; 4] = ["error", "warning", "note", "none"];

/// Finding counts of a log (or several, merged).
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Findings {
    /// Current findings by level (`LEVELS` order).
    pub by_level: [u64; 4],
    /// New findings by level; `None` when a log's results do not all carry `baselineState`.
    pub new_by_level: Option<[u64; 4]>,
    /// Current findings by rule (as a metric name part).
    pub by_rule: BTreeMap<String, u64>,
    /// Suppressed results.
    pub suppressed: u64,
    /// Results in the baseline that are gone.
    pub absent: u64,
}

impl Findings {
    /// Adds another log's counts. New findings are known only when they are known in both.
    pub(super) fn merge(&mut self, other: Findings) {
        for (a, b) in self.by_level.iter_mut().zip(other.by_level) {
            *a = a.saturating_add(b);
        }
        self.new_by_level = match (self.new_by_level, other.new_by_level) {
            (Some(mut a), Some(b)) => {
                for (x, y) in a.iter_mut().zip(b) {
                    *x = x.saturating_add(y);
                }
                Some(a)
            }
            _ => None,
        };
        for (rule, n) in other.by_rule {
            let count = self.by_rule.entry(rule).or_insert(0);
            *count = count.saturating_add(n);
        }
        self.suppressed = self.suppressed.saturating_add(other.suppressed);
        self.absent = self.absent.saturating_add(other.absent);
    }

    /// The metrics: `findings.*`, `findings.new.*`, `findings.rule.RULE`.
    pub(super) fn metrics(&self, out: &mut Vec<MetricOut>) {
        let mut put = |name: String, value: Value| {
            out.push(MetricOut::pointer(name, value, "/runs"));
        };
        put(
            "findings.total".into(),
            Value::count(self.by_level.iter().sum()),
        );
        for (level, n) in LEVELS.iter().zip(self.by_level) {
            put(format!("findings.{level}"), Value::count(n));
        }
        let new_total = self.new_by_level.map(|n| n.iter().sum::<u64>());
        put("findings.new.total".into(), count_or_none(new_total));
        for (i, level) in LEVELS.iter().enumerate() {
            let n = self.new_by_level.and_then(|n| n.get(i).copied());
            put(format!("findings.new.{level}"), count_or_none(n));
        }
        put("findings.suppressed".into(), Value::count(self.suppressed));
        put("findings.absent".into(), Value::count(self.absent));
        for (rule, n) in &self.by_rule {
            put(format!("findings.rule.{rule}"), Value::count(*n));
        }
    }
}

fn count_or_none(n: Option<u64>) -> Value {
    n.map_or(
        Value {
            amount: None,
            unit: super::value::Unit::Count,
        },
        Value::count,
    )
}

#[derive(Deserialize)]
struct Log {
    version: Option<serde_json::Value>,
    runs: Option<Vec<Run>>,
}

#[derive(Deserialize)]
struct Run {
    tool: Option<Tool>,
    results: Option<Vec<SarifResult>>,
}

#[derive(Deserialize)]
struct Tool {
    driver: Option<Driver>,
}

#[derive(Deserialize)]
struct Driver {
    rules: Option<Vec<Rule>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: Option<String>,
    default_configuration: Option<Configuration>,
}

#[derive(Deserialize)]
struct Configuration {
    level: Option<Level>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
enum Level {
    Error,
    Warning,
    Note,
    None,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
enum Kind {
    Fail,
    Pass,
    Open,
    Informational,
    NotApplicable,
    Review,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
enum BaselineState {
    New,
    Unchanged,
    Updated,
    Absent,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
enum SuppressionStatus {
    Accepted,
    UnderReview,
    Rejected,
}

#[derive(Deserialize)]
struct Suppression {
    status: Option<SuppressionStatus>,
}

#[derive(Deserialize)]
struct RuleReference {
    id: Option<String>,
    index: Option<usize>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: Option<String>,
    rule_index: Option<usize>,
    rule: Option<RuleReference>,
    level: Option<Level>,
    kind: Option<Kind>,
    baseline_state: Option<BaselineState>,
    suppressions: Option<Vec<Suppression>>,
}

/// Reads a SARIF log.
///
/// # Errors
/// As [`json::read`]; [`Code::ReportWrongFormat`] for JSON without `runs`;
/// [`Code::ReportVersion`] for a `version` other than `2.1.0`.
pub(super) fn read(text: &str, file: &str) -> Result<Findings, Diagnostic> {
    let log: Log = json::read(text, file, "SARIF")?;
    let Some(runs) = log.runs else {
        return Err(Diagnostic::error(
            Code::ReportWrongFormat,
            "the JSON report has no `runs`: it is not a SARIF log",
        )
        .with_source(file));
    };
    match &log.version {
        Some(serde_json::Value::String(v)) if v == "2.1.0" => {}
        other => {
            let version = other
                .as_ref()
                .map_or_else(|| "none".to_owned(), ToString::to_string);
            let span = text
                .find("\"version\"")
                .map_or(Span::default(), |i| Span::new(i, i + 9));
            return Err(Diagnostic::error(
                Code::ReportVersion,
                format!(
                    "SARIF version {version} is not read by kiro ({}; pointer /version)",
                    place::at(text, span.start)
                ),
            )
            .with_label(span, "version")
            .with_help("kiro reads SARIF 2.1.0; most tools write it with `--format sarif`")
            .with_source(file));
        }
    }
    let mut findings = Findings {
        new_by_level: Some([0; 4]),
        ..Findings::default()
    };
    for run in runs {
        let rules = run
            .tool
            .and_then(|t| t.driver)
            .and_then(|d| d.rules)
            .unwrap_or_default();
        for result in run.results.unwrap_or_default() {
            count(&mut findings, &result, &rules);
        }
    }
    Ok(findings)
}

fn count(findings: &mut Findings, result: &SarifResult, rules: &[Rule]) {
    let index = result
        .rule_index
        .or_else(|| result.rule.as_ref().and_then(|r| r.index));
    let rule = index.and_then(|i| rules.get(i));
    let rule_id = result
        .rule_id
        .as_deref()
        .or_else(|| result.rule.as_ref().and_then(|r| r.id.as_deref()))
        .or_else(|| rule.and_then(|r| r.id.as_deref()));
    // A `ruleId` without an index: its rule by id, for the default level.
    let rule =
        rule.or_else(|| rule_id.and_then(|id| rules.iter().find(|r| r.id.as_deref() == Some(id))));
    let level = if result.kind.is_some_and(|k| k != Kind::Fail) {
        Level::None
    } else {
        result
            .level
            .or_else(|| rule.and_then(|r| r.default_configuration.as_ref()?.level))
            .unwrap_or(Level::Warning)
    };
    let suppressed = result.suppressions.as_ref().is_some_and(|s| {
        s.iter()
            .any(|s| s.status.is_none_or(|st| st == SuppressionStatus::Accepted))
    });
    if result.baseline_state == Some(BaselineState::Absent) {
        findings.absent += 1;
        return;
    }
    if suppressed {
        findings.suppressed += 1;
        return;
    }
    let i = match level {
        Level::Error => 0,
        Level::Warning => 1,
        Level::Note => 2,
        Level::None => 3,
    };
    if let Some(n) = findings.by_level.get_mut(i) {
        *n += 1;
    }
    match result.baseline_state {
        Some(BaselineState::New) => {
            if let Some(n) = findings.new_by_level.as_mut().and_then(|n| n.get_mut(i)) {
                *n += 1;
            }
        }
        Some(_) => {}
        None => findings.new_by_level = None,
    }
    let key = metric_key(rule_id.unwrap_or(""), "unknown");
    *findings.by_rule.entry(key).or_insert(0) += 1;
}
