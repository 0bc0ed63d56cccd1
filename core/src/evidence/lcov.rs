//! LCOV tracefiles (`lcov`, `genhtml`'s input; written by gcov/lcov, Istanbul, coverage.py,
//! cargo-llvm-cov, c8 and most other tools).
//!
//! A record runs from `SF:<path>` to `end_of_record`; inside it `DA:<line>,<hits>[,<checksum>]`
//! gives a line and `BRDA:<line>,<block>,<branch>,<taken>` a branch (`-` for a branch whose
//! block never ran). The summary lines (`LF`, `LH`, `BRF`, `BRH`), the function lines (`FN`,
//! `FNDA`, `FNF`, `FNH`, `FNL`, `FNA`), `TN`, `VER` and any other `KEY:` line are not needed:
//! the totals are recomputed from `DA` and `BRDA`. A file without its last `end_of_record` is
//! truncated.

use super::coverage::{Coverage, FileLines};
use super::place::at;
use crate::diagnostic::{Code, Diagnostic, Span};
use std::hash::{Hash, Hasher};

/// Reads an LCOV tracefile.
///
/// # Errors
/// [`Code::ReportSyntax`] for a line that is not `KEY:value` or `end_of_record`, a `DA` or
/// `BRDA` outside a record or with the wrong fields, a record not ended; [`Code::ReportInvalidValue`]
/// for a line number or hit count that is not a whole number.
pub(super) fn read(text: &str, file: &str) -> Result<Coverage, Diagnostic> {
    let mut coverage = Coverage::default();
    let mut current: Option<(String, FileLines, Span)> = None;
    let mut offset = 0;
    let mut first = None;
    for raw_line in text.split_inclusive('\n') {
        let start = offset;
        offset += raw_line.len();
        let line = raw_line.trim_end_matches(['\n', '\r']).trim();
        if line.is_empty() {
            continue;
        }
        let span = Span::new(start, start + raw_line.trim_end_matches(['\n', '\r']).len());
        first.get_or_insert(span);
        if line == "end_of_record" {
            let Some((path, lines, _)) = current.take() else {
                return Err(error(
                    text,
                    file,
                    Code::ReportSyntax,
                    "`end_of_record` without a record",
                    span,
                )
                .with_help("a record starts with `SF:<path>`"));
            };
            coverage.add_file(path, lines);
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            return Err(error(
                text,
                file,
                Code::ReportSyntax,
                &format!("`{}` is not an LCOV line (`KEY:value`)", clip(line)),
                span,
            ));
        };
        match key {
            "SF" => {
                if let Some((path, _, _)) = &current {
                    return Err(error(
                        text,
                        file,
                        Code::ReportSyntax,
                        &format!("a new record starts before the record of `{path}` ended"),
                        span,
                    )
                    .with_help("each record ends with `end_of_record`"));
                }
                current = Some((value.to_owned(), FileLines::default(), span));
            }
            "DA" => {
                let lines = record(&mut current, text, file, key, span)?;
                let mut fields = value.split(',');
                let line_no = number(fields.next(), text, file, "line number", span)?;
                let hits = hits(fields.next(), text, file, span)?;
                lines.lines.push((line_no, hits));
            }
            "BRDA" => {
                let lines = record(&mut current, text, file, key, span)?;
                let mut fields = value.splitn(4, ',');
                let line_no = number(fields.next(), text, file, "line number", span)?;
                let (Some(block), Some(branch), Some(taken)) =
                    (fields.next(), fields.next(), fields.next())
                else {
                    return Err(error(
                        text,
                        file,
                        Code::ReportSyntax,
                        "a `BRDA` line has four fields: line, block, branch, taken",
                        span,
                    ));
                };
                let taken = match taken.trim() {
                    "-" => false,
                    t => {
                        t.parse::<u64>().map_err(|_| {
                            error(
                                text,
                                file,
                                Code::ReportInvalidValue,
                                &format!(
                                    "`{}` is not a count of times a branch was taken",
                                    clip(t)
                                ),
                                span,
                            )
                        })? > 0
                    }
                };
                lines
                    .branches
                    .push((line_no, branch_id(block, branch), taken));
            }
            _ if key.bytes().all(|b| b.is_ascii_uppercase()) && !key.is_empty() => {}
            _ => {
                return Err(error(
                    text,
                    file,
                    Code::ReportSyntax,
                    &format!("`{}` is not an LCOV line (`KEY:value`)", clip(line)),
                    span,
                ));
            }
        }
    }
    if let Some((path, _, span)) = current {
        return Err(error(
            text,
            file,
            Code::ReportSyntax,
            &format!("the record of `{path}` has no `end_of_record`: the file is truncated"),
            Span::new(text.len(), text.len()),
        )
        .with_label(span, "the record starts here")
        .with_help("the tool that wrote it may have stopped early; run it again"));
    }
    let Some(first) = first else {
        return Err(
            Diagnostic::error(Code::ReportSyntax, "the LCOV report is empty").with_source(file),
        );
    };
    coverage.root = first;
    coverage.normalize();
    Ok(coverage)
}

/// The record being read, or a syntax error for `key` outside one.
fn record<'c>(
    current: &'c mut Option<(String, FileLines, Span)>,
    text: &str,
    file: &str,
    key: &str,
    span: Span,
) -> Result<&'c mut FileLines, Diagnostic> {
    match current {
        Some((_, lines, _)) => Ok(lines),
        None => Err(error(
            text,
            file,
            Code::ReportSyntax,
            &format!("a `{key}` line outside a record"),
            span,
        )
        .with_help("a record starts with `SF:<path>`")),
    }
}

fn number(
    field: Option<&str>,
    text: &str,
    file: &str,
    what: &str,
    span: Span,
) -> Result<u32, Diagnostic> {
    let field = field.unwrap_or("").trim();
    field.parse::<u32>().map_err(|_| {
        error(
            text,
            file,
            Code::ReportInvalidValue,
            &format!("`{}` is not a {what}", clip(field)),
            span,
        )
    })
}

fn hits(field: Option<&str>, text: &str, file: &str, span: Span) -> Result<u64, Diagnostic> {
    let field = field.unwrap_or("").trim();
    field.parse::<u64>().map_err(|_| {
        error(
            text,
            file,
            Code::ReportInvalidValue,
            &format!("`{}` is not a hit count", clip(field)),
            span,
        )
    })
}

/// One number for a branch's block and branch fields: both numbers (as lcov writes them) side
/// by side; otherwise (some tools write text) the two fields hashed with a fixed hasher, so the
/// same branch has the same id in every report.
fn branch_id(block: &str, branch: &str) -> u64 {
    if let (Ok(block), Ok(branch)) = (block.trim().parse::<u32>(), branch.trim().parse::<u32>()) {
        return (u64::from(block) << 32) | u64::from(branch);
    }
    let mut hasher = rustc_hash::FxHasher::default();
    block.trim().hash(&mut hasher);
    branch.trim().hash(&mut hasher);
    hasher.finish()
}

fn error(text: &str, file: &str, code: Code, message: &str, span: Span) -> Diagnostic {
    Diagnostic::error(code, format!("{message} ({})", at(text, span.start)))
        .with_label(span, "here")
        .with_source(file)
}

/// At most 40 characters of `text`, for messages.
fn clip(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", text.get(..i).unwrap_or(text)),
        None => text.to_owned(),
    }
}
