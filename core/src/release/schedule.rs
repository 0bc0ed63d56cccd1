//! Deploy windows: recurring (a cron rule read in an IANA time zone, so that `09:00` stays
//! `09:00` local across a DST change) and one-off date ranges, each allowing or denying.
//!
//! An environment is open at an instant when no deny window is in force and, if it has allow
//! windows, one of them is. Deny beats allow. Times are milliseconds since the Unix epoch (UTC);
//! civil times are read in the window's zone from the tz database bundled in the binary, never
//! the system's, so every host (and WebAssembly) gives the same answer.

use super::model::WindowKind;
use croner::Cron;
use jiff::tz::{TimeZone, TimeZoneDatabase};
use jiff::{Timestamp, Zoned};
use serde::Serialize;

/// How far ahead a next opening is searched for: a window that never opens within this many
/// steps (each step jumps to a window's end or start) is reported as not opening.
const MAX_SEARCH_STEPS: usize = 256;

/// A compiled window.
#[derive(Debug, Clone)]
pub(crate) struct Window {
    pub name: String,
    pub kind: WindowKind,
    pub rule: Rule,
    pub tz_name: String,
    pub tz: TimeZone,
}

/// When a window is in force.
#[derive(Debug, Clone)]
pub(crate) enum Rule {
    /// Opens at each occurrence of `cron` in the zone, for `duration_ms`.
    Cron {
        cron: Box<Cron>,
        text: String,
        duration_ms: i64,
    },
    /// In force on `[from_ms, to_ms)`.
    Range {
        from_ms: i64,
        to_ms: i64,
        text: String,
    },
}

/// The time zone database every window is read in: the copy bundled in the binary.
pub(crate) fn zone(name: &str) -> Option<TimeZone> {
    TimeZoneDatabase::bundled().get(name).ok()
}

/// Every zone name of the bundled database (for did-you-mean).
pub(crate) fn zone_names() -> Vec<String> {
    TimeZoneDatabase::bundled()
        .available()
        .map(|n| n.as_str().to_owned())
        .collect()
}

/// Reads a civil date-time (`2026-12-20T09:00`, `2026-12-20`) in `tz`, or an instant with an
/// offset (`2026-12-20T09:00Z`): milliseconds since the epoch.
pub(crate) fn parse_instant(text: &str, tz: &TimeZone) -> Option<i64> {
    if let Ok(ts) = text.parse::<Timestamp>() {
        return Some(ts.as_millisecond());
    }
    if let Ok(dt) = text.parse::<jiff::civil::DateTime>() {
        return dt
            .to_zoned(tz.clone())
            .ok()
            .map(|z| z.timestamp().as_millisecond());
    }
    if let Ok(d) = text.parse::<jiff::civil::Date>() {
        return d
            .to_zoned(tz.clone())
            .ok()
            .map(|z| z.timestamp().as_millisecond());
    }
    None
}

fn zoned(ms: i64, tz: &TimeZone) -> Option<Zoned> {
    Timestamp::from_millisecond(ms)
        .ok()
        .map(|t| t.to_zoned(tz.clone()))
}

fn millis(z: &Zoned) -> i64 {
    z.timestamp().as_millisecond()
}

impl Window {
    /// The rule as written (`cron 0 9 * * 1-5 for 8h`, `2026-12-20 → 2027-01-04`).
    pub fn rule_text(&self) -> String {
        match &self.rule {
            Rule::Cron { text, .. } | Rule::Range { text, .. } => text.clone(),
        }
    }

    /// When the opening in force at `t` ends, if the window is in force at `t`.
    pub fn in_force_until(&self, t: i64) -> Option<i64> {
        match &self.rule {
            Rule::Range { from_ms, to_ms, .. } => (*from_ms <= t && t < *to_ms).then_some(*to_ms),
            Rule::Cron {
                cron, duration_ms, ..
            } => {
                let now = zoned(t, &self.tz)?;
                let start = millis(&cron.find_previous_occurrence(&now, true).ok()?);
                let end = start.saturating_add(*duration_ms);
                (t < end).then_some(end)
            }
        }
    }

    /// Whether the window is in force at `t` (cheaper than [`Window::in_force_until`]: a
    /// forward search from `t - duration` for an opening at or before `t`).
    pub fn in_force(&self, t: i64) -> bool {
        match &self.rule {
            Rule::Range { from_ms, to_ms, .. } => *from_ms <= t && t < *to_ms,
            Rule::Cron {
                cron, duration_ms, ..
            } => {
                // Openings fall on whole seconds, and one in force started after `t - duration`:
                // search from the first whole second after it (croner ignores milliseconds).
                let after = t
                    .saturating_sub(*duration_ms)
                    .div_euclid(1000)
                    .saturating_mul(1000)
                    .saturating_add(1000);
                zoned(after, &self.tz)
                    .and_then(|from| cron.find_next_occurrence(&from, true).ok())
                    .is_some_and(|start| millis(&start) <= t)
            }
        }
    }

    /// The first opening at or after `t`.
    pub fn next_start(&self, t: i64) -> Option<i64> {
        match &self.rule {
            Rule::Range { from_ms, .. } => (*from_ms >= t).then_some(*from_ms),
            Rule::Cron { cron, .. } => {
                let now = zoned(t, &self.tz)?;
                cron.find_next_occurrence(&now, true)
                    .ok()
                    .map(|z| millis(&z))
            }
        }
    }
}

/// Where an environment's windows stand at an instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WindowStatus {
    /// Whether deploying is allowed now.
    pub open: bool,
    /// The window in force that decides it (a deny window when one is in force, else the allow
    /// window in force), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<String>,
    /// Why, in words.
    pub reason: String,
    /// When closed: the next instant deploying is allowed (ms since the epoch), if one comes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opens_at_ms: Option<u64>,
    /// When open under an allow window or between deny windows: when that ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closes_at_ms: Option<u64>,
}

fn to_u64(ms: i64) -> u64 {
    u64::try_from(ms).unwrap_or(0)
}

/// The first deny window in force at `t`, and when the last of those in force ends.
fn deny_at(windows: &[Window], t: i64) -> Option<(&Window, i64)> {
    let mut found: Option<(&Window, i64)> = None;
    for w in windows.iter().filter(|w| w.kind == WindowKind::Deny) {
        if let Some(end) = w.in_force_until(t) {
            found = Some(match found {
                None => (w, end),
                Some((first, e)) => (first, e.max(end)),
            });
        }
    }
    found
}

/// The allow window in force at `t` that lasts longest.
fn allow_at(windows: &[Window], t: i64) -> Option<(&Window, i64)> {
    windows
        .iter()
        .filter(|w| w.kind == WindowKind::Allow)
        .filter_map(|w| w.in_force_until(t).map(|end| (w, end)))
        .max_by_key(|(_, end)| *end)
}

fn has_allow(windows: &[Window]) -> bool {
    windows.iter().any(|w| w.kind == WindowKind::Allow)
}

/// The first instant at or after `t` when deploying is allowed.
pub(crate) fn next_open(windows: &[Window], t: i64) -> Option<i64> {
    let mut c = t;
    for _ in 0..MAX_SEARCH_STEPS {
        if let Some((_, end)) = deny_at(windows, c) {
            c = end;
            continue;
        }
        if has_allow(windows) && allow_at(windows, c).is_none() {
            c = windows
                .iter()
                .filter(|w| w.kind == WindowKind::Allow)
                .filter_map(|w| w.next_start(c))
                .min()?;
            continue;
        }
        return Some(c);
    }
    None
}

/// The first deny window that starts after `t` and before `until`.
fn next_deny_start(windows: &[Window], t: i64) -> Option<i64> {
    windows
        .iter()
        .filter(|w| w.kind == WindowKind::Deny)
        .filter_map(|w| w.next_start(t.saturating_add(1)))
        .min()
}

/// Whether deploying is allowed at `t` (ms since the epoch): [`status`]'s `open`, without
/// searching for the next change or writing the reason.
pub(crate) fn is_open(windows: &[Window], t_ms: u64) -> bool {
    let t = i64::try_from(t_ms).unwrap_or(i64::MAX);
    let in_force = |kind: WindowKind| {
        windows
            .iter()
            .filter(|w| w.kind == kind)
            .any(|w| w.in_force(t))
    };
    !in_force(WindowKind::Deny) && (!has_allow(windows) || in_force(WindowKind::Allow))
}

/// Where `windows` stand at `t` (ms since the epoch).
pub(crate) fn status(windows: &[Window], t_ms: u64) -> WindowStatus {
    let t = i64::try_from(t_ms).unwrap_or(i64::MAX);
    let at = |ms: i64| crate::release::plan::format_instant(to_u64(ms));
    if let Some((deny, end)) = deny_at(windows, t) {
        let opens = next_open(windows, end);
        return WindowStatus {
            open: false,
            window: Some(deny.name.clone()),
            reason: format!(
                "deny window `{}` ({}, {}) is in force until {}",
                deny.name,
                deny.rule_text(),
                deny.tz_name,
                at(end)
            ),
            opens_at_ms: opens.map(to_u64),
            closes_at_ms: None,
        };
    }
    let deny_next = next_deny_start(windows, t);
    if has_allow(windows) {
        return match allow_at(windows, t) {
            Some((allow, end)) => WindowStatus {
                open: true,
                window: Some(allow.name.clone()),
                reason: format!(
                    "allow window `{}` ({}, {}) is open until {}",
                    allow.name,
                    allow.rule_text(),
                    allow.tz_name,
                    at(end)
                ),
                opens_at_ms: None,
                closes_at_ms: Some(to_u64(deny_next.map_or(end, |d| d.min(end)))),
            },
            None => {
                let names: Vec<String> = windows
                    .iter()
                    .filter(|w| w.kind == WindowKind::Allow)
                    .map(|w| format!("`{}`", w.name))
                    .collect();
                let opens = next_open(windows, t);
                let first = opens.and_then(|o| allow_at(windows, o)).map(|(w, _)| w);
                WindowStatus {
                    open: false,
                    window: first.map(|w| w.name.clone()),
                    reason: format!(
                        "outside every allow window ({}){}",
                        names.join(", "),
                        match (first, opens) {
                            (Some(w), Some(o)) => format!("; `{}` opens at {}", w.name, at(o)),
                            _ => "; none opens again".to_owned(),
                        }
                    ),
                    opens_at_ms: opens.map(to_u64),
                    closes_at_ms: None,
                }
            }
        };
    }
    WindowStatus {
        open: true,
        window: None,
        reason: if windows.is_empty() {
            "no windows restrict deploying".to_owned()
        } else {
            "no deny window is in force".to_owned()
        },
        opens_at_ms: None,
        closes_at_ms: deny_next.map(to_u64),
    }
}
