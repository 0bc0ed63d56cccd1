//! Validation and planning.

use crate::decision::PolicyRef;
use crate::diagnostic::{Code, Diagnostic};
use crate::document::{Format, Spanned};
use crate::error::KiroError;
use crate::pipeline::model::{PipelineDecl, StageDecl};
use crate::pipeline::{Plan, plan_pipeline};
use crate::policy::CompiledPolicy;
use crate::units::DurationDecl;

const METRICS: &str = "metrics: {coverage: {unit: \"%\"}}\npersonas: [{name: qa}, {name: architect}]\ngates:\n  - {name: tests, kind: pre-merge, criteria: [{name: cov, pass: coverage >= 90%}]}\n";

fn policy(pipeline: &str) -> String {
    format!("name: t\n{METRICS}pipeline:\n{pipeline}")
}

fn plan(pipeline: &str) -> Plan {
    match CompiledPolicy::from_text(&policy(pipeline), Some(Format::Yaml)) {
        Ok(p) => p.plan().cloned().unwrap_or_else(|e| panic!("{e}")),
        Err(e) => panic!("{:#?}", e.diagnostics()),
    }
}

fn errors(pipeline: &str) -> (String, Vec<Diagnostic>) {
    let text = policy(pipeline);
    match CompiledPolicy::from_text(&text, Some(Format::Yaml)) {
        Ok(_) => panic!("expected errors for\n{text}"),
        Err(e) => (text, e.diagnostics().to_vec()),
    }
}

fn labelled<'t>(text: &'t str, d: &Diagnostic) -> Vec<&'t str> {
    d.labels.iter().map(|l| &text[l.start..l.end]).collect()
}

#[test]
fn waves_critical_path_and_slack() {
    let plan = plan(
        "  stages:
    - {name: build, estimate: 10m}
    - {name: lint, estimate: 5m}
    - {name: unit, needs: [build], estimate: 20m}
    - {name: e2e, needs: [build], estimate: 30m}
    - {name: package, needs: [unit, e2e, lint], estimate: 5m}
",
    );
    assert_eq!(
        plan.waves,
        vec![vec!["build", "lint"], vec!["unit", "e2e"], vec!["package"]]
    );
    assert_eq!(plan.critical_path, vec!["build", "e2e", "package"]);
    assert_eq!(plan.total_ms, 45 * 60_000);
    let slack: Vec<(&str, u64)> = plan
        .stages
        .iter()
        .map(|s| (s.name.as_str(), s.slack_ms / 60_000))
        .collect();
    assert_eq!(
        slack,
        vec![
            ("build", 0),
            ("lint", 35),
            ("unit", 10),
            ("e2e", 0),
            ("package", 0)
        ]
    );
    let unit = &plan.stages[2];
    assert_eq!(
        (unit.earliest_start_ms, unit.latest_start_ms),
        (600_000, 1_200_000)
    );
    assert!(!unit.critical && plan.stages[3].critical);
}

#[test]
fn ties_go_to_policy_order() {
    let plan = plan(
        "  stages:
    - {name: a, estimate: 10m}
    - {name: b, estimate: 10m}
    - {name: c, needs: [b, a], estimate: 1m}
    - {name: d, needs: [a, b], estimate: 1m}
",
    );
    assert_eq!(plan.critical_path, vec!["a", "c"]);
    assert_eq!(plan.waves, vec![vec!["a", "b"], vec!["c", "d"]]);
}

#[test]
fn stages_without_estimates_plan_to_zero() {
    let plan = plan("  stages:\n    - {name: a}\n    - {name: b, needs: [a]}\n");
    assert_eq!(plan.total_ms, 0);
    assert_eq!(plan.critical_path, vec!["a", "b"]);
}

#[test]
fn compound_durations() {
    let plan = plan(
        "  stages:\n    - {name: a, estimate: 1h30m}\n    - {name: b, estimate: 1.5d, needs: [a]}\n",
    );
    assert_eq!(plan.total_ms, 90 * 60_000 + 36 * 3_600_000);
}

#[test]
fn a_cycle_is_reported_with_its_path_and_a_label_per_link() {
    let (text, diagnostics) = errors(
        "  stages:
    - {name: build, needs: [package]}
    - {name: test, needs: [build]}
    - {name: package, needs: [test]}
    - {name: deploy, needs: [package]}
",
    );
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let d = &diagnostics[0];
    assert_eq!(d.code, Code::Cycle);
    assert_eq!(
        d.message,
        "the stages depend on each other in a cycle: `build -> test -> package -> build`"
    );
    assert_eq!(labelled(&text, d), vec!["build", "test", "package"]);
    assert_eq!(d.labels[0].label, "`test` needs `build`");
}

#[test]
fn a_stage_that_needs_itself_is_a_cycle() {
    let (_, diagnostics) = errors("  stages:\n    - {name: a, needs: [a]}\n");
    assert_eq!(diagnostics[0].code, Code::Cycle);
    assert!(
        diagnostics[0].message.contains("`a -> a`"),
        "{}",
        diagnostics[0].message
    );
}

#[test]
fn every_cycle_is_reported() {
    let (_, diagnostics) = errors(
        "  stages:\n    - {name: a, needs: [b]}\n    - {name: b, needs: [a]}\n    - {name: c, needs: [d]}\n    - {name: d, needs: [c]}\n",
    );
    let messages: Vec<&str> = diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        vec![
            "the stages depend on each other in a cycle: `a -> b -> a`",
            "the stages depend on each other in a cycle: `c -> d -> c`"
        ]
    );
}

#[test]
fn unknown_needs_suggest_a_stage() {
    let (text, diagnostics) =
        errors("  stages:\n    - {name: build}\n    - {name: test, needs: [biuld]}\n");
    let d = &diagnostics[0];
    assert_eq!(d.code, Code::UnknownReference);
    assert_eq!(
        d.message,
        "stage `test` needs `biuld`, which is not a stage"
    );
    assert_eq!(d.help.as_deref(), Some("did you mean `build`?"));
    assert_eq!(labelled(&text, d), vec!["biuld"]);
}

#[test]
fn duplicate_stages_label_both() {
    let (text, diagnostics) = errors("  stages:\n    - {name: build}\n    - {name: build}\n");
    let d = &diagnostics[0];
    assert_eq!(d.code, Code::DuplicateName);
    assert_eq!(d.message, "stage `build` is declared twice");
    assert_eq!(labelled(&text, d), vec!["build", "build"]);
    assert!(d.labels[0].start > d.labels[1].start);
}

#[test]
fn every_problem_is_collected() {
    let (_, diagnostics) = errors(
        "  max_parallel: 0
  stages:
    - {name: a, needs: [zz], timeout: 10 minutes, personas: [qaa], gate: testz}
    - {name: b, gate: tests, criteria: [{name: c, pass: coverage > 1%}]}
    - {name: c, criteria: []}
    - {name: d, retries: 1000, backoff: -1s, estimate: 5}
    - {name: e, timeout: 0s, score: {pass: 90%}}
    - {name: f, criteria: [{name: c, pass: coverag > 1%}]}
",
    );
    let codes: Vec<&str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
    let messages: Vec<&str> = diagnostics.iter().map(|d| d.message.as_str()).collect();
    for expected in [
        "stage `a` needs `zz`, which is not a stage",
        "`10 minutes` is not a duration for `timeout`",
        "persona `qaa` is not declared",
        "there is no gate `testz`",
        "stage `b` has both `gate` and `criteria`",
        "stage `c` has an empty `criteria` list",
        "`retries` may be at most 100",
        "`-1s` is not a duration for `backoff`",
        "`5` is not a duration for `estimate`",
        "`timeout` must be more than 0",
        "stage `e` has `score` but no `criteria`",
        "`max_parallel` must be at least 1",
    ] {
        assert!(
            messages.contains(&expected),
            "missing {expected:?} in {messages:#?}"
        );
    }
    assert!(
        codes.contains(&"KIRO-E011"),
        "the inline criterion's unknown metric: {codes:?}"
    );
    assert_eq!(
        diagnostics
            .iter()
            .filter(|d| d.help.as_deref() == Some("did you mean `qa`?"))
            .count(),
        1
    );
}

#[test]
fn inline_criteria_problems_are_not_reported_twice() {
    // A metric with an unknown unit is the policy's problem, reported once.
    let text = "name: t\nmetrics: {x: {unit: parsecs}}\ngates: []\npipeline:\n  stages:\n    - {name: a, criteria: [{name: c, pass: x > 1}]}\n";
    let Err(e) = CompiledPolicy::from_text(text, None) else {
        panic!("invalid")
    };
    let codes: Vec<Code> = e.diagnostics().iter().map(|d| d.code).collect();
    assert_eq!(codes, vec![Code::UnknownUnit]);
}

#[test]
fn the_pipeline_keeps_existing_hashes() {
    let text = "name: t\ngates: []\n";
    let a = CompiledPolicy::from_text(text, None).map(|p| p.hash().to_owned());
    let b = CompiledPolicy::from_text(&format!("{text}pipeline: {{stages: []}}\n"), None)
        .map(|p| p.hash().to_owned());
    assert!(a.is_ok() && b.is_ok() && a != b);
}

#[test]
fn a_policy_without_a_pipeline_has_no_plan() {
    let policy = CompiledPolicy::from_text("name: t\n", None).unwrap_or_else(|e| panic!("{e}"));
    let e = policy.plan().err().map(|e| e.code());
    assert_eq!(e, Some(Code::NoPipeline));
}

fn stage(name: String, needs: Vec<String>) -> Spanned<StageDecl> {
    let spanned = |v: String| Spanned::new(Default::default(), v);
    let decl = StageDecl {
        name: spanned(name),
        description: None,
        needs: needs.into_iter().map(spanned).collect(),
        personas: Vec::new(),
        gate: None,
        criteria: None,
        score: None,
        timeout: None,
        retries: None,
        backoff: None,
        retry_on: None,
        on_action_failure: None,
        continue_on_failure: false,
        estimate: Some(Spanned::new(
            Default::default(),
            DurationDecl::Text("1s".into()),
        )),
        run: None,
        env: Default::default(),
        workdir: None,
    };
    Spanned::new(Default::default(), decl)
}

fn chain(n: usize, close: bool) -> PipelineDecl {
    let stages = (0..n)
        .map(|i| {
            let needs = if i > 0 {
                vec![format!("s{}", i - 1)]
            } else if close {
                vec![format!("s{}", n - 1)]
            } else {
                vec![]
            };
            stage(format!("s{i}"), needs)
        })
        .collect();
    PipelineDecl {
        description: None,
        fail_fast: None,
        max_parallel: None,
        stages,
    }
}

fn reference() -> PolicyRef {
    PolicyRef {
        name: "t".into(),
        hash: String::new(),
        sources: Vec::new(),
    }
}

#[test]
fn a_long_chain_plans_without_recursion() {
    let plan =
        plan_pipeline(reference(), &chain(100_000, false)).unwrap_or_else(|d| panic!("{d:?}"));
    assert_eq!(plan.waves.len(), 100_000);
    assert_eq!(plan.critical_path.len(), 100_000);
    assert_eq!(plan.total_ms, 100_000_000);
}

#[test]
fn a_long_cycle_is_found_without_recursion() {
    let Err(diagnostics) = plan_pipeline(reference(), &chain(100_000, true)) else {
        panic!("a cycle")
    };
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(
        diagnostics[0].message,
        "the stages depend on each other in a cycle: \
         `s0 -> s1 -> s2 -> s3 -> s4 -> s5 -> s6 -> s7 -> ... -> s99998 -> s99999 -> s0` (100000 stages)"
    );
    assert_eq!(diagnostics[0].labels.len(), 50);
}

#[test]
fn stages_that_need_later_stages_plan_as_in_policy_order() {
    // The pipeline of `waves_critical_path_and_slack`, declared last stage first.
    let plan = plan(
        "  stages:
    - {name: package, needs: [unit, e2e, lint], estimate: 5m}
    - {name: e2e, needs: [build], estimate: 30m}
    - {name: unit, needs: [build], estimate: 20m}
    - {name: lint, estimate: 5m}
    - {name: build, estimate: 10m}
",
    );
    assert_eq!(
        plan.waves,
        vec![vec!["lint", "build"], vec!["e2e", "unit"], vec!["package"]]
    );
    assert_eq!(plan.critical_path, vec!["build", "e2e", "package"]);
    assert_eq!(plan.total_ms, 45 * 60_000);
    let slack: Vec<(&str, u64)> = plan
        .stages
        .iter()
        .map(|s| (s.name.as_str(), s.slack_ms / 60_000))
        .collect();
    assert_eq!(
        slack,
        vec![
            ("package", 0),
            ("e2e", 0),
            ("unit", 10),
            ("lint", 35),
            ("build", 0)
        ]
    );
    assert_eq!(plan.stages[0].needs, vec!["unit", "e2e", "lint"]);
}

#[test]
fn problems_with_needs_are_reported_in_policy_order() {
    // `a` and `d` name later stages, so they are resolved after the others.
    let (text, diagnostics) = errors(
        "  stages:
    - {name: a, needs: [zz, later]}
    - {name: b, needs: [a, a]}
    - {name: d, needs: [later, later, yy]}
    - {name: later}
    - {name: b}
",
    );
    let messages: Vec<&str> = diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        vec![
            "stage `b` is declared twice",
            "stage `a` needs `zz`, which is not a stage",
            "stage `b` needs `a` twice",
            "stage `d` needs `later` twice",
            "stage `d` needs `yy`, which is not a stage",
        ]
    );
    // The second `later` of `d` is the one labelled.
    let later = text.rfind("later, yy").unwrap_or_default();
    assert_eq!(diagnostics[3].labels[0].start, later);
}

#[test]
fn stage_names_of_any_length_serialize_as_plain_strings() {
    use crate::pipeline::plan::Name;

    let long = "a-stage-name-longer-than-twenty-three-bytes";
    for text in ["", "build", long, "ééééééééééé", "ééééééééééé!"] {
        let name = Name::new(text);
        assert_eq!(name, text);
        let json = serde_json::to_string(&name).unwrap_or_default();
        assert_eq!(json, serde_json::to_string(text).unwrap_or_default());
        let back: Name = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, name);
    }
    assert!(serde_json::from_str::<Name>("3").is_err());
}
