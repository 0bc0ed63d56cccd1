//! Coverage as line and branch sets per source file, whatever report it came from, so that
//! several reports merge exactly: a line is covered when any report covers it, a branch is
//! taken when any report takes it, and the percentages are recomputed from the merged totals
//! (never averaged).

use super::MetricOut;
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
}

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
    }

    fn append(&mut self, mut other: FileLines) {
        self.lines.append(&mut other.lines);
        self.branches.append(&mut other.branches);
    }
}

/// Line and branch totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Totals {
    pub lines_total: u64,
    pub lines_covered: u64,
    pub branches_total: u64,
    pub branches_covered: u64,
}

/// What a coverage report (or several, merged) says.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Coverage {
    /// By source file path as the report writes it.
    pub files: BTreeMap<String, FileLines>,
    /// The report's root element or first record.
    pub root: Span,
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
            t.lines_total += file.lines.len() as u64;
            t.lines_covered += file.lines.iter().filter(|l| l.1 > 0).count() as u64;
            t.branches_total += file.branches.len() as u64;
            t.branches_covered += file.branches.iter().filter(|b| b.2).count() as u64;
        }
        t
    }

    /// The metrics: `coverage.lines`, `coverage.branches` and their counts.
    pub(super) fn metrics(&self, out: &mut Vec<MetricOut>) {
        let t = self.totals();
        let mut put = |name: &str, value: Value| {
            out.push(MetricOut::at(format!("coverage.{name}"), value, self.root));
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
    }
}
