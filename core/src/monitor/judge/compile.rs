//! Validation of the `judges` section and the trigger each judge generates.

use super::model::{Direction, JudgeDecl};
use super::{Judge, JudgedMetric};
use crate::condition::MetricLookup;
use crate::diagnostic::{Code, Diagnostic, Span, did_you_mean, push_error};
use crate::document::Spanned;
use crate::metrics::table::MetricTable;
use crate::monitor::model::{Action, TierDecl, TriggerDecl};
use crate::monitor::slo::model::PercentDecl;
use crate::units::duration::duration_ms;
use crate::units::{Dimension, Unit, parse_quantity_in};

/// The judges, compiled, with their generated triggers.
#[derive(Debug, Default)]
pub(crate) struct Compiled {
    pub judges: Vec<Judge>,
    pub triggers: Vec<Spanned<TriggerDecl>>,
}

/// Compiles `decls` against the metrics; `taken` says whether a name is already a metric's or
/// a window's.
pub(crate) fn compile(
    decls: &[Spanned<JudgeDecl>],
    metrics: &MetricTable,
    taken: &dyn Fn(&str) -> bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> Compiled {
    let names: Vec<&Spanned<String>> = decls.iter().map(|d| &d.name).collect();
    crate::criteria::unique_names(names.into_iter(), "judge", diagnostics);
    let mut out = Compiled::default();
    for decl in decls {
        let before = diagnostics.len();
        let judge = one(decl, metrics, taken, diagnostics);
        if let Some(judge) = judge
            && diagnostics.len() == before
        {
            out.triggers.push(trigger(decl, &judge));
            out.judges.push(judge);
        }
    }
    out
}

/// A percentage setting with its default, checked to be within `range` (as ratios).
fn percent(
    decl: Option<&Spanned<PercentDecl>>,
    default: f64,
    what: &str,
    range: (f64, f64),
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<f64> {
    let Some(decl) = decl else {
        return Some(default);
    };
    let value = parse_quantity_in(&format!("{}%", decl.value.decimal()), Unit::PERCENT)
        .ok()
        .map(|q| q.value)
        .filter(|v| v.is_finite());
    match value {
        Some(v) if v >= range.0 && v <= range.1 => Some(v),
        _ => {
            push_error(
                diagnostics,
                Code::InvalidSetting,
                format!(
                    "`{what}` must be a percentage from {} to {}",
                    crate::units::format_in(range.0, Unit::PERCENT),
                    crate::units::format_in(range.1, Unit::PERCENT)
                ),
                decl.span,
                "out of range",
            );
            None
        }
    }
}

fn one(
    decl: &Spanned<JudgeDecl>,
    metrics: &MetricTable,
    taken: &dyn Fn(&str) -> bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Judge> {
    let d = &decl.value;
    let name = &d.name;
    if !crate::monitor::compile::valid_word(name) {
        push_error(
            diagnostics,
            Code::InvalidValue,
            format!("`{}` is not a valid judge name", name.value),
            name.span,
            "not one word",
        )
        .help = Some("a judge name is one word of letters, digits and `_`".into());
    } else if taken(name) {
        push_error(
            diagnostics,
            Code::DuplicateName,
            format!("judge `{}` has the name of a metric or window", name.value),
            name.span,
            "this judge",
        );
    }
    let over_ms = duration_ms(&d.over, "over")
        .map_err(|e| diagnostics.push(e))
        .ok();
    if over_ms == Some(0) {
        push_error(
            diagnostics,
            Code::InvalidSetting,
            "a judge's window must be longer than 0s",
            d.over.span,
            "0s",
        );
    }
    // Strictly inside (0%, 100%): a confidence of 100% would never find a difference.
    let confidence = percent(
        d.confidence.as_ref(),
        0.95,
        "confidence",
        (f64::MIN_POSITIVE, 1.0 - f64::EPSILON),
        diagnostics,
    );
    let pass = percent(d.pass.as_ref(), 0.95, "pass", (0.0, 1.0), diagnostics);
    let marginal = percent(
        d.marginal.as_ref(),
        0.75,
        "marginal",
        (0.0, 1.0),
        diagnostics,
    );
    if let (Some(p), Some(m)) = (pass, marginal)
        && m > p
    {
        let span = d.marginal.as_ref().map_or(name.span, |m| m.span);
        push_error(
            diagnostics,
            Code::InvalidSetting,
            "`marginal` is above `pass`",
            span,
            "above pass",
        );
    }
    let min_samples = match &d.min_samples {
        Some(m) if m.value == 0 => {
            push_error(
                diagnostics,
                Code::InvalidSetting,
                "`min_samples` must be at least 1",
                m.span,
                "0",
            );
            1
        }
        Some(m) => m.value,
        None => 5,
    };
    let canary = d.canary.as_ref().map_or("canary", |c| c.value.as_str());
    let baseline = d.baseline.as_ref().map_or("stable", |b| b.value.as_str());
    if d.metrics.is_empty() {
        push_error(
            diagnostics,
            Code::InvalidValue,
            format!("judge `{}` has no metrics", name.value),
            name.span,
            "this judge",
        )
        .help = Some("list the metrics compared: `metrics: [{metric: latency}]`".into());
    }
    // Groups: the declared weights, and every group a metric names.
    // In name order, as `groups` is.
    let mut weights: Vec<(String, f64)> = Vec::new();
    for (group, weight) in &d.groups {
        if !(weight.value.is_finite() && weight.value >= 0.0) {
            push_error(
                diagnostics,
                Code::InvalidSetting,
                format!("the weight of group `{group}` is not a number of 0 or more"),
                weight.span,
                "out of range",
            );
        }
        weights.push((group.clone(), weight.value));
    }
    let group_of = |m: &super::model::JudgedMetricDecl| {
        m.group
            .as_ref()
            .map_or_else(|| m.metric.value.clone(), |g| g.value.clone())
    };
    for m in &d.metrics {
        let g = group_of(m);
        if !d.groups.is_empty() && !d.groups.contains_key(&g) {
            let span = m.group.as_ref().map_or(m.metric.span, |g| g.span);
            push_error(
                diagnostics,
                Code::UnknownReference,
                format!("group `{g}` has no weight under `groups`"),
                span,
                "not in `groups`",
            )
            .help = did_you_mean(&g, d.groups.keys().map(String::as_str))
                .map(|s| format!("did you mean `{s}`?"));
        }
        if let Err(at) = weights.binary_search_by(|(n, _)| n.as_str().cmp(&g)) {
            weights.insert(at, (g, 1.0));
        }
    }
    let groups = weights;
    let mut judged = Vec::with_capacity(d.metrics.len());
    for m in &d.metrics {
        let side = |prefix: &str, diagnostics: &mut Vec<Diagnostic>| {
            let full = format!("{prefix}.{}", m.metric.value);
            let found = metrics.lookup(&full);
            if found.is_none() {
                push_error(
                    diagnostics,
                    Code::UnknownMetric,
                    format!("metric `{full}` is not declared"),
                    m.metric.span,
                    "compared per version",
                )
                .help = Some(format!(
                    "declare `{full}` under `metrics:`, the {prefix} version's series of `{}`",
                    m.metric.value
                ));
            }
            found
        };
        let (c, b) = (side(canary, diagnostics), side(baseline, diagnostics));
        let (Some(c), Some(b)) = (c, b) else {
            continue;
        };
        if c.unit.dimension != b.unit.dimension || c.unit.dimension == Dimension::Bool {
            push_error(
                diagnostics,
                Code::TypeMismatch,
                format!(
                    "`{canary}.{0}` and `{baseline}.{0}` must be numbers of one kind",
                    m.metric.value
                ),
                m.metric.span,
                "this metric",
            );
            continue;
        }
        let tolerance = percent(
            m.tolerance.as_ref(),
            0.0,
            "tolerance",
            (0.0, f64::MAX),
            diagnostics,
        );
        let g = group_of(m);
        judged.push(JudgedMetric {
            name: m.metric.value.clone(),
            canary: c.slot,
            baseline: b.slot,
            unit: c.unit,
            direction: m.fail_on.as_ref().map_or(Direction::Increase, |f| f.value),
            tolerance: tolerance.unwrap_or(0.0),
            group: groups.iter().position(|(n, _)| *n == g).unwrap_or(0),
            critical: m.critical,
        });
    }
    Some(Judge {
        name: name.value.clone(),
        over_ms: over_ms?,
        alpha: 1.0 - confidence?,
        min_samples,
        pass: pass?,
        marginal: marginal?,
        metrics: judged,
        groups,
    })
}

/// The trigger a judge generates: below `pass` → `on_marginal` (default warn), below
/// `marginal` → `on_fail` (default rollback), the second on the fast track.
fn trigger(decl: &Spanned<JudgeDecl>, judge: &Judge) -> Spanned<TriggerDecl> {
    let d = &decl.value;
    let span: Span = d.name.span;
    let threshold = |p: Option<&Spanned<PercentDecl>>, default: &str| {
        p.map_or_else(|| default.to_owned(), |p| format!("{}%", p.value.decimal()))
    };
    let tier = |when: String, action: Action, fast_track: bool| {
        Spanned::new(
            span,
            TierDecl {
                when: Spanned::new(span, when),
                hold_for: None,
                action: Spanned::new(span, action),
                mode: None,
                approvers: Vec::new(),
                timeout: None,
                on_timeout: None,
                fast_track,
            },
        )
    };
    let tiers = vec![
        tier(
            format!("{} < {}", judge.name, threshold(d.pass.as_ref(), "95%")),
            d.on_marginal.as_ref().map_or(Action::Warn, |a| a.value),
            false,
        ),
        tier(
            format!("{} < {}", judge.name, threshold(d.marginal.as_ref(), "75%")),
            d.on_fail.as_ref().map_or(Action::Rollback, |a| a.value),
            true,
        ),
    ];
    Spanned::new(
        decl.span,
        TriggerDecl {
            name: Spanned::new(span, format!("judge:{}", judge.name)),
            description: Some(format!("canary judge `{}`", judge.name)),
            when: None,
            hold_for: None,
            action: None,
            mode: None,
            approvers: Vec::new(),
            timeout: None,
            on_timeout: None,
            tiers,
            on_missing: None,
            failure_limit: None,
            consecutive_error_limit: None,
            inconclusive_limit: None,
            min_observations: None,
        },
    )
}
