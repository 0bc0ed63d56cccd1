//! JaCoCo XML coverage reports (`jacoco:report` of the Maven plugin, Gradle's `jacocoTestReport`
//! with `xml.required`, `java -jar jacococli.jar report --xml`).
//!
//! The lines are read from each `<sourcefile name="...">` of each `<package name="...">`:
//! `<line nr="N" mi="M" ci="C" mb="MB" cb="CB"/>` is a line with `C` covered and `M` missed
//! instructions (covered when `C > 0`) and `MB + CB` branches of which `CB` were taken. The
//! file's path is `PACKAGE/SOURCEFILE` (`com/example/Cart.java`), so its package is JaCoCo's.
//! The `<counter>` summaries (of classes, methods, packages and the report) are not needed: the
//! totals are recomputed from the lines, so several reports merge exactly. `<group>` elements
//! (a multi-module report) may hold packages at any depth.
//!
//! JaCoCo writes `<!DOCTYPE report PUBLIC "-//JACOCO//DTD Report 1.1//EN" "report.dtd">`: a
//! declaration naming an external DTD, which is read and ignored (never fetched); one with an
//! internal subset is refused as for every XML report.

use super::Limits;
use super::coverage::{Coverage, FileLines};
use super::xml::{Xml, XmlReader};
use crate::diagnostic::{Code, Diagnostic, Span};
use quick_xml::events::BytesStart;

/// The most branches one line may have: a bound on the memory a hostile `mb`/`cb` can ask for.
const MAX_BRANCHES_PER_LINE: u64 = 1 << 16;

/// Reads a JaCoCo XML report.
///
/// # Errors
/// As [`XmlReader::next`]; [`Code::ReportWrongFormat`] when the root is not `<report>`;
/// [`Code::ReportInvalidValue`] for a line number or counter that is not a whole number, or more
/// branches on a line than kiro keeps.
pub(super) fn read(text: &str, file: &str, limits: &Limits) -> Result<Coverage, Diagnostic> {
    let mut xml = XmlReader::new(text, file, limits);
    let mut coverage = Coverage::default();
    // The package being read: its name and depth.
    let mut package: Option<(String, usize)> = None;
    // The source file being read: its path, lines and depth.
    let mut source: Option<(String, FileLines, usize)> = None;
    let mut root = None;
    // Branches are kept one by one: at most one per byte of the report in all (a `<line>` is
    // some 40 bytes; real lines have a handful), so memory stays proportional to the text.
    let mut branch_budget = text.len() as u64;
    loop {
        let (start, span, leaf) = match xml.next()? {
            Xml::Open(start, span) => (start, span, false),
            Xml::Leaf(start, span) => (start, span, true),
            Xml::Close => {
                if source.as_ref().is_some_and(|s| xml.depth() < s.2)
                    && let Some((path, lines, _)) = source.take()
                {
                    coverage.add_file(path, lines);
                }
                if package.as_ref().is_some_and(|p| xml.depth() < p.1) {
                    package = None;
                }
                continue;
            }
            Xml::End => break,
        };
        let name = XmlReader::name(&start);
        if root.is_none() {
            if name != b"report" {
                return Err(xml.error(
                    Code::ReportWrongFormat,
                    format!(
                        "a JaCoCo report starts with `<report>`, not `<{}>`",
                        String::from_utf8_lossy(name)
                    ),
                    span,
                    "not a JaCoCo root element",
                ));
            }
            root = Some(span);
            continue;
        }
        match name {
            b"package" if !leaf => {
                let name = xml
                    .attr(&start, span, b"name")?
                    .map(std::borrow::Cow::into_owned)
                    .unwrap_or_default();
                package = Some((name, xml.depth()));
            }
            b"sourcefile" if !leaf => {
                let name = xml.attr(&start, span, b"name")?.unwrap_or_default();
                let path = match &package {
                    Some((p, _)) if !p.is_empty() => format!("{p}/{name}"),
                    _ => name.into_owned(),
                };
                source = Some((path, FileLines::default(), xml.depth()));
            }
            b"line" => {
                if let Some((_, lines, _)) = source.as_mut() {
                    line(&xml, &start, span, lines, &mut branch_budget)?;
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
    budget: &mut u64,
) -> Result<(), Diagnostic> {
    let number = whole::<u32>(xml, start, span, b"nr", true)?;
    let covered = whole::<u64>(xml, start, span, b"ci", false)?;
    lines.lines.push((number, covered));
    let missed_branches = whole::<u64>(xml, start, span, b"mb", false)?;
    let covered_branches = whole::<u64>(xml, start, span, b"cb", false)?;
    let total = missed_branches.saturating_add(covered_branches);
    if total > MAX_BRANCHES_PER_LINE || total > *budget {
        return Err(xml.error(
            Code::ReportInvalidValue,
            format!(
                "a line with {total} branches, more than kiro keeps (at most \
                 {MAX_BRANCHES_PER_LINE} per line, and one per byte of the report in all)"
            ),
            span,
            "in this tag",
        ));
    }
    *budget -= total;
    // JaCoCo says how many branches were taken, not which: the first `cb` of them.
    for id in 0..total {
        lines.branches.push((number, id, id < covered_branches));
    }
    Ok(())
}

/// A whole-number attribute of a `<line>`; a missing one is an error when `required`, else 0.
fn whole<T: std::str::FromStr + Default>(
    xml: &XmlReader<'_>,
    start: &BytesStart<'_>,
    span: Span,
    key: &[u8],
    required: bool,
) -> Result<T, Diagnostic> {
    let key_text = String::from_utf8_lossy(key);
    let Some(value) = xml.attr(start, span, key)? else {
        if !required {
            return Ok(T::default());
        }
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
