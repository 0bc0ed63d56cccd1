//! Property tests: the parser never panics, and printing round-trips.

use super::*;
use crate::units::SUFFIX_UNITS;
use proptest::prelude::*;

fn e(kind: ExprKind) -> Expr {
    Expr {
        kind,
        span: Span::default(),
    }
}

fn number() -> impl Strategy<Value = NumberLit> {
    let value = prop_oneof![
        Just(0.0),
        Just(90.0),
        Just(0.5),
        Just(1e-7),
        Just(1e250),
        (0u32..1_000_000).prop_map(f64::from),
        (0.0..1e6f64),
        any::<f64>().prop_filter_map("finite", |v| {
            let v = v.abs();
            (v.is_finite() && v < 1e250).then_some(v)
        }),
    ];
    let unit = prop_oneof![
        Just(None),
        (0..SUFFIX_UNITS.len()).prop_map(|i| Some(SUFFIX_UNITS[i]))
    ];
    (value, unit).prop_map(|(value, unit)| NumberLit::new(value, unit))
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("coverage".to_owned()),
        Just("tests.e2e_green".to_owned()),
        Just("android".to_owned()),
        Just("_x.y_1".to_owned()),
        "[a-z_][a-z0-9_]{0,6}(\\.[a-z_][a-z0-9_]{0,4}){0,2}".prop_filter("not a keyword", |n| {
            !["and", "or", "not", "true", "false"].contains(&n.as_str())
        }),
    ]
}

fn cmp_op() -> impl Strategy<Value = CmpOp> {
    prop_oneof![
        Just(CmpOp::Lt),
        Just(CmpOp::Le),
        Just(CmpOp::Gt),
        Just(CmpOp::Ge),
        Just(CmpOp::Eq),
        Just(CmpOp::Ne)
    ]
}

/// Any tree the parser can produce (untyped), up to a small depth.
fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        number().prop_map(|n| e(ExprKind::Number(n))),
        any::<bool>().prop_map(|b| e(ExprKind::Bool(b))),
        name().prop_map(|n| e(ExprKind::Metric(n))),
    ];
    leaf.prop_recursive(6, 48, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(|x| e(ExprKind::Not(Box::new(x)))),
            inner.clone().prop_map(|x| e(ExprKind::Neg(Box::new(x)))),
            (any::<bool>(), prop::collection::vec(inner.clone(), 2..4)).prop_map(
                |(and, operands)| {
                    let op = if and { LogicOp::And } else { LogicOp::Or };
                    e(ExprKind::Logic { op, operands })
                }
            ),
            (cmp_op(), inner.clone(), inner.clone()).prop_map(|(op, lhs, rhs)| {
                e(ExprKind::Compare {
                    op,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                })
            }),
            (
                any::<bool>(),
                inner.clone(),
                prop::collection::vec((any::<bool>(), inner.clone()), 1..4)
            )
                .prop_map(|(multiplicative, first, rest)| {
                    let rest = rest
                        .into_iter()
                        .map(|(second, x)| {
                            let op = match (multiplicative, second) {
                                (false, false) => ArithOp::Add,
                                (false, true) => ArithOp::Sub,
                                (true, false) => ArithOp::Mul,
                                (true, true) => ArithOp::Div,
                            };
                            (op, x)
                        })
                        .collect();
                    e(ExprKind::Arith {
                        first: Box::new(first),
                        rest,
                    })
                }),
            (0..Func::ALL.len(), prop::collection::vec(inner, 2..4)).prop_map(|(i, mut args)| {
                let func = Func::ALL[i];
                if !func.is_variadic() {
                    args.truncate(1);
                }
                e(ExprKind::Call { func, args })
            }),
        ]
    })
}

/// Text made of the language's own pieces, to reach deep into the parser.
fn token_soup() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("coverage"),
        Just("tests.e2e_green"),
        Just("90%"),
        Just("500ms"),
        Just("1e3"),
        Just("0"),
        Just("and"),
        Just("or"),
        Just("not"),
        Just("&&"),
        Just("||"),
        Just("!"),
        Just("true"),
        Just("<"),
        Just("<="),
        Just(">"),
        Just(">="),
        Just("=="),
        Just("!="),
        Just("="),
        Just("+"),
        Just("-"),
        Just("*"),
        Just("/"),
        Just("("),
        Just(")"),
        Just(","),
        Just("min("),
        Just("abs("),
        Just("present("),
        Just("foo("),
        Just("."),
        Just("1."),
        Just("90pct"),
        Just(" "),
        Just("1_"),
        Just("e"),
        Just("%"),
    ];
    prop::collection::vec(pieces, 0..40).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn parse_never_panics(text in any::<String>()) {
        let _ = parse(&text);
        let _ = compile_condition(&text, &metrics());
    }

    #[test]
    fn parse_never_panics_on_token_soup(text in token_soup()) {
        if let Ok(tree) = parse(&text) {
            // Whatever parses prints to text that parses to the same tree.
            let printed = tree.to_string();
            let again = parse(&printed);
            prop_assert!(again.as_ref().is_ok_and(|t| t.same_as(&tree)), "{text} → {printed}");
            if let Ok(program) = compile_condition(&text, &metrics()) {
                let record = vec![1.0; SLOTS];
                let _ = program.eval(&record);
                let _ = program.explain(&record, &name_of);
            }
        }
    }

    #[test]
    fn printing_round_trips(tree in expr()) {
        let printed = tree.to_string();
        let parsed = parse(&printed);
        prop_assert!(parsed.is_ok(), "{printed}: {:?}", parsed.err());
        let parsed = parsed.unwrap_or(tree.clone());
        prop_assert!(parsed.same_as(&tree), "{printed} → {parsed}");
        // Canonical text is a fixed point.
        prop_assert_eq!(parsed.to_string(), printed);
    }
}

proptest! {
    /// An `and` of metric-versus-constant tests, evaluated by the branch-free loop, agrees
    /// with the general walk, data or no data (NaN), at and around each constant.
    #[test]
    fn conjunctions_evaluate_like_the_general_walk(
        tests in prop::collection::vec((0usize..4, cmp_op(), -2i32..3), 2..7),
        record in prop::collection::vec(prop_oneof![Just(f64::NAN), (-2i32..3).prop_map(f64::from)], 4),
    ) {
        let names = ["critical_vulns", "high_vulns", "tests.failed", "tests.total"];
        let source = tests
            .iter()
            .map(|&(m, op, k)| format!("{} {} {k}", names[m], op.symbol()))
            .collect::<Vec<_>>()
            .join(" and ");
        let program = compile(&source);
        prop_assert!(program.conjunction.is_some(), "{source}");
        let mut slots = vec![f64::NAN; 12];
        for (name, &value) in names.iter().zip(&record) {
            let slot = metric_list().iter().find(|(n, _, _)| n == name).map(|m| m.1);
            slots[slot.unwrap_or_default()] = value;
        }
        let fast = program.eval(&slots).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let walked = program.eval_bool(program.root, &slots).map_err(|_| TestCaseError::fail("fault"))?;
        prop_assert_eq!(fast, walked, "{} on {:?}", source, record);
    }
}
