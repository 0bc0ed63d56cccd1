//! OSV-Scanner reports (`osv-scanner scan --format json`, versions 1 and 2).
//!
//! Each package of each scanned source (`results[].packages[]`) lists its vulnerabilities
//! (full OSV records) and, since OSV-Scanner 1.4, `groups`: the ids that are one vulnerability
//! under several names (a GHSA and its CVE). A group counts once, in one severity, chosen by
//! this rule (the first that gives one):
//!
//! 1. the group's `max_severity`, a CVSS score OSV-Scanner computed (`"7.5"`), by CVSS's
//!    rating: 9.0 and up critical, 7.0 high, 4.0 medium, 0.1 low, 0 info;
//! 2. the highest `database_specific.severity` of the group's records (GitHub's `LOW`,
//!    `MODERATE`, `HIGH`, `CRITICAL`);
//! 3. the highest base score of the records' CVSS 3.x vectors (`severity[]` of type `CVSS_V3`),
//!    computed as CVSS 3.1 says, rated as in 1;
//! 4. otherwise `unknown`.
//!
//! Without `groups`, every record is its own group. A vulnerability of a package found in two
//! sources (two lockfiles) counts twice, as OSV-Scanner lists it.

use super::cvss::base_score;
use super::json;
use super::vulns::{Vulns, of_score, severity};
use crate::diagnostic::{Code, Diagnostic};
use serde::Deserialize;

// OSV-Scanner is written in Go, which writes an empty list as `null`: every list may be null.

#[derive(Deserialize)]
struct Top {
    /// `None` when absent, `Some(None)` when null.
    #[serde(default, deserialize_with = "present")]
    results: Option<Option<Vec<Source>>>,
}

#[derive(Deserialize)]
struct Source {
    packages: Option<Vec<Package>>,
}

#[derive(Deserialize)]
struct Package {
    vulnerabilities: Option<Vec<Record>>,
    groups: Option<Vec<Group>>,
}

#[derive(Deserialize)]
struct Record {
    id: Option<String>,
    severity: Option<Vec<Severity>>,
    database_specific: Option<DatabaseSpecific>,
}

#[derive(Deserialize)]
struct Severity {
    #[serde(rename = "type")]
    kind: Option<String>,
    score: Option<String>,
}

/// A field that is present, null or not.
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Deserialize)]
struct DatabaseSpecific {
    severity: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Group {
    ids: Option<Vec<String>>,
    max_severity: Option<String>,
}

/// Reads an OSV-Scanner report.
///
/// # Errors
/// As [`json::read`]; [`Code::ReportWrongFormat`] for JSON without `results`;
/// [`Code::ReportInvalidValue`] for a `max_severity` that is not a score from 0 to 10.
pub(super) fn read(text: &str, file: &str) -> Result<Vulns, Diagnostic> {
    let top: Top = json::read(text, file, "OSV-Scanner")?;
    let Some(results) = top.results else {
        return Err(Diagnostic::error(
            Code::ReportWrongFormat,
            "the JSON report has no `results`: it is not an OSV-Scanner report",
        )
        .with_source(file));
    };
    let mut vulns = Vulns {
        pointer: "/results".into(),
        ..Vulns::default()
    };
    for (r, source) in results.iter().flatten().enumerate() {
        for (p, package) in source.packages.iter().flatten().enumerate() {
            let records = package.vulnerabilities.as_deref().unwrap_or_default();
            let groups = package.groups.as_deref().unwrap_or_default();
            if groups.is_empty() {
                for record in records {
                    count(&mut vulns, of_record(record));
                }
                continue;
            }
            for (g, group) in groups.iter().enumerate() {
                let pointer = format!("/results/{r}/packages/{p}/groups/{g}/max_severity");
                let from_max = match group.max_severity.as_deref().map(str::trim) {
                    None | Some("") => None,
                    Some(text) => Some(
                        text.parse::<f64>()
                            .ok()
                            .and_then(of_score)
                            .ok_or_else(|| invalid(file, &pointer, text))?,
                    ),
                };
                let chosen = from_max.unwrap_or_else(|| {
                    let ids = group.ids.as_deref().unwrap_or_default();
                    highest(
                        records
                            .iter()
                            .filter(|v| v.id.as_ref().is_some_and(|id| ids.contains(id))),
                    )
                });
                count(&mut vulns, chosen);
            }
        }
    }
    Ok(vulns)
}

fn count(vulns: &mut Vulns, severity: usize) {
    if let Some(slot) = vulns.by_severity.get_mut(severity) {
        *slot = slot.saturating_add(1);
    }
}

/// The severity of one record: rules 2 to 4.
fn of_record(record: &Record) -> usize {
    highest(std::iter::once(record))
}

/// The highest severity of `records`: by their database's severity, else by their CVSS 3.x
/// vectors, else unknown (5).
fn highest<'r>(records: impl Iterator<Item = &'r Record> + Clone) -> usize {
    let database = records
        .clone()
        .filter_map(|r| {
            r.database_specific
                .as_ref()
                .and_then(|d| d.severity.as_ref())
                .and_then(serde_json::Value::as_str)
                .and_then(severity)
                .filter(|&s| s < 5)
        })
        .min();
    if let Some(s) = database {
        return s;
    }
    records
        .flat_map(|r| r.severity.iter().flatten())
        .filter(|s| s.kind.as_deref() == Some("CVSS_V3"))
        .filter_map(|s| base_score(s.score.as_deref()?).and_then(of_score))
        .min()
        .unwrap_or(5)
}

fn invalid(file: &str, pointer: &str, text: &str) -> Diagnostic {
    Diagnostic::error(
        Code::ReportInvalidValue,
        format!(
            "an invalid value in the OSV-Scanner report at {pointer}: `{text}` is not a CVSS score from 0 to 10"
        ),
    )
    .with_source(file)
}
