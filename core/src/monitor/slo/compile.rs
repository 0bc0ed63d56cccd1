//! Validation of the `slos` section and the burn-rate trigger each objective generates.
//!
//! An objective compiles to its spans (the alerts' long and short windows and the period),
//! one burn-rate window per span (`<name>_burn_<span>`, a slot conditions read like any
//! window), and a trigger declaration `slo:<name>` with one tier per alert, which the monitor
//! then compiles like a written trigger.

use super::model::{BurnRateDecl, PercentDecl, Severity, SloDecl};
use super::{Alert, BurnWindow, Slo, Source};
use crate::condition::MetricLookup;
use crate::diagnostic::{Code, Diagnostic, Span, did_you_mean, push_error};
use crate::document::Spanned;
use crate::metrics::table::MetricTable;
use crate::monitor::model::{Action, TierDecl, TriggerDecl};
use crate::units::duration::{duration_ms, format_duration};
use crate::units::{Dimension, Unit, parse_quantity_in};

/// The default period of an objective: 30 days.
pub const DEFAULT_PERIOD_MS: u64 = 30 * 86_400_000;

/// The workbook's alerts for a 30-day period: (share of the budget in %, long, short,
/// severity).
const WORKBOOK: [(u32, u64, u64, Severity); 3] = [
    (2, 3_600_000, 300_000, Severity::Page),
    (5, 21_600_000, 1_800_000, Severity::Page),
    (10, 259_200_000, 21_600_000, Severity::Ticket),
];

/// The objectives, compiled: each with its burn windows (named, in slot order after `first`,
/// the number of window slots before them) and its generated trigger.
#[derive(Debug, Default)]
pub(crate) struct Compiled {
    pub slos: Vec<Slo>,
    pub burns: Vec<BurnWindow>,
    pub triggers: Vec<Spanned<TriggerDecl>>,
}

/// Compiles `decls` against the metrics; `taken` says whether a name is already a metric's or
/// a window's. Problems go to `diagnostics`.
pub(crate) fn compile(
    decls: &[Spanned<SloDecl>],
    metrics: &MetricTable,
    taken: &dyn Fn(&str) -> bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> Compiled {
    let names: Vec<&Spanned<String>> = decls.iter().map(|d| &d.name).collect();
    crate::criteria::unique_names(names.into_iter(), "slo", diagnostics);
    let mut out = Compiled::default();
    for decl in decls {
        let before = diagnostics.len();
        let Some(slo) = objective(decl, metrics, diagnostics) else {
            continue;
        };
        let index = out.slos.len();
        for (span_index, &span) in slo.spans.iter().enumerate() {
            let name = burn_name(&slo.name, span);
            if taken(&name) {
                push_error(
                    diagnostics,
                    Code::DuplicateName,
                    format!(
                        "slo `{}` makes the window `{name}`, a name already taken",
                        slo.name
                    ),
                    decl.name.span,
                    "this objective",
                )
                .help = Some(format!(
                    "rename the metric or window `{name}`, or the objective"
                ));
            }
            out.burns.push(BurnWindow {
                name,
                slo: index,
                span: span_index,
            });
        }
        if diagnostics.len() == before {
            out.triggers.push(trigger(decl, &slo));
        }
        out.slos.push(slo);
    }
    out
}

/// The name of an objective's burn-rate window over `span`.
pub(crate) fn burn_name(slo: &str, span: u64) -> String {
    format!("{slo}_burn_{}", format_duration(span))
}

fn objective(
    decl: &Spanned<SloDecl>,
    metrics: &MetricTable,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Slo> {
    let d = &decl.value;
    let before = diagnostics.len();
    if !crate::monitor::compile::valid_word(&d.name) {
        push_error(
            diagnostics,
            Code::InvalidValue,
            format!("`{}` is not a valid slo name", d.name.value),
            d.name.span,
            "not one word",
        )
        .help = Some("an slo name is one word of letters, digits and `_`".into());
    }
    let objective = percent(&d.objective, "objective", diagnostics);
    // The budget is 100% minus the objective, computed on the decimal as written.
    let budget = complement(&d.objective.value.decimal())
        .and_then(|b| parse_quantity_in(&format!("{b}%"), Unit::PERCENT).ok())
        .map(|q| q.value);
    if objective.is_some() && !(objective > Some(0.0) && budget > Some(0.0)) {
        push_error(
            diagnostics,
            Code::InvalidSetting,
            format!(
                "objective `{}` is not above 0% and below 100%",
                d.objective.value
            ),
            d.objective.span,
            "out of range",
        )
        .help = Some("an objective leaves an error budget: `99.9%`".into());
    }
    let period_ms = match &d.period {
        Some(p) => duration_ms(p, "period")
            .map_err(|e| diagnostics.push(e))
            .ok()
            .unwrap_or(DEFAULT_PERIOD_MS),
        None => DEFAULT_PERIOD_MS,
    };
    let source = source(decl, metrics, diagnostics);
    let alerts = alerts(decl, period_ms, diagnostics);
    if diagnostics.len() != before {
        return None;
    }
    let mut spans: Vec<u64> = alerts
        .iter()
        .flat_map(|a| [a.short_ms, a.long_ms])
        .chain([period_ms])
        .collect();
    spans.sort_unstable();
    spans.dedup();
    Some(Slo {
        name: d.name.value.clone(),
        objective: objective?,
        budget: budget?,
        period_ms,
        source: source?,
        spans,
        alerts,
    })
}

/// A percentage as written, as a ratio.
fn percent(
    decl: &Spanned<PercentDecl>,
    what: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<f64> {
    let text = format!("{}%", decl.value.decimal());
    match parse_quantity_in(&text, Unit::PERCENT) {
        Ok(q) if q.value.is_finite() => Some(q.value),
        _ => {
            push_error(
                diagnostics,
                Code::InvalidValue,
                format!("`{}` is not a percentage for `{what}`", decl.value),
                decl.span,
                "not a percentage",
            )
            .help = Some("write a percentage: `99.9%`".into());
            None
        }
    }
}

/// `100 - x` for a plain decimal `x` (digits with at most one point), as decimal text.
fn complement(x: &str) -> Option<String> {
    let (whole, fraction) = x.split_once('.').unwrap_or((x, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit())
        || whole.len() + fraction.len() > 30
    {
        return None;
    }
    let scale = u32::try_from(fraction.len()).ok()?;
    let n: u128 = format!("{whole}{fraction}").parse().ok()?;
    let hundred = 100u128.checked_mul(10u128.checked_pow(scale)?)?;
    let rest = hundred.checked_sub(n)?;
    let digits = format!("{rest:0>width$}", width = fraction.len() + 1);
    let (w, f) = digits.split_at(digits.len() - fraction.len());
    Some(if f.is_empty() {
        w.to_owned()
    } else {
        format!("{w}.{f}")
    })
}

fn source(
    decl: &Spanned<SloDecl>,
    metrics: &MetricTable,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Source> {
    let d = &decl.value;
    let mut metric = |name: &Spanned<String>, dimension: Dimension, what: &str| {
        let Some(info) = metrics.lookup(&name.value) else {
            let names = metrics.names();
            push_error(
                diagnostics,
                Code::UnknownMetric,
                format!("metric `{}` is not declared", name.value),
                name.span,
                "not a declared metric",
            )
            .help = Some(
                did_you_mean(&name.value, names.iter().copied()).map_or_else(
                    || {
                        format!(
                            "declare it under `metrics:` (`{}: {{unit: ...}}`)",
                            name.value
                        )
                    },
                    |s| format!("did you mean `{s}`?"),
                ),
            );
            return None;
        };
        if info.unit.dimension != dimension {
            push_error(
                diagnostics,
                Code::TypeMismatch,
                format!(
                    "`{what}` of an slo is {}, and `{}` is {}",
                    dimension.describe(),
                    name.value,
                    info.unit.dimension.describe()
                ),
                name.span,
                "this metric",
            );
            return None;
        }
        Some(info.slot)
    };
    match (&d.error_ratio, &d.good, &d.total) {
        (Some(ratio), None, None) => {
            metric(ratio, Dimension::Ratio, "error_ratio").map(Source::ErrorRatio)
        }
        (None, Some(good), Some(total)) => {
            let good = metric(good, Dimension::Number, "good");
            let total = metric(total, Dimension::Number, "total");
            Some(Source::Counters {
                good: good?,
                total: total?,
            })
        }
        _ => {
            push_error(
                diagnostics,
                Code::InvalidValue,
                format!(
                    "slo `{}` needs `error_ratio`, or `good` and `total`",
                    d.name.value
                ),
                d.name.span,
                "this objective",
            )
            .help = Some(
                "give a percentage metric (`error_ratio: error_rate`) or two counters (`good: requests_ok_total, total: requests_total`)".into(),
            );
            None
        }
    }
}

fn alerts(
    decl: &Spanned<SloDecl>,
    period_ms: u64,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Alert> {
    let d = &decl.value;
    let page = d.page.as_ref().map_or(Action::Rollback, |a| a.value);
    let ticket = d.ticket.as_ref().map_or(Action::Warn, |a| a.value);
    let action = |s: Severity| match s {
        Severity::Page => page,
        Severity::Ticket => ticket,
    };
    let mut alerts: Vec<Alert> = if d.burn_rates.is_empty() {
        WORKBOOK
            .iter()
            .filter_map(|&(share, long_ms, short_ms, severity)| {
                Some(Alert {
                    share: f64::from(share) / 100.0,
                    long_ms,
                    short_ms,
                    severity,
                    factor: factor(u128::from(share), 0, period_ms, long_ms)?,
                    action: action(severity),
                })
            })
            .collect()
    } else {
        d.burn_rates
            .iter()
            .filter_map(|b| custom(b, period_ms, action(b.severity.value), diagnostics))
            .collect()
    };
    if d.burn_rates.is_empty()
        && let Some(a) = alerts.iter().find(|a| a.long_ms > period_ms)
    {
        let span = d.period.as_ref().map_or(d.name.span, |p| p.span);
        push_error(
            diagnostics,
            Code::InvalidSetting,
            format!(
                "the period is shorter than the {} window of the default burn rates",
                format_duration(a.long_ms)
            ),
            span,
            "too short",
        )
        .help = Some("use a longer period, or give `burn_rates` that fit in it".into());
    }
    // Mildest first: the tiers of a graduated trigger. (A few alerts: an insertion sort, stable,
    // and smaller in WebAssembly than the standard library's.)
    for i in 1..alerts.len() {
        let mut j = i;
        while j > 0
            && alerts
                .get(j - 1)
                .zip(alerts.get(j))
                .is_some_and(|(a, b)| a.factor > b.factor)
        {
            alerts.swap(j - 1, j);
            j -= 1;
        }
    }
    alerts
}

fn custom(
    b: &Spanned<BurnRateDecl>,
    period_ms: u64,
    action: Action,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Alert> {
    let share = percent(&b.budget, "budget", diagnostics);
    let long_ms = duration_ms(&b.long, "long")
        .map_err(|e| diagnostics.push(e))
        .ok();
    let short_ms = duration_ms(&b.short, "short")
        .map_err(|e| diagnostics.push(e))
        .ok();
    let (share, long_ms, short_ms) = (share?, long_ms?, short_ms?);
    let mut bad = |span: Span, message: String, label: &str| {
        push_error(diagnostics, Code::InvalidSetting, message, span, label);
    };
    if !(share > 0.0 && share <= 1.0) {
        bad(
            b.budget.span,
            format!(
                "budget `{}` is not above 0% and at most 100%",
                b.budget.value
            ),
            "out of range",
        );
        return None;
    }
    if long_ms == 0 || long_ms > period_ms {
        bad(
            b.long.span,
            format!(
                "the long window `{}` is not within the period",
                b.long.value
            ),
            "out of range",
        );
        return None;
    }
    if short_ms == 0 || short_ms >= long_ms {
        bad(
            b.short.span,
            format!(
                "the short window `{}` is not shorter than the long one",
                b.short.value
            ),
            "out of range",
        );
        return None;
    }
    // The factor from the decimal as written: digits and a scale, then one division.
    let decimal = b.budget.value.decimal();
    let (whole, fraction) = decimal.split_once('.').unwrap_or((&decimal, ""));
    let digits = format!("{whole}{fraction}").parse::<u128>().ok();
    let scale = u32::try_from(fraction.len()).ok();
    let Some(factor) = digits
        .zip(scale)
        .and_then(|(d, s)| factor(d, s, period_ms, long_ms))
    else {
        bad(
            b.budget.span,
            format!(
                "budget `{}` is not a plain decimal percentage kiro can turn into a burn rate",
                b.budget.value
            ),
            "not a plain decimal",
        );
        return None;
    };
    Some(Alert {
        share,
        long_ms,
        short_ms,
        severity: b.severity.value,
        factor,
        action,
    })
}

/// The burn rate at which `digits × 10^-scale` percent of the budget is spent in `long_ms`:
/// share × period / long, as one correctly rounded division of two exact integers.
fn factor(digits: u128, scale: u32, period_ms: u64, long_ms: u64) -> Option<f64> {
    let numerator = digits.checked_mul(u128::from(period_ms))?;
    let denominator = 10u128
        .checked_pow(scale.checked_add(2)?)?
        .checked_mul(u128::from(long_ms))?;
    // Both below 2^53, so both convert exactly and the division rounds once.
    let limit = 1u128 << 53;
    (numerator < limit && denominator < limit && denominator > 0)
        .then(|| numerator as f64 / denominator as f64)
}

/// The trigger an objective generates: one tier per alert, mildest first, each acting on its
/// own (fast track).
fn trigger(decl: &Spanned<SloDecl>, slo: &Slo) -> Spanned<TriggerDecl> {
    let span = decl.name.span;
    let tiers = slo
        .alerts
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let when = format!(
                "{} > {} and {} > {}",
                burn_name(&slo.name, a.long_ms),
                a.factor,
                burn_name(&slo.name, a.short_ms),
                a.factor
            );
            Spanned::new(
                span,
                TierDecl {
                    when: Spanned::new(span, when),
                    hold_for: None,
                    action: Spanned::new(span, a.action),
                    mode: None,
                    approvers: Vec::new(),
                    timeout: None,
                    on_timeout: None,
                    fast_track: i > 0,
                },
            )
        })
        .collect();
    Spanned::new(
        decl.span,
        TriggerDecl {
            name: Spanned::new(span, format!("slo:{}", slo.name)),
            description: Some(format!(
                "error budget burn of slo `{}` ({} over {})",
                slo.name,
                decl.objective.value,
                format_duration(slo.period_ms)
            )),
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

#[cfg(test)]
mod tests {
    use super::{complement, factor};

    #[test]
    fn the_budget_is_the_decimal_complement_of_the_objective() {
        assert_eq!(complement("99.9").as_deref(), Some("0.1"));
        assert_eq!(complement("99.95").as_deref(), Some("0.05"));
        assert_eq!(complement("99").as_deref(), Some("1"));
        assert_eq!(complement("100").as_deref(), Some("0"));
        assert_eq!(complement("0.5").as_deref(), Some("99.5"));
        assert_eq!(complement("101"), None);
        assert_eq!(complement("-1"), None);
    }

    #[test]
    fn the_workbook_factors_for_30_and_28_days() {
        let day = 86_400_000;
        let hour = 3_600_000;
        assert_eq!(factor(2, 0, 30 * day, hour), Some(14.4));
        assert_eq!(factor(5, 0, 30 * day, 6 * hour), Some(6.0));
        assert_eq!(factor(10, 0, 30 * day, 3 * day), Some(1.0));
        assert_eq!(factor(2, 0, 28 * day, hour), Some(13.44));
        assert_eq!(factor(5, 0, 28 * day, 6 * hour), Some(5.6));
        assert_eq!(factor(10, 0, 28 * day, 3 * day), Some(28.0 / 30.0));
        assert_eq!(factor(25, 1, 30 * day, hour), Some(18.0));
    }
}
