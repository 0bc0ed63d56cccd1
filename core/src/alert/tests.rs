//! Unit tests of the alert engine's parts; the behaviour is tested by the conformance corpus
//! (`tests/conformance/alerts/`).

#![allow(clippy::panic, reason = "a test fails by panicking")]
use super::matcher::{Labels, MatchOp, Matcher, could_overlap};
use crate::diagnostic::Span;

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn matchers_read_every_operator_and_anchor_regexes() {
    let m =
        Matcher::parse("service=~\"api|web\"", Span::default()).unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(m.op, MatchOp::Re);
    assert!(m.matches(&labels(&[("service", "api")])));
    assert!(!m.matches(&labels(&[("service", "api2")])));
    let ne = Matcher::parse("team!=db", Span::default()).unwrap_or_else(|d| panic!("{d}"));
    assert!(
        ne.matches(&labels(&[])),
        "a missing label is the empty string"
    );
    let eq_empty = Matcher::parse("team=\"\"", Span::default()).unwrap_or_else(|d| panic!("{d}"));
    assert!(eq_empty.matches(&labels(&[])));
    assert!(Matcher::parse("x=~\"(\"", Span::default()).is_err());
    assert!(Matcher::parse("novalue", Span::default()).is_err());
}

#[test]
fn overlap_rules_out_only_contradictions() {
    let p = |t: &str| Matcher::parse(t, Span::default()).unwrap_or_else(|d| panic!("{d}"));
    assert!(!could_overlap(
        &[p("severity=critical")],
        &[p("severity=warning")]
    ));
    assert!(could_overlap(
        &[p("severity=critical")],
        &[p("alertname=X")]
    ));
    assert!(!could_overlap(
        &[p("severity=critical")],
        &[p("severity=~\"warn.*\"")]
    ));
}

mod properties;
