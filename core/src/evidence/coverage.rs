//! Coverage as line and branch sets per source file, whatever report it came from, so that
//! several reports merge exactly: a line is covered when any report covers it, a branch is
//! taken when any report takes it, and the percentages are recomputed from the merged totals
//! (never averaged). A Go cover profile's statement blocks are kept too, merged the way
//! `go tool cover` merges them (one block at one place, covered when any profile ran it).
//!
//! Besides the totals, each package gets the same metrics: a file's package is the folder of
//! its path as the report writes it (JaCoCo's `com/example` package, a Go import path, a source
//! folder for LCOV and Cobertura).

use super::MetricOut;
use super::name::metric_key;
use super::value::Value;
use crate::diagnostic::Span;
use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

/// The lines and branches of one source file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct FileLines {
    /// `(line, hits)`; sorted by line with one entry per line once normalized.
    pub lines: Vec<(u32, u64)>,
    /// `(line, branch id, taken)`; sorted with one entry per branch once normalized.
    pub branches: Vec<(u32, u64, bool)>,
    /// Go statement blocks: `((start line, start column, end line, end column), statements,
    /// count)`; sorted with one entry per place once normalized.
    pub blocks: Vec<(Place, u32, u64)>,
}

/// Where a Go block is: start line and column, end line and column.
pub(super) type Place = (u32, u32, u32, u32);

impl FileLines {
    /// Sorts and merges repeated entries: hits of one line add up, a branch is taken when any
    /// entry takes it.
    fn normalize(&mut self) {
        if !self.lines.is_sorted_by_key(|l| l.0) {
            self.lines.sort_by_key(|l| l.0);
        }
        self.lines.dedup_by(|later, kept| {
            if later.0 == kept.0 {
                kept.1 = kept.1.saturating_add(later.1);
                true
            } else {
                false
            }
        });
        if !self.branches.is_sorted_by_key(|b| (b.0, b.1)) {
            self.branches.sort_by_key(|b| (b.0, b.1));
        }
        self.branches.dedup_by(|later, kept| {
            if (later.0, later.1) == (kept.0, kept.1) {
                kept.2 |= later.2;
                true
            } else {
                false
            }
        });
        if !self.blocks.is_sorted_by_key(|b| b.0) {
            self.blocks.sort_by_key(|b| b.0);
        }
        // As `go tool cover` merges profiles: one block per place, its counts added.
        self.blocks.dedup_by(|later, kept| {
            if later.0 == kept.0 {
                kept.1 = kept.1.max(later.1);
                kept.2 = kept.2.saturating_add(later.2);
                true
            } else {
                false
            }
        });
    }

    fn append(&mut self, mut other: FileLines) {
        self.lines.append(&mut other.lines);
        self.branches.append(&mut other.branches);
        self.blocks.append(&mut other.blocks);
    }

    fn add_to(&self, t: &mut Totals) {
        if self.blocks.is_empty() {
            t.lines_total += self.lines.len() as u64;
            t.lines_covered += self.lines.iter().filter(|l| l.1 > 0).count() as u64;
        } else {
            // The lines of the blocks' ranges, with any listed line: counted over ranges.
            let all = ranges(self.blocks.iter().map(|b| b.0));
            let ran = ranges(self.blocks.iter().filter(|b| b.2 > 0).map(|b| b.0));
            t.lines_total += union_size(&all, self.lines.iter().map(|l| l.0));
            t.lines_covered += union_size(&ran, self.lines.iter().filter(|l| l.1 > 0).map(|l| l.0));
        }
        t.branches_total += self.branches.len() as u64;
        t.branches_covered += self.branches.iter().filter(|b| b.2).count() as u64;
        for (_, statements, count) in &self.blocks {
            t.statements_total += u64::from(*statements);
            if *count > 0 {
                t.statements_covered += u64::from(*statements);
            }
        }
    }
}

/// The line ranges of blocks (sorted by place, so by start line) as disjoint, sorted,
/// inclusive ranges.
fn ranges(places: impl Iterator<Item = Place>) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for (start, _, end, _) in places {
        match out.last_mut() {
            Some(last) if start <= last.1.saturating_add(1) => last.1 = last.1.max(end),
            _ => out.push((start, end)),
        }
    }
    out
}

/// How many lines lie in the disjoint sorted `ranges` or are among the sorted `lines`.
fn union_size(ranges: &[(u32, u32)], lines: impl Iterator<Item = u32>) -> u64 {
    let mut n: u64 = ranges
        .iter()
        .map(|(a, b)| u64::from(b.saturating_sub(*a)) + 1)
        .sum();
    let mut i = 0;
    for line in lines {
        while ranges.get(i).is_some_and(|r| r.1 < line) {
            i += 1;
        }
        if ranges.get(i).is_none_or(|r| r.0 > line) {
            n += 1;
        }
    }
    n
}

/// Line and branch totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Totals {
    pub lines_total: u64,
    pub lines_covered: u64,
    pub branches_total: u64,
    pub branches_covered: u64,
    pub statements_total: u64,
    pub statements_covered: u64,
}

/// What a coverage report (or several, merged) says.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Coverage {
    /// By source file path as the report writes it.
    pub files: BTreeMap<String, FileLines>,
    /// The report's root element or first record.
    pub root: Span,
    /// Whether a report gave statements (a Go cover profile): only then are the
    /// `statements` metrics given.
    pub statements: bool,
}

impl Coverage {
    /// Adds the lines of `path` (a file may appear several times in one report).
    pub(super) fn add_file(&mut self, path: String, lines: FileLines) {
        match self.files.entry(path) {
            Entry::Vacant(v) => {
                v.insert(lines);
            }
            Entry::Occupied(mut o) => o.get_mut().append(lines),
        }
    }

    /// Sorts and merges every file's entries; call once all are added.
    pub(super) fn normalize(&mut self) {
        for file in self.files.values_mut() {
            file.normalize();
        }
    }

    /// Adds another (normalized) report's coverage.
    pub(super) fn merge(&mut self, other: Coverage) {
        self.statements |= other.statements;
        for (path, lines) in other.files {
            match self.files.entry(path) {
                Entry::Vacant(v) => {
                    v.insert(lines);
                }
                Entry::Occupied(mut o) => {
                    o.get_mut().append(lines);
                    o.get_mut().normalize();
                }
            }
        }
    }

    /// The totals over every file.
    pub(super) fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for file in self.files.values() {
            file.add_to(&mut t);
        }
        t
    }

    /// The totals of each package (the folder of a file's path, as a metric name part).
    fn packages(&self) -> BTreeMap<String, Totals> {
        let mut out: BTreeMap<String, Totals> = BTreeMap::new();
        for (path, file) in &self.files {
            file.add_to(out.entry(package_key(path)).or_default());
        }
        out
    }

    /// The metrics: `coverage.lines`, `coverage.branches` (and `coverage.statements` for Go
    /// profiles) with their counts, and the same for each package as
    /// `coverage.package.PACKAGE.*`.
    pub(super) fn metrics(&self, out: &mut Vec<MetricOut>) {
        self.put("coverage", self.totals(), out);
        for (package, totals) in self.packages() {
            self.put(&format!("coverage.package.{package}"), totals, out);
        }
    }

    fn put(&self, prefix: &str, t: Totals, out: &mut Vec<MetricOut>) {
        let mut put = |name: &str, value: Value| {
            out.push(MetricOut::at(format!("{prefix}.{name}"), value, self.root));
        };
        put("lines", Value::percent_of(t.lines_covered, t.lines_total));
        put("lines_covered", Value::count(t.lines_covered));
        put("lines_total", Value::count(t.lines_total));
        put(
            "branches",
            Value::percent_of(t.branches_covered, t.branches_total),
        );
        put("branches_covered", Value::count(t.branches_covered));
        put("branches_total", Value::count(t.branches_total));
        if self.statements {
            put(
                "statements",
                Value::percent_of(t.statements_covered, t.statements_total),
            );
            put("statements_covered", Value::count(t.statements_covered));
            put("statements_total", Value::count(t.statements_total));
        }
    }
}

/// The package of the file at `path` as a metric name part: its folder (`/` and `\` both
/// separate), the separators made dots (`com/example/cart` is `com.example.cart`), a leading
/// separator or `./` dropped; `_root` for a file outside any folder.
fn package_key(path: &str) -> String {
    let path = path.trim();
    let folder = path
        .rfind(['/', '\\'])
        .map_or("", |i| path.get(..i).unwrap_or(""));
    let parts: Vec<&str> = folder
        .split(['/', '\\'])
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    metric_key(&parts.join("."), "_root")
}
