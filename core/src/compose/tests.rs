//! Composition: imports, templates, overrides and the errors of each.

use crate::compose::{Sources, missing_imports};
use crate::diagnostic::Code;
use crate::error::KiroError;
use crate::policy::CompiledPolicy;

const LIB: &str = "metrics:\n  lcp: {unit: ms}\npersonas:\n  - name: perf\ngates:\n  - name: speed\n    kind: pre-deploy\n    criteria:\n      - name: lcp\n        pass: lcp <= 2500ms\n";

fn sources(pairs: &[(&str, &str)]) -> Sources {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn codes(text: &str, sources: &Sources) -> Vec<(Code, Option<String>)> {
    match CompiledPolicy::from_sources(text, None, sources) {
        Ok(_) => Vec::new(),
        Err(e) => e
            .diagnostics()
            .iter()
            .map(|d| (d.code, d.source.clone()))
            .collect(),
    }
}

#[test]
fn an_import_brings_metrics_personas_and_gates_and_the_decision_names_the_file() {
    let text = "name: p\nimports:\n  - from: lib/web.yaml\n";
    let policy = CompiledPolicy::from_sources(text, None, &sources(&[("lib/web.yaml", LIB)]))
        .expect("compiles");
    assert_eq!(policy.gate_names(), ["speed"]);
    assert_eq!(policy.metric_names(), ["lcp"]);
    assert_eq!(policy.persona_names(), ["perf"]);
    let sources = &policy.reference().sources;
    assert_eq!(sources.len(), 1);
    assert_eq!(sources[0].path, "lib/web.yaml");
    assert!(sources[0].hash.starts_with("sha256:"));
}

#[test]
fn the_hash_covers_the_composed_policy() {
    let text = "name: p\nimports:\n  - from: lib/web.yaml\n";
    let inline = format!("name: p\n{LIB}");
    let composed = CompiledPolicy::from_sources(text, None, &sources(&[("lib/web.yaml", LIB)]))
        .expect("compiles");
    let single = CompiledPolicy::from_text(&inline, None).expect("compiles");
    assert_eq!(composed.hash(), single.hash());
    let changed = LIB.replace("2500ms", "2000ms");
    let other = CompiledPolicy::from_sources(text, None, &sources(&[("lib/web.yaml", &changed)]))
        .expect("compiles");
    assert_ne!(composed.hash(), other.hash());
    assert_ne!(composed.reference().sources, other.reference().sources);
}

#[test]
fn missing_imports_follow_nested_imports() {
    let text = "name: p\nimports:\n  - from: lib/a.yaml\n";
    let none = Sources::new();
    assert_eq!(missing_imports(text, None, &none), ["lib/a.yaml"]);
    let some = sources(&[("lib/a.yaml", "imports:\n  - from: ../shared/b.yaml\n")]);
    assert_eq!(missing_imports(text, None, &some), ["shared/b.yaml"]);
}

#[test]
fn a_cycle_is_an_error_in_the_file_that_closes_it() {
    let text = "name: p\nimports:\n  - from: a.yaml\n";
    let files = sources(&[
        ("a.yaml", "imports:\n  - from: b.yaml\n"),
        ("b.yaml", "imports:\n  - from: a.yaml\n"),
    ]);
    let e = CompiledPolicy::from_sources(text, None, &files).expect_err("a cycle");
    let d = &e.diagnostics()[0];
    assert_eq!(d.code, Code::ImportCycle);
    assert_eq!(d.source.as_deref(), Some("b.yaml"));
    assert_eq!(
        d.message,
        "`a.yaml` imports itself: a.yaml → b.yaml → a.yaml"
    );
    let label = &d.labels[0];
    assert_eq!(&files["b.yaml"][label.start..label.end], "a.yaml");
}

#[test]
fn a_local_definition_replaces_an_imported_one_only_with_override() {
    let lib = sources(&[("lib/web.yaml", LIB)]);
    let clash = "name: p\nimports:\n  - from: lib/web.yaml\nmetrics:\n  lcp: {unit: s}\n";
    assert_eq!(
        codes(clash, &lib),
        [(Code::ImportConflict, Some("policy".to_owned()))]
    );
    let replaced =
        "name: p\nimports:\n  - from: lib/web.yaml\nmetrics:\n  lcp: {unit: s, override: true}\n";
    assert_eq!(codes(replaced, &lib), []);
    let nothing = "name: p\nmetrics:\n  x: {override: true}\n";
    assert_eq!(
        codes(nothing, &Sources::new()),
        [(Code::ImportConflict, Some("policy".to_owned()))]
    );
}

#[test]
fn a_diamond_is_not_a_conflict_but_two_files_defining_one_name_are() {
    let text = "name: p\nimports:\n  - from: a.yaml\n  - from: b.yaml\n";
    let diamond = sources(&[
        ("a.yaml", "imports:\n  - from: web.yaml\n"),
        ("b.yaml", "imports:\n  - from: web.yaml\n"),
        ("web.yaml", LIB),
    ]);
    assert_eq!(codes(text, &diamond), []);
    let two = sources(&[("a.yaml", LIB), ("b.yaml", LIB)]);
    assert_eq!(
        codes(text, &two),
        [
            (Code::ImportConflict, Some("policy".to_owned())),
            (Code::ImportConflict, Some("policy".to_owned())),
            (Code::ImportConflict, Some("policy".to_owned())),
        ]
    );
}

const TEMPLATES: &str = "metrics:\n  lcp: {unit: ms}\n  cls: {}\ntemplates:\n  web-vitals:\n    params:\n      lcp_max: {unit: ms, default: 2500ms}\n      cls_max: {unit: count}\n    gate:\n      kind: pre-deploy\n      criteria:\n        - name: lcp\n          pass: lcp <= ${lcp_max}\n        - name: cls\n          pass: cls <= ${cls_max}\n";

#[test]
fn a_template_makes_a_gate_with_its_arguments_and_defaults() {
    let lib = sources(&[("lib/web.yaml", TEMPLATES)]);
    let text = "name: p\nimports:\n  - from: lib/web.yaml\ngates:\n  - use: web-vitals\n    name: web\n    with: {cls_max: 0.1}\n";
    let policy = CompiledPolicy::from_sources(text, None, &lib).expect("compiles");
    assert_eq!(policy.gate_names(), ["web"]);
    let inline = "name: p\nmetrics:\n  lcp: {unit: ms}\n  cls: {}\ngates:\n  - name: web\n    kind: pre-deploy\n    criteria:\n      - name: lcp\n        pass: lcp <= 2500ms\n      - name: cls\n        pass: cls <= 0.1\n";
    let single = CompiledPolicy::from_text(inline, None).expect("compiles");
    assert_eq!(policy.hash(), single.hash());
}

#[test]
fn template_arguments_are_checked() {
    let lib = sources(&[("lib/web.yaml", TEMPLATES)]);
    let case = |with: &str| {
        let text = format!(
            "name: p\nimports:\n  - from: lib/web.yaml\ngates:\n  - use: web-vitals\n    name: web\n    with: {with}\n"
        );
        codes(&text, &lib)
    };
    let policy = Some("policy".to_owned());
    assert_eq!(case("{}"), [(Code::TemplateArgument, policy.clone())]);
    assert_eq!(
        case("{cls_max: 1, lcp_max: 500KB}"),
        [(Code::TemplateArgument, policy.clone())]
    );
    assert_eq!(
        case("{cls_max: 1, lcp_max: '1 or true'}"),
        [(Code::TemplateArgument, policy.clone())]
    );
    assert_eq!(
        case("{cls_max: 1, lcp: 2s}"),
        [(Code::TemplateArgument, policy)]
    );
    assert_eq!(case("{cls_max: 1, lcp_max: 2s}"), []);
    let unknown = "name: p\ngates:\n  - use: nope\n    name: web\n";
    assert_eq!(
        codes(unknown, &Sources::new()),
        [(Code::UnknownTemplate, Some("policy".to_owned()))]
    );
}

#[test]
fn an_error_in_an_imported_file_points_into_it() {
    let lib = LIB.replace("lcp <= 2500ms", "lcp <= 5KB");
    let text = "name: p\nimports:\n  - from: lib/web.yaml\n";
    let files = sources(&[("lib/web.yaml", &lib)]);
    let e = CompiledPolicy::from_sources(text, None, &files).expect_err("a unit mismatch");
    let d = &e.diagnostics()[0];
    assert_eq!(d.code, Code::TypeMismatch);
    assert_eq!(d.source.as_deref(), Some("lib/web.yaml"));
    let label = &d.labels[0];
    assert_eq!(&lib[label.start..label.end], "lcp", "{d:?}");
    let missing = "name: p\nimports:\n  - from: lib/nope.yaml\n";
    assert_eq!(
        codes(missing, &files),
        [(Code::ImportNotFound, Some("policy".to_owned()))]
    );
}
