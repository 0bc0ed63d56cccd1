//! Renderings of a plan.

use crate::pipeline::Plan;
use crate::policy::CompiledPolicy;
use crate::render::{
    plan_dot, plan_human, plan_json, plan_mermaid, run_human, run_junit, run_markdown,
};
use crate::units::duration::{format_duration, parse_duration};

fn plan() -> Plan {
    let text = "name: demo
pipeline:
  stages:
    - {name: build, estimate: 10m}
    - {name: lint, estimate: 5m}
    - {name: \"test \\\"all\\\"\", needs: [build], estimate: 20m}
";
    let policy = CompiledPolicy::from_text(text, None).unwrap_or_else(|e| panic!("{e}"));
    policy.plan().cloned().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn human_table() {
    let text = plan_human(&plan(), false);
    let expected = "Plan of `demo`: 3 stages in 2 waves; 30m on the critical path

    wave  stage       estimate  earliest  latest  slack  needs
  * 1     build       10m       0s        0s      0s
    1     lint        5m        0s        25m     25m
  * 2     test \"all\"  20m       10m       10m     0s     build

critical path: build -> test \"all\" (30m)
";
    assert_eq!(text, expected);
}

#[test]
fn dot_highlights_the_critical_path() {
    let text = plan_dot(&plan());
    assert!(
        text.starts_with("digraph \"demo\" {\n  rankdir=LR;\n"),
        "{text}"
    );
    assert!(
        text.contains("  \"build\" [label=\"build\\n10m (slack 0s)\", color=\"#d62728\""),
        "{text}"
    );
    assert!(
        text.contains("  \"lint\" [label=\"lint\\n5m (slack 25m)\"];\n"),
        "{text}"
    );
    assert!(
        text.contains("  \"build\" -> \"test \\\"all\\\"\" [color="),
        "{text}"
    );
    assert!(text.ends_with("}\n"));
}

#[test]
fn mermaid_highlights_the_critical_path() {
    let text = plan_mermaid(&plan());
    let expected = "flowchart LR
  s0[\"build<br/>10m\"]
  s1[\"lint<br/>5m\"]
  s2[\"test #quot;all#quot;<br/>20m\"]
  s0 --> s2
  classDef critical stroke:#d62728,stroke-width:3px,color:#d62728
  class s0,s2 critical
  linkStyle 0 stroke:#d62728,stroke-width:3px
";
    assert_eq!(text, expected);
}

#[test]
fn json_round_trips() {
    let plan = plan();
    let back: Plan = serde_json::from_str(&plan_json(&plan)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, plan);
}

#[test]
fn durations_read_and_show() {
    assert_eq!(parse_duration("1h30m"), Ok(5_400_000));
    assert_eq!(parse_duration("90s"), Ok(90_000));
    assert_eq!(parse_duration(" 90s\t"), Ok(90_000));
    assert_eq!(parse_duration(" 0 "), Ok(0));
    assert_eq!(parse_duration("0"), Ok(0));
    assert_eq!(parse_duration("250ms"), Ok(250));
    assert!(parse_duration("10").is_err());
    assert!(parse_duration("10 minutes").is_err());
    assert!(parse_duration("-1s").is_err());
    assert!(parse_duration("1000000d").is_err());
    assert_eq!(format_duration(5_400_000), "1h30m");
    assert_eq!(format_duration(0), "0s");
    assert_eq!(format_duration(90_061_001), "1d1h1m1s1ms");
}

#[test]
fn long_and_unicode_names_render_whole() {
    let text = "name: demo
pipeline:
  stages:
    - {name: a-stage-name-longer-than-twenty-two-bytes, estimate: 10m}
    - {name: größe, needs: [a-stage-name-longer-than-twenty-two-bytes], estimate: 5m}
";
    let policy = CompiledPolicy::from_text(text, None).unwrap_or_else(|e| panic!("{e}"));
    let plan = policy.plan().cloned().unwrap_or_else(|e| panic!("{e}"));
    let json = plan_json(&plan);
    assert!(
        json.contains("\"critical_path\": [\n    \"a-stage-name-longer-than-twenty-two-bytes\",\n    \"größe\"\n  ]"),
        "{json}"
    );
    let back: Plan = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, plan);
    assert!(
        plan_human(&plan, false)
            .ends_with("critical path: a-stage-name-longer-than-twenty-two-bytes -> größe (15m)\n")
    );
    assert!(
        plan_dot(&plan)
            .contains("  \"a-stage-name-longer-than-twenty-two-bytes\" -> \"größe\" [color=")
    );
    assert!(plan_mermaid(&plan).contains("  s1[\"größe<br/>5m\"]\n  s0 --> s1\n"));
}

/// A failed run of one stage, with `name` as the policy's and the stage's name and reason.
fn run_named(name: &str) -> crate::pipeline::RunResult {
    serde_json::from_value(serde_json::json!({
        "policy": {"name": name, "hash": "sha256:0"},
        "verdict": "fail",
        "summary": "fail",
        "interrupted": false,
        "duration_ms": 1500,
        "stages": [{
            "name": name,
            "outcome": "failed",
            "allowed_failure": false,
            "reason": name,
            "duration_ms": 1500,
            "attempts": [],
        }],
    }))
    .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn junit_of_a_run_escapes_as_junit_of_a_decision() {
    let name = "a\"b'<&>\u{1}\t\r\nc";
    let xml = run_junit(&run_named(name));
    let escaped = "a&quot;b&apos;&lt;&amp;&gt;\u{FFFD}&#9;&#13;&#10;c";
    assert!(
        xml.contains(&format!(
            "<testcase classname=\"{escaped}\" name=\"{escaped}\" time=\"1.500\">"
        )),
        "{xml}"
    );
    assert!(
        xml.contains(&format!("<failure message=\"{escaped}\" type=\"failed\"/>")),
        "{xml}"
    );
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}: {xml}"));
    let case = doc
        .descendants()
        .find(|n| n.has_tag_name("testcase"))
        .unwrap_or_else(|| panic!("a test case"));
    assert_eq!(case.attribute("name"), Some("a\"b'<&>\u{FFFD}\t\r\nc"));
}

#[test]
fn reports_of_a_run_escape_control_characters_only() {
    let result = run_named("größe \"x\"\u{1b}[2J");
    let human = run_human(&result, false);
    assert!(human.contains("größe \"x\"\\u{1b}[2J"), "{human}");
    assert!(!human.contains('\u{1b}'), "{human}");
    let markdown = run_markdown(&result);
    assert!(
        markdown.contains("| `größe \"x\" [2J` | **failed** |"),
        "{markdown}"
    );
    let markdown = run_markdown(&run_named("<b>`x`|"));
    assert!(markdown.contains("Policy ``<b>`x`\\|`` ("), "{markdown}");
    assert!(markdown.contains("| &lt;b&gt;`x`\\| |"), "{markdown}");
}
