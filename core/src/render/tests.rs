use super::*;
use crate::decision::{
    CriterionDecision, Decision, GateDecision, Outcome, PersonaDecision, PolicyRef, ScoringMode,
    SeenValue, Signoff, Thresholds, Verdict,
};
use crate::policy::model::{GateKind, MissingRule};
use crate::units::Unit;
use std::collections::BTreeMap;

fn criterion(name: &str, outcome: Outcome, explanation: &str) -> CriterionDecision {
    CriterionDecision {
        name: name.to_owned(),
        condition: format!("{name} >= 90%"),
        warn_condition: None,
        outcome,
        values: BTreeMap::from([(name.to_owned(), SeenValue::Number(0.87))]),
        weight: 1.0,
        earned: 0.0,
        key: false,
        informational: false,
        missing_rule_applied: None,
        explanation: explanation.to_owned(),
        baseline: None,
    }
}

fn sample() -> Decision {
    let mut coverage = criterion(
        "coverage",
        Outcome::Fail,
        "coverage 87.0% < 90% (needs +3.0 points)",
    );
    coverage.key = true;
    coverage.weight = 2.0;
    let mut latency = criterion(
        "latency",
        Outcome::Warn,
        "p95_latency 620ms >= 500ms (needs -120ms)",
    );
    latency.values = BTreeMap::from([("p95_latency".to_owned(), SeenValue::Number(620.0))]);
    latency.condition = "p95_latency < 500ms".to_owned();
    latency.warn_condition = Some("p95_latency < 800ms".to_owned());
    let mut e2e = criterion(
        "e2e",
        Outcome::Unknown,
        "no data for tests.e2e_green; on_missing: inconclusive",
    );
    e2e.values = BTreeMap::from([("tests.e2e_green".to_owned(), SeenValue::Missing(()))]);
    e2e.missing_rule_applied = Some(MissingRule::Inconclusive);
    let mut vulns = criterion("vulns", Outcome::Pass, "critical_vulns 0 == 0");
    vulns.values = BTreeMap::from([("critical_vulns".to_owned(), SeenValue::Number(0.0))]);
    let green = criterion("green", Outcome::Pass, "tests.e2e_green true == true");
    Decision {
        verdict: Verdict::Fail,
        summary: "fail: 1 of 2 gates failed (`code-quality`); 1 of 2 gates warned (`runtime`)"
            .to_owned(),
        policy: PolicyRef {
            name: "kova-web".to_owned(),
            hash: "sha256:00ff".to_owned(),
            sources: Vec::new(),
        },
        gates: vec![
            GateDecision {
                name: "code-quality".to_owned(),
                kind: GateKind::PreMerge,
                verdict: Verdict::Fail,
                mode: ScoringMode::Scored,
                score: Some(0.5),
                thresholds: Some(Thresholds {
                    pass: 0.9,
                    warn: 0.75,
                }),
                reason:
                    "key criterion `coverage` failed; score 50.0% is below the warn threshold 75.0%"
                        .to_owned(),
                owners: vec!["architect".to_owned()],
                criteria: vec![coverage, vulns],
            },
            GateDecision {
                name: "runtime".to_owned(),
                kind: GateKind::PostDeploy,
                verdict: Verdict::Warn,
                mode: ScoringMode::Strict,
                score: Some(0.75),
                thresholds: None,
                reason: "1 criterion warned: `latency`".to_owned(),
                owners: vec![],
                criteria: vec![latency, e2e, {
                    let mut g = green;
                    g.values =
                        BTreeMap::from([("tests.e2e_green".to_owned(), SeenValue::Bool(true))]);
                    g
                }],
            },
        ],
        personas: vec![
            PersonaDecision {
                name: "architect".to_owned(),
                signoff: Signoff::Rejected,
                required: true,
                conditions: vec![],
                reasons: vec!["gate `code-quality` failed".to_owned()],
            },
            PersonaDecision {
                name: "qa".to_owned(),
                signoff: Signoff::ApprovedWithConditions,
                required: false,
                conditions: vec![
                    "runtime/latency: p95_latency 620ms >= 500ms (needs -120ms)".to_owned(),
                ],
                reasons: vec![],
            },
            PersonaDecision {
                name: "devops".to_owned(),
                signoff: Signoff::Approved,
                required: false,
                conditions: vec![],
                reasons: vec![],
            },
        ],
        warnings: Vec::new(),
    }
}

#[test]
fn human_without_colour_is_plain_and_aligned() {
    let text = human(
        &sample(),
        &HumanOptions {
            color: false,
            ..HumanOptions::default()
        },
    );
    assert!(!text.contains('\x1b'), "{text}");
    assert!(
        text.starts_with("policy `kova-web` (sha256:00ff)\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "gate `code-quality` (pre-merge, scored: pass at 90.0%, warn at 75.0%): FAIL\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("gate `runtime` (post-deploy, strict): WARN\n"),
        "{text}"
    );
    assert!(
        text.ends_with(
            "verdict: FAIL - 1 of 2 gates failed (`code-quality`); 1 of 2 gates warned (`runtime`)\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "  architect (required): rejected\n    - reason: gate `code-quality` failed\n"
        )
    );
    assert!(text.contains("  qa: approved with conditions\n    - condition: runtime/latency:"));
    // Columns line up: every row of the first table has `outcome` at the same column.
    let table: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("criterion"))
        .take(3)
        .collect();
    assert_eq!(table.len(), 3, "{text}");
    let column = table[0].find("outcome");
    assert!(
        table[1].starts_with("  coverage (key, weight 2)  fail "),
        "{text}"
    );
    assert_eq!(table[1].find("fail"), column, "{text}");
    assert_eq!(table[2].find("pass"), column, "{text}");
    assert!(table[1].contains("coverage = 0.87"), "{text}");
    assert!(
        text.lines().all(|l| l == l.trim_end()),
        "no trailing spaces:\n{text}"
    );
    assert!(text.contains("tests.e2e_green = no data"));
    assert!(text.contains("tests.e2e_green = true"));
}

#[test]
fn human_with_colour_colours_the_verdict_and_outcomes() {
    let text = human(
        &sample(),
        &HumanOptions {
            color: true,
            ..HumanOptions::default()
        },
    );
    assert!(text.contains("\x1b[1;31mFAIL\x1b[0m"), "{text}");
    assert!(text.contains("\x1b[1;33mWARN\x1b[0m"), "{text}");
    assert!(text.contains("\x1b[32mpass\x1b[0m"), "{text}");
    assert!(text.contains("\x1b[31mrejected\x1b[0m"), "{text}");
    // Same text once the escapes are removed.
    let plain = human(
        &sample(),
        &HumanOptions {
            color: false,
            ..HumanOptions::default()
        },
    );
    assert_eq!(strip_ansi(&text), plain);
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn human_shows_control_characters_as_escapes() {
    let mut decision = sample();
    decision.policy.name = "evil\x1b[2Jname\nline".to_owned();
    let text = human(
        &decision,
        &HumanOptions {
            color: false,
            ..HumanOptions::default()
        },
    );
    assert!(!text.contains('\x1b'));
    assert!(text.contains("evil\\u{1b}[2Jname\\nline"), "{text}");
}

#[test]
fn markdown_has_a_heading_tables_and_personas() {
    let text = markdown(&sample(), &MetricUnits::new());
    assert!(
        text.starts_with("## kiro check: **FAIL**\n\n1 of 2 gates failed (`code-quality`);"),
        "{text}"
    );
    assert!(text.contains("Policy `kova-web` (`sha256:00ff`)"), "{text}");
    assert!(
        text.contains(
            "### Gate `code-quality` (pre-merge, scored: pass at 90.0%, warn at 75.0%): **FAIL**\n"
        ),
        "{text}"
    );
    assert!(text.contains("| Criterion | Outcome | Values | Explanation |\n|---|---|---|---|\n"));
    assert!(
        text.contains(
            "| coverage (key, weight 2) | **fail** | `coverage = 0.87` | coverage 87.0% &lt; 90% (needs +3.0 points)<br>pass: `coverage >= 90%` |"
        ),
        "{text}"
    );
    assert!(
        text.contains("pass: `p95_latency < 500ms`, warn: `p95_latency < 800ms`"),
        "{text}"
    );
    assert!(text.contains("### Personas\n"));
    assert!(
        text.contains("| architect | yes | **rejected** | reason: gate `code-quality` failed |"),
        "{text}"
    );
    assert!(
        text.contains("| devops | no | **approved** | - |"),
        "{text}"
    );
}

#[test]
fn markdown_escapes_what_would_break_a_table_or_inject_html() {
    let mut decision = sample();
    decision.gates[0].criteria[0].explanation =
        "a | b <script> `x || y` _em_ snake_case".to_owned();
    decision.gates[0].criteria[0].condition = "a || b".to_owned();
    let text = markdown(&decision, &MetricUnits::new());
    assert!(
        text.contains(
            "a \\| b &lt;script&gt; `x \\|\\| y` \\_em\\_ snake_case<br>pass: `a \\|\\| b`"
        ),
        "{text}"
    );
    assert!(!text.contains("<script>"));
}

#[test]
fn markdown_code_spans_survive_backticks() {
    assert_eq!(markdown::code("a`b"), "``a`b``");
    assert_eq!(markdown::code("`a"), "`` `a ``");
    assert_eq!(markdown::text("odd ` tick"), "odd \\` tick");
}

#[test]
fn junit_has_a_suite_per_gate_and_a_case_per_criterion() {
    let xml = junit(&sample(), &MetricUnits::new());
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"kiro: kova-web\" tests=\"8\" failures=\"2\" errors=\"0\" skipped=\"1\">\n"), "{xml}");
    assert!(xml.contains("<testsuite name=\"code-quality\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\">"), "{xml}");
    assert!(
        xml.contains(
            "<testsuite name=\"runtime\" tests=\"3\" failures=\"0\" errors=\"0\" skipped=\"1\">"
        ),
        "{xml}"
    );
    assert!(xml.contains(
        "<testcase name=\"coverage\" classname=\"kova-web.code-quality\">\n      <failure message=\"coverage 87.0% &lt; 90% (needs +3.0 points)\" type=\"fail\">pass: coverage &gt;= 90%\nvalues: coverage = 0.87</failure>"
    ), "{xml}");
    assert!(
        xml.contains("<testcase name=\"vulns\" classname=\"kova-web.code-quality\"/>"),
        "{xml}"
    );
    assert!(
        xml.contains("<system-out>warn: p95_latency 620ms &gt;= 500ms (needs -120ms)\n"),
        "{xml}"
    );
    assert!(
        xml.contains(
            "<skipped message=\"no data for tests.e2e_green; on_missing: inconclusive\"/>"
        ),
        "{xml}"
    );
    assert!(
        xml.contains(
            "<testsuite name=\"personas\" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"0\">"
        ),
        "{xml}"
    );
    assert!(
        xml.contains(
            "<failure message=\"rejected: gate `code-quality` failed\" type=\"rejected\">"
        ),
        "{xml}"
    );
    assert!(xml.ends_with("</testsuites>\n"));
    assert_eq!(xml, junit(&sample(), &MetricUnits::new()), "deterministic");
}

#[test]
fn junit_escapes_markup_and_drops_forbidden_characters() {
    let mut decision = sample();
    decision.gates[0].name = "a\"b'<&>\u{1}\n".to_owned();
    decision.gates[0].criteria[0].explanation = "x < y & \"z\"\u{0}".to_owned();
    let xml = junit(&decision, &MetricUnits::new());
    assert!(
        xml.contains("<testsuite name=\"a&quot;b&apos;&lt;&amp;&gt;\u{FFFD}&#10;\""),
        "{xml}"
    );
    assert!(
        xml.contains("message=\"x &lt; y &amp; &quot;z&quot;\u{FFFD}\""),
        "{xml}"
    );
    assert!(!xml.contains('\u{0}') && !xml.contains('\u{1}'));
}

#[test]
fn an_empty_decision_renders() {
    let mut decision = sample();
    decision.gates.clear();
    decision.personas.clear();
    decision.verdict = Verdict::Pass;
    decision.summary = "pass: all 0 gates passed".to_owned();
    assert!(
        human(&decision, &HumanOptions::default())
            .ends_with("verdict: PASS - all 0 gates passed\n")
    );
    assert!(markdown(&decision, &MetricUnits::new()).starts_with("## kiro check: **PASS**\n"));
    assert!(junit(&decision, &MetricUnits::new()).contains("tests=\"0\""));
}

#[test]
fn values_are_shown_in_declared_units() {
    let mut units = MetricUnits::new();
    units.insert("coverage", Unit::PERCENT);
    units.insert("p95_latency", Unit::MS);
    units.insert("critical_vulns", Unit::NONE);
    let options = HumanOptions {
        color: false,
        units: units.clone(),
    };
    let text = human(&sample(), &options);
    assert!(text.contains("coverage = 87.0%"), "{text}");
    assert!(text.contains("p95_latency = 620ms"), "{text}");
    assert!(text.contains("critical_vulns = 0"), "{text}");
    assert!(markdown(&sample(), &units).contains("`coverage = 87.0%`"));
    assert!(junit(&sample(), &units).contains("values: coverage = 87.0%"));
    // `ratio` is not written after numbers: the plain fraction is shown.
    let ratio = crate::units::declared_unit("ratio").unwrap_or(Unit::NONE);
    units.insert("coverage", ratio);
    assert!(junit(&sample(), &units).contains("values: coverage = 0.87"));
}

#[test]
fn units_come_from_the_policy_declarations() {
    let text = "name: p\nmetrics:\n  coverage: {unit: \"%\"}\n  size: {unit: KiB}\n  vulns: {}\n\
                gates:\n  - {name: g, kind: pre-merge, criteria: [{name: c, pass: vulns == 0}]}\n";
    let policy =
        crate::CompiledPolicy::from_text(text, None).unwrap_or_else(|e| unreachable!("{e}"));
    let units = MetricUnits::from_policy(&policy);
    assert_eq!(units.get("coverage"), Some(Unit::PERCENT));
    assert_eq!(units.get("size").map(|u| u.symbol), Some("KiB"));
    assert_eq!(units.get("vulns"), Some(Unit::NONE));
    assert_eq!(units.get("other"), None);
}
