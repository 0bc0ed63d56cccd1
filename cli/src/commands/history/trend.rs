//! `kiro history trend`: one metric's values, or one gate's verdicts, over recorded decisions —
//! as a small chart for the terminal, an SVG, JSON or CSV. Pure: records in, text out.

use kiro::Verdict;
use kiro::decision::SeenValue;
use kiro_adapters::history::Record;
use serde::Serialize;
use serde_json::{Value, json};
use std::fmt::Write;

/// What a trend follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A metric's value, in base units.
    Metric(String),
    /// A gate's verdict.
    Gate(String),
}

/// One recorded decision in a trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    /// Its number in the history.
    pub id: i64,
    /// When it was recorded (ms since the Unix epoch).
    pub at_ms: u64,
    /// The commit checked.
    pub commit: Option<String>,
    /// The branch.
    pub branch: Option<String>,
    /// The decision's overall verdict.
    pub verdict: Verdict,
    /// The metric's value in base units (`null` when the decision had none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Option<f64>>,
    /// The gate's verdict (`null` when the decision did not evaluate that gate).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gate_verdict: Option<Option<Verdict>>,
}

/// A trend: its subject and its points, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Trend {
    /// What it follows.
    pub subject: Subject,
    /// The points, oldest first.
    pub points: Vec<Point>,
}

impl Trend {
    /// The trend of `subject` over `records` (any order; sorted oldest first).
    #[must_use]
    pub fn new(subject: Subject, records: &[Record]) -> Self {
        let mut points: Vec<Point> = records
            .iter()
            .map(|r| {
                let (value, gate_verdict) = match &subject {
                    Subject::Metric(name) => (Some(metric_value(r, name)), None),
                    Subject::Gate(name) => (
                        None,
                        Some(
                            r.decision
                                .gates
                                .iter()
                                .find(|g| &g.name == name)
                                .map(|g| g.verdict),
                        ),
                    ),
                };
                Point {
                    id: r.entry.id,
                    at_ms: r.entry.context.at_ms,
                    commit: r.entry.context.commit.clone(),
                    branch: r.entry.context.branch.clone(),
                    verdict: r.entry.verdict,
                    value,
                    gate_verdict,
                }
            })
            .collect();
        points.sort_by_key(|p| (p.at_ms, p.id));
        Self { subject, points }
    }

    fn title(&self) -> String {
        match &self.subject {
            Subject::Metric(name) => format!("metric {name}"),
            Subject::Gate(name) => format!("gate {name}"),
        }
    }

    fn values(&self) -> Vec<Option<f64>> {
        self.points.iter().map(|p| p.value.flatten()).collect()
    }

    fn verdicts(&self) -> Vec<Option<Verdict>> {
        self.points
            .iter()
            .map(|p| p.gate_verdict.flatten())
            .collect()
    }

    /// The span of the trend, for headings: `N decisions, FIRST to LAST`.
    fn span(&self) -> String {
        match (self.points.first(), self.points.last()) {
            (Some(first), Some(last)) => format!(
                "{} decisions, {} to {}",
                self.points.len(),
                super::when(first.at_ms),
                super::when(last.at_ms)
            ),
            _ => "no decisions".to_owned(),
        }
    }

    /// The chart for a terminal: bars of eighth blocks for a metric (one column per decision,
    /// oldest left, with the overall verdicts under it), a row per verdict for a gate.
    #[must_use]
    pub fn chart(&self) -> String {
        let mut out = format!("{} ({})\n", self.title(), self.span());
        if self.points.is_empty() {
            out.push_str("nothing to chart\n");
            return out;
        }
        match &self.subject {
            Subject::Metric(_) => self.metric_chart(&mut out),
            Subject::Gate(_) => self.gate_chart(&mut out),
        }
        out
    }

    fn metric_chart(&self, out: &mut String) {
        const HEIGHT: usize = 6;
        const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
        let values = self.values();
        let known: Vec<(usize, f64)> = values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (i, v)))
            .collect();
        let Some(stats) = Stats::of(&known) else {
            out.push_str("no decision has a value for it\n");
            return;
        };
        let range = stats.max - stats.min;
        // Each bar's height in eighths of a row: at least one eighth, so the lowest shows.
        let eighths: Vec<Option<usize>> = values
            .iter()
            .map(|v| {
                v.map(|v| {
                    let share = if range > 0.0 {
                        (v - stats.min) / range
                    } else {
                        1.0
                    };
                    let steps = (HEIGHT * 8 - 1) as f64;
                    1 + (share * steps).round().clamp(0.0, steps) as usize
                })
            })
            .collect();
        let top = fmt_num(stats.max);
        let bottom = fmt_num(stats.min);
        let width = top.chars().count().max(bottom.chars().count());
        for row in (0..HEIGHT).rev() {
            let label = if row == HEIGHT - 1 {
                top.as_str()
            } else if row == 0 {
                bottom.as_str()
            } else {
                ""
            };
            let bars: String = eighths
                .iter()
                .map(|e| match e {
                    Some(e) if *e >= (row + 1) * 8 => '█',
                    Some(e) if *e > row * 8 => BLOCKS[e - row * 8 - 1],
                    _ => ' ',
                })
                .collect();
            let _ = writeln!(out, "{label:>width$} ┤{}", bars.trim_end());
        }
        let marks: String = self.points.iter().map(|p| mark(Some(p.verdict))).collect();
        let _ = writeln!(out, "{:>width$}  {marks}", "");
        let _ = writeln!(
            out,
            "last {} (#{}), min {} (#{}), max {} (#{}), mean {} of {} values",
            fmt_num(stats.last.1),
            self.points[stats.last.0].id,
            fmt_num(stats.min),
            self.points[stats.min_at].id,
            fmt_num(stats.max),
            self.points[stats.max_at].id,
            fmt_num(stats.mean),
            known.len()
        );
        let missing = values.len() - known.len();
        if missing > 0 {
            let _ = writeln!(out, "{missing} decisions without a value (blank columns)");
        }
        out.push_str("verdicts: · pass, w warn, X fail\n");
    }

    fn gate_chart(&self, out: &mut String) {
        let verdicts = self.verdicts();
        for (label, verdict) in [
            ("pass", Verdict::Pass),
            ("warn", Verdict::Warn),
            ("fail", Verdict::Fail),
        ] {
            let row: String = verdicts
                .iter()
                .map(|v| if *v == Some(verdict) { '█' } else { ' ' })
                .collect();
            let _ = writeln!(out, "{label} ┤{}", row.trim_end());
        }
        let count = |v: Verdict| verdicts.iter().filter(|x| **x == Some(v)).count();
        let _ = write!(
            out,
            "pass {}, warn {}, fail {}",
            count(Verdict::Pass),
            count(Verdict::Warn),
            count(Verdict::Fail)
        );
        let absent = verdicts.iter().filter(|v| v.is_none()).count();
        if absent > 0 {
            let _ = write!(out, ", not evaluated {absent}");
        }
        if let Some((p, v)) = self.points.last().zip(verdicts.last()) {
            let _ = write!(
                out,
                "; last {} (#{})",
                v.map_or("not evaluated", |v| v.as_str()),
                p.id
            );
        }
        out.push('\n');
    }

    /// The trend as JSON: the subject, a summary and the points, oldest first.
    #[must_use]
    pub fn json(&self) -> String {
        let subject = match &self.subject {
            Subject::Metric(name) => json!({ "metric": name }),
            Subject::Gate(name) => json!({ "gate": name }),
        };
        let mut text = serde_json::to_string_pretty(&json!({
            "subject": subject,
            "points": self.points,
        }))
        .unwrap_or_default();
        text.push('\n');
        text
    }

    /// The trend as CSV: a line per decision, oldest first.
    #[must_use]
    pub fn csv(&self) -> String {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let _ = writer.write_record([
            "id", "at_ms", "commit", "branch", "verdict", "subject", "value",
        ]);
        let subject = match &self.subject {
            Subject::Metric(name) | Subject::Gate(name) => name.as_str(),
        };
        for p in &self.points {
            let value = match (&p.value, &p.gate_verdict) {
                (Some(Some(x)), _) => fmt_num(*x),
                (_, Some(Some(v))) => v.as_str().to_owned(),
                _ => String::new(),
            };
            let _ = writer.write_record([
                p.id.to_string(),
                p.at_ms.to_string(),
                p.commit.clone().unwrap_or_default(),
                p.branch.clone().unwrap_or_default(),
                p.verdict.as_str().to_owned(),
                subject.to_owned(),
                value,
            ]);
        }
        writer
            .into_inner()
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_default()
    }

    /// The trend as a standalone SVG: a line through a metric's values with a dot per decision
    /// coloured by its verdict, or a bar per decision coloured by the gate's verdict.
    #[must_use]
    pub fn svg(&self) -> String {
        const W: f64 = 640.0;
        const H: f64 = 240.0;
        const LEFT: f64 = 80.0;
        const RIGHT: f64 = 16.0;
        const TOP: f64 = 36.0;
        const BOTTOM: f64 = 40.0;
        let plot_w = W - LEFT - RIGHT;
        let plot_h = H - TOP - BOTTOM;
        let n = self.points.len();
        let x = |i: usize| {
            if n <= 1 {
                LEFT + plot_w / 2.0
            } else {
                LEFT + plot_w * i as f64 / (n - 1) as f64
            }
        };
        let mut out = String::new();
        let _ = writeln!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" \
             viewBox=\"0 0 {W} {H}\" font-family=\"sans-serif\" font-size=\"12\">"
        );
        let _ = writeln!(
            out,
            "<title>{}</title>\n<rect width=\"{W}\" height=\"{H}\" fill=\"#ffffff\"/>",
            escape(&format!("{} ({})", self.title(), self.span()))
        );
        let _ = writeln!(
            out,
            "<text x=\"{LEFT}\" y=\"20\" font-weight=\"bold\">{}</text>",
            escape(&self.title())
        );
        let _ = writeln!(
            out,
            "<line x1=\"{LEFT}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#999999\"/>",
            TOP + plot_h,
            LEFT + plot_w,
            TOP + plot_h
        );
        if let (Some(first), Some(last)) = (self.points.first(), self.points.last()) {
            let _ = writeln!(
                out,
                "<text x=\"{LEFT}\" y=\"{}\">{}</text>\n<text x=\"{}\" y=\"{}\" \
                 text-anchor=\"end\">{}</text>",
                H - 14.0,
                escape(&super::when(first.at_ms)),
                LEFT + plot_w,
                H - 14.0,
                escape(&super::when(last.at_ms))
            );
        }
        match &self.subject {
            Subject::Metric(_) => {
                let values = self.values();
                let known: Vec<(usize, f64)> = values
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| v.map(|v| (i, v)))
                    .collect();
                if let Some(stats) = Stats::of(&known) {
                    let range = stats.max - stats.min;
                    let y = |v: f64| {
                        if range > 0.0 {
                            TOP + plot_h * (1.0 - (v - stats.min) / range)
                        } else {
                            TOP + plot_h / 2.0
                        }
                    };
                    for (label, v) in [
                        (fmt_num(stats.max), stats.max),
                        (fmt_num(stats.min), stats.min),
                    ] {
                        let _ = writeln!(
                            out,
                            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
                            LEFT - 8.0,
                            round1(y(v) + 4.0),
                            escape(&label)
                        );
                    }
                    let line: Vec<String> = known
                        .iter()
                        .map(|(i, v)| format!("{},{}", round1(x(*i)), round1(y(*v))))
                        .collect();
                    let _ = writeln!(
                        out,
                        "<polyline fill=\"none\" stroke=\"#1f4e8c\" stroke-width=\"2\" points=\"{}\"/>",
                        line.join(" ")
                    );
                    for (i, v) in &known {
                        let p = &self.points[*i];
                        let _ = writeln!(
                            out,
                            "<circle cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"{}\"><title>#{} {}: {}</title></circle>",
                            round1(x(*i)),
                            round1(y(*v)),
                            colour(Some(p.verdict)),
                            p.id,
                            p.verdict.as_str(),
                            escape(&fmt_num(*v))
                        );
                    }
                }
            }
            Subject::Gate(_) => {
                let bar = if n == 0 {
                    0.0
                } else {
                    (plot_w / n as f64 * 0.8).min(24.0)
                };
                for (i, (p, v)) in self.points.iter().zip(self.verdicts()).enumerate() {
                    let height = match v {
                        Some(Verdict::Pass) => plot_h,
                        Some(Verdict::Warn) => plot_h * 2.0 / 3.0,
                        Some(Verdict::Fail) => plot_h / 3.0,
                        None => 0.0,
                    };
                    let _ = writeln!(
                        out,
                        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>#{} {}</title></rect>",
                        round1(x(i) - bar / 2.0),
                        round1(TOP + plot_h - height),
                        round1(bar),
                        round1(height),
                        colour(v),
                        p.id,
                        v.map_or("not evaluated", |v| v.as_str())
                    );
                }
            }
        }
        out.push_str("</svg>\n");
        out
    }
}

/// The value of metric `name` in a record: as the decision read it (base units; a boolean
/// as 1 or 0), else the number given in the inputs.
fn metric_value(record: &Record, name: &str) -> Option<f64> {
    for gate in &record.decision.gates {
        for criterion in &gate.criteria {
            match criterion.values.get(name) {
                Some(SeenValue::Number(x)) => return Some(*x),
                Some(SeenValue::Bool(b)) => return Some(if *b { 1.0 } else { 0.0 }),
                Some(SeenValue::Missing(())) => return None,
                None => {}
            }
        }
    }
    match record.inputs.get("metrics").and_then(|m| m.get(name)) {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::Bool(b)) => Some(if *b { 1.0 } else { 0.0 }),
        _ => None,
    }
}

struct Stats {
    min: f64,
    min_at: usize,
    max: f64,
    max_at: usize,
    mean: f64,
    last: (usize, f64),
}

impl Stats {
    fn of(known: &[(usize, f64)]) -> Option<Self> {
        let &(first_i, first) = known.first()?;
        let last = *known.last()?;
        let mut s = Stats {
            min: first,
            min_at: first_i,
            max: first,
            max_at: first_i,
            mean: 0.0,
            last,
        };
        for &(i, v) in known {
            if v < s.min {
                s.min = v;
                s.min_at = i;
            }
            if v > s.max {
                s.max = v;
                s.max_at = i;
            }
        }
        s.mean = known.iter().map(|(_, v)| v).sum::<f64>() / known.len() as f64;
        Some(s)
    }
}

fn mark(verdict: Option<Verdict>) -> char {
    match verdict {
        Some(Verdict::Pass) => '·',
        Some(Verdict::Warn) => 'w',
        Some(Verdict::Fail) => 'X',
        None => ' ',
    }
}

fn colour(verdict: Option<Verdict>) -> &'static str {
    match verdict {
        Some(Verdict::Pass) => "#2e7d32",
        Some(Verdict::Warn) => "#f9a825",
        Some(Verdict::Fail) => "#c62828",
        None => "#bdbdbd",
    }
}

/// A number short: whole numbers as they are, others to about five significant digits.
fn fmt_num(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    if x.fract() == 0.0 && x.abs() < 1e15 {
        return format!("{x:.0}");
    }
    let magnitude = if x == 0.0 {
        0
    } else {
        x.abs().log10().floor() as i32
    };
    let decimals = usize::try_from((4 - magnitude).clamp(0, 12)).unwrap_or(0);
    let text = format!("{x:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::fmt_num;

    #[test]
    fn numbers_are_short() {
        assert_eq!(fmt_num(480_000.0), "480000");
        assert_eq!(fmt_num(0.999_5), "0.9995");
        assert_eq!(fmt_num(0.123_456_7), "0.12346");
        assert_eq!(fmt_num(98.5), "98.5");
        assert_eq!(fmt_num(-1.25), "-1.25");
    }
}
