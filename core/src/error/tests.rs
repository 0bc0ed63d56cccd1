#![allow(
    clippy::panic,
    reason = "the tests panic on purpose to test the panic boundary"
)]

use super::*;
use crate::policy::CompiledPolicy;

#[test]
fn a_kiro_error_keeps_its_kind_message_and_diagnostics() {
    let Err(policy) = CompiledPolicy::from_text("name: [", None) else {
        panic!("the policy should not compile");
    };
    let boundary = BoundaryError::from_kiro(&policy);
    assert_eq!(boundary.kind, ErrorKind::Policy);
    assert_eq!(boundary.message, policy.to_string());
    assert_eq!(boundary.diagnostics, policy.diagnostics());
    assert_eq!(boundary.code(), policy.code());
    assert_eq!(BoundaryError::from(policy), boundary);

    let check = CheckError::Evaluation(vec![
        Diagnostic::error(Code::DivisionByZero, "division by zero"),
        Diagnostic::error(Code::DivisionByZero, "division by zero again"),
    ]);
    let boundary = BoundaryError::from(check.clone());
    assert_eq!(boundary.kind, ErrorKind::Evaluation);
    assert_eq!(boundary.message, "KIRO-E016: division by zero (and 1 more)");
    assert_eq!(boundary.message, check.to_string());
    assert_eq!(boundary.diagnostics.len(), 2);
}

#[test]
fn one_diagnostic_makes_the_message() {
    let diagnostic = Diagnostic::error(Code::UnsupportedFormat, "unknown format `ini`");
    let error = BoundaryError::new(ErrorKind::Input, diagnostic.clone());
    assert_eq!(error.message, "KIRO-E007: unknown format `ini`");
    assert_eq!(error.to_string(), error.message);
    assert_eq!(error.diagnostics, [diagnostic]);
    assert_eq!(error.code(), Code::UnsupportedFormat);
    assert_eq!(KiroError::kind(&error), ErrorKind::Input);
}

#[test]
fn input_errors_are_about_the_metrics() {
    let error = BoundaryError::input(Code::InvalidMetricValue, "metric `a` is bad");
    assert_eq!(error.kind, ErrorKind::Input);
    assert_eq!(error.code(), Code::InvalidMetricValue);
    assert_eq!(error.diagnostics[0].source.as_deref(), Some("metrics"));
    assert_eq!(error.message, "KIRO-E022: metric `a` is bad");
}

#[test]
fn batch_errors_are_input_errors_about_the_metrics() {
    let error = CheckError::invalid_batch("column `a` is given twice");
    assert_eq!(error.kind(), ErrorKind::Input);
    assert_eq!(error.code(), Code::InvalidBatch);
    assert_eq!(
        BoundaryError::from(error),
        BoundaryError::input(Code::InvalidBatch, "column `a` is given twice")
    );
}

#[test]
fn internal_errors_ask_for_a_report() {
    let error = BoundaryError::internal("oops at lib.rs:3");
    assert_eq!(error.kind, ErrorKind::Internal);
    assert_eq!(error.code(), Code::Internal);
    assert_eq!(error.message, "KIRO-E099: internal error: oops at lib.rs:3");
    assert_eq!(
        error.diagnostics[0].help.as_deref(),
        Some("this is a bug in kiro; please report it with the input that caused it")
    );
}

#[test]
fn panic_messages_come_from_str_and_string_payloads() {
    let text: Box<dyn Any + Send> = Box::new("static text");
    assert_eq!(panic_message(text.as_ref()), "static text");
    let owned: Box<dyn Any + Send> = Box::new(String::from("formatted 42"));
    assert_eq!(panic_message(owned.as_ref()), "formatted 42");
    let other: Box<dyn Any + Send> = Box::new(42_u8);
    assert_eq!(panic_message(other.as_ref()), "a panic without a message");
    assert_eq!(
        BoundaryError::from_panic(owned.as_ref()),
        BoundaryError::internal("formatted 42")
    );
}

#[test]
fn a_panic_becomes_e099() {
    let caught = catch_panic(|| -> u8 { panic!("boom {}", 7) });
    let guarded = guard(|| -> Result<u8, CheckError> { panic!("bang") });
    let Err(caught) = caught else {
        panic!("the panic should be caught");
    };
    assert_eq!(caught.kind, ErrorKind::Internal);
    assert_eq!(caught.code(), Code::Internal);
    assert_eq!(caught.code().as_str(), "KIRO-E099");
    assert_eq!(caught.message, "KIRO-E099: internal error: boom 7");
    assert_eq!(guarded, Err(BoundaryError::internal("bang")));
}

#[test]
fn guard_passes_values_and_maps_errors() {
    assert_eq!(catch_panic(|| 5), Ok(5));
    assert_eq!(guard(|| Ok::<_, CheckError>("fine")), Ok("fine"));
    let error = CheckError::invalid_batch("column `a` is given twice");
    assert_eq!(
        guard(|| Err::<(), _>(error.clone())),
        Err(BoundaryError::from(error))
    );
}

#[test]
fn an_error_in_policy_text_shows_the_line_and_a_caret_under_the_label() {
    use crate::api::HostPolicy;
    use crate::diagnostic::OffsetUnit;
    let text = "name: t\ngatse: []\n";
    let shown = |unit| match HostPolicy::load(text, None, unit) {
        Ok(_) => panic!("an unknown key is an error"),
        Err(e) => e.shown(),
    };
    let expected = "KIRO-E002: unknown field `gatse`\n  --> policy:2:1\n   |\n 2 | gatse: []\n   | ^^^^^ unknown field\n  = help: did you mean `gates`?";
    // The same in every host's unit: the caret counts characters, not offsets.
    for unit in [OffsetUnit::Utf8, OffsetUnit::Utf16, OffsetUnit::CodePoints] {
        assert_eq!(shown(unit), expected);
    }
}

#[test]
fn an_excerpt_counts_characters_keeps_tabs_and_cuts_long_lines() {
    use crate::diagnostic::{Excerpt, Span};
    let excerpt = |text: &str, start: usize, end: usize| {
        let d = Diagnostic::error(Code::Syntax, "x").with_label(Span::new(start, end), "here");
        Excerpt::of(&d, text).unwrap_or_else(|| panic!("an excerpt"))
    };
    let text = "a: 1\n\tnäme: größe\n";
    let start = text.find("größe").unwrap_or_default();
    let e = excerpt(text, start, start + "größe".len());
    assert_eq!((e.line, e.column, e.width), (2, 7, 5));
    assert_eq!(
        e.render(),
        "   |\n 2 | \tnäme: größe\n   | \t      ^^^^^ here\n"
    );
    // A span past its line is cut at the line's end; an empty span gets one caret.
    assert_eq!(excerpt("ab\ncd", 1, 5).width, 1);
    assert_eq!(excerpt("ab\ncd", 0, 0).width, 1);
    // A long line is shown around the label.
    let long = format!("{}X{}", "a".repeat(500), "b".repeat(500));
    let e = excerpt(&long, 500, 501);
    assert_eq!(e.text.chars().count(), 122);
    assert!(e.text.starts_with('…') && e.text.ends_with('…'));
    assert_eq!(e.text.chars().nth(e.column), Some('X'));
    // Offsets outside the text, or inside a character, give none.
    let d = Diagnostic::error(Code::Syntax, "x").with_label(Span::new(99, 100), "here");
    assert_eq!(Excerpt::of(&d, "short"), None);
    let d = Diagnostic::error(Code::Syntax, "x").with_label(Span::new(1, 2), "here");
    assert_eq!(Excerpt::of(&d, "é"), None);
}
