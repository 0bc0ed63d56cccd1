//! Trivy reports (`trivy fs|image|repo --format json`, schema version 2).
//!
//! Each result (`Results[]`, one per scanned target: a lockfile, an OS's packages, a Dockerfile)
//! lists `Vulnerabilities` with a `Severity` (`CRITICAL`, `HIGH`, `MEDIUM`, `LOW`, `UNKNOWN`),
//! each entry counted once (a CVE of two packages, or of one package in two targets, counts
//! twice, as Trivy lists it). When the misconfiguration scanner ran (a result of class `config`,
//! or `Misconfigurations`), the failed checks (`Status` `FAIL`) are counted; when the secret
//! scanner found something (class `secret`, or `Secrets`), the secrets are. Otherwise those two
//! counts are no data: Trivy writes nothing for a scanner that did not run.

use super::json;
use super::vulns::{Vulns, severity};
use crate::diagnostic::{Code, Diagnostic};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Top {
    schema_version: Option<serde_json::Number>,
    results: Option<Vec<Target>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Target {
    class: Option<String>,
    vulnerabilities: Option<Vec<Finding>>,
    misconfigurations: Option<Vec<Finding>>,
    secrets: Option<Vec<serde::de::IgnoredAny>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Finding {
    severity: Option<String>,
    status: Option<String>,
}

/// Reads a Trivy report.
///
/// # Errors
/// As [`json::read`]; [`Code::ReportWrongFormat`] for JSON without `SchemaVersion`;
/// [`Code::ReportVersion`] for a schema version other than 2; [`Code::ReportInvalidValue`] for
/// a severity Trivy does not write.
pub(super) fn read(text: &str, file: &str) -> Result<Vulns, Diagnostic> {
    let top: Top = json::read(text, file, "Trivy")?;
    let Some(version) = top.schema_version else {
        return Err(Diagnostic::error(
            Code::ReportWrongFormat,
            "the JSON report has no `SchemaVersion`: it is not a Trivy report",
        )
        .with_source(file));
    };
    if version.as_u64() != Some(2) {
        return Err(Diagnostic::error(
            Code::ReportVersion,
            format!(
                "Trivy report schema version {version} is not read by kiro (pointer /SchemaVersion)"
            ),
        )
        .with_help("kiro reads schema version 2 (Trivy 0.20 and later)")
        .with_source(file));
    }
    let mut vulns = Vulns {
        pointer: "/Results".into(),
        ..Vulns::default()
    };
    for (r, target) in top.results.unwrap_or_default().iter().enumerate() {
        for (v, finding) in target.vulnerabilities.iter().flatten().enumerate() {
            let text = finding.severity.as_deref().unwrap_or("UNKNOWN");
            let Some(s) = severity(text)
                .filter(|_| matches!(text, "CRITICAL" | "HIGH" | "MEDIUM" | "LOW" | "UNKNOWN"))
            else {
                return Err(Diagnostic::error(
                    Code::ReportInvalidValue,
                    format!(
                        "an invalid value in the Trivy report at /Results/{r}/Vulnerabilities/{v}/Severity: `{text}` is not a severity Trivy writes"
                    ),
                )
                .with_help("Trivy writes `CRITICAL`, `HIGH`, `MEDIUM`, `LOW` or `UNKNOWN`")
                .with_source(file));
            };
            if let Some(slot) = vulns.by_severity.get_mut(s) {
                *slot = slot.saturating_add(1);
            }
        }
        let class = target.class.as_deref();
        if target.misconfigurations.is_some() || class == Some("config") {
            let failed = target
                .misconfigurations
                .iter()
                .flatten()
                .filter(|m| m.status.as_deref().is_none_or(|s| s == "FAIL"))
                .count() as u64;
            vulns.misconfigurations = Some(vulns.misconfigurations.unwrap_or(0) + failed);
        }
        if target.secrets.is_some() || class == Some("secret") {
            let found = target.secrets.as_ref().map_or(0, Vec::len) as u64;
            vulns.secrets = Some(vulns.secrets.unwrap_or(0) + found);
        }
    }
    Ok(vulns)
}
