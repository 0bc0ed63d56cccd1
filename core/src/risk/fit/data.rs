//! Change data: a CSV of one change per row with the Kamei et al. (TSE 2013) change metrics, a
//! date and (for training and evaluation) a label.
//!
//! Columns are found by name, case-insensitively. The metrics are the fourteen of Kamei et al.
//! that are present: `ns`, `nd` (also read from `nm`), `nf`, `entropy`, `la`, `ld`, `lt`, `fix`,
//! `ndev`, `age`, `nuc`, `exp`, `rexp`, `sexp`; `la` and `ld` are required (the effort is
//! `la + ld`). The date is `commitdate`, `date` or `timestamp` (`YYYY/M/D H:MM`,
//! `YYYY-MM-DD[THH:MM[:SS]][Z]`, or seconds since 1970); the label `bug`, `buggy`,
//! `contains_bug` or `label` (`1`/`0`, `true`/`false`). Other columns are ignored and named in
//! the model file.
//!
//! Rows are sorted by date (stably: rows of one date keep their order), so that a time-ordered
//! split never trains on the future. Every problem is a coded error (`KIRO-E170`) labelled at
//! the cell in the text.

use crate::diagnostic::{Code, Diagnostic, Span};

/// The standard change metrics, in model order.
pub const METRICS: [&str; 14] = [
    "ns", "nd", "nf", "entropy", "la", "ld", "lt", "fix", "ndev", "age", "nuc", "exp", "rexp",
    "sexp",
];

/// The `source` of diagnostics about change data.
pub const SOURCE: &str = "data";

/// Change data read from CSV, sorted by date.
#[derive(Debug, Clone)]
pub struct ChangeData {
    /// The metrics found, in [`METRICS`] order.
    pub metrics: Vec<String>,
    /// Per row, the metrics' values (in `metrics` order).
    pub rows: Vec<Vec<f64>>,
    /// Per row, the date in seconds since 1970 (`None` when the data has no date column).
    pub dates: Vec<Option<i64>>,
    /// Per row, the label, when the data has one.
    pub labels: Option<Vec<bool>>,
    /// Per row, its 1-based line in the text.
    pub lines: Vec<usize>,
    /// The columns read but not used.
    pub ignored: Vec<String>,
}

/// How to read change data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// The file's `la` and `ld` are divided by `lt`, and `lt` by `nf` (the preprocessing of
    /// Kamei et al. 2013, as in the public JIT data sets): multiply them back into line counts.
    pub normalised: bool,
    /// A label column is required (training, evaluation).
    pub labelled: bool,
}

fn error(message: impl Into<String>, span: Option<Span>, label: &str) -> Diagnostic {
    let d = Diagnostic::error(Code::InvalidChangeData, message).with_source(SOURCE);
    match span {
        Some(span) => d.with_label(span, label),
        None => d,
    }
}

impl ChangeData {
    /// Reads CSV `text`.
    ///
    /// # Errors
    /// `KIRO-E170` for a missing column, a cell that is not a finite number, a negative
    /// count, a label that is not 0 or 1, a date that cannot be read, or no rows; each labelled
    /// at its place in `text`.
    pub fn parse(text: &str, options: ReadOptions) -> Result<ChangeData, Vec<Diagnostic>> {
        let mut lines = split_lines(text);
        let Some((header_start, header)) = lines.next() else {
            return Err(vec![error("the change data is empty", None, "")]);
        };
        let cells: Vec<(usize, &str)> = split_cells(header, header_start);
        let names: Vec<String> = cells
            .iter()
            .map(|(_, c)| c.trim().trim_matches('"').to_ascii_lowercase())
            .collect();
        let find = |wanted: &[&str]| {
            wanted
                .iter()
                .find_map(|w| names.iter().position(|n| n == w))
        };
        let mut metric_cols = Vec::new();
        let mut metrics = Vec::new();
        for m in METRICS {
            let aliases: &[&str] = if m == "nd" { &["nd", "nm"] } else { &[m] };
            if let Some(col) = find(aliases) {
                metric_cols.push(col);
                metrics.push(m.to_owned());
            }
        }
        let header_span = Span::new(header_start, header_start + header.len());
        for required in ["la", "ld"] {
            if !metrics.iter().any(|m| m == required) {
                return Err(vec![
                    error(
                        format!("the change data has no `{required}` column"),
                        Some(header_span),
                        "the header",
                    )
                    .with_help("the effort of a change is `la + ld`: both columns are needed"),
                ]);
            }
        }
        if options.normalised {
            for required in ["lt", "nf"] {
                if !metrics.iter().any(|m| m == required) {
                    return Err(vec![error(
                        format!("normalised data needs an `{required}` column"),
                        Some(header_span),
                        "the header",
                    )]);
                }
            }
        }
        let date_col = find(&["commitdate", "date", "timestamp", "author_date"]);
        let label_col = find(&["bug", "buggy", "contains_bug", "label"]);
        if options.labelled && label_col.is_none() {
            return Err(vec![
                error(
                    "the change data has no label column",
                    Some(header_span),
                    "the header",
                )
                .with_help("name it `bug` (1 when the change later needed a fix, else 0)"),
            ]);
        }
        let used: Vec<usize> = metric_cols
            .iter()
            .copied()
            .chain(date_col)
            .chain(label_col)
            .collect();
        let ignored = names
            .iter()
            .enumerate()
            .filter(|(i, _)| !used.contains(i))
            .map(|(_, n)| n.clone())
            .collect();
        let mut rows = Vec::new();
        let mut dates = Vec::new();
        let mut labels = Vec::new();
        let mut line_numbers = Vec::new();
        let mut errors = Vec::new();
        for (line_no, (start, line)) in lines.enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let cells = split_cells(line, start);
            if cells.len() != names.len() {
                errors.push(error(
                    format!(
                        "line {} has {} cells, the header {}",
                        line_no + 2,
                        cells.len(),
                        names.len()
                    ),
                    Some(Span::new(start, start + line.len())),
                    "this line",
                ));
                continue;
            }
            let cell = |col: usize| {
                let (at, text) = cells[col];
                (
                    Span::new(at, at + text.len()),
                    text.trim().trim_matches('"'),
                )
            };
            let mut row = Vec::with_capacity(metric_cols.len());
            for (m, &col) in metrics.iter().zip(&metric_cols) {
                let (span, text) = cell(col);
                match text.parse::<f64>() {
                    Ok(v) if v.is_finite() && v >= 0.0 => row.push(v),
                    Ok(v) if v.is_finite() => {
                        errors.push(error(
                            format!("`{m}` is negative on line {}: `{text}`", line_no + 2),
                            Some(span),
                            "a count cannot be negative",
                        ));
                    }
                    _ => errors.push(error(
                        format!(
                            "`{m}` is not a finite number on line {}: `{text}`",
                            line_no + 2
                        ),
                        Some(span),
                        "not a number",
                    )),
                }
            }
            if options.normalised && row.len() == metrics.len() {
                denormalise(&metrics, &mut row);
            }
            let date = match date_col {
                None => None,
                Some(col) => {
                    let (span, text) = cell(col);
                    match parse_date(text) {
                        Some(d) => Some(d),
                        None => {
                            errors.push(
                                error(
                                    format!("a date kiro cannot read on line {}: `{text}`", line_no + 2),
                                    Some(span),
                                    "not a date",
                                )
                                .with_help("write `YYYY-MM-DD HH:MM[:SS]`, `YYYY/M/D H:MM` or seconds since 1970"),
                            );
                            None
                        }
                    }
                }
            };
            if let Some(col) = label_col {
                let (span, text) = cell(col);
                match text.to_ascii_lowercase().as_str() {
                    "1" | "true" | "1.0" => labels.push(true),
                    "0" | "false" | "0.0" => labels.push(false),
                    _ => errors.push(error(
                        format!(
                            "a label that is not 0 or 1 on line {}: `{text}`",
                            line_no + 2
                        ),
                        Some(span),
                        "not 0 or 1",
                    )),
                }
            }
            rows.push(row);
            dates.push(date);
            line_numbers.push(line_no + 2);
            if errors.len() >= 20 {
                break;
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        if rows.is_empty() {
            return Err(vec![error("the change data has no rows", None, "")]);
        }
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by_key(|&i| (dates[i], i));
        Ok(ChangeData {
            metrics,
            rows: order.iter().map(|&i| rows[i].clone()).collect(),
            dates: order.iter().map(|&i| dates[i]).collect(),
            labels: label_col.map(|_| order.iter().map(|&i| labels[i]).collect()),
            lines: order.iter().map(|&i| line_numbers[i]).collect(),
            ignored,
        })
    }

    /// Reads changes given as JSON: one object of metric names to numbers, or a list of them
    /// (every object with the same metrics). Dates and labels are not read.
    ///
    /// # Errors
    /// `KIRO-E170` for a value that is not an object (or a list of them), or a metric that is
    /// not a finite number from 0 up.
    pub fn from_json(value: &serde_json::Value) -> Result<ChangeData, Vec<Diagnostic>> {
        let objects: Vec<&serde_json::Map<String, serde_json::Value>> = match value {
            serde_json::Value::Object(o) => vec![o],
            serde_json::Value::Array(items) => items
                .iter()
                .map(serde_json::Value::as_object)
                .collect::<Option<_>>()
                .ok_or_else(|| vec![error("a change is an object of metrics", None, "")])?,
            _ => return Err(vec![error("a change is an object of metrics", None, "")]),
        };
        let first = objects
            .first()
            .copied()
            .ok_or_else(|| vec![error("no changes", None, "")])?;
        let find = |o: &serde_json::Map<String, serde_json::Value>, m: &str| {
            o.get(m)
                .or_else(|| if m == "nd" { o.get("nm") } else { None })
                .cloned()
        };
        let metrics: Vec<String> = METRICS
            .iter()
            .filter(|m| find(first, m).is_some())
            .map(|m| (*m).to_owned())
            .collect();
        let mut rows = Vec::new();
        let mut errors = Vec::new();
        for (i, o) in objects.iter().enumerate() {
            let mut row = Vec::new();
            for m in &metrics {
                match find(o, m).and_then(|v| v.as_f64()) {
                    Some(v) if v.is_finite() && v >= 0.0 => row.push(v),
                    _ => errors.push(error(
                        format!("change {i}: `{m}` is not a finite number from 0 up"),
                        None,
                        "",
                    )),
                }
            }
            rows.push(row);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let n = rows.len();
        Ok(ChangeData {
            metrics,
            rows,
            dates: vec![None; n],
            labels: None,
            lines: (1..=n).collect(),
            ignored: Vec::new(),
        })
    }

    /// The index of metric `name`, if the data has it.
    #[must_use]
    pub fn column(&self, name: &str) -> Option<usize> {
        self.metrics.iter().position(|m| m == name)
    }

    /// Per row, the effort of reviewing the change: `la + ld`.
    #[must_use]
    pub fn effort(&self) -> Vec<f64> {
        let (la, ld) = (self.column("la"), self.column("ld"));
        self.rows
            .iter()
            .map(|r| {
                la.and_then(|i| r.get(i)).copied().unwrap_or(0.0)
                    + ld.and_then(|i| r.get(i)).copied().unwrap_or(0.0)
            })
            .collect()
    }
}

/// `lt` back to lines (× `nf`), `la` and `ld` back to lines (× the lines `lt` now holds).
fn denormalise(metrics: &[String], row: &mut [f64]) {
    let at = |name: &str| metrics.iter().position(|m| m == name);
    let (Some(la), Some(ld), Some(lt), Some(nf)) = (at("la"), at("ld"), at("lt"), at("nf")) else {
        return;
    };
    let lines = row[lt] * row[nf];
    row[lt] = lines;
    row[la] *= lines;
    row[ld] *= lines;
}

/// The lines of `text` with the byte offset each starts at, without their line ends.
fn split_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    text.split('\n').map(move |line| {
        let at = start;
        start += line.len() + 1;
        (at, line.strip_suffix('\r').unwrap_or(line))
    })
}

/// The comma-separated cells of `line` (at byte `start`), each with its offset.
fn split_cells(line: &str, start: usize) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut at = start;
    for cell in line.split(',') {
        out.push((at, cell));
        at += cell.len() + 1;
    }
    out
}

/// Seconds since 1970 of `YYYY/M/D H:MM[:SS]`, `YYYY-MM-DD[ T]HH:MM[:SS][Z]`, a date alone,
/// or a whole number of seconds.
fn parse_date(text: &str) -> Option<i64> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && text.len() > 8 {
        return text.parse().ok();
    }
    let text = text.trim_end_matches('Z');
    let (date, time) = match text.split_once([' ', 'T']) {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let parts: Vec<&str> = date.split(['/', '-']).collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    let (y, m, d): (i64, i64, i64) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let mut seconds = 0i64;
    if let Some(time) = time {
        let parts: Vec<&str> = time.split(':').collect();
        if parts.len() < 2 || parts.len() > 3 {
            return None;
        }
        let mut mult = 3600;
        for p in parts {
            let v: i64 = p.split('.').next()?.parse().ok()?;
            seconds += v * mult;
            mult /= 60;
        }
    }
    Some(days_from_civil(y, m, d) * 86_400 + seconds)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_in_every_form() {
        assert_eq!(parse_date("1970/1/1 0:00"), Some(0));
        assert_eq!(
            parse_date("2001/12/12 17:41"),
            parse_date("2001-12-12T17:41:00Z")
        );
        assert_eq!(parse_date("2000-03-01"), Some(951_868_800));
        assert_eq!(parse_date("yesterday"), None);
    }

    #[test]
    fn rows_are_sorted_by_date_and_cells_located() {
        let text = "commitdate,la,ld,bug\n2001/1/2 0:00,1,2,1\n2001/1/1 0:00,3,4,0\n";
        let data = ChangeData::parse(
            text,
            ReadOptions {
                normalised: false,
                labelled: true,
            },
        )
        .expect("valid");
        assert_eq!(data.rows, vec![vec![3.0, 4.0], vec![1.0, 2.0]]);
        assert_eq!(data.labels, Some(vec![false, true]));
        let bad = "commitdate,la,ld,bug\n2001/1/2 0:00,-1,2,1\n";
        let e = ChangeData::parse(bad, ReadOptions::default()).expect_err("negative");
        let label = &e[0].labels[0];
        assert_eq!(&bad[label.start..label.end], "-1");
    }
}
