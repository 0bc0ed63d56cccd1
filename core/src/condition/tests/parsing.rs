//! Reading and printing conditions.

use super::*;
use crate::diagnostic::Code;

fn parsed(source: &str) -> Expr {
    match parse(source) {
        Ok(e) => e,
        Err(d) => unreachable!("`{source}` should parse: {d}"),
    }
}

fn printed(source: &str) -> String {
    parsed(source).to_string()
}

fn parse_error(source: &str) -> Diagnostic {
    match parse(source) {
        Ok(e) => unreachable!("`{source}` should not parse, got {e}"),
        Err(d) => d,
    }
}

fn number(source: &str) -> NumberLit {
    match parsed(source).kind {
        ExprKind::Number(n) => n,
        other => unreachable!("not a number: {other:?}"),
    }
}

#[test]
fn reads_number_literals() {
    assert_eq!(number("90").value, 90.0);
    assert_eq!(number("0.5").value, 0.5);
    assert_eq!(number("1e3").value, 1000.0);
    assert_eq!(number("1E3").value, 1000.0);
    assert_eq!(number("2.5e-3").value, 0.0025);
    assert_eq!(number("1e+2").value, 100.0);
    assert_eq!(number("1_000").value, 1000.0);
    assert_eq!(number("1_000.000_5").value, 1000.0005);
    assert_eq!(number("90").unit, None);
}

#[test]
fn reads_every_unit_suffix() {
    for unit in crate::units::SUFFIX_UNITS {
        let source = format!("3{}", unit.symbol);
        let n = number(&source);
        assert_eq!(n.unit.map(|u| u.symbol), Some(unit.symbol), "{source}");
        assert_eq!(n.base_value(), unit.to_base(3.0), "{source}");
        assert_eq!(printed(&source), source);
    }
    assert_eq!(number("90%").base_value(), 0.9);
    assert_eq!(number("500ms").base_value(), 500.0);
    assert_eq!(number("5m").base_value(), 300_000.0);
    assert_eq!(number("2h").base_value(), 7_200_000.0);
    assert_eq!(number("1d").base_value(), 86_400_000.0);
    assert_eq!(number("500KB").base_value(), 500_000.0);
    assert_eq!(number("1KiB").base_value(), 1024.0);
    assert_eq!(number("1.5e3ms").base_value(), 1500.0);
}

#[test]
fn reads_metric_names_and_keywords() {
    assert_eq!(
        parsed("tests.e2e_green").kind,
        ExprKind::Metric("tests.e2e_green".into())
    );
    assert_eq!(
        parsed("_a.b_c.d1").kind,
        ExprKind::Metric("_a.b_c.d1".into())
    );
    assert_eq!(parsed("true").kind, ExprKind::Bool(true));
    assert_eq!(parsed("false").kind, ExprKind::Bool(false));
    // Keywords only as whole names.
    assert_eq!(parsed("android").kind, ExprKind::Metric("android".into()));
    assert_eq!(
        parsed("order.total").kind,
        ExprKind::Metric("order.total".into())
    );
}

#[test]
fn spans_point_into_the_source() {
    let source = "  coverage >= 90%  and (p95_latency < 500ms)";
    let e = parsed(source);
    assert_eq!(
        spanned(source, e.span),
        "coverage >= 90%  and (p95_latency < 500ms)"
    );
    let ExprKind::Logic { operands, .. } = &e.kind else {
        unreachable!("not logic")
    };
    assert_eq!(spanned(source, operands[0].span), "coverage >= 90%");
    // A parenthesised operand's span includes its parentheses.
    assert_eq!(spanned(source, operands[1].span), "(p95_latency < 500ms)");
    let ExprKind::Compare { lhs, rhs, .. } = &operands[0].kind else {
        unreachable!("not compare")
    };
    assert_eq!(spanned(source, lhs.span), "coverage");
    assert_eq!(spanned(source, rhs.span), "90%");
}

#[test]
fn precedence_and_associativity() {
    let cases = [
        ("a or b and c", "a or b and c"),
        ("(a or b) and c", "(a or b) and c"),
        ("a and b or c and d", "a and b or c and d"),
        ("not a and b", "not a and b"),
        ("not (a and b)", "not (a and b)"),
        ("not a < b", "not a < b"),
        ("(not a) == b", "(not a) == b"),
        ("a + b * c", "a + b * c"),
        ("(a + b) * c", "(a + b) * c"),
        ("a - b - c", "a - b - c"),
        ("a - (b - c)", "a - (b - c)"),
        ("(a - b) - c", "(a - b) - c"),
        ("a / b / c", "a / b / c"),
        ("a / (b * c)", "a / (b * c)"),
        ("-a * b", "-a * b"),
        ("-(a * b)", "-(a * b)"),
        ("- -a", "--a"),
        ("a - -b", "a - -b"),
        ("not not a", "not not a"),
        ("!a && b || c", "not a and b or c"),
        ("(a < b) == c", "(a < b) == c"),
        ("a == (b < c)", "a == (b < c)"),
        ("((a))", "a"),
        ("min(a, b + 1, max(c, d))", "min(a, b + 1, max(c, d))"),
        ("present(tests.total)", "present(tests.total)"),
        ("abs(-a)", "abs(-a)"),
        ("1_000ms", "1000ms"),
        ("0.50%", "0.5%"),
        ("1e300", "1e300"),
        ("1e-7", "1e-7"),
        ("0.00001", "0.00001"),
        ("123456789012345678", "1.2345678901234568e17"),
    ];
    for (source, canonical) in cases {
        let e = parsed(source);
        assert_eq!(e.to_string(), canonical, "{source}");
        let again = parsed(canonical);
        assert!(again.same_as(&e), "{source} → {canonical}");
    }
}

#[test]
fn spelled_operators_are_the_same() {
    assert!(parsed("a && b || !c").same_as(&parsed("a and b or not c")));
    assert!(!parsed("a and b").same_as(&parsed("a or b")));
    assert!(!parsed("(a and b) and c").same_as(&parsed("a and b and c")));
    assert!(!parsed("90%").same_as(&parsed("0.9")));
}

#[test]
fn chains_are_n_ary() {
    let e = parsed("a and b and c");
    let ExprKind::Logic {
        op: LogicOp::And,
        operands,
    } = &e.kind
    else {
        unreachable!("not and")
    };
    assert_eq!(operands.len(), 3);
    let e = parsed("a + b - c");
    let ExprKind::Arith { rest, .. } = &e.kind else {
        unreachable!("not arith")
    };
    assert_eq!(
        rest.iter().map(|(op, _)| *op).collect::<Vec<_>>(),
        [ArithOp::Add, ArithOp::Sub]
    );
}

#[test]
fn canonical_text_of_a_policy_condition() {
    assert_eq!(
        printed("coverage>=90%&&critical_vulns==0&&(high_vulns<=2||!tests.e2e_green)"),
        "coverage >= 90% and critical_vulns == 0 and (high_vulns <= 2 or not tests.e2e_green)"
    );
}

#[test]
fn metric_names_in_order() {
    let e = parsed("b > 1 and a > b and present(c) or a == 1");
    assert_eq!(e.metric_names(), ["b", "a", "c"]);
}

// ---- syntax errors ---------------------------------------------------------------------

fn assert_syntax(source: &str, message: &str, at: (usize, usize)) -> Diagnostic {
    let d = parse_error(source);
    assert_eq!(d.code, Code::ConditionSyntax, "{source}: {d}");
    assert_eq!(d.message, message, "{source}");
    assert_eq!(d.primary_span(), Some(Span::new(at.0, at.1)), "{source}");
    d
}

#[test]
fn reports_missing_operands() {
    assert_syntax(
        "coverage >= 90% and",
        "expected an operand after `and`, found end of condition",
        (19, 19),
    );
    assert_syntax(
        "coverage >=",
        "expected an operand after `>=`, found end of condition",
        (11, 11),
    );
    assert_syntax(
        "coverage >= )",
        "expected an operand after `>=`, found `)`",
        (12, 13),
    );
    assert_syntax("", "expected a condition, found end of condition", (0, 0));
    assert_syntax(
        "   ",
        "expected a condition, found end of condition",
        (3, 3),
    );
    assert_syntax("and x", "expected a condition, found `and`", (0, 3));
    assert_syntax(
        "not",
        "expected an operand after `not`, found end of condition",
        (3, 3),
    );
    assert_syntax(
        "a + * b",
        "expected an operand after `+`, found `*`",
        (4, 5),
    );
    assert_syntax(
        "min(a, )",
        "expected an operand after `,`, found `)`",
        (7, 8),
    );
    let d = assert_syntax("x > +5", "expected an operand after `>`, found `+`", (4, 5));
    assert_eq!(d.help.as_deref(), Some("numbers need no `+` sign"));
}

#[test]
fn reports_missing_operators_and_parentheses() {
    let d = assert_syntax(
        "coverage 90%",
        "expected an operator after `coverage`, found `90%`",
        (9, 12),
    );
    assert_eq!(d.help, None);
    let d = assert_syntax(
        "p95_latency < 500 ms",
        "expected an operator after `500`, found `ms`",
        (18, 20),
    );
    assert_eq!(
        d.help.as_deref(),
        Some("write the unit right after the number, without a space: `500ms`")
    );
    let d = assert_syntax(
        "a > 1 AND b",
        "expected an operator after `1`, found `AND`",
        (6, 9),
    );
    assert_eq!(d.help.as_deref(), Some("keywords are lowercase: `and`"));
    let d = assert_syntax(
        "(a > 1 and b",
        "expected an operator or `)` after `b`, found end of condition",
        (12, 12),
    );
    assert_eq!(label_texts("(a > 1 and b", &d), ["", "("]);
    assert_syntax("(a > 1) )", "unmatched `)`", (8, 9));
    assert_syntax(
        "min(a b)",
        "expected `,` or `)` after `a`, found `b`",
        (6, 7),
    );
}

#[test]
fn comparisons_do_not_chain() {
    let d = assert_syntax(
        "1 < x < 3",
        "comparisons cannot be chained: `<` follows a comparison",
        (6, 7),
    );
    assert_eq!(label_texts("1 < x < 3", &d), ["<", "1 < x"]);
    assert!(d.help.as_deref().is_some_and(|h| h.contains("and")));
    assert_syntax(
        "a == b != c",
        "comparisons cannot be chained: `!=` follows a comparison",
        (7, 9),
    );
}

#[test]
fn reports_bad_characters() {
    let d = assert_syntax("a = 1", "unexpected `=`", (2, 3));
    assert_eq!(d.help.as_deref(), Some("use `==` to compare values"));
    let d = assert_syntax("a => 1", "unexpected `=`", (2, 3));
    assert_eq!(d.help.as_deref(), Some("did you mean `>=`?"));
    let d = assert_syntax("a & b", "unexpected `&`", (2, 3));
    assert_eq!(d.help.as_deref(), Some("use `and` (or `&&`)"));
    let d = assert_syntax("a | b", "unexpected `|`", (2, 3));
    assert_eq!(d.help.as_deref(), Some("use `or` (or `||`)"));
    let d = assert_syntax("coverage >= 90 %", "unexpected `%`", (15, 16));
    assert!(
        d.help
            .as_deref()
            .is_some_and(|h| h.contains("without a space"))
    );
    let d = assert_syntax("x > .5", "unexpected `.`", (4, 5));
    assert!(d.help.as_deref().is_some_and(|h| h.contains("0.5")));
    assert_syntax("name == \"x\"", "unexpected `\"`", (8, 9));
    assert_syntax("a\u{7}", "unexpected `\\u{7}`", (1, 2));
    assert_syntax("a > 1 # comment", "unexpected `#`", (6, 7));
    // Multi-byte characters get whole-character spans.
    assert_syntax("a ≥ 1", "unexpected `≥`", (2, 5));
    assert_syntax("tests. > 1", "expected a name after `tests.`", (5, 6));
    assert_syntax("tests.2xx > 1", "expected a name after `tests.`", (5, 6));
    assert_syntax("x > 1.", "expected a digit after `1.`", (5, 6));
    // Non-ASCII whitespace separates tokens.
    assert!(parse("a\u{a0}>\u{2003}1").is_ok());
}

#[test]
fn reports_unknown_units() {
    let cases = [
        ("coverage >= 90pct", "pct", (14, 17), "did you mean `%`?"),
        ("bundle_size < 5kb", "kb", (15, 17), "did you mean `KB`?"),
        ("p95_latency < 2secs", "secs", (15, 19), "did you mean `s`?"),
        ("p95_latency < 2mss", "mss", (15, 18), "did you mean `ms`?"),
    ];
    for (source, unit, at, help) in cases {
        let d = parse_error(source);
        assert_eq!(d.code, Code::UnknownUnit, "{source}");
        assert_eq!(d.message, format!("unknown unit `{unit}`"));
        assert_eq!(d.primary_span(), Some(Span::new(at.0, at.1)), "{source}");
        assert_eq!(d.help.as_deref(), Some(help), "{source}");
    }
    let d = parse_error("x < 5zzz");
    assert_eq!(d.code, Code::UnknownUnit);
    assert!(
        d.help
            .as_deref()
            .is_some_and(|h| h.starts_with("the units are `%`, `ms`")),
        "{d:?}"
    );
}

#[test]
fn reports_unknown_functions_and_arity() {
    let d = parse_error("avg(coverage) > 1");
    assert_eq!(
        (d.code, d.message.as_str()),
        (Code::UnknownFunction, "unknown function `avg`")
    );
    assert_eq!(d.primary_span(), Some(Span::new(0, 3)));
    let d = parse_error("maxi(a, b) > 1");
    assert_eq!(d.help.as_deref(), Some("did you mean `max`?"));
    let d = parse_error("abs(a, b) > 1");
    assert_eq!(
        (d.code, d.message.as_str()),
        (Code::UnknownFunction, "`abs` takes 1 argument, found 2")
    );
    assert_eq!(d.primary_span(), Some(Span::new(0, 9)));
    let d = parse_error("min(a) > 1");
    assert_eq!(d.message, "`min` takes at least 2 arguments, found 1");
    let d = parse_error("present()");
    assert_eq!(d.message, "`present` takes 1 argument, found none");
    let d = parse_error("missing(a, b)");
    assert_eq!(d.message, "`missing` takes 1 argument, found 2");
}

// ---- limits ----------------------------------------------------------------------------

fn nested(depth: usize) -> String {
    format!("{}x > 1{}", "(".repeat(depth), ")".repeat(depth))
}

#[test]
fn nesting_up_to_the_limit_is_accepted() {
    let e = parsed(&nested(MAX_DEPTH));
    assert_eq!(e.to_string(), "x > 1");
    for prefix in ["not ", "-", "abs("] {
        let close = if prefix == "abs(" { ")" } else { "" };
        let ok = format!(
            "{}x{} > 1",
            prefix.repeat(MAX_DEPTH),
            close.repeat(MAX_DEPTH)
        );
        let _ = parsed(&ok);
        let deep = format!(
            "{}x{} > 1",
            prefix.repeat(MAX_DEPTH + 1),
            close.repeat(MAX_DEPTH + 1)
        );
        let d = parse_error(&deep);
        assert_eq!(d.code, Code::ConditionTooComplex, "{prefix}");
    }
}

#[test]
fn nesting_beyond_the_limit_is_e015() {
    let source = nested(MAX_DEPTH + 1);
    let d = parse_error(&source);
    assert_eq!(d.code, Code::ConditionTooComplex);
    assert_eq!(
        d.message,
        "the condition is nested more than 64 levels deep"
    );
    assert_eq!(d.primary_span(), Some(Span::new(64, 65)));
}

#[test]
fn huge_nesting_fails_fast_without_overflowing() {
    // Too long…
    let d = parse_error(&"(".repeat(100_000));
    assert_eq!(d.code, Code::ConditionTooComplex);
    assert!(
        d.message
            .starts_with("the condition is too long (100000 bytes"),
        "{}",
        d.message
    );
    // …and within the length limit but too deep.
    for opener in ["(", "not ", "-", "!", "abs("] {
        let source = opener.repeat(MAX_SOURCE_LEN / opener.len());
        let d = parse_error(&source);
        assert_eq!(d.code, Code::ConditionTooComplex, "{opener}");
    }
}

#[test]
fn long_flat_conditions_are_fine() {
    // Chains are n-ary, so length does not mean depth: these compile, print and evaluate.
    let sum = format!("{} > 1", vec!["critical_vulns"; 3_000].join(" + "));
    let program = compile(&sum);
    assert_eq!(
        program.eval(&values(&[("critical_vulns", 1.0)])),
        Ok(Tri::True)
    );
    assert!(printed(&sum) == sum);
    let all = vec!["critical_vulns == 0"; 2_500].join(" and ");
    let program = compile(&all);
    assert_eq!(
        program.eval(&values(&[("critical_vulns", 0.0)])),
        Ok(Tri::True)
    );
    assert_eq!(program.slots(), [4]);
}

#[test]
fn the_deepest_mixed_nesting_evaluates() {
    // Every nesting level adds as many tree levels as the grammar allows.
    let mut source = String::from("critical_vulns");
    // Each step nests 3 levels and the frame around them 4: 20 steps reach exactly 64.
    for i in 0..20 {
        source = if i % 2 == 0 {
            format!("1 + 2 * -abs(critical_vulns - (1 * {source}))")
        } else {
            format!("max(1, -(2 * {source} + 1))")
        };
    }
    let condition =
        format!("not not (critical_vulns > 1 or ({source} > 0 and present(high_vulns)))");
    let too_deep =
        format!("not not (critical_vulns > 1 or (-{source} > 0 and present(high_vulns)))");
    assert_eq!(
        parse(&too_deep).map_err(|d| d.code).err(),
        Some(Code::ConditionTooComplex)
    );
    let program = compile(&condition);
    let record = values(&[("critical_vulns", 1.0), ("high_vulns", 2.0)]);
    assert!(program.eval(&record).is_ok());
    assert!(program.explain(&record, &name_of).is_ok());
    assert_columns_agree(&program, &[record]);
    assert!(parsed(&printed(&condition)).same_as(&parsed(&condition)));
}

#[test]
fn literals_too_large_are_not_finite_numbers() {
    for (source, literal) in [
        ("x > 1e400", "1e400"),
        ("x > 1e300TiB", "1e300TiB"),
        ("x > 1e400ms", "1e400ms"),
        ("x < -1e999", "1e999"),
    ] {
        let d = parse_error(source);
        assert_eq!(d.code, Code::NonFinite, "{source}: {d}");
        assert_eq!(d.message, format!("number `{literal}` is too large"));
        let at = source.find(literal).unwrap_or(0);
        assert_eq!(
            d.primary_span(),
            Some(Span::new(at, at + literal.len())),
            "{source}"
        );
    }
}
