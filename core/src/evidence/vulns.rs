//! Vulnerability counts by severity, whatever scanner reported them (npm audit, OSV-Scanner,
//! Trivy), on one scale: `critical`, `high`, `medium` (npm's and GitHub's `moderate`), `low`,
//! `info` (npm's `info`, a CVSS score of 0) and `unknown` (no severity).

use super::MetricOut;
use super::value::Value;

/// The severities, in metric-name order.
pub(super) const SEVERITIES: [&str; 6] = ["critical", "high", "medium", "low", "info", "unknown"];

/// The index in [`SEVERITIES`] of `text` (any case; `moderate` is `medium`, `none` and
/// `negligible` are `info`), if it is a severity.
pub(super) fn severity(text: &str) -> Option<usize> {
    match text.trim().to_ascii_lowercase().as_str() {
        "critical" => Some(0),
        "high" => Some(1),
        "medium" | "moderate" => Some(2),
        "low" => Some(3),
        "info" | "none" | "negligible" => Some(4),
        "unknown" => Some(5),
        _ => None,
    }
}

/// The severity of a CVSS base score: CVSS's own rating (0 none, 0.1–3.9 low, 4.0–6.9 medium,
/// 7.0–8.9 high, 9.0–10.0 critical); `None` outside 0 to 10.
pub(super) fn of_score(score: f64) -> Option<usize> {
    match score {
        s if !(0.0..=10.0).contains(&s) => None,
        s if s >= 9.0 => Some(0),
        s if s >= 7.0 => Some(1),
        s if s >= 4.0 => Some(2),
        s if s > 0.0 => Some(3),
        _ => Some(4),
    }
}

/// Counts of a report (or several, merged).
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Vulns {
    /// Vulnerabilities by severity ([`SEVERITIES`] order).
    pub by_severity: [u64; 6],
    /// Failed misconfiguration checks (Trivy); `None` unless a report gives them.
    pub misconfigurations: Option<u64>,
    /// Secrets found (Trivy); `None` unless a report gives them.
    pub secrets: Option<u64>,
    /// The JSON pointer the counts were read from.
    pub pointer: String,
}

impl Vulns {
    /// Adds another report's counts.
    pub(super) fn merge(&mut self, other: Vulns) {
        for (a, b) in self.by_severity.iter_mut().zip(other.by_severity) {
            *a = a.saturating_add(b);
        }
        self.misconfigurations = add(self.misconfigurations, other.misconfigurations);
        self.secrets = add(self.secrets, other.secrets);
    }

    /// The metrics: `vulns.total`, `vulns.SEVERITY`, `vulns.misconfigurations`,
    /// `vulns.secrets`.
    pub(super) fn metrics(&self, out: &mut Vec<MetricOut>) {
        let mut put = |name: String, value: Value| {
            out.push(MetricOut::pointer(name, value, &self.pointer));
        };
        put(
            "vulns.total".into(),
            Value::count(self.by_severity.iter().fold(0, |a, b| a.saturating_add(*b))),
        );
        for (name, n) in SEVERITIES.iter().zip(self.by_severity) {
            put(format!("vulns.{name}"), Value::count(n));
        }
        put(
            "vulns.misconfigurations".into(),
            count_or_none(self.misconfigurations),
        );
        put("vulns.secrets".into(), count_or_none(self.secrets));
    }
}

fn add(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.saturating_add(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

fn count_or_none(n: Option<u64>) -> Value {
    n.map_or(Value::new(None, super::value::Unit::Count), Value::count)
}
