//! Scheduling: conflicts among planned releases, and the earliest conflict-free start for each.
//!
//! Given releases planned for a time range (several services, several environments), each is
//! checked for three conflicts: another release of the same service into the same environment at
//! an overlapping time; a dependency (`needs: [{service, version}]`) that is neither deployed nor
//! planned to be done in that environment, at that version or newer, before the release starts;
//! and a start or a span that a closed window (a freeze, outside business hours) covers. Each
//! release with a conflict gets the earliest start at or after its planned one that has none of
//! the three (against the other releases as planned).
//!
//! The work is `O(n log n)` in the number of releases: releases are grouped per service and
//! environment and sorted, overlaps are found among neighbours, and a dependency is a binary
//! search in the releases of the needed service sorted by end, with the highest version done by
//! each end precomputed.

use super::compiled::CompiledRelease;
use super::error::ReleaseError;
use super::schedule;
use crate::diagnostic::{Code, Diagnostic};
use crate::units::duration::parse_duration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How many moves the search for a free slot makes before it gives up on a release.
const MAX_SLOT_STEPS: usize = 512;

/// The releases to check, and what is already deployed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SchedulePlan {
    /// The planned releases.
    pub releases: Vec<PlannedRelease>,
    /// Versions already deployed, which satisfy dependencies from the start.
    #[serde(default)]
    pub deployed: Vec<Deployed>,
}

/// One planned release.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlannedRelease {
    /// A name for the report (default: `service@version→environment`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The service.
    pub service: String,
    /// The environment, one of the policy's.
    pub environment: String,
    /// The version.
    pub version: String,
    /// When it starts: RFC 3339 or milliseconds since the epoch.
    pub start: String,
    /// How long it takes (`2h`).
    pub duration: String,
    /// Services it needs in the same environment, at a version or newer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<Need>,
}

/// A dependency: `service` at `version` or newer.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Need {
    /// The service.
    pub service: String,
    /// The lowest version that will do.
    pub version: String,
}

/// A version already deployed.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Deployed {
    /// The service.
    pub service: String,
    /// The environment.
    pub environment: String,
    /// The version.
    pub version: String,
}

/// What the check found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ScheduleReport {
    /// How many releases have a conflict.
    pub conflicted: usize,
    /// Every release, in the order given.
    pub releases: Vec<ScheduledRelease>,
}

/// One release's conflicts and suggested start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ScheduledRelease {
    /// Its name.
    pub id: String,
    /// The planned start, ms since the epoch.
    pub start_ms: u64,
    /// Its conflicts (empty: none).
    pub conflicts: Vec<Conflict>,
    /// The earliest conflict-free start at or after the planned one, when it has a conflict
    /// (`null` when none was found).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggested_start_ms: Option<u64>,
}

/// A conflict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Conflict {
    /// `overlap`, `dependency` or `window`.
    pub kind: String,
    /// Why, in words.
    pub reason: String,
}

fn bad(message: String) -> ReleaseError {
    Diagnostic::error(Code::InvalidValue, message)
        .with_source("releases")
        .into()
}

/// Compares versions part by part, numerically where both parts are numbers (`2.10` > `2.9`).
fn version_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let mut x = a.split(['.', '-', '+']);
    let mut y = b.split(['.', '-', '+']);
    loop {
        match (x.next(), y.next()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, Some(_)) => return std::cmp::Ordering::Less,
            (Some(_), None) => return std::cmp::Ordering::Greater,
            (Some(p), Some(q)) => {
                let o = match (p.parse::<u64>(), q.parse::<u64>()) {
                    (Ok(m), Ok(n)) => m.cmp(&n),
                    _ => p.cmp(q),
                };
                if o != std::cmp::Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

struct Item {
    id: String,
    env: usize,
    start: u64,
    end: u64,
}

/// Per service and environment: the releases sorted by end, with the highest version done by
/// each end.
struct Done<'a> {
    ends: Vec<u64>,
    best: Vec<&'a str>,
}

/// Checks `plan` against `release`'s environments.
pub(crate) fn check(
    release: &CompiledRelease,
    plan: &SchedulePlan,
) -> Result<ScheduleReport, ReleaseError> {
    let mut items = Vec::with_capacity(plan.releases.len());
    for (i, r) in plan.releases.iter().enumerate() {
        let env = release
            .environments
            .iter()
            .position(|e| e.name == r.environment)
            .ok_or_else(|| {
                Diagnostic::error(
                    Code::UnknownReleaseReference,
                    format!("release {i}: unknown environment `{}`", r.environment),
                )
                .with_help(format!(
                    "the environments are: {}",
                    release.environment_names().join(", ")
                ))
            })?;
        let start = super::parse_time(&r.start)
            .ok_or_else(|| bad(format!("release {i}: `{}` is not a time", r.start)))?;
        let duration = parse_duration(&r.duration).map_err(|h| {
            bad(format!(
                "release {i}: `{}` is not a duration: {h}",
                r.duration
            ))
        })?;
        items.push(Item {
            id: r
                .id
                .clone()
                .unwrap_or_else(|| format!("{}@{}→{}", r.service, r.version, r.environment)),
            env,
            start,
            end: start.saturating_add(duration),
        });
    }
    // Per (service, environment): release indices sorted by start.
    let mut groups: BTreeMap<(&str, usize), Vec<usize>> = BTreeMap::new();
    for (i, r) in plan.releases.iter().enumerate() {
        groups
            .entry((r.service.as_str(), items[i].env))
            .or_default()
            .push(i);
    }
    let mut done: BTreeMap<(&str, usize), Done<'_>> = BTreeMap::new();
    for (key, list) in &mut groups {
        list.sort_by_key(|&i| (items[i].start, i));
        let mut by_end: Vec<usize> = list.clone();
        by_end.sort_by_key(|&i| items[i].end);
        let mut best: Vec<&str> = Vec::with_capacity(by_end.len());
        for &i in &by_end {
            let v = plan.releases[i].version.as_str();
            let b = match best.last() {
                Some(prev) if version_cmp(prev, v).is_ge() => prev,
                _ => v,
            };
            best.push(b);
        }
        done.insert(
            *key,
            Done {
                ends: by_end.iter().map(|&i| items[i].end).collect(),
                best,
            },
        );
    }
    let deployed = |service: &str, env: &str, version: &str| {
        plan.deployed.iter().any(|d| {
            d.service == service && d.environment == env && version_cmp(&d.version, version).is_ge()
        })
    };
    // When a dependency is ready: `Some(0)` deployed, `Some(t)` done at t, `None` never.
    let ready_at = |need: &Need, env: usize| -> Option<u64> {
        let env_name = release
            .environments
            .get(env)
            .map_or("", |e| e.name.as_str());
        if deployed(&need.service, env_name, &need.version) {
            return Some(0);
        }
        let d = done.get(&(need.service.as_str(), env))?;
        let first = d
            .best
            .iter()
            .position(|b| version_cmp(b, &need.version).is_ge())?;
        d.ends.get(first).copied()
    };
    let mut overlaps: Vec<Vec<String>> = vec![Vec::new(); items.len()];
    for list in groups.values() {
        // A release overlaps every one that starts before the latest end so far.
        let mut open: Vec<usize> = Vec::new();
        for &i in list {
            open.retain(|&j| items[j].end > items[i].start);
            for &j in &open {
                overlaps[i].push(items[j].id.clone());
                overlaps[j].push(items[i].id.clone());
            }
            open.push(i);
        }
    }
    let mut out = Vec::with_capacity(items.len());
    let mut conflicted = 0;
    for (i, item) in items.iter().enumerate() {
        let r = &plan.releases[i];
        let env = &release.environments[item.env];
        let mut conflicts = Vec::new();
        for other in &overlaps[i] {
            conflicts.push(Conflict {
                kind: "overlap".into(),
                reason: format!(
                    "`{other}` releases {} into {} at the same time",
                    r.service, r.environment
                ),
            });
        }
        let mut earliest = item.start;
        for need in &r.needs {
            match ready_at(need, item.env) {
                Some(t) if t <= item.start => {}
                Some(t) => {
                    earliest = earliest.max(t);
                    conflicts.push(Conflict {
                        kind: "dependency".into(),
                        reason: format!(
                            "needs {} >= {} in {}, planned to be done at {}",
                            need.service,
                            need.version,
                            r.environment,
                            super::format_instant(t)
                        ),
                    });
                }
                None => conflicts.push(Conflict {
                    kind: "dependency".into(),
                    reason: format!(
                        "needs {} >= {} in {}, which is neither deployed nor planned",
                        need.service, need.version, r.environment
                    ),
                }),
            }
        }
        if let Some(reason) = window_conflict(env, item.start, item.end) {
            conflicts.push(Conflict {
                kind: "window".into(),
                reason,
            });
        }
        let suggested = if conflicts.is_empty() {
            None
        } else {
            conflicted += 1;
            let deps_ok = r.needs.iter().all(|n| ready_at(n, item.env).is_some());
            deps_ok
                .then(|| {
                    slot(
                        env,
                        &items,
                        &groups[&(r.service.as_str(), item.env)],
                        i,
                        earliest,
                    )
                })
                .flatten()
        };
        out.push(ScheduledRelease {
            id: item.id.clone(),
            start_ms: item.start,
            conflicts,
            suggested_start_ms: suggested,
        });
    }
    Ok(ScheduleReport {
        conflicted,
        releases: out,
    })
}

/// Why the windows forbid `[start, end)`, if they do.
fn window_conflict(env: &super::compiled::Environment, start: u64, end: u64) -> Option<String> {
    if env.windows.is_empty() {
        return None;
    }
    let status = schedule::status(&env.windows, start);
    if !status.open {
        return Some(status.reason);
    }
    match status.closes_at_ms {
        Some(close) if close < end => Some(format!(
            "{}; the release would still run at {}",
            status.reason,
            super::format_instant(close)
        )),
        _ => None,
    }
}

/// The earliest start at or after `from` with the windows open for the release's whole span and
/// no overlap with the other releases of its group.
fn slot(
    env: &super::compiled::Environment,
    items: &[Item],
    group: &[usize],
    me: usize,
    from: u64,
) -> Option<u64> {
    let span = items[me].end - items[me].start;
    let mut t = from;
    for _ in 0..MAX_SLOT_STEPS {
        if !env.windows.is_empty() {
            let status = schedule::status(&env.windows, t);
            if !status.open {
                t = status.opens_at_ms?;
                continue;
            }
            if let Some(close) = status.closes_at_ms
                && close < t.saturating_add(span)
            {
                t = schedule::next_open(&env.windows, i64::try_from(close).ok()?.saturating_add(1))
                    .and_then(|o| u64::try_from(o).ok())?;
                continue;
            }
        }
        let end = t.saturating_add(span);
        match group
            .iter()
            .filter(|&&j| j != me)
            .map(|&j| &items[j])
            .filter(|o| o.start < end && t < o.end)
            .map(|o| o.end)
            .max()
        {
            Some(next) => t = next,
            None => return Some(t),
        }
    }
    None
}
