use super::*;
use kiro::{Code, Span};

fn policy_file(text: &str) -> SourceFile {
    SourceFile {
        source: "policy".to_owned(),
        name: "kiro.yaml".to_owned(),
        text: text.to_owned(),
    }
}

#[test]
fn a_diagnostic_shows_the_line_a_caret_the_code_and_the_help() {
    let file = policy_file("name: demo\ngates:\n  - nmae: x\n");
    let diagnostic = Diagnostic::error(Code::UnknownField, "unknown field `nmae`")
        .with_label(Span::new(22, 26), "not a gate field")
        .with_help("did you mean `name`?")
        .with_source("policy");
    let text = render(&Failure::in_source(&[diagnostic], &file), false);
    assert!(
        text.starts_with("error[KIRO-E002]: unknown field `nmae`\n"),
        "{text}"
    );
    assert!(text.contains("kiro.yaml:3:5"), "{text}");
    assert!(text.contains("3 |   - nmae: x"), "{text}");
    assert!(text.contains("^^^^ not a gate field"), "{text}");
    assert!(text.contains("help: did you mean `name`?"), "{text}");
    assert!(!text.contains('\x1b'));
    assert!(render(&Failure::in_source(&[], &file), true).is_empty());
}

#[test]
fn spans_outside_the_text_do_not_panic() {
    let file = policy_file("é\n");
    for (start, end) in [(0, 1), (1, 2), (5, 9), (3, 3), (2, 0)] {
        let diagnostic =
            Diagnostic::error(Code::Syntax, "bad").with_label(Span::new(start, end), "here");
        let text = render(&Failure::in_source(&[diagnostic], &file), false);
        assert!(text.contains("KIRO-E001"), "{text}");
    }
    assert_eq!(clamp("é", 1, 1), 0..2);
    assert_eq!(clamp("aé", 1, 2), 1..3);
    assert_eq!(clamp("a", 7, 9), 1..1);
}

#[test]
fn several_diagnostics_end_with_a_count() {
    let file = policy_file("a: 1\nb: 2\n");
    let diagnostics = [
        Diagnostic::error(Code::UnknownField, "unknown field `a`").with_label(Span::new(0, 1), ""),
        Diagnostic::error(Code::UnknownField, "unknown field `b`").with_label(Span::new(5, 6), ""),
    ];
    let text = render(&Failure::in_source(&diagnostics, &file), false);
    assert!(text.ends_with("error: 2 problems found\n"), "{text}");
}

#[test]
fn a_diagnostic_without_a_place_names_its_file() {
    let file = policy_file("");
    let diagnostic = Diagnostic::error(Code::TooLarge, "too large").with_source("policy");
    let text = render(&Failure::in_source(&[diagnostic], &file), false);
    assert!(text.contains("kiro.yaml"), "{text}");
}

#[test]
fn io_failures_have_no_code() {
    let text = render(
        &Failure::io("cannot read policy file `x`: no such file"),
        false,
    );
    assert_eq!(text, "error: cannot read policy file `x`: no such file\n");
}
