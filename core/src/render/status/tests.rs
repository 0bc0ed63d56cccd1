#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use super::{StatusFormat, render_status, status_units};
use crate::alert::{AlertEvent, Status};
use crate::metrics::MetricsInput;
use crate::policy::CompiledPolicy;
use crate::status::status;
use serde_json::json;

const POLICY: &str = r#"
name: "dash <script>alert(1)</script>"
metrics:
  error_rate: {unit: "%"}
  p95_latency: {unit: ms}
  load: {}
  budget: {}
personas: [{name: devops}, {name: "ops & <b>sre</b>"}]
health:
  panels:
    - persona: devops
      metrics:
        - {metric: error_rate, warning: error_rate > 0.5%, critical: error_rate > 1%}
        - {metric: p95_latency, critical: p95_latency > 500ms}
    - persona: "ops & <b>sre</b>"
      metrics:
        - {metric: load, warning: load > budget}
  shared:
    - {name: overall, average: [{of: error_rate, weight: 3}, {of: error_rate, weight: 1}], target: overall <= 1%}
alerts:
  rules:
    - name: HighErrorRate
      when: error_rate > 1%
      for: 2m
      severity: critical
      owner: devops
      labels: {service: "<img src=x onerror=alert(1)>"}
      summary: "error rate {{ metrics.error_rate }}"
  receivers: [{name: ops, channel: slack}]
  route: {receiver: ops}
"#;

fn policy() -> CompiledPolicy {
    CompiledPolicy::from_text(POLICY, None).unwrap()
}

fn observe(at_ms: u64, values: serde_json::Value) -> AlertEvent {
    AlertEvent::from_json(&json!({"type": "observe", "at_ms": at_ms, "values": values})).unwrap()
}

fn metrics(value: serde_json::Value) -> MetricsInput {
    MetricsInput::from_json(&value).unwrap()
}

fn all_formats(report: &crate::status::StatusReport, policy: &CompiledPolicy) -> Vec<String> {
    let units = status_units(policy);
    [
        StatusFormat::Human,
        StatusFormat::Markdown,
        StatusFormat::Html,
    ]
    .into_iter()
    .map(|f| render_status(report, f, &units, false))
    .collect()
}

#[test]
fn missing_and_nan_values_read_no_data_everywhere() {
    let policy = policy();
    let history = [observe(
        0,
        json!({"error_rate": "NaN", "p95_latency": {"error": "timeout"}}),
    )];
    let report = status(
        &policy,
        &metrics(json!({"error_rate": null, "load": 1, "budget": 2})),
        &history,
        None,
    )
    .unwrap();
    let points = &report.history.as_ref().unwrap()[0].points;
    assert_eq!(points[0].value, None);
    let devops = &report.panels[0];
    assert_eq!(devops.metrics[0].value, None);
    assert_eq!(devops.metrics[1].value, None);
    for text in all_formats(&report, &policy) {
        assert!(text.contains("no data"), "{text}");
        assert!(!text.contains("NaN"), "{text}");
    }
}

#[test]
fn the_alerts_are_the_engines_at_the_moment_and_the_history_stops_there() {
    let policy = policy();
    let history = [
        observe(0, json!({"error_rate": 0.2})),
        observe(60_000, json!({"error_rate": 2})),
        observe(180_000, json!({"error_rate": 2})),
        observe(240_000, json!({"error_rate": 0.1})),
    ];
    let input = metrics(json!({"error_rate": 2, "p95_latency": 100, "load": 1, "budget": 2}));
    let pending = status(&policy, &input, &history, Some(120_000)).unwrap();
    let alerts = pending.alerts.as_ref().unwrap();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].status, Status::Pending);
    assert_eq!(alerts[0].since_ms, 60_000);
    assert_eq!(pending.history.as_ref().unwrap()[0].points.len(), 2);
    let firing = status(&policy, &input, &history, Some(180_000)).unwrap();
    let alerts = firing.alerts.as_ref().unwrap();
    assert_eq!(alerts[0].status, Status::Firing);
    assert_eq!(alerts[0].owner.as_deref(), Some("devops"));
    assert_eq!(alerts[0].severity.as_deref(), Some("critical"));
    // Without a moment, the history's last time: the alert has resolved.
    let last = status(&policy, &input, &history, None).unwrap();
    assert_eq!(last.at_ms, Some(240_000));
    assert!(last.alerts.unwrap().is_empty());
}

#[test]
fn an_empty_window_draws_no_chart_and_says_so() {
    let policy = policy();
    let history = [observe(60_000, json!({"error_rate": 0.2}))];
    let input = metrics(json!({"error_rate": 0.2, "p95_latency": 100, "load": 1, "budget": 2}));
    let report = status(&policy, &input, &history, Some(0)).unwrap();
    assert!(
        report
            .history
            .as_ref()
            .unwrap()
            .iter()
            .all(|h| h.points.is_empty())
    );
    let html = render_status(&report, StatusFormat::Html, &status_units(&policy), false);
    assert!(html.contains("No observation up to the moment."));
    assert!(!html.contains("class=\"chart\""));
}

#[test]
fn a_metric_compared_with_another_has_a_gauge_without_marks() {
    let policy = policy();
    let input = metrics(json!({"error_rate": 0.2, "p95_latency": 100, "load": 3, "budget": 2}));
    let report = status(&policy, &input, &[], None).unwrap();
    let load = &report.panels[1].metrics[0];
    assert!(load.warning.as_ref().unwrap().values.is_empty());
    let html = render_status(&report, StatusFormat::Html, &status_units(&policy), false);
    let gauge = html.split("data-metric=\"load\"").nth(1).unwrap();
    let gauge = gauge.split("</svg>").next().unwrap();
    assert!(!gauge.contains("class=\"mark\""), "{gauge}");
    assert!(gauge.contains("class=\"value\""), "{gauge}");
}

#[test]
fn huge_numbers_draw_finite_pictures() {
    let policy = policy();
    let input = metrics(
        json!({"error_rate": 50, "p95_latency": 1e300, "load": 1.7e308, "budget": -1.7e308}),
    );
    let history = [
        observe(0, json!({"load": 1.7e308, "budget": 1})),
        observe(1, json!({"load": -1.7e308, "budget": 1})),
    ];
    let report = status(&policy, &input, &history, None).unwrap();
    let html = render_status(&report, StatusFormat::Html, &status_units(&policy), false);
    assert!(html.contains("class=\"chart\" data-metric=\"load\""));
    assert!(!html.contains("NaN") && !html.contains("inf"), "{html}");
}

#[test]
fn strings_from_the_policy_and_the_alerts_are_escaped() {
    let policy = policy();
    let history = [
        observe(0, json!({"error_rate": 2})),
        observe(120_000, json!({"error_rate": 2})),
    ];
    let input = metrics(json!({"error_rate": 2, "p95_latency": 100, "load": 1, "budget": 2}));
    let report = status(&policy, &input, &history, None).unwrap();
    assert_eq!(report.alerts.as_ref().unwrap()[0].status, Status::Firing);
    let units = status_units(&policy);
    let html = render_status(&report, StatusFormat::Html, &units, false);
    assert!(!html.contains("<script") && !html.contains("<b>") && !html.contains("<img"));
    assert!(html.contains("&lt;script&gt;") && html.contains("ops &amp; &lt;b&gt;sre&lt;/b&gt;"));
    let markdown = render_status(&report, StatusFormat::Markdown, &units, false);
    assert!(
        !markdown.contains("<script") && !markdown.contains("<b>"),
        "{markdown}"
    );
    let human = render_status(&report, StatusFormat::Human, &units, true);
    assert!(human.contains("\u{1b}["), "colour on");
    assert!(!render_status(&report, StatusFormat::Human, &units, false).contains('\u{1b}'));
}

#[test]
fn a_policy_without_health_is_e030() {
    let policy = CompiledPolicy::from_text("name: t\nmetrics: {a: {}}\n", None).unwrap();
    let e = status(&policy, &metrics(json!({"a": 1})), &[], None).unwrap_err();
    assert_eq!(
        crate::error::KiroError::diagnostics(&e)[0].code.as_str(),
        "KIRO-E030"
    );
}
