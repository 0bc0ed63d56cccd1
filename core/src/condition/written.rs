//! Compiling a condition as written in a policy: its diagnostics pointed into the policy text.
//!
//! Every section that declares conditions (criteria, rollback triggers) compiles them here, so
//! a problem inside a condition is labelled at the same place whichever section wrote it.

use super::{MetricLookup, Program, compile_condition, compile_number};
use crate::diagnostic::Diagnostic;
use crate::document::Spanned;
use crate::units::Unit;

/// Compiles the condition `source`, read from the policy `text`, against `metrics`. Returns the
/// program and the byte offset in `text` where the condition's own characters start (the
/// value's span start when they cannot be found there). On error the condition's diagnostics
/// are added to `diagnostics`, shifted into `text` (or, when escapes make the written text
/// differ from the value, labelled at the whole value), and `None` is returned.
pub(crate) fn compile_written(
    text: &str,
    source: &Spanned<String>,
    metrics: &dyn MetricLookup,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(Program, usize)> {
    let offset = locate(text, source);
    match compile_condition(&source.value, metrics) {
        Ok(program) => Some((program, offset.unwrap_or(source.span.start))),
        Err(found) => {
            diagnostics.extend(found.into_iter().map(|d| match offset {
                Some(offset) => d.shifted(offset),
                None => d.relabelled(source.span),
            }));
            None
        }
    }
}

/// [`compile_written`] for a numeric expression ([`compile_number`]): the program, the unit its
/// values are shown in, and where its characters start in `text`.
pub(crate) fn compile_written_number(
    text: &str,
    source: &Spanned<String>,
    metrics: &dyn MetricLookup,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(Program, Unit, usize)> {
    let offset = locate(text, source);
    match compile_number(&source.value, metrics) {
        Ok((program, unit)) => Some((program, unit, offset.unwrap_or(source.span.start))),
        Err(found) => {
            diagnostics.extend(found.into_iter().map(|d| match offset {
                Some(offset) => d.shifted(offset),
                None => d.relabelled(source.span),
            }));
            None
        }
    }
}

/// Where in the policy text the condition's own characters start, when they are written there
/// as they read (plain, or quoted without escapes); `None` when escapes make the written text
/// differ, so positions inside the condition cannot be mapped.
fn locate(text: &str, source: &Spanned<String>) -> Option<usize> {
    let span = source.span;
    text.get(span.start..span.end)
        .and_then(|written| written.find(source.value.as_str()))
        .map(|i| span.start + i)
}
