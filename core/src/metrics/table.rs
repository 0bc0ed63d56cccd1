//! The declared metrics of a policy, each with a slot number and a unit.

use crate::condition::{MetricInfo, MetricLookup};
use crate::units::Unit;
use std::collections::BTreeMap;

/// One declared metric.
#[derive(Debug, Clone)]
pub struct MetricSlot {
    /// The metric's dotted name.
    pub name: String,
    /// Its declared unit (which gives its dimension).
    pub unit: Unit,
}

/// Declared metrics by name; a metric's slot is its index in declaration (sorted-name) order.
#[derive(Debug, Clone, Default)]
pub struct MetricTable {
    slots: Vec<MetricSlot>,
    by_name: BTreeMap<String, usize>,
}

impl MetricTable {
    /// Declares a metric and returns its slot.
    pub fn declare(&mut self, name: &str, unit: Unit) -> usize {
        let slot = self.slots.len();
        self.slots.push(MetricSlot {
            name: name.to_owned(),
            unit,
        });
        self.by_name.insert(name.to_owned(), slot);
        slot
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
