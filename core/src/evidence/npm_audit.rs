//! npm audit reports (`npm audit --json`).
//!
//! npm 7 and later write version 2 (`"auditReportVersion": 2`); npm 6 wrote version 1 (no
//! version, an `advisories` object). Both summarize in `metadata.vulnerabilities`, counts by
//! severity (`info`, `low`, `moderate`, `high`, `critical`), which is what kiro reads: in
//! version 2 a count of vulnerable packages (a package pulled in through a vulnerable one
//! counts too, as `npm audit` prints it), in version 1 a count of advisory findings (one per
//! path to a vulnerable package). When npm could not audit (no lockfile, the registry refused),
//! it writes its error as JSON instead (`{"error": {"code", "summary", "detail"}}`), which is
//! [`Code::ReportToolError`], never zero vulnerabilities.

use super::json;
use super::vulns::{Vulns, severity};
use crate::diagnostic::{Code, Diagnostic};
use serde::Deserialize;
use serde::de::IgnoredAny;
use std::collections::BTreeMap;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Top {
    audit_report_version: Option<serde_json::Number>,
    advisories: Option<IgnoredAny>,
    metadata: Option<Metadata>,
    error: Option<ToolError>,
    message: Option<String>,
}

#[derive(Deserialize)]
struct Metadata {
    vulnerabilities: Option<BTreeMap<String, u64>>,
}

#[derive(Deserialize)]
struct ToolError {
    code: Option<String>,
    summary: Option<String>,
}

/// Reads an npm audit report.
///
/// # Errors
/// As [`json::read`]; [`Code::ReportToolError`] for npm's error in place of a report;
/// [`Code::ReportVersion`] for an `auditReportVersion` other than 2 (version 1 has none);
/// [`Code::ReportWrongFormat`] for JSON that is no npm audit report;
/// [`Code::ReportInvalidValue`] for a report without `metadata.vulnerabilities` or with a
/// severity npm does not write.
pub(super) fn read(text: &str, file: &str) -> Result<Vulns, Diagnostic> {
    let top: Top = json::read(text, file, "npm audit")?;
    if top.metadata.is_none() && (top.error.is_some() || top.message.is_some()) {
        let error = top.error.as_ref();
        let what = error
            .and_then(|e| e.summary.as_deref())
            .filter(|s| !s.trim().is_empty())
            .or(top.message.as_deref())
            .or(error.and_then(|e| e.code.as_deref()))
            .unwrap_or("no details");
        return Err(Diagnostic::error(
            Code::ReportToolError,
            format!("npm audit failed and wrote its error instead of a report (pointer /error): {what}"),
        )
        .with_help("run `npm audit --json` again where it can reach the registry's audit endpoint and finds a lockfile")
        .with_source(file));
    }
    let version = match &top.audit_report_version {
        Some(v) if v.as_u64() == Some(2) => 2,
        Some(v) => {
            return Err(Diagnostic::error(
                Code::ReportVersion,
                format!(
                    "npm audit report version {v} is not read by kiro (pointer /auditReportVersion)"
                ),
            )
            .with_help("kiro reads version 2 (npm 7 and later) and version 1 (npm 6)")
            .with_source(file));
        }
        None if top.advisories.is_some() => 1,
        None => {
            return Err(Diagnostic::error(
                Code::ReportWrongFormat,
                "this JSON is not a vulnerability report kiro reads: no `auditReportVersion` or `advisories` (npm audit), `results` (OSV-Scanner) or `SchemaVersion` (Trivy)",
            )
            .with_source(file));
        }
    };
    let Some(counts) = top.metadata.and_then(|m| m.vulnerabilities) else {
        return Err(Diagnostic::error(
            Code::ReportInvalidValue,
            format!("the npm audit report (version {version}) has no `metadata.vulnerabilities` (pointer /metadata/vulnerabilities)"),
        )
        .with_source(file));
    };
    let mut vulns = Vulns {
        pointer: "/metadata/vulnerabilities".into(),
        ..Vulns::default()
    };
    for (name, n) in counts {
        if name == "total" {
            continue;
        }
        let Some(i) = severity(&name).filter(|_| {
            matches!(
                name.as_str(),
                "info" | "low" | "moderate" | "high" | "critical"
            )
        }) else {
            return Err(Diagnostic::error(
                Code::ReportInvalidValue,
                format!("`{name}` is not a severity npm audit writes (pointer /metadata/vulnerabilities/{})", name.replace('~', "~0").replace('/', "~1")),
            )
            .with_help("npm writes `info`, `low`, `moderate`, `high`, `critical` and `total`")
            .with_source(file));
        };
        if let Some(slot) = vulns.by_severity.get_mut(i) {
            *slot = slot.saturating_add(n);
        }
    }
    Ok(vulns)
}
