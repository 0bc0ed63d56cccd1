//! Golden files of the payloads a notification renders to, one per channel kind (Slack Block
//! Kit, Teams Adaptive Card, PagerDuty Events v2, email, Alertmanager webhook), for a group that
//! fires (with a rendered summary) and then resolves. Regenerate with
//! `INSTA_UPDATE=always cargo test -p kiro-tests --test alert_payloads` and review.

use kiro::CompiledPolicy;
use kiro::alert::{AlertEvent, AlertState, Effect, Notification, step};
use serde_json::json;

const POLICY: &str = r##"
name: payloads
metrics: {error_rate: {unit: "%"}}
personas: [{name: devops}]
alerts:
  rules:
    - name: HighErrorRate
      when: error_rate > 1%
      severity: critical
      owner: devops
      labels: {service: api}
      summary: "API error rate is {{ metrics.error_rate }}"
      description: "{% if labels.service == 'api' %}The public API{% else %}A service{% endif %} fails requests."
  receivers:
    - {name: chat, channel: slack, to: "#alerts"}
    - {name: teams, channel: teams}
    - {name: pager, channel: pagerduty, to: R0UT1NGKEY}
    - {name: mail, channel: email, to: oncall@example.com}
    - {name: hook, channel: webhook}
  route:
    receiver: hook
    group_by: [alertname]
    group_wait: 0s
    group_interval: 1m
    routes:
      - {matchers: ['service="api"'], receiver: chat, continue: true}
      - {matchers: ['service="api"'], receiver: teams, continue: true}
      - {matchers: ['service="api"'], receiver: pager, continue: true}
      - {matchers: ['service="api"'], receiver: mail, continue: true}
      - {matchers: ['service="api"'], receiver: hook}
"##;

fn notifications() -> Vec<Notification> {
    let policy = CompiledPolicy::from_text(POLICY, None).expect("the policy compiles");
    let mut state = AlertState::new(&policy).expect("a state");
    let events = [
        json!({"type": "observe", "at_ms": 1_796_227_200_000_u64, "values": {"error_rate": "2.5%"}}),
        json!({"type": "observe", "at_ms": 1_796_227_230_000_u64, "values": {"error_rate": "0.1%"}}),
        json!({"type": "tick", "at_ms": 1_796_227_260_000_u64}),
    ];
    let mut out = Vec::new();
    for e in &events {
        let event = AlertEvent::from_json(e).expect("an event");
        for effect in step(&mut state, &policy, &event).expect("a step").effects {
            if let Effect::Notify(n) = effect {
                out.push(n);
            }
        }
    }
    out
}

#[test]
fn every_channel_renders_its_payload() {
    let all = notifications();
    assert_eq!(all.len(), 10, "five receivers, firing then resolved");
    for n in &all {
        let name = format!(
            "{}_{}",
            n.receiver,
            if n.firing.is_empty() {
                "resolved"
            } else {
                "firing"
            }
        );
        let text = serde_json::to_string_pretty(&n.payload()).expect("JSON");
        insta::assert_snapshot!(name, text);
    }
}

#[test]
fn pagerduty_trigger_and_resolve_share_the_dedup_key() {
    let all = notifications();
    let keys: Vec<String> = all
        .iter()
        .filter(|n| n.receiver == "pager")
        .map(|n| {
            n.payload()["dedup_key"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0], keys[1]);
    assert!(keys[0].starts_with("kiro-"));
}

#[test]
fn rfc3339_times() {
    assert_eq!(kiro::alert::payload::rfc3339(0), "1970-01-01T00:00:00Z");
    assert_eq!(
        kiro::alert::payload::rfc3339(1_796_227_200_000),
        "2026-12-02T16:00:00Z"
    );
    assert_eq!(
        kiro::alert::payload::rfc3339(951_782_400_123),
        "2000-02-29T00:00:00.123Z"
    );
}
