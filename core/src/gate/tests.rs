//! The verdict path against the full check: over random policies (strict and scored gates,
//! warn conditions, every missing-data rule, key criteria, required personas, conditions that
//! can fail to compute) and random records (missing, wrong-typed, out-of-range, undeclared and
//! unit-bearing values), with random selections, the verdict path gives the full decision's
//! verdict and criterion outcomes, or the same error; and so does the typed record form.

#![allow(clippy::panic, reason = "tests")]

use super::{RecordVerdict, Selection};
use crate::error::KiroError;
use crate::metrics::RawValue;
use crate::{CompiledPolicy, Decision, GateKind, Outcome};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Conditions over the test metrics: `cov` (%), `vulns` and `total` (counts), `lat` (ms),
/// `ok` (bool), `frac` (ratio with a range).
const CONDITIONS: &[&str] = &[
    "cov >= 90%",
    "cov >= 80%",
    "vulns == 0",
    "vulns <= 1",
    "lat < 500ms",
    "lat < 800ms",
    "ok",
    "not ok",
    "vulns / total < 50%",
    "cov >= 85% and lat < 700ms",
    "vulns == 0 or ok",
    "frac < 50%",
    "cov - frac > 40%",
];

const RULES: &[&str] = &["", "pass", "warn", "fail", "inconclusive"];
const KINDS: &[&str] = &["pre-merge", "pre-deploy", "custom"];

#[derive(Debug, Clone)]
struct CriterionSpec {
    pass: usize,
    warn: Option<usize>,
    rule: usize,
    key: bool,
    weight: u8,
    owned_by_qa: bool,
    /// Informational (then neither key nor weighed).
    informational: bool,
}

#[derive(Debug, Clone)]
struct GateSpec {
    kind: usize,
    scored: Option<(u8, u8)>,
    owners: u8,
    criteria: Vec<CriterionSpec>,
}

fn criterion() -> impl Strategy<Value = CriterionSpec> {
    (
        0..CONDITIONS.len(),
        proptest::option::of(0..CONDITIONS.len()),
        0..RULES.len(),
        any::<bool>(),
        1u8..4,
        any::<bool>(),
        proptest::bool::weighted(0.25),
    )
        .prop_map(
            |(pass, warn, rule, key, weight, owned_by_qa, informational)| CriterionSpec {
                pass,
                warn,
                rule,
                key,
                weight,
                owned_by_qa,
                informational,
            },
        )
}

fn gate() -> impl Strategy<Value = GateSpec> {
    (
        0..KINDS.len(),
        proptest::option::of((50u8..100, 0u8..50)),
        0u8..4,
        proptest::collection::vec(criterion(), 1..5),
    )
        .prop_map(|(kind, scored, owners, criteria)| GateSpec {
            kind,
            scored,
            owners,
            criteria,
        })
}

/// The policy text of `gates`, with a required persona `qa` accepting `max` conditions.
fn policy_text(gates: &[GateSpec], max: u8) -> String {
    let mut text = format!(
        "name: prop\nmetrics:\n  cov: {{unit: \"%\"}}\n  vulns: {{}}\n  total: {{}}\n  \
         lat: {{unit: ms}}\n  ok: {{unit: bool}}\n  frac: {{unit: ratio, range: [0, 1]}}\n\
         personas:\n  - {{name: qa, required: true, max_conditions: {max}}}\n  - {{name: sec}}\n\
         gates:\n"
    );
    for (g, gate) in gates.iter().enumerate() {
        let owners = match gate.owners {
            0 => "[]",
            1 => "[qa]",
            2 => "[sec]",
            _ => "[qa, sec]",
        };
        text.push_str(&format!(
            "  - name: g{g}\n    kind: {}\n    owners: {owners}\n",
            KINDS[gate.kind]
        ));
        if let Some((pass, warn)) = gate.scored {
            text.push_str(&format!("    score: {{pass: {pass}%, warn: {warn}%}}\n"));
        }
        text.push_str("    criteria:\n");
        for (c, criterion) in gate.criteria.iter().enumerate() {
            if criterion.informational {
                text.push_str(&format!(
                    "      - {{name: c{c}, pass: \"{}\", informational: true",
                    CONDITIONS[criterion.pass]
                ));
            } else {
                text.push_str(&format!(
                    "      - {{name: c{c}, pass: \"{}\", weight: {}, key: {}",
                    CONDITIONS[criterion.pass], criterion.weight, criterion.key
                ));
            }
            if let Some(w) = criterion.warn {
                text.push_str(&format!(", warn: \"{}\"", CONDITIONS[w]));
            }
            if !RULES[criterion.rule].is_empty() {
                text.push_str(&format!(", on_missing: {}", RULES[criterion.rule]));
            }
            if criterion.owned_by_qa {
                text.push_str(", owners: [qa]");
            }
            text.push_str("}\n");
        }
    }
    text
}

/// A value for metric `name`: mostly what fits, sometimes no data, a string with a unit,
/// the wrong type or out of range.
fn value(name: &'static str) -> impl Strategy<Value = Option<Value>> {
    let fitting: BoxedStrategy<Value> = match name {
        "cov" => (60u32..=100).prop_map(|v| json!(v)).boxed(),
        "vulns" | "total" => (0u32..3).prop_map(|v| json!(v)).boxed(),
        "lat" => prop_oneof![
            (0u32..1000).prop_map(|v| json!(v)),
            (0u32..2).prop_map(|s| json!(format!("{s}s"))),
        ]
        .boxed(),
        "ok" => any::<bool>().prop_map(Value::Bool).boxed(),
        _ => (0u32..=12).prop_map(|v| json!(f64::from(v) / 10.0)).boxed(),
    };
    prop_oneof![
        40 => fitting.prop_map(Some),
        4 => Just(Some(Value::Null)),
        4 => Just(None),
        1 => Just(Some(json!("12 parsecs"))),
        1 => Just(Some(json!(true))),
        1 => Just(Some(json!(7))),
    ]
}

fn record() -> impl Strategy<Value = Map<String, Value>> {
    (
        value("cov"),
        value("vulns"),
        value("total"),
        value("lat"),
        value("ok"),
        value("frac"),
        proptest::option::weighted(0.1, Just(json!(1))),
    )
        .prop_map(|(cov, vulns, total, lat, ok, frac, extra)| {
            let mut map = Map::new();
            for (name, v) in [
                ("cov", cov),
                ("vulns", vulns),
                ("total", total),
                ("lat", lat),
                ("ok", ok),
                ("frac", frac),
                ("covrage", extra),
            ] {
                if let Some(v) = v {
                    map.insert(name.to_owned(), v);
                }
            }
            map
        })
}

fn selection() -> impl Strategy<Value = Selection> {
    (
        proptest::option::weighted(0.2, 0usize..4),
        proptest::option::weighted(0.2, 0..KINDS.len()),
        proptest::bool::weighted(0.2),
    )
        .prop_map(|(gate, kind, strict)| Selection {
            gate: gate.map(|g| format!("g{g}")),
            kind: kind.and_then(|k| GateKind::parse(KINDS[k])),
            strict,
        })
}

/// The decision's criterion outcomes, flattened.
fn outcomes(decision: &Decision) -> Vec<Outcome> {
    decision
        .gates
        .iter()
        .flat_map(|g| g.criteria.iter().map(|c| c.outcome))
        .collect()
}

/// `object`'s values as a typed record: its names, and its values as raw values.
fn typed(object: &Map<String, Value>) -> (Vec<&str>, Vec<RawValue>) {
    let names = object.keys().map(String::as_str).collect();
    let values = object
        .values()
        .map(|v| match v {
            Value::Null => RawValue::Null,
            Value::Bool(b) => RawValue::Bool(*b),
            Value::String(s) => RawValue::Text(s.clone()),
            other => RawValue::Number(other.as_f64().unwrap_or(f64::NAN)),
        })
        .collect();
    (names, values)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_verdict_path_gives_the_decision_verdict(
        gates in proptest::collection::vec(gate(), 1..4),
        max in 0u8..3,
        records in proptest::collection::vec(record(), 1..8),
        selection in selection(),
    ) {
        let text = policy_text(&gates, max);
        let policy = CompiledPolicy::from_text(&text, None)
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        // One buffer for every record, as a loop over records would use it.
        let mut reused = RecordVerdict::new();
        for object in &records {
            let metrics = Value::Object(object.clone());
            let full = policy.check_value(&metrics, &selection);
            let fast = policy.verdict_value(&metrics, &selection);
            let into = policy.verdict_value_into(&metrics, &selection, &mut reused);
            let (names, values) = typed(object);
            let prepared = policy.record_check(&names, &selection);
            match (&full, &fast) {
                (Ok(decision), Ok(verdict)) => {
                    prop_assert_eq!(decision.verdict, verdict.verdict);
                    prop_assert_eq!(outcomes(decision), verdict.criteria.clone());
                    prop_assert!(into.is_ok());
                    prop_assert_eq!(&reused, verdict);
                    let prepared = prepared.unwrap_or_else(|e| panic!("{e}"));
                    let typed_decision = prepared.check(&values).unwrap_or_else(|e| panic!("{e}"));
                    prop_assert_eq!(
                        serde_json::to_string(&typed_decision).ok(),
                        serde_json::to_string(decision).ok()
                    );
                    let typed_verdict = prepared.verdict(&values).ok();
                    prop_assert_eq!(typed_verdict.as_ref(), Some(verdict));
                }
                (Err(a), Err(b)) => {
                    prop_assert_eq!(a.diagnostics(), b.diagnostics());
                    let into = into.err();
                    prop_assert_eq!(into.as_ref().map(|e| e.diagnostics()), Some(a.diagnostics()));
                    let typed_error = prepared.and_then(|p| p.verdict(&values)).err();
                    prop_assert_eq!(
                        typed_error.as_ref().map(|e| e.diagnostics()),
                        Some(a.diagnostics())
                    );
                }
                _ => prop_assert!(false, "check {full:?} but verdict {fast:?}"),
            }
        }
    }
}

#[test]
fn a_typed_record_needs_one_value_per_distinct_field() {
    let policy = CompiledPolicy::from_text(
        "name: t\nmetrics:\n  cov: {unit: \"%\"}\ngates:\n  - name: g\n    kind: custom\n    \
         criteria:\n      - {name: c, pass: cov >= 90%}\n",
        None,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let Err(e) = policy.record_check(&["cov", "cov"], &Selection::all()) else {
        panic!("a field named twice should fail");
    };
    assert_eq!(e.code(), crate::Code::DuplicateName);
    let check = policy
        .record_check(&["cov", "other"], &Selection::all())
        .unwrap_or_else(|e| panic!("{e}"));
    let Err(e) = check.verdict(&[RawValue::Number(95.0)]) else {
        panic!("a short record should fail");
    };
    assert_eq!(e.code(), crate::Code::InvalidBatch);
    let verdict = check
        .verdict(&[RawValue::Number(95.0), RawValue::Null])
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(verdict.verdict, crate::Verdict::Pass);
    assert_eq!(verdict.criteria, [Outcome::Pass]);
    let strict = Selection {
        strict: true,
        ..Selection::all()
    };
    let Err(e) = policy.record_check(&["cov", "other"], &strict) else {
        panic!("an undeclared field of a strict check should fail");
    };
    assert_eq!(e.code(), crate::Code::UnknownMetric);
}
