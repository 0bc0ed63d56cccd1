//! Evidence: the reports CI already produces, read into metrics.
//!
//! Pure readers (text in, metrics out, no I/O) for JUnit XML test reports, LCOV, Cobertura,
//! JaCoCo and Go coverage, SARIF 2.1.0 findings, npm audit, OSV-Scanner and Trivy vulnerability
//! reports, Lighthouse web-performance reports and webpack stats. [`read`] reads one report
//! passed as a [`Kind`] of evidence (telling the formats of one kind apart by content, and naming
//! a report passed as the wrong kind); [`Evidence`] merges several reports predictably (counts
//! add up, coverage is recomputed from the merged lines, two different values of one
//! Lighthouse metric are a conflict) and keeps the provenance of every value: which file gave
//! it, and where in that file.
//!
//! The metric names each reader produces are documented in `docs/evidence.md`.
//!
//! Bounds: the text is at most [`Limits::max_bytes`]; XML elements nest at most
//! [`Limits::max_depth`] deep; JSON values a reader does not need are skipped without
//! recursion, and those it reads are a few levels deep by their type; no entity is ever expanded
//! (a DTD with an internal subset is refused). Memory beyond the text is proportional to what the report
//! describes (test cases, covered lines, findings), never to a declared size.

mod cobertura;
mod coverage;
mod cvss;
mod detect;
mod gocover;
mod jacoco;
mod json;
mod junit;
mod lcov;
mod lighthouse;
mod merge;
mod name;
mod npm_audit;
mod osv;
mod place;
mod sarif;
mod trivy;
mod value;
mod vulns;
mod webpack;
mod xml;

#[cfg(test)]
mod tests;

pub use merge::{Contribution, Evidence, EvidenceSummary, Metric, ReportEntry};
pub use value::{Unit, Value};

use crate::diagnostic::{Code, Diagnostic, Span};
use detect::Detected;
use serde::{Deserialize, Serialize};

/// The kind of evidence a report is given as: the CLI flag it is passed with.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
#[schemars(rename = "EvidenceKind")]
pub enum Kind {
    /// Test reports (JUnit XML).
    Junit,
    /// Coverage reports (LCOV, Cobertura XML, JaCoCo XML or a Go cover profile, told apart by
    /// content).
    Coverage,
    /// Static-analysis findings (SARIF 2.1.0).
    Sarif,
    /// Web-performance audits (Lighthouse JSON).
    Lighthouse,
    /// Vulnerability reports (npm audit, OSV-Scanner or Trivy JSON, told apart by content).
    Vulns,
    /// Bundle sizes (webpack stats JSON).
    Bundle,
}

impl Kind {
    /// Every kind.
    pub const ALL: &'static [Kind] = &[
        Kind::Junit,
        Kind::Coverage,
        Kind::Sarif,
        Kind::Lighthouse,
        Kind::Vulns,
        Kind::Bundle,
    ];

    /// The kind's name, as in `--junit`: `junit`, `coverage`, `sarif`, `lighthouse`, `vulns`,
    /// `bundle`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Junit => "junit",
            Kind::Coverage => "coverage",
            Kind::Sarif => "sarif",
            Kind::Lighthouse => "lighthouse",
            Kind::Vulns => "vulns",
            Kind::Bundle => "bundle",
        }
    }

    /// The kind named `name` (as [`Kind::as_str`]).
    ///
    /// # Errors
    /// [`Code::InvalidValue`] for another name.
    pub fn parse(name: &str) -> Result<Kind, Diagnostic> {
        Kind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == name)
            .ok_or_else(|| {
                Diagnostic::error(
                    Code::InvalidValue,
                    format!("unknown evidence kind `{name}`"),
                )
                .with_help(
                    "the kinds are `junit`, `coverage`, `sarif`, `lighthouse`, `vulns` and `bundle`",
                )
            })
    }

    fn describe(self) -> &'static str {
        match self {
            Kind::Junit => "a JUnit XML test report",
            Kind::Coverage => "an LCOV, Cobertura, JaCoCo or Go coverage report",
            Kind::Sarif => "a SARIF log",
            Kind::Lighthouse => "a Lighthouse report",
            Kind::Vulns => "an npm audit, OSV-Scanner or Trivy vulnerability report",
            Kind::Bundle => "webpack stats",
        }
    }
}

/// The format of one report, as read from its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    /// JUnit XML.
    Junit,
    /// An LCOV tracefile.
    Lcov,
    /// Cobertura XML.
    Cobertura,
    /// SARIF 2.1.0 JSON.
    Sarif,
    /// Lighthouse JSON.
    Lighthouse,
    /// JaCoCo XML.
    Jacoco,
    /// A Go cover profile (`go test -coverprofile`).
    #[serde(rename = "gocover")]
    GoCover,
    /// npm audit JSON (`npm audit --json`).
    #[serde(rename = "npm-audit")]
    NpmAudit,
    /// OSV-Scanner JSON.
    #[serde(rename = "osv-scanner")]
    OsvScanner,
    /// Trivy JSON.
    Trivy,
    /// webpack stats JSON (`webpack --json`).
    Webpack,
}

impl ReportFormat {
    /// The kind of evidence this format is.
    #[must_use]
    pub fn kind(self) -> Kind {
        match self {
            ReportFormat::Junit => Kind::Junit,
            ReportFormat::Lcov
            | ReportFormat::Cobertura
            | ReportFormat::Jacoco
            | ReportFormat::GoCover => Kind::Coverage,
            ReportFormat::Sarif => Kind::Sarif,
            ReportFormat::Lighthouse => Kind::Lighthouse,
            ReportFormat::NpmAudit | ReportFormat::OsvScanner | ReportFormat::Trivy => Kind::Vulns,
            ReportFormat::Webpack => Kind::Bundle,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            ReportFormat::Junit => "a JUnit XML test report",
            ReportFormat::Lcov => "an LCOV coverage report",
            ReportFormat::Cobertura => "a Cobertura coverage report",
            ReportFormat::Sarif => "a SARIF log",
            ReportFormat::Lighthouse => "a Lighthouse report",
            ReportFormat::Jacoco => "a JaCoCo coverage report",
            ReportFormat::GoCover => "a Go cover profile",
            ReportFormat::NpmAudit => "an npm audit report",
            ReportFormat::OsvScanner => "an OSV-Scanner report",
            ReportFormat::Trivy => "a Trivy report",
            ReportFormat::Webpack => "webpack stats",
        }
    }
}

/// Bounds on one report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest text, in bytes.
    pub max_bytes: usize,
    /// The deepest nesting of XML elements.
    pub max_depth: usize,
}

impl Default for Limits {
    /// 1 GiB, 256 levels. (The CLI reads at most 16 MiB per file before this applies.)
    fn default() -> Self {
        Self {
            max_bytes: 1 << 30,
            max_depth: 256,
        }
    }
}

/// One report, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The file it was read from, as the host names it.
    pub file: String,
    /// Its format.
    pub format: ReportFormat,
    data: Data,
}

/// What a report says, by kind.
#[derive(Debug, Clone, PartialEq)]
enum Data {
    Tests(junit::Tests),
    Coverage(coverage::Coverage),
    Findings(sarif::Findings),
    Web(lighthouse::Web),
    Vulns(vulns::Vulns),
    Bundle(webpack::Bundle),
}

impl Data {
    fn metrics(&self, out: &mut Vec<MetricOut>) {
        match self {
            Data::Tests(t) => t.metrics(out),
            Data::Coverage(c) => c.metrics(out),
            Data::Findings(f) => f.metrics(out),
            Data::Web(w) => w.metrics(out),
            Data::Vulns(v) => v.metrics(out),
            Data::Bundle(b) => b.metrics(out),
        }
    }
}

/// A metric as a reader produces it, with where in the report it comes from.
#[derive(Debug, Clone, PartialEq)]
struct MetricOut {
    name: String,
    value: Value,
    span: Option<Span>,
    pointer: Option<String>,
}

impl MetricOut {
    fn at(name: String, value: Value, span: Span) -> Self {
        Self {
            name,
            value,
            span: Some(span),
            pointer: None,
        }
    }

    fn pointer(name: String, value: Value, pointer: &str) -> Self {
        Self {
            name,
            value,
            span: None,
            pointer: Some(pointer.to_owned()),
        }
    }
}

/// `d` with every label inside `text` and on character boundaries (the start moved back, the
/// end forward, to the nearest one): the readers' positions are byte offsets of the parsers
/// they use, which can fall inside a character (after a byte-order mark, in a multi-byte
/// character), and every host slices the text at the labels.
fn on_boundaries(mut d: Diagnostic, text: &str) -> Diagnostic {
    for label in &mut d.labels {
        let mut start = label.start.min(text.len());
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = label.end.clamp(start, text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        label.start = start;
        label.end = end;
    }
    d
}

/// Reads `text`, the report `file` given as evidence of `kind`.
///
/// # Errors
/// A diagnostic with `source` `file` and a span into `text` (and, in the message, the line and
/// column or the JSON pointer): [`Code::TooLarge`] for text over the limit or nested too deep;
/// [`Code::ReportWrongFormat`] for a report of another kind or of a format kiro does not read;
/// [`Code::ReportSyntax`] for text that is not well-formed or is truncated;
/// [`Code::ReportDtd`] for an XML report declaring a DTD of its own; [`Code::ReportVersion`] for
/// an unknown version; [`Code::ReportInvalidValue`] for a value that is not what the format
/// says; [`Code::ReportToolError`] for the error a tool wrote in place of its report.
pub fn read(kind: Kind, file: &str, text: &str, limits: &Limits) -> Result<Report, Diagnostic> {
    if text.len() > limits.max_bytes {
        return Err(Diagnostic::error(
            Code::TooLarge,
            format!(
                "the report is {} bytes, more than the limit of {} bytes",
                text.len(),
                limits.max_bytes
            ),
        )
        .with_source(file));
    }
    if text.trim_start_matches('\u{feff}').trim().is_empty() {
        return Err(Diagnostic::error(Code::ReportSyntax, "the report is empty")
            .with_label(Span::new(0, text.len()), "nothing here")
            .with_help(format!("pass {} here", kind.describe()))
            .with_source(file));
    }
    let format = match detect::detect(text) {
        Detected::Format(format) if format.kind() == kind => format,
        Detected::Format(format) => {
            return Err(Diagnostic::error(
                Code::ReportWrongFormat,
                format!("this is {}, not {}", format.describe(), kind.describe()),
            )
            .with_help(format!("pass it with `--{}`", format.kind().as_str()))
            .with_source(file));
        }
        Detected::Unsupported(what) => {
            return Err(Diagnostic::error(
                Code::ReportWrongFormat,
                format!(
                    "this looks like {what}, which kiro does not read; expected {}",
                    kind.describe()
                ),
            )
            .with_source(file));
        }
        // Read as the kind says, for the reader's own error.
        Detected::Unknown => match kind {
            Kind::Junit => ReportFormat::Junit,
            Kind::Coverage
                if text
                    .trim_start_matches('\u{feff}')
                    .trim_start()
                    .starts_with('<') =>
            {
                ReportFormat::Cobertura
            }
            Kind::Coverage => ReportFormat::Lcov,
            Kind::Sarif => ReportFormat::Sarif,
            Kind::Lighthouse => ReportFormat::Lighthouse,
            // npm audit's reader also names the other formats of the kind when it refuses.
            Kind::Vulns => ReportFormat::NpmAudit,
            Kind::Bundle => ReportFormat::Webpack,
        },
    };
    let data = match format {
        ReportFormat::Junit => junit::read(text, file, limits).map(Data::Tests),
        ReportFormat::Lcov => lcov::read(text, file).map(Data::Coverage),
        ReportFormat::Cobertura => cobertura::read(text, file, limits).map(Data::Coverage),
        ReportFormat::Sarif => sarif::read(text, file).map(Data::Findings),
        ReportFormat::Lighthouse => lighthouse::read(text, file).map(Data::Web),
        ReportFormat::Jacoco => jacoco::read(text, file, limits).map(Data::Coverage),
        ReportFormat::GoCover => gocover::read(text, file).map(Data::Coverage),
        ReportFormat::NpmAudit => npm_audit::read(text, file).map(Data::Vulns),
        ReportFormat::OsvScanner => osv::read(text, file).map(Data::Vulns),
        ReportFormat::Trivy => trivy::read(text, file).map(Data::Vulns),
        ReportFormat::Webpack => webpack::read(text, file).map(Data::Bundle),
    }
    .map_err(|d| on_boundaries(d, text))?;
    Ok(Report {
        file: file.to_owned(),
        format,
        data,
    })
}
