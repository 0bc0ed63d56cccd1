//! A semicircular SVG gauge: the value's arc on a scale that fits the value and its
//! thresholds, a mark at each threshold. Self-contained: no script, font or style sheet.

use super::super::xml::{attr, text};
use crate::health::HealthStatus;
use std::fmt::Write as _;

/// The gauge's width and height, in SVG units.
const WIDTH: f64 = 180.0;
const HEIGHT: f64 = 132.0;
/// The arc's centre and radius.
const CX: f64 = 90.0;
const CY: f64 = 96.0;
const R: f64 = 68.0;

/// The colour of a status.
pub(super) fn colour(status: HealthStatus) -> &'static str {
    match status {
        HealthStatus::Healthy => "#27ae60",
        HealthStatus::NoData => "#999999",
        HealthStatus::Warning => "#e8a317",
        HealthStatus::Critical => "#d63031",
    }
}

/// A threshold mark on a gauge.
pub(super) struct Mark {
    /// Where, in base units.
    pub at: f64,
    /// Its colour.
    pub colour: &'static str,
    /// What it is: `critical: error_rate > 1%`.
    pub title: String,
}

/// What a gauge shows.
pub(super) struct Gauge<'a> {
    /// The metric.
    pub name: &'a str,
    /// Its value in base units, if any.
    pub value: Option<f64>,
    /// Its value as shown (`0.70%`, `no data`).
    pub shown: String,
    /// Its status, which colours the arc.
    pub status: HealthStatus,
    /// Threshold marks.
    pub marks: Vec<Mark>,
    /// A base-unit value as shown, for the scale's ends.
    pub show: &'a dyn Fn(f64) -> String,
    /// The largest value the metric can take, if it has one (1 for a ratio): the scale stops
    /// there when the values do.
    pub ceiling: Option<f64>,
}

/// The scale `lo..hi` of a gauge: the value and the thresholds with room around them; values
/// that are never negative keep zero as their floor.
fn scale(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = if hi > lo {
        (hi - lo) * 0.25
    } else {
        lo.abs().max(1.0) * 0.1
    };
    let (a, b) = (
        (lo - pad).max(if lo >= 0.0 { 0.0 } else { f64::MIN }),
        hi + pad,
    );
    // Huge values: the padded span may not be finite; the unpadded one then is the scale.
    if (b - a).is_finite() && b > a {
        (a, b)
    } else {
        (lo, hi)
    }
}

/// Where `v` lies on `lo..hi`, from 0 to 1 (the middle when it cannot be told).
fn fraction(v: f64, (lo, hi): (f64, f64)) -> f64 {
    // Halves, so that a scale from -f64::MAX to f64::MAX does not overflow.
    let f = (v * 0.5 - lo * 0.5) / (hi * 0.5 - lo * 0.5);
    if f.is_finite() {
        f.clamp(0.0, 1.0)
    } else {
        0.5
    }
}

/// The point of the arc at fraction `f`, at radius `r`.
fn point(f: f64, r: f64) -> (f64, f64) {
    let angle = std::f64::consts::PI * (1.0 - f);
    (CX + r * angle.cos(), CY - r * angle.sin())
}

/// Writes the gauge as an `<svg>` element.
pub(super) fn gauge(out: &mut String, g: &Gauge<'_>) {
    let values = || g.value.into_iter().chain(g.marks.iter().map(|m| m.at));
    let mut range = scale(values());
    if let Some(top) = g.ceiling
        && values().all(|v| v <= top)
    {
        range.1 = range.1.min(top);
    }
    let colour = colour(g.status);
    let _ = writeln!(
        out,
        "<svg class=\"gauge\" data-metric=\"{}\" data-status=\"{}\" xmlns=\"http://www.w3.org/2000/svg\" \
         viewBox=\"0 0 {WIDTH} {HEIGHT}\" width=\"{WIDTH}\" height=\"{HEIGHT}\" font-family=\"sans-serif\" role=\"img\">\
         <title>{}</title>",
        attr(g.name),
        super::word(g.status),
        text(&format!(
            "{} = {} ({})",
            g.name,
            g.shown,
            super::word(g.status)
        ))
    );
    let (x0, y0) = point(0.0, R);
    let (x1, y1) = point(1.0, R);
    let _ = writeln!(
        out,
        "<path class=\"track\" d=\"M{x0:.1},{y0:.1} A{R},{R} 0 0 1 {x1:.1},{y1:.1}\" fill=\"none\" stroke=\"#e6e6e6\" stroke-width=\"14\"/>"
    );
    if let Some(v) = g.value {
        let (x, y) = point(fraction(v, range), R);
        let _ = writeln!(
            out,
            "<path class=\"value\" d=\"M{x0:.1},{y0:.1} A{R},{R} 0 0 1 {x:.1},{y:.1}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"14\"/>"
        );
    }
    for m in &g.marks {
        let f = fraction(m.at, range);
        let ((ax, ay), (bx, by)) = (point(f, R - 11.0), point(f, R + 11.0));
        let _ = writeln!(
            out,
            "<line class=\"mark\" x1=\"{ax:.1}\" y1=\"{ay:.1}\" x2=\"{bx:.1}\" y2=\"{by:.1}\" stroke=\"{}\" stroke-width=\"3\"><title>{}</title></line>",
            m.colour,
            text(&m.title)
        );
    }
    let _ = writeln!(
        out,
        "<text x=\"{CX}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"17\" font-weight=\"bold\" fill=\"{colour}\">{}</text>\
         <text x=\"2\" y=\"{:.1}\" font-size=\"9\" fill=\"#666666\">{}</text>\
         <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"9\" fill=\"#666666\">{}</text>\
         <text x=\"{CX}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"12\">{}</text></svg>",
        CY - 8.0,
        text(&g.shown),
        CY + 14.0,
        text(&(g.show)(range.0)),
        WIDTH - 2.0,
        CY + 14.0,
        text(&(g.show)(range.1)),
        CY + 30.0,
        text(g.name)
    );
}

#[cfg(test)]
mod tests {
    use super::{fraction, scale};

    #[test]
    fn the_scale_fits_the_value_and_thresholds_and_survives_huge_numbers() {
        let (lo, hi) = scale([0.007, 0.005, 0.01].into_iter());
        assert!(lo <= 0.005 && hi >= 0.01 && lo >= 0.0, "{lo} {hi}");
        let huge = scale([f64::MAX, -f64::MAX].into_iter());
        assert!(huge.0.is_finite() && huge.1.is_finite());
        assert_eq!(fraction(1.0, huge), 0.5);
        assert_eq!(scale(std::iter::empty()), (0.0, 1.0));
        let (lo, hi) = scale([0.0].into_iter());
        assert!(lo == 0.0 && hi > 0.0);
    }
}
