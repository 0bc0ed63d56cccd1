//! A notification rendered for its channel: Slack (Block Kit), Microsoft Teams (an Adaptive
//! Card), PagerDuty (Events API v2, with a dedup key), email (subject, text and HTML), and a
//! generic webhook in Alertmanager's webhook format (version 4), so existing receivers work.
//! kiro renders; the host sends.

use super::decision::{Notification, NotifiedAlert, NotifyReason, Status};
use super::model::ChannelKind;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write;

impl Notification {
    /// The payload for the receiver's channel.
    #[must_use]
    pub fn payload(&self) -> Value {
        match self.channel {
            ChannelKind::Slack => slack(self),
            ChannelKind::Teams => teams(self),
            ChannelKind::Pagerduty => pagerduty(self),
            ChannelKind::Email => email(self),
            ChannelKind::Webhook => webhook(self),
        }
    }

    /// A key that is the same for every notification of one receiver's group: PagerDuty's
    /// `dedup_key`, so a resolve closes the incident its trigger opened.
    #[must_use]
    pub fn dedup_key(&self) -> String {
        let digest = Sha256::digest(format!("{}\n{}", self.receiver, self.group).as_bytes());
        let mut out = String::from("kiro-");
        for b in digest.iter().take(16) {
            let _ = write!(out, "{b:02x}");
        }
        out
    }

    fn status(&self) -> &'static str {
        if self.firing.is_empty() {
            "resolved"
        } else {
            "firing"
        }
    }

    /// `[FIRING:2] HighErrorRate (api)`: the group's status, count and common labels.
    fn title(&self) -> String {
        let common = common(self.alerts.iter().map(|a| &a.labels));
        let mut title = if self.firing.is_empty() {
            format!("[RESOLVED] {}", self.resolved.len())
        } else {
            format!("[FIRING:{}]", self.firing.len())
        };
        if let Some(name) = common.get("alertname") {
            let _ = write!(title, " {name}");
        }
        let rest: Vec<&str> = common
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "alertname" | "severity"))
            .map(|(_, v)| v.as_str())
            .collect();
        if !rest.is_empty() {
            let _ = write!(title, " ({})", rest.join(" "));
        }
        if self.reason == NotifyReason::Flapping {
            title.push_str(" is flapping");
        }
        title
    }
}

/// The labels every alert has with the same value.
fn common<'a>(
    mut labels: impl Iterator<Item = &'a BTreeMap<String, String>>,
) -> BTreeMap<String, String> {
    let Some(first) = labels.next() else {
        return BTreeMap::new();
    };
    let mut out = first.clone();
    for l in labels {
        out.retain(|k, v| l.get(k) == Some(v));
    }
    out
}

fn summary(a: &NotifiedAlert) -> String {
    a.annotations
        .get("summary")
        .cloned()
        .unwrap_or_else(|| a.id.clone())
}

fn severity(n: &Notification) -> &str {
    let sev = |s: &str| {
        n.alerts
            .iter()
            .any(|a| a.labels.get("severity").is_some_and(|v| v == s))
    };
    if sev("critical") {
        "critical"
    } else if sev("warning") {
        "warning"
    } else {
        "info"
    }
}

fn slack(n: &Notification) -> Value {
    let mut blocks =
        vec![json!({"type": "header", "text": {"type": "plain_text", "text": n.title()}})];
    for a in &n.alerts {
        let mark = if a.status == Status::Firing {
            ":red_circle:"
        } else {
            ":white_check_mark:"
        };
        let mut text = format!("{mark} *{}*", summary(a));
        if let Some(d) = a.annotations.get("description") {
            let _ = write!(text, "\n{d}");
        }
        let _ = write!(text, "\n`{}`", a.id);
        blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": text}}));
    }
    blocks.push(json!({"type": "context", "elements": [{"type": "mrkdwn", "text": format!("{} · group `{}` · route {}", word(n.reason), n.group, n.route)}]}));
    let mut v = json!({"text": n.title(), "blocks": blocks});
    if let (Some(to), Some(obj)) = (&n.to, v.as_object_mut()) {
        obj.insert("channel".into(), Value::String(to.clone()));
    }
    v
}

fn teams(n: &Notification) -> Value {
    let mut body = vec![
        json!({"type": "TextBlock", "size": "Large", "weight": "Bolder", "text": n.title(), "wrap": true}),
    ];
    for a in &n.alerts {
        body.push(json!({"type": "TextBlock", "text": format!("{} — {}", if a.status == Status::Firing { "FIRING" } else { "RESOLVED" }, summary(a)), "wrap": true}));
        body.push(json!({"type": "FactSet", "facts": a.labels.iter().map(|(k, v)| json!({"title": k, "value": v})).collect::<Vec<_>>()}));
    }
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "content": {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard", "version": "1.4", "body": body}
        }]
    })
}

fn pagerduty(n: &Notification) -> Value {
    let action = if n.firing.is_empty() {
        "resolve"
    } else {
        "trigger"
    };
    let mut v = json!({
        "routing_key": n.to.clone().unwrap_or_default(),
        "event_action": action,
        "dedup_key": n.dedup_key(),
    });
    if action == "trigger"
        && let Some(obj) = v.as_object_mut()
    {
        let pd_severity = match severity(n) {
            "critical" => "critical",
            "warning" => "warning",
            _ => "info",
        };
        obj.insert(
            "payload".into(),
            json!({
                "summary": n.title(),
                "source": "kiro",
                "severity": pd_severity,
                "group": n.group,
                "custom_details": {"firing": n.firing, "resolved": n.resolved, "reason": word(n.reason)},
            }),
        );
    }
    v
}

fn email(n: &Notification) -> Value {
    let mut text = format!("{}\n\n", n.title());
    let mut html = format!("<h2>{}</h2>\n<ul>\n", escape(&n.title()));
    for a in &n.alerts {
        let state = if a.status == Status::Firing {
            "FIRING"
        } else {
            "RESOLVED"
        };
        let _ = writeln!(text, "{state}  {}\n        {}", summary(a), a.id);
        let _ = writeln!(
            html,
            "<li><strong>{state}</strong> {}<br><code>{}</code></li>",
            escape(&summary(a)),
            escape(&a.id)
        );
    }
    let _ = write!(
        text,
        "\n{} · group {} · route {}\n",
        word(n.reason),
        n.group,
        n.route
    );
    html.push_str("</ul>\n");
    json!({"to": n.to, "subject": n.title(), "text": text, "html": html})
}

fn webhook(n: &Notification) -> Value {
    let alerts: Vec<Value> = n
        .alerts
        .iter()
        .map(|a| {
            json!({
                "status": if a.status == Status::Firing { "firing" } else { "resolved" },
                "labels": a.labels,
                "annotations": a.annotations,
                "startsAt": rfc3339(a.starts_ms),
                "endsAt": a.ends_ms.map_or_else(|| "0001-01-01T00:00:00Z".to_owned(), rfc3339),
                "generatorURL": "",
                "fingerprint": fingerprint(&a.id),
            })
        })
        .collect();
    json!({
        "version": "4",
        "groupKey": n.group,
        "truncatedAlerts": 0,
        "status": n.status(),
        "receiver": n.receiver,
        "groupLabels": n.group_labels,
        "commonLabels": common(n.alerts.iter().map(|a| &a.labels)),
        "commonAnnotations": common(n.alerts.iter().map(|a| &a.annotations)),
        "externalURL": "",
        "alerts": alerts,
    })
}

fn fingerprint(id: &str) -> String {
    let digest = Sha256::digest(id.as_bytes());
    let mut out = String::new();
    for b in digest.iter().take(8) {
        let _ = write!(out, "{b:02x}");
    }
    out
}

fn word(reason: NotifyReason) -> String {
    serde_json::to_value(reason)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Milliseconds since the Unix epoch as RFC 3339 UTC (`2026-12-02T16:00:00Z`, with
/// milliseconds when there are any).
#[must_use]
pub fn rfc3339(ms: u64) -> String {
    let secs = ms / 1000;
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (h, m, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    let frac = ms % 1000;
    if frac == 0 {
        format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}Z")
    } else {
        format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{frac:03}Z")
    }
}
