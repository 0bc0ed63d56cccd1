//! A picture of a monitor's decisions over time: each value a trigger read, drawn against the
//! thresholds its conditions compare it with, and below them one lane per trigger showing when
//! it was pending, firing, awaiting approval or acted, with a mark at every action.
//!
//! The SVG is self-contained (no script, no font or style sheet from elsewhere) so that it
//! opens from a file without a network; [`replay_html`] wraps it in a page with the actions
//! as a table. Everything is computed from the decisions, so a replay and a watch draw alike.

use super::xml::{attr, text};
use crate::monitor::decision::{Effect, MonitorDecision, TriggerState};
use crate::policy::CompiledPolicy;
use crate::units::duration::format_elapsed;
use crate::units::{Dimension, Unit, format_in};
use std::collections::BTreeMap;
use std::fmt::Write;

/// The picture's width, in SVG units.
pub(super) const WIDTH: f64 = 960.0;
/// Left of the plotting area: room for the value labels.
const LEFT: f64 = 168.0;
/// Right margin.
const RIGHT: f64 = 24.0;
/// Height of one value panel's plotting area.
pub(super) const PANEL: f64 = 110.0;
/// Room above a panel for its title.
pub(super) const PANEL_TITLE: f64 = 28.0;
/// Height of one trigger lane.
const LANE: f64 = 22.0;
/// Room above the first panel for the picture's title.
const HEADER: f64 = 56.0;

/// The colour of a trigger state's band (none for `ok`).
fn state_colour(state: TriggerState) -> Option<&'static str> {
    match state {
        TriggerState::Ok => None,
        TriggerState::Pending => Some("#f2c94c"),
        TriggerState::Firing => Some("#f2994a"),
        TriggerState::AwaitingApproval => Some("#9b51e0"),
        TriggerState::Acted => Some("#d63031"),
    }
}

/// A state's word, as the decisions write it.
fn state_word(state: TriggerState) -> &'static str {
    match state {
        TriggerState::Ok => "ok",
        TriggerState::Pending => "pending",
        TriggerState::Firing => "firing",
        TriggerState::AwaitingApproval => "awaiting approval",
        TriggerState::Acted => "acted",
    }
}

/// One value a trigger read, over time.
pub(super) struct Series {
    pub(super) name: String,
    pub(super) unit: Unit,
    /// `(time, value in base units)`; none where there was no usable value.
    pub(super) points: Vec<(u64, Option<f64>)>,
    /// `(constant in base units, what compares with it)`.
    pub(super) thresholds: Vec<(f64, String)>,
}

/// The series of every value the triggers read, in order of first appearance, with the
/// thresholds the policy's triggers compare them with.
fn series(policy: &CompiledPolicy, decisions: &[MonitorDecision]) -> Vec<Series> {
    let mut order: Vec<Series> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let monitor = policy.inner.monitor.as_ref();
    let units: BTreeMap<String, Unit> = monitor.map_or_else(BTreeMap::new, |m| {
        (0..m.metrics + m.derived_slots())
            .map(|s| {
                (
                    m.slot_name(&policy.inner.metrics, s),
                    m.slot_unit(&policy.inner.metrics, s),
                )
            })
            .collect()
    });
    let mut slot_of = |name: &str, order: &mut Vec<Series>| -> usize {
        *index.entry(name.to_owned()).or_insert_with(|| {
            order.push(Series {
                name: name.to_owned(),
                unit: units.get(name).copied().unwrap_or(Unit::NONE),
                points: Vec::new(),
                thresholds: Vec::new(),
            });
            order.len() - 1
        })
    };
    for d in decisions.iter().filter(|d| d.event == "observe") {
        let mut seen: BTreeMap<usize, Option<f64>> = BTreeMap::new();
        for tier in d.triggers.iter().flat_map(|t| &t.tiers) {
            for (name, &v) in &tier.values {
                seen.insert(slot_of(name, &mut order), Some(v));
            }
            let gaps = tier
                .missing
                .iter()
                .chain(&tier.nan)
                .chain(tier.errors.keys());
            for name in gaps {
                seen.entry(slot_of(name, &mut order)).or_insert(None);
            }
        }
        for (i, v) in seen {
            if let Some(s) = order.get_mut(i) {
                s.points.push((d.at_ms, v));
            }
        }
    }
    if let Some(m) = monitor {
        for (t, i, slot, k) in m.thresholds() {
            let name = m.slot_name(&policy.inner.metrics, slot);
            let (Some(&at), Some((trigger, when, action))) = (index.get(&name), m.tier_text(t, i))
            else {
                continue;
            };
            if let Some(s) = order.get_mut(at) {
                let label = format!("{trigger}: {when} → {}", action.as_str());
                match s.thresholds.iter_mut().find(|(x, _)| *x == k) {
                    Some((_, l)) => {
                        l.push_str("; ");
                        l.push_str(&label);
                    }
                    None => s.thresholds.push((k, label)),
                }
            }
        }
    }
    order
}

/// Maps times to x and values to y.
pub(super) struct Frame {
    pub(super) t0: u64,
    pub(super) span: f64,
}

impl Frame {
    fn x(&self, at: u64) -> f64 {
        let width = WIDTH - LEFT - RIGHT;
        LEFT + (at.saturating_sub(self.t0) as f64 / self.span) * width
    }
}

/// `lo..hi` widened so that a flat series, or one touching its threshold, stays visible.
fn value_range(s: &Series) -> (f64, f64) {
    if s.unit.dimension == Dimension::Bool {
        return (-0.1, 1.1);
    }
    let values = s
        .points
        .iter()
        .filter_map(|(_, v)| *v)
        .chain(s.thresholds.iter().map(|(k, _)| *k))
        .filter(|v| v.is_finite());
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = if hi > lo {
        (hi - lo) * 0.08
    } else {
        lo.abs().max(1.0) * 0.1
    };
    // Values that are never negative keep zero as their floor.
    let floor = if lo >= 0.0 { 0.0 } else { f64::NEG_INFINITY };
    let (a, b) = ((lo - pad).max(floor), hi + pad);
    // Huge values: the padded range may not be finite; the unpadded one then is the range.
    if (b - a).is_finite() {
        (a, b)
    } else {
        (lo, hi)
    }
}

/// A civil date and time for a Unix time in milliseconds (proleptic Gregorian, UTC).
fn utc(ms: u64) -> String {
    let secs = ms / 1000;
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    // Days to civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// When the first decision was: a date for Unix times after 2001, else the bare offset.
pub(super) fn start_label(t0: u64) -> String {
    if t0 >= 1_000_000_000_000 {
        utc(t0)
    } else {
        format!("t = {t0} ms")
    }
}

/// The picture of `decisions` (a replay's or a watch's, in order) as a self-contained SVG.
#[must_use]
pub fn replay_svg(policy: &CompiledPolicy, decisions: &[MonitorDecision]) -> String {
    let all = series(policy, decisions);
    let t0 = decisions.first().map_or(0, |d| d.at_ms);
    let t1 = decisions.last().map_or(0, |d| d.at_ms);
    let frame = Frame {
        t0,
        span: t1.saturating_sub(t0).max(1) as f64,
    };
    let triggers: Vec<&str> = decisions
        .first()
        .map(|d| d.triggers.iter().map(|t| t.name.as_str()).collect())
        .unwrap_or_default();
    let lanes_top = HEADER + all.len() as f64 * (PANEL + PANEL_TITLE) + 40.0;
    let axis_y = lanes_top + triggers.len() as f64 * LANE + 8.0;
    let height = axis_y + 48.0;
    let mut out = String::with_capacity(16 * 1024);
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height:.0}\" \
         width=\"{WIDTH}\" height=\"{height:.0}\" font-family=\"sans-serif\" font-size=\"12\">"
    );
    let _ = writeln!(
        out,
        "<title>{}</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>",
        text(&format!("kiro replay of {}", policy.name()))
    );
    header(&mut out, policy, decisions, t0, t1);
    for (i, s) in all.iter().enumerate() {
        let top = HEADER + i as f64 * (PANEL + PANEL_TITLE) + PANEL_TITLE;
        panel(&mut out, s, &frame, top);
    }
    lanes(&mut out, decisions, &triggers, &frame, lanes_top);
    axis(&mut out, &frame, t1, axis_y);
    out.push_str("</svg>\n");
    out
}

/// The title line and the final verdict.
fn header(
    out: &mut String,
    policy: &CompiledPolicy,
    decisions: &[MonitorDecision],
    t0: u64,
    t1: u64,
) {
    let verdict = decisions
        .iter()
        .rev()
        .find_map(|d| d.final_verdict.as_ref())
        .map_or_else(
            || "no final verdict".to_owned(),
            |f| {
                let actions: Vec<String> = f
                    .actions
                    .iter()
                    .map(|a| format!("{} by {}", a.action.as_str(), a.trigger))
                    .collect();
                let called = if actions.is_empty() {
                    "no action called for".to_owned()
                } else {
                    actions.join(", ")
                };
                format!(
                    "{} after {}: {called}",
                    if f.healthy { "healthy" } else { "not healthy" },
                    format_elapsed(f.at_ms.saturating_sub(t0))
                )
            },
        );
    let _ = writeln!(
        out,
        "<text x=\"{LEFT}\" y=\"22\" font-size=\"16\" font-weight=\"bold\">{}</text>",
        text(&format!("kiro replay: {}", policy.name()))
    );
    let _ = writeln!(
        out,
        "<text x=\"{LEFT}\" y=\"42\" fill=\"#444444\">{}</text>",
        text(&format!(
            "{} decisions from {} over {}; {verdict}",
            decisions.len(),
            start_label(t0),
            format_elapsed(t1.saturating_sub(t0))
        ))
    );
}

/// One value over time, with its thresholds.
pub(super) fn panel(out: &mut String, s: &Series, frame: &Frame, top: f64) {
    let (lo, hi) = value_range(s);
    // Halves, so that a range from -f64::MAX to f64::MAX does not overflow.
    let y = |v: f64| top + PANEL - (v * 0.5 - lo * 0.5) / (hi * 0.5 - lo * 0.5) * PANEL;
    let right = WIDTH - RIGHT;
    let _ = writeln!(out, "<g class=\"series\" data-name=\"{}\">", attr(&s.name));
    let _ = writeln!(
        out,
        "<text x=\"{LEFT}\" y=\"{:.1}\" font-weight=\"bold\">{}</text>",
        top - 8.0,
        text(&s.name)
    );
    let _ = writeln!(
        out,
        "<rect x=\"{LEFT}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"{PANEL}\" fill=\"#fafafa\" stroke=\"#dddddd\"/>",
        right - LEFT
    );
    let ends = if s.unit.dimension == Dimension::Bool {
        [0.0, 1.0]
    } else {
        [lo, hi]
    };
    for v in ends {
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#666666\">{}</text>",
            LEFT - 6.0,
            y(v) + 4.0,
            text(&format_in(v, s.unit))
        );
    }
    for (k, label) in &s.thresholds {
        let ky = y(*k);
        let _ = writeln!(
            out,
            "<g class=\"threshold\"><title>{}</title><line x1=\"{LEFT}\" x2=\"{right:.1}\" y1=\"{ky:.1}\" y2=\"{ky:.1}\" stroke=\"#d63031\" stroke-dasharray=\"6 4\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#d63031\">{}</text></g>",
            text(label),
            right - 4.0,
            ky - 4.0,
            text(&format_in(*k, s.unit))
        );
    }
    // One polyline per run of values; gaps where there was none.
    let mut run: Vec<(f64, f64)> = Vec::new();
    let flush = |run: &mut Vec<(f64, f64)>, out: &mut String| {
        match run.len() {
            0 => {}
            1 => {
                let (x, y) = run[0];
                let _ = writeln!(
                    out,
                    "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"2.5\" fill=\"#2d6cdf\"/>"
                );
            }
            _ => {
                let points: Vec<String> =
                    run.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
                let _ = writeln!(
                    out,
                    "<polyline points=\"{}\" fill=\"none\" stroke=\"#2d6cdf\" stroke-width=\"1.5\"/>",
                    points.join(" ")
                );
            }
        }
        run.clear();
    };
    for &(at, v) in &s.points {
        match v.filter(|v| v.is_finite()) {
            Some(v) => run.push((frame.x(at), y(v))),
            None => {
                flush(&mut run, out);
                let _ = writeln!(
                    out,
                    "<line class=\"gap\" x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#999999\"/>",
                    top + PANEL - 6.0,
                    top + PANEL,
                    x = frame.x(at)
                );
            }
        }
    }
    flush(&mut run, out);
    out.push_str("</g>\n");
}

/// One lane per trigger: a band for every stretch it was not `ok`, a mark at every effect.
fn lanes(
    out: &mut String,
    decisions: &[MonitorDecision],
    triggers: &[&str],
    frame: &Frame,
    top: f64,
) {
    let right = WIDTH - RIGHT;
    for (i, name) in triggers.iter().enumerate() {
        let y = top + i as f64 * LANE;
        let _ = writeln!(
            out,
            "<g class=\"trigger\" data-name=\"{}\"><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
             <rect x=\"{LEFT}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#f4f4f4\"/>",
            attr(name),
            LEFT - 6.0,
            y + LANE / 2.0 + 4.0,
            text(name),
            y + 2.0,
            right - LEFT,
            LANE - 4.0
        );
        // Each decision's state holds until the next decision.
        for (j, d) in decisions.iter().enumerate() {
            let Some(report) = d.triggers.get(i) else {
                continue;
            };
            let Some(colour) = state_colour(report.state) else {
                continue;
            };
            let until = decisions.get(j + 1).map_or(d.at_ms, |n| n.at_ms);
            let (x0, x1) = (frame.x(d.at_ms), frame.x(until));
            let _ = writeln!(
                out,
                "<rect class=\"state\" data-state=\"{}\" x=\"{x0:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{colour}\"><title>{}</title></rect>",
                state_word(report.state),
                y + 2.0,
                (x1 - x0).max(1.5),
                LANE - 4.0,
                text(&format!(
                    "+{} {}: {}",
                    format_elapsed(d.at_ms.saturating_sub(frame.t0)),
                    state_word(report.state),
                    report.explanation
                ))
            );
        }
        for d in decisions {
            for e in &d.effects {
                effect_mark(out, e, name, frame.x(d.at_ms), y);
            }
        }
        out.push_str("</g>\n");
    }
    legend(out, top - 12.0);
}

/// The trigger an effect is about, and the effect in words (an action with its reason).
fn effect_text(e: &Effect) -> (&str, String) {
    let what = match e {
        Effect::Act { reason, .. } => format!("{}: {reason}", e.summary()),
        _ => e.summary(),
    };
    (e.trigger(), what)
}

/// A mark for an effect on trigger `name`'s lane: black for an action, purple for an
/// approval asked or escalated, green for a resolution.
fn effect_mark(out: &mut String, e: &Effect, name: &str, x: f64, y: f64) {
    let (trigger, label) = effect_text(e);
    if trigger != name {
        return;
    }
    let colour = match e {
        Effect::Act { .. } => "#000000",
        Effect::RequestApproval { .. } | Effect::Escalate { .. } => "#9b51e0",
        Effect::Resolved { .. } => "#27ae60",
    };
    let _ = writeln!(
        out,
        "<path class=\"effect\" d=\"M{x:.1},{:.1} l-5,-8 h10 z\" fill=\"{colour}\"><title>{}</title></path>",
        y + 10.0,
        text(&label)
    );
}

/// What the lane colours mean.
fn legend(out: &mut String, y: f64) {
    let mut x = LEFT;
    for state in [
        TriggerState::Pending,
        TriggerState::Firing,
        TriggerState::AwaitingApproval,
        TriggerState::Acted,
    ] {
        let colour = state_colour(state).unwrap_or("#ffffff");
        let word = state_word(state);
        let _ = writeln!(
            out,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"10\" height=\"10\" fill=\"{colour}\"/><text x=\"{:.1}\" y=\"{y:.1}\">{word}</text>",
            y - 9.0,
            x + 14.0
        );
        x += 24.0 + 7.0 * word.len() as f64;
    }
}

/// The time axis: six ticks from the start.
pub(super) fn axis(out: &mut String, frame: &Frame, t1: u64, y: f64) {
    let right = WIDTH - RIGHT;
    let _ = writeln!(
        out,
        "<line x1=\"{LEFT}\" x2=\"{right:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#444444\"/>"
    );
    let span = t1.saturating_sub(frame.t0);
    for i in 0..=5u64 {
        let at = frame.t0 + span * i / 5;
        let x = frame.x(at);
        let _ = writeln!(
            out,
            "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{y:.1}\" y2=\"{:.1}\" stroke=\"#444444\"/><text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">+{}</text>",
            y + 5.0,
            y + 18.0,
            format_elapsed(at - frame.t0)
        );
    }
}

/// The picture in an HTML page with every effect as a table: opens without a network.
#[must_use]
pub fn replay_html(policy: &CompiledPolicy, decisions: &[MonitorDecision]) -> String {
    let t0 = decisions.first().map_or(0, |d| d.at_ms);
    let mut out = String::with_capacity(32 * 1024);
    let title = text(&format!("kiro replay: {}", policy.name()));
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n\
         <style>body{{font-family:sans-serif;margin:24px;color:#222}}table{{border-collapse:collapse}}\
         td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}}</style>\n\
         </head>\n<body>\n<h1>{title}</h1>\n<p>Policy <code>{}</code></p>\n",
        text(policy.hash())
    );
    out.push_str(&replay_svg(policy, decisions));
    out.push_str(
        "<h2>Actions</h2>\n<table>\n<tr><th>time</th><th>trigger</th><th>effect</th></tr>\n",
    );
    let mut any = false;
    for d in decisions {
        for e in &d.effects {
            let (trigger, what) = effect_text(e);
            any = true;
            let _ = writeln!(
                out,
                "<tr><td>+{}</td><td>{}</td><td>{}</td></tr>",
                format_elapsed(d.at_ms.saturating_sub(t0)),
                text(trigger),
                text(&what)
            );
        }
    }
    if !any {
        out.push_str("<tr><td colspan=\"3\">no action was called for</td></tr>\n");
    }
    out.push_str("</table>\n</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::utc;

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(951_782_400_000), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc(1_796_169_600_000), "2026-12-02 00:00:00 UTC");
    }
}
