//! Go cover profiles (`go test -coverprofile=cover.out`, `go tool covdata textfmt`, and
//! profiles of several packages or runs concatenated or merged).
//!
//! The first line is `mode: set`, `mode: count` or `mode: atomic`; each other line is one block
//! of statements, `FILE:L0.C0,L1.C1 STATEMENTS COUNT` (`example.com/shop/cart/cart.go:12.34,14.2
//! 2 1`): the block from line `L0` column `C0` to line `L1` column `C1` holds `STATEMENTS`
//! statements and ran `COUNT` times. A block listed twice (merged profiles, `-coverpkg` over
//! several test binaries) is one block, covered when any of its lines ran — as `go tool cover`
//! merges them. A repeated `mode:` line of the same mode (profiles concatenated) is skipped. A
//! profile whose last line has no newline was cut short and is refused.
//!
//! Statement coverage is what `go test -cover` and `go tool cover -func` print. Lines are given
//! too, the way Codecov and gocover-cobertura turn a profile into lines: every line from `L0` to
//! `L1` of a block is a line, covered when a block on it ran. Lines are counted from the blocks'
//! ranges (never expanded one by one), so memory stays proportional to the profile.

use super::coverage::{Coverage, FileLines};
use super::place::at;
use crate::diagnostic::{Code, Diagnostic, Span};

/// Reads a Go cover profile.
///
/// # Errors
/// [`Code::ReportSyntax`] for a first line that is not `mode: ...` or a block line that is not
/// `FILE:L0.C0,L1.C1 STATEMENTS COUNT`; [`Code::ReportVersion`] for an unknown mode;
/// [`Code::ReportInvalidValue`] for a block that ends before it starts, or a second `mode:`
/// line of another mode.
pub(super) fn read(text: &str, file: &str) -> Result<Coverage, Diagnostic> {
    let mut coverage = Coverage {
        statements: true,
        ..Coverage::default()
    };
    let mut mode: Option<&str> = None;
    let mut offset = 0;
    // The file of the last block and its blocks (consecutive lines are mostly of one file).
    let mut current: Option<(&str, FileLines)> = None;
    for raw_line in text.split_inclusive('\n') {
        let start = offset;
        offset += raw_line.len();
        let content = raw_line.trim_end_matches(['\n', '\r']);
        let line = content.trim();
        if line.is_empty() {
            continue;
        }
        let line_start = start + (content.len() - content.trim_start().len());
        let span = Span::new(line_start, line_start + line.len());
        if let Some(m) = line.strip_prefix("mode:") {
            let m = m.trim();
            match mode {
                None => {
                    if !matches!(m, "set" | "count" | "atomic") {
                        return Err(error(
                            text,
                            file,
                            Code::ReportVersion,
                            &format!("`mode: {}` is not a Go cover mode", clip(m)),
                            span,
                        )
                        .with_help("Go writes `mode: set`, `mode: count` or `mode: atomic`"));
                    }
                    mode = Some(m);
                }
                Some(first) if first == m => {}
                Some(first) => {
                    return Err(error(
                        text,
                        file,
                        Code::ReportInvalidValue,
                        &format!(
                            "`mode: {}` after `mode: {first}`: profiles of different modes cannot be merged",
                            clip(m)
                        ),
                        span,
                    ));
                }
            }
            continue;
        }
        if mode.is_none() {
            return Err(error(
                text,
                file,
                Code::ReportSyntax,
                &format!(
                    "a Go cover profile starts with `mode: set|count|atomic`, not `{}`",
                    clip(line)
                ),
                span,
            ));
        }
        let (path, place, statements, count) = block(line).ok_or_else(|| {
            error(
                text,
                file,
                Code::ReportSyntax,
                &format!(
                    "`{}` is not a block line (`FILE:L0.C0,L1.C1 STATEMENTS COUNT`)",
                    clip(line)
                ),
                span,
            )
        })?;
        if (place.2, place.3) < (place.0, place.1) {
            return Err(error(
                text,
                file,
                Code::ReportInvalidValue,
                "the block ends before it starts",
                span,
            ));
        }
        match &mut current {
            Some((p, lines)) if *p == path => lines.blocks.push((place, statements, count)),
            _ => {
                if let Some((p, lines)) = current.take() {
                    coverage.add_file(p.to_owned(), lines);
                }
                let mut lines = FileLines::default();
                lines.blocks.push((place, statements, count));
                current = Some((path, lines));
            }
        }
        if coverage.root == Span::default() {
            coverage.root = span;
        }
    }
    if mode.is_none() {
        return Err(
            Diagnostic::error(Code::ReportSyntax, "the Go cover profile is empty")
                .with_source(file),
        );
    }
    // Go ends every line with a newline: a last line without one was cut short (a cut between
    // two lines cannot be told from a shorter profile).
    if !text.trim_end_matches([' ', '\t']).ends_with('\n') {
        let last = text.trim_end().rfind('\n').map_or(0, |i| i + 1);
        return Err(error(
            text,
            file,
            Code::ReportSyntax,
            "the last line of the Go cover profile has no newline: the file is truncated",
            Span::new(last, text.len()),
        )
        .with_help("Go ends every line of a profile with a newline; the tool that wrote it may have stopped early"));
    }
    if let Some((p, lines)) = current {
        coverage.add_file(p.to_owned(), lines);
    }
    coverage.normalize();
    Ok(coverage)
}

/// `FILE:L0.C0,L1.C1 STATEMENTS COUNT` split into its parts.
fn block(line: &str) -> Option<(&str, super::coverage::Place, u32, u64)> {
    let mut fields = line.rsplitn(3, ' ');
    let count = fields.next()?.parse::<u64>().ok()?;
    let statements = fields.next()?.parse::<u32>().ok()?;
    let (path, place) = fields.next()?.trim_end().rsplit_once(':')?;
    let (from, to) = place.split_once(',')?;
    let (l0, c0) = from.split_once('.')?;
    let (l1, c1) = to.split_once('.')?;
    if path.is_empty() {
        return None;
    }
    Some((
        path,
        (
            l0.parse().ok()?,
            c0.parse().ok()?,
            l1.parse().ok()?,
            c1.parse().ok()?,
        ),
        statements,
        count,
    ))
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
