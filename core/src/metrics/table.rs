//! The declared metrics of a policy, each with a slot number and a unit.

use crate::condition::{Aggregate, MetricInfo, MetricLookup, baseline_name, parse_baseline_name};
use crate::units::{Dimension, Unit};
use std::collections::BTreeMap;

/// One declared metric.
#[derive(Debug, Clone)]
pub struct MetricSlot {
    /// The metric's dotted name.
    pub name: String,
    /// Its declared unit (which gives its dimension).
    pub unit: Unit,
    /// The values it may take, in base units ([`ValidRange::default_for`] unless declared).
    pub range: Option<ValidRange>,
}

/// The values a metric may take, inclusive, in base units; either end may be infinite.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValidRange {
    /// The smallest valid value.
    pub min: f64,
    /// The largest valid value.
    pub max: f64,
}

impl ValidRange {
    /// The range a metric in `unit` has when it declares none: 0% to 100% for a percentage
    /// (`%` or `ratio`), where a value outside almost always means the wrong scale (`87` given
    /// to a `ratio` metric reads as 8,700%); none for other dimensions.
    #[must_use]
    pub fn default_for(unit: Unit) -> Option<ValidRange> {
        (unit.dimension == Dimension::Ratio).then_some(ValidRange { min: 0.0, max: 1.0 })
    }

    /// Whether `value` lies in the range (NaN, no data, does).
    #[inline]
    #[must_use]
    pub fn admits(self, value: f64) -> bool {
        !(value < self.min || value > self.max)
    }
}

/// Declared metrics by name; a metric's slot is its index in declaration (sorted-name) order.
#[derive(Debug, Clone, Default)]
pub struct MetricTable {
    slots: Vec<MetricSlot>,
    by_name: BTreeMap<String, usize>,
    /// `baseline(m, a)` for each metric `m` and aggregate `a`, at `m * 7 + a.index()`; its slot
    /// is that index plus the number of declared metrics (see [`MetricTable::baseline_slot`]).
    derived: Vec<MetricSlot>,
    /// How many baseline rules there are (the policy's, then one per gate with its own): each
    /// has its own seven slots per metric.
    rules: usize,
    /// The length of a record gate criteria read: with their baseline slots when a criterion
    /// reads a baseline, else 0 (just the declared metrics).
    gate_len: usize,
}

impl MetricTable {
    /// Declares a metric, with the default range of its unit, and returns its slot.
    pub fn declare(&mut self, name: &str, unit: Unit) -> usize {
        let slot = self.slots.len();
        self.slots.push(MetricSlot {
            name: name.to_owned(),
            unit,
            range: ValidRange::default_for(unit),
        });
        self.by_name.insert(name.to_owned(), slot);
        for aggregate in Aggregate::ALL {
            self.derived.push(MetricSlot {
                name: baseline_name(name, aggregate),
                unit,
                range: None,
            });
        }
        slot
    }

    /// The slot of `baseline(metric, aggregate)` under baseline rule `rule` for the metric in
    /// `metric` (declared slot): after the declared metrics, seven per metric and rule.
    #[must_use]
    pub fn baseline_slot(&self, rule: usize, metric: usize, aggregate: Aggregate) -> usize {
        self.slots.len()
            + rule * self.derived.len()
            + metric * Aggregate::ALL.len()
            + aggregate.index()
    }

    /// Records that gate criteria read baselines: their records hold every baseline slot.
    pub fn set_gates_read_baselines(&mut self) {
        self.gate_len = self.slots.len() + self.derived.len() * self.rules.max(1);
    }

    /// How many values a record for gate criteria holds (the declared metrics, then the
    /// baselines when criteria read any); [`super::bind`] leaves it at the declared metrics,
    /// the gate paths pad it with NaN (no data).
    #[must_use]
    pub fn gate_record_len(&self) -> usize {
        self.gate_len.max(self.slots.len())
    }

    /// Sets how many baseline rules there are (at least 1).
    pub fn set_baseline_rules(&mut self, rules: usize) {
        self.rules = rules.max(1);
    }

    /// The metric in `slot`, a declared one or a baseline.
    #[must_use]
    pub fn get_any(&self, slot: usize) -> Option<&MetricSlot> {
        if let Some(m) = self.slots.get(slot) {
            return Some(m);
        }
        let derived = slot.checked_sub(self.slots.len())?;
        if derived >= self.derived.len() * self.rules.max(1) {
            return None;
        }
        self.derived.get(derived.checked_rem(self.derived.len())?)
    }

    /// The name of the metric or baseline in `slot` (empty when there is none).
    #[must_use]
    pub fn name_any(&self, slot: usize) -> &str {
        self.get_any(slot).map_or("", |m| m.name.as_str())
    }

    /// A lookup that also resolves `baseline(metric)` names, for gate and stage criteria.
    #[must_use]
    pub fn with_baselines(&self, rule: usize) -> WithBaselines<'_> {
        WithBaselines(self, rule)
    }

    /// Sets the valid range of the metric in `slot` (`None`: any value).
    pub fn set_range(&mut self, slot: usize, range: Option<ValidRange>) {
        if let Some(metric) = self.slots.get_mut(slot) {
            metric.range = range;
        }
    }

    /// Every slot, in slot order.
    #[must_use]
    pub fn slots(&self) -> &[MetricSlot] {
        &self.slots
    }

    /// The slot of `name`, if declared.
    #[must_use]
    pub fn slot_of(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// The metric in `slot`.
    #[must_use]
    pub fn get(&self, slot: usize) -> Option<&MetricSlot> {
        self.slots.get(slot)
    }

    /// The name of the metric in `slot` (empty when there is none).
    #[must_use]
    pub fn name(&self, slot: usize) -> &str {
        self.slots.get(slot).map_or("", |m| m.name.as_str())
    }
}

impl MetricLookup for MetricTable {
    fn lookup(&self, name: &str) -> Option<MetricInfo> {
        let slot = self.slot_of(name)?;
        self.slots
            .get(slot)
            .map(|m| MetricInfo { slot, unit: m.unit })
    }

    fn names(&self) -> Vec<&str> {
        self.slots.iter().map(|m| m.name.as_str()).collect()
    }
}

/// The declared metrics and their baselines: what gate and stage criteria may name.
pub struct WithBaselines<'a>(&'a MetricTable, usize);

impl MetricLookup for WithBaselines<'_> {
    fn lookup(&self, name: &str) -> Option<MetricInfo> {
        if let Some(info) = self.0.lookup(name) {
            return Some(info);
        }
        let (metric, aggregate) = parse_baseline_name(name)?;
        let info = self.0.lookup(metric)?;
        Some(MetricInfo {
            slot: self.0.baseline_slot(self.1, info.slot, aggregate),
            unit: info.unit,
        })
    }

    fn names(&self) -> Vec<&str> {
        self.0.names()
    }
}
