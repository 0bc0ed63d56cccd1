//! Criteria compiled against a policy's metrics and personas: the one compiler for every
//! section that judges metrics.
//!
//! Gates, a pipeline stage's exit criteria (a named gate or criteria written on the stage)
//! and, next, analysis steps, rollback triggers, alert rules and persona health thresholds
//! all declare criteria: pass and warn conditions, weight, key, missing-data rule, owners,
//! strict or scored. A section hands its declarations to [`compile`] as [`GateSource`]s,
//! together with the policy's [`MetricTable`](crate::policy::metric_table::MetricTable) and
//! [`Personas`], and gets a [`GateSet`] back; every problem goes into the one list of
//! diagnostics of the policy being compiled, pointed into its text. The single check, the
//! columnar batch and a pipeline's exit gates all evaluate a `GateSet`.

mod compile;
mod personas;
mod set;

pub(crate) use compile::{Context, GateSource, compile, undeclared_persona, unique_names};
pub use personas::DEFAULT_MAX_CONDITIONS;
pub(crate) use personas::Personas;
pub(crate) use set::{CriterionRule, GateRule, GateSet, PersonaRule, Scoring};

#[cfg(test)]
mod tests;
