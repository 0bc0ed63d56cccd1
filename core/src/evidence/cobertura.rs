//! Cobertura XML coverage reports (coverage.py `coverage xml`, Istanbul's `cobertura` reporter,
//! gcovr `--cobertura`, and the Cobertura tool itself).
//!
//! The lines are read from each `<class filename="...">`'s `<lines>`: `<line number="N"
//! hits="H">`, with `branch="true" condition-coverage="50% (1/2)"` for a line with branches
//! (1 of its 2 branches taken). The copies of the same lines under `<methods>` are skipped,
//! and the summary attributes of `<coverage>` (`line-rate`, `lines-valid`, ...) are not needed:
//! the totals are recomputed from the lines, so several reports merge exactly.

use super::Limits;
use super::coverage::{Coverage, FileLines};
use super::xml::{Xml, XmlReader};
use crate::diagnostic::{Code, Diagnostic, Span};
use quick_xml::events::BytesStart;

/// The most branches one line may have: a bound on the memory a hostile `condition-coverage`
/// can ask for (real lines have a handful).
const MAX_BRANCHES_PER_LINE: u64 = 1 << 16;

/// Reads a Cobertura XML report.
///
/// # Errors
/// As [`XmlReader::next`]; [`Code::ReportWrongFormat`] when the root is not `<coverage>`;
/// [`Code::ReportInvalidValue`] for a line number, hit count or condition coverage that is not
/// a number.
pub(super) fn read(text: &str, file: &str, limits: &Limits) -> Result<Coverage, Diagnostic> {
    let mut xml = XmlReader::new(text, file, limits);
    let mut coverage = Coverage::default();
    // The class being read: its file and lines, and its depth.
    let mut class: Option<(String, FileLines, usize)> = None;
    // The depth of the `<method>` being skipped.
    let mut method: Option<usize> = None;
    let mut root = None;
    loop {
        let (start, span, leaf) = match xml.next()? {
            Xml::Open(start, span) => (start, span, false),
            Xml::Leaf(start, span) => (start, span, true),
            Xml::Close => {
                if method.is_some_and(|d| xml.depth() < d) {
                    method = None;
                }
                if class.as_ref().is_some_and(|c| xml.depth() < c.2)
                    && let Some((path, lines, _)) = class.take()
                {
                    coverage.add_file(path, lines);
                }
                continue;
            }
            Xml::End => break,
        };
        let name = XmlReader::name(&start);
        if root.is_none() {
            if name != b"coverage" {
                return Err(xml.error(
                    Code::ReportWrongFormat,
                    format!(
                        "a Cobertura report starts with `<coverage>`, not `<{}>`",
                        String::from_utf8_lossy(name)
                    ),
                    span,
                    "not a Cobertura root element",
                ));
            }
            root = Some(span);
            continue;
        }
        match name {
            b"class" if !leaf => {
                let path = xml
                    .attr(&start, span, b"filename")?
                    .map(std::borrow::Cow::into_owned)
                    .unwrap_or_default();
                class = Some((path, FileLines::default(), xml.depth()));
            }
            b"method" if !leaf && method.is_none() => method = Some(xml.depth()),
            b"line" if method.is_none() => {
                if let Some((_, lines, _)) = class.as_mut() {
                    line(&xml, &start, span, lines)?;
                }
            }
            _ => {}
        }
    }
    coverage.root = root.unwrap_or_default();
    coverage.normalize();
    Ok(coverage)
}

/// Reads one `<line>` into `lines`.
fn line(
    xml: &XmlReader<'_>,
    start: &BytesStart<'_>,
    span: Span,
    lines: &mut FileLines,
) -> Result<(), Diagnostic> {
    let number = whole::<u32>(xml, start, span, b"number")?;
    let hits = whole::<u64>(xml, start, span, b"hits")?;
    lines.lines.push((number, hits));
    let is_branch = xml
        .attr(start, span, b"branch")?
        .is_some_and(|b| b.trim() == "true");
    if !is_branch {
        return Ok(());
    }
    let Some(condition) = xml.attr(start, span, b"condition-coverage")? else {
        return Ok(());
    };
    // `50% (1/2)`: the fraction in parentheses.
    let fraction = condition
        .split_once('(')
        .and_then(|(_, rest)| rest.strip_suffix(')'))
        .and_then(|f| f.split_once('/'))
        .and_then(|(a, b)| Some((a.trim().parse::<u64>().ok()?, b.trim().parse::<u64>().ok()?)))
        .filter(|(taken, total)| taken <= total && *total <= MAX_BRANCHES_PER_LINE);
    let Some((taken, total)) = fraction else {
        return Err(xml
            .error(
                Code::ReportInvalidValue,
                format!("`condition-coverage=\"{condition}\"` is not `P% (TAKEN/TOTAL)` with at most {MAX_BRANCHES_PER_LINE} branches"),
                span,
                "in this tag",
            )
            .with_help("Cobertura writes e.g. `condition-coverage=\"50% (1/2)\"`"));
    };
    // Cobertura says how many branches were taken, not which: the first `taken` of them.
    for id in 0..total {
        lines.branches.push((number, id, id < taken));
    }
    Ok(())
}

/// A whole-number attribute that must be present.
fn whole<T: std::str::FromStr>(
    xml: &XmlReader<'_>,
    start: &BytesStart<'_>,
    span: Span,
    key: &[u8],
) -> Result<T, Diagnostic> {
    let key_text = String::from_utf8_lossy(key);
    let Some(value) = xml.attr(start, span, key)? else {
        return Err(xml.error(
            Code::ReportInvalidValue,
            format!("a `<line>` without `{key_text}`"),
            span,
            "in this tag",
        ));
    };
    value.trim().parse::<T>().map_err(|_| {
        xml.error(
            Code::ReportInvalidValue,
            format!("`{key_text}=\"{value}\"` is not a whole number"),
            span,
            "in this tag",
        )
    })
}
