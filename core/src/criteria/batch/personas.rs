//! Required personas' sign-off, column-wise: per persona, a column counting the conditions it
//! would attach, added criterion by criterion.
//!
//! The rules are those of [`signoff`](crate::criteria::signoff), which the single check uses. A persona
//! rejects when a gate it owns fails, when a key criterion it owns fails, or when more of the
//! criteria it owns end other than pass (a failed key criterion aside) than its
//! `max_conditions`; a required persona's rejection fails the record. The first two need no
//! column here: a failed gate fails the record itself, and a failed key criterion fails its
//! gate (strict: a failure is the worst severity; scored: a failed key criterion fails the
//! gate whatever the score), so the record's code is already a failure. Only the count can
//! fail a record whose gates did not.

use super::lookup::{FAIL, PASS, UNKNOWN, WARN};
use crate::criteria::{GateSet, PersonaRule};

/// Indices of required personas (into [`Signoffs`]) that own a criterion.
pub(super) type Owners = Vec<usize>;

/// The required personas that sign off on the selected gates.
pub(super) struct Signoffs<'p> {
    personas: Vec<&'p PersonaRule>,
}

/// Per required persona, a chunk-sized column of conditions counted.
pub(super) struct SignoffLanes {
    conditions: Vec<Vec<u32>>,
    len: usize,
}

impl<'p> Signoffs<'p> {
    /// The required personas of `set` that own something in the gates `selected`.
    pub(super) fn new(set: &'p GateSet, selected: &[usize]) -> Self {
        let personas = set
            .personas
            .iter()
            .filter(|p| p.required && selected.iter().any(|&g| p.touches_gate(g)))
            .collect();
        Self { personas }
    }

    /// The personas that own criterion `c` of gate `g`.
    pub(super) fn criterion_owners(&self, g: usize, c: usize) -> Owners {
        (0..self.personas.len())
            .filter(|&i| self.personas[i].owns_criterion(g, c))
            .collect()
    }

    /// Scratch columns for chunks of up to `chunk` records.
    pub(super) fn lanes(&self, chunk: usize) -> SignoffLanes {
        SignoffLanes {
            conditions: vec![vec![0; chunk]; self.personas.len()],
            len: 0,
        }
    }

    /// Fails every record of `out` on which a required persona counted more conditions than
    /// it accepts.
    pub(super) fn finish(&self, lanes: &SignoffLanes, out: &mut [u8]) {
        for (persona, conditions) in self.personas.iter().zip(&lanes.conditions) {
            let max = u32::try_from(persona.max_conditions).unwrap_or(u32::MAX);
            for (o, &c) in out.iter_mut().zip(conditions) {
                *o = (*o).max(if c > max { FAIL } else { PASS });
            }
        }
    }
}

impl SignoffLanes {
    /// Clears the first `len` records of every column for a new chunk.
    pub(super) fn start(&mut self, len: usize) {
        self.len = len;
        for column in &mut self.conditions {
            column[..len].fill(0);
        }
    }

    /// A criterion's outcome bytes, for the personas `owners` that own it: every outcome but
    /// pass and a failure of a key criterion is a condition.
    pub(super) fn add_criterion(&mut self, owners: &Owners, key: bool, outcome: &[u8]) {
        for &i in owners {
            let Some(conditions) = self.conditions.get_mut(i) else {
                continue;
            };
            for (c, &o) in conditions[..self.len].iter_mut().zip(outcome) {
                *c += u32::from((o == WARN) | (o == UNKNOWN) | (!key & (o == FAIL)));
            }
        }
    }
}
