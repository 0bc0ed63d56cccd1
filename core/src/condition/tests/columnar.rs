//! Columnar evaluation agrees with record-by-record evaluation.

use super::*;
use crate::diagnostic::Code;

/// A small deterministic generator (xorshift), so failures reproduce.
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(seed: u64) -> Self {
        Self(seed | 1)
    }

    pub(super) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub(super) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Values that exercise every path: no data, zero, small and huge numbers, booleans.
const INTERESTING: &[f64] = &[
    f64::NAN,
    0.0,
    1.0,
    2.0,
    0.5,
    0.009,
    0.95,
    -3.0,
    420.0,
    620.0,
    500.0,
    1e200,
    1.7e308,
    -1e-300,
];

pub(super) fn random_record(rng: &mut Rng) -> Vec<f64> {
    (0..SLOTS)
        .map(|slot| {
            let is_bool = metric_list()
                .iter()
                .any(|(_, s, u)| *s == slot && u.dimension == Dimension::Bool);
            if is_bool {
                [f64::NAN, 0.0, 1.0][rng.below(3) as usize]
            } else if rng.below(4) == 0 {
                INTERESTING[rng.below(INTERESTING.len() as u64) as usize]
            } else {
                (rng.below(2000) as f64 - 500.0) / 100.0
            }
        })
        .collect()
}

const CONDITIONS: &[&str] = &[
    "coverage >= 90% and critical_vulns == 0 and high_vulns <= 2 and p95_latency < 500ms and error_rate < 1%",
    "coverage >= 90% or critical_vulns == 0 or high_vulns <= 2",
    "not (coverage < 1% or critical_vulns != 0) and 2 > high_vulns and 1 >= tests.failed and 0 == tests.total",
    "tests.e2e_green and not flag",
    "tests.e2e_green == flag or tests.e2e_green != (coverage > 1%)",
    "tests.failed / tests.total < 1%",
    "critical_vulns == 0 and tests.failed / tests.total < 1%",
    "critical_vulns == 0 or tests.failed / tests.total < 1% or high_vulns * 2 > 1",
    "not (tests.failed / tests.total < 1%) and (high_vulns > 1 or critical_vulns / high_vulns > 200%)",
    "critical_vulns * high_vulns * tests.total > 1 or tests.e2e_green",
    "critical_vulns + high_vulns - tests.failed + 1 > tests.total",
    "min(critical_vulns / tests.failed, high_vulns / tests.total, 3%) < max(coverage, -error_rate)",
    "abs(critical_vulns - high_vulns) <= 1 and -critical_vulns < 0",
    "present(coverage) and missing(tests.e2e_green) or present(tests.failed / tests.total)",
    "present(tests.e2e_green or flag) == missing(coverage * 2)",
    "p95_latency / startup < 50% and bundle_size <= 1KiB and fraction > coverage",
    "true",
    "1 > 2",
    "flag",
];

#[test]
fn columns_agree_with_records() {
    let mut rng = Rng::new(0x5eed);
    for &source in CONDITIONS {
        let program = compile(source);
        for len in [0, 1, 7, 1023, 1024, 1025, 2500] {
            let records: Vec<Vec<f64>> = (0..len).map(|_| random_record(&mut rng)).collect();
            assert_columns_agree(&program, &records);
        }
    }
}

#[test]
fn columns_write_tri_bytes() {
    let program = compile("coverage >= 90%");
    let coverage = [0.95, 0.5, f64::NAN];
    let columns: [&[f64]; 1] = [&coverage];
    let mut out = [9u8; 3];
    program.eval_columns(&columns, &mut out);
    assert_eq!(out, [Tri::True as u8, Tri::False as u8, Tri::Unknown as u8]);
    assert_eq!(out, [2, 0, 1]);

    let program = compile("tests.failed / tests.total < 1%");
    let zeros = vec![0.0; 9];
    let ones = vec![1.0; 9];
    let mut columns: Vec<&[f64]> = vec![&[]; SLOTS];
    columns[7] = &ones;
    columns[8] = &zeros;
    let mut out = [0u8; 9];
    program.eval_columns(&columns, &mut out);
    assert_eq!(out, [COLUMN_ERROR; 9]);
}

#[test]
fn folds_take_the_table_entry_of_errors_for_bad_columns() {
    let program = compile("tests.total > 1");
    let short = [1.0, 2.0];
    let mut columns: Vec<&[f64]> = vec![&[]; SLOTS];
    columns[8] = &short;
    let mut acc = [0u8, 7, 1];
    program.fold_columns(&columns, [0, 0, 0, 4], &mut acc);
    assert_eq!(acc, [4, 7, 4]);
}

#[test]
fn bad_columns_are_reported() {
    let program = compile("tests.total > 1");
    let short = [1.0, 2.0];
    let mut out = [0u8; 3];
    let mut columns: Vec<&[f64]> = vec![&[]; SLOTS];
    columns[8] = &short;
    program.eval_columns(&columns, &mut out);
    assert_eq!(out, [COLUMN_ERROR; 3]);
    let d = program
        .try_eval_columns(&columns, &mut out)
        .expect_err("short");
    assert_eq!(d.code, Code::InvalidBatch);
    assert_eq!(
        d.message,
        "the column for metric slot 8 has 2 values, expected 3"
    );
    let d = program
        .try_eval_columns(&columns[..4], &mut out)
        .expect_err("absent");
    assert_eq!(d.message, "no column for metric slot 8");
    // Longer columns are fine: the first `out.len()` records are evaluated.
    let long = [0.0, 5.0, 1.0, 9.0];
    columns[8] = &long;
    program.try_eval_columns(&columns, &mut out).expect("valid");
    assert_eq!(out, [0, 2, 0]);
    // Columns the program does not read may be anything.
    let program = compile("1 < 2");
    program
        .try_eval_columns(&[], &mut out)
        .expect("no columns needed");
    assert_eq!(out, [2; 3]);
}

/// Random well-typed conditions, as text.
pub(super) struct Gen<'r> {
    pub(super) rng: &'r mut Rng,
}

const DIMS: [Dimension; 4] = [
    Dimension::Number,
    Dimension::Ratio,
    Dimension::Duration,
    Dimension::Size,
];

impl Gen<'_> {
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.rng.below(items.len() as u64) as usize]
    }

    fn metric(&mut self, dim: Dimension) -> &'static str {
        match dim {
            Dimension::Number => self.pick(&[
                "critical_vulns",
                "high_vulns",
                "tests.failed",
                "tests.total",
            ]),
            Dimension::Ratio => self.pick(&["coverage", "error_rate", "fraction"]),
            Dimension::Duration => self.pick(&["p95_latency", "startup"]),
            Dimension::Size => self.pick(&["bundle_size"]),
            Dimension::Bool => self.pick(&["tests.e2e_green", "flag"]),
        }
    }

    fn literal(&mut self, dim: Dimension) -> String {
        let number = self.pick(&[
            "0", "1", "2", "0.5", "3", "100", "1e3", "1_000", "0.01", "1e200",
        ]);
        let unit = match dim {
            Dimension::Number | Dimension::Bool => "",
            Dimension::Ratio => "%",
            Dimension::Duration => self.pick(&["ms", "s", "m", "h", "d"]),
            Dimension::Size => self.pick(&["B", "KB", "MiB", "GB"]),
        };
        format!("{number}{unit}")
    }

    pub(super) fn num(&mut self, dim: Dimension, depth: u32) -> String {
        let choice = if depth == 0 {
            self.rng.below(2)
        } else {
            self.rng.below(11)
        };
        let d = depth.saturating_sub(1);
        match choice {
            0 => self.metric(dim).to_owned(),
            1 => self.literal(dim),
            2 => format!("({} + {})", self.num(dim, d), self.num(dim, d)),
            3 => format!(
                "({} - {} - {})",
                self.num(dim, d),
                self.num(dim, d),
                self.num(dim, d)
            ),
            4 => {
                // A plain number times a percentage is a percentage, unless only the percentage
                // is constant: then it scales the number (`critical_vulns * 110%` is a plain
                // number). So a percentage scales by a constant plain number, and a plain
                // number by a number, or by a constant percentage when it is a metric.
                match (dim, self.rng.below(3)) {
                    (Dimension::Number, 0) => format!(
                        "({} * {})",
                        self.metric(Dimension::Number),
                        self.literal(Dimension::Ratio)
                    ),
                    (Dimension::Number, _) => {
                        format!("({} * {})", self.num(dim, d), self.num(dim, d))
                    }
                    (Dimension::Ratio, _) => {
                        format!(
                            "({} * {})",
                            self.num(dim, d),
                            self.literal(Dimension::Number)
                        )
                    }
                    (_, 0) => format!("({} * {})", self.num(dim, d), self.num(Dimension::Ratio, d)),
                    _ => format!(
                        "({} * {})",
                        self.num(dim, d),
                        self.num(Dimension::Number, d)
                    ),
                }
            }
            5 => {
                let divisor = self.pick(&["2", "0.5", "3", "1e-300"]);
                format!("({} / {divisor})", self.num(dim, d))
            }
            6 if dim != Dimension::Number => {
                format!(
                    "({} / {})",
                    self.num(dim, d),
                    self.metric(Dimension::Number)
                )
            }
            6 | 7 if dim == Dimension::Ratio => {
                let other = DIMS[self.rng.below(4) as usize];
                format!("({} / {})", self.num(other, d), self.num(other, d))
            }
            7 => format!("abs({})", self.num(dim, d)),
            8 => format!("-{}", self.num(dim, d)),
            9 => format!("min({}, {})", self.num(dim, d), self.num(dim, d)),
            _ => format!(
                "max({}, {}, {})",
                self.num(dim, d),
                self.num(dim, d),
                self.num(dim, d)
            ),
        }
    }

    pub(super) fn condition(&mut self, depth: u32) -> String {
        let choice = if depth == 0 {
            self.rng.below(4)
        } else {
            self.rng.below(10)
        };
        let d = depth.saturating_sub(1);
        match choice {
            0 | 1 => {
                let dim = DIMS[self.rng.below(4) as usize];
                let op = self.pick(&["<", "<=", ">", ">=", "==", "!="]);
                format!("{} {op} {}", self.num(dim, d), self.num(dim, d))
            }
            2 => self.metric(Dimension::Bool).to_owned(),
            3 => {
                let func = self.pick(&["present", "missing"]);
                let dim = DIMS[self.rng.below(4) as usize];
                // `present` of a constant does not compile: the argument reads a metric.
                let metric = self.metric(dim);
                format!("{func}({} + {metric})", self.num(dim, d))
            }
            4 => format!("not ({})", self.condition(d)),
            5 | 6 => format!(
                "({} and {} and {})",
                self.condition(d),
                self.condition(d),
                self.condition(d)
            ),
            7 | 8 => format!("({} or {})", self.condition(d), self.condition(d)),
            _ => {
                let op = self.pick(&["==", "!="]);
                format!("({}) {op} ({})", self.condition(d), self.condition(d))
            }
        }
    }
}

#[test]
fn random_programs_agree_on_random_records() {
    let mut rng = Rng::new(0xc0ffee);
    let mut outcomes = [0usize; 4];
    for _ in 0..400 {
        let depth = rng.below(4) as u32;
        let source = Gen { rng: &mut rng }.condition(depth);
        let program = match compile_condition(&source, &metrics()) {
            Ok(program) => program,
            Err(errors) => {
                // Literal arithmetic may overflow (`1e200MiB / 1e-300`); nothing else may fail.
                assert!(
                    errors
                        .iter()
                        .all(|d| d.code == crate::diagnostic::Code::NonFinite),
                    "{source}: {errors:?}"
                );
                continue;
            }
        };
        let records: Vec<Vec<f64>> = (0..(1 + rng.below(1500)))
            .map(|_| random_record(&mut rng))
            .collect();
        assert_columns_agree(&program, &records);
        for record in records.iter().take(20) {
            let evaluated = program.eval(record);
            match &evaluated {
                Ok(t) => outcomes[*t as usize] += 1,
                Err(_) => outcomes[3] += 1,
            }
            let explained = program.explain(record, &name_of).map(|(t, _)| t);
            assert_eq!(explained, evaluated, "{source}");
        }
        // Printing the parsed condition gives the same program.
        let reparsed = parse(&parse(&source).expect("parses").to_string()).expect("reparses");
        assert!(
            reparsed.same_as(&parse(&source).expect("parses")),
            "{source}"
        );
    }
    // The generator reaches every outcome.
    assert!(outcomes.iter().all(|&n| n > 0), "{outcomes:?}");
}
