//! How a condition finds the metrics it names.

use crate::units::Unit;
use std::collections::{BTreeMap, HashMap};

/// What a condition needs to know about one declared metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricInfo {
    /// Where the metric's value sits in the slice passed to [`super::Program::eval`] (and which
    /// column it is in [`super::Program::eval_columns`]).
    pub slot: usize,
    /// The declared unit; `unit.dimension` is the metric's type ([`crate::units::Dimension::Bool`]
    /// for flags).
    pub unit: Unit,
}

/// Resolves metric names while a condition is compiled.
pub trait MetricLookup {
    /// The metric called `name`, if it is declared.
    fn lookup(&self, name: &str) -> Option<MetricInfo>;
    /// Every declared name, for "did you mean" suggestions.
    fn names(&self) -> Vec<&str>;
}

impl MetricLookup for HashMap<String, MetricInfo> {
    fn lookup(&self, name: &str) -> Option<MetricInfo> {
        self.get(name).copied()
    }

    fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }
}

impl MetricLookup for BTreeMap<String, MetricInfo> {
    fn lookup(&self, name: &str) -> Option<MetricInfo> {
        self.get(name).copied()
    }

    fn names(&self) -> Vec<&str> {
        self.keys().map(String::as_str).collect()
    }
}

impl MetricLookup for [(&str, MetricInfo)] {
    fn lookup(&self, name: &str) -> Option<MetricInfo> {
        self.iter().find(|(n, _)| *n == name).map(|(_, info)| *info)
    }

    fn names(&self) -> Vec<&str> {
        self.iter().map(|(n, _)| *n).collect()
    }
}
