//! Telling a report's format from its content, so that `--coverage` needs no format option and
//! a report passed with the wrong flag is named for what it is.

use super::ReportFormat;
use quick_xml::Reader;
use quick_xml::events::Event;

/// What a report's content looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Detected {
    /// A format kiro reads.
    Format(ReportFormat),
    /// A known format kiro does not read (yet), by name: `a Grype report`.
    Unsupported(&'static str),
    /// Nothing recognised.
    Unknown,
}

/// How much of a JSON report's start is searched for its telltale keys.
const JSON_PREFIX: usize = 64 * 1024;

/// The format `text` looks like.
pub(super) fn detect(text: &str) -> Detected {
    let body = text.trim_start_matches('\u{feff}').trim_start();
    match body.as_bytes().first() {
        Some(b'<') => detect_xml(body),
        Some(b'{') => detect_json(body),
        Some(_) => detect_lines(body),
        None => Detected::Unknown,
    }
}

fn detect_xml(text: &str) -> Detected {
    let mut reader = Reader::from_str(text);
    // The root is among the first few events (declaration, comments, doctype).
    for _ in 0..64 {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                return match e.local_name().as_ref().as_bytes() {
                    b"testsuites" | b"testsuite" => Detected::Format(ReportFormat::Junit),
                    b"coverage" => Detected::Format(ReportFormat::Cobertura),
                    b"report" => Detected::Format(ReportFormat::Jacoco),
                    _ => Detected::Unknown,
                };
            }
            Ok(Event::Eof) | Err(_) => return Detected::Unknown,
            Ok(_) => {}
        }
    }
    Detected::Unknown
}

fn detect_json(text: &str) -> Detected {
    let mut end = text.len().min(JSON_PREFIX);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = text.get(..end).unwrap_or(text);
    if head.contains("\"lighthouseVersion\"") || head.contains("\"lighthouseResult\"") {
        Detected::Format(ReportFormat::Lighthouse)
    } else if head.contains("\"runs\"") && (head.contains("sarif") || head.contains("\"version\""))
    {
        Detected::Format(ReportFormat::Sarif)
    } else if head.contains("\"auditReportVersion\"")
        || (head.contains("\"advisories\"") && head.contains("\"metadata\""))
    {
        Detected::Format(ReportFormat::NpmAudit)
    } else if head.contains("\"SchemaVersion\"")
        && (head.contains("\"ArtifactName\"") || head.contains("\"Results\""))
    {
        Detected::Format(ReportFormat::Trivy)
    } else if head.contains("\"results\"") {
        // SARIF logs have `results` too, and are told apart above.
        Detected::Format(ReportFormat::OsvScanner)
    } else if head.contains("\"assetsByChunkName\"")
        || (head.contains("\"assets\"") && head.contains("\"chunks\""))
    {
        Detected::Format(ReportFormat::Webpack)
    } else if head.contains("\"matches\"") && head.contains("\"descriptor\"") {
        Detected::Unsupported("a Grype report")
    } else {
        Detected::Unknown
    }
}

fn detect_lines(text: &str) -> Detected {
    let first = text.lines().next().unwrap_or("").trim();
    if ["TN:", "SF:", "VER:"].iter().any(|p| first.starts_with(p)) {
        Detected::Format(ReportFormat::Lcov)
    } else if first.starts_with("mode:") {
        Detected::Format(ReportFormat::GoCover)
    } else {
        Detected::Unknown
    }
}
