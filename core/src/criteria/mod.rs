//! Criteria compiled against a policy's metrics and personas, and evaluated: the one engine of
//! every section that judges metrics.
//!
//! Gates, a pipeline stage's exit criteria (a named gate or criteria written on the stage)
//! and, next, analysis steps, rollback triggers, alert rules and persona health thresholds
//! all declare criteria ([`model`]): pass and warn conditions, weight, key, missing-data rule,
//! owners, strict or scored. A section hands its declarations to [`compile`](compile()) as
//! [`GateSource`]s, with the policy's metric table and [`Personas`], and gets a [`GateSet`]
//! back; every problem goes into the one list of diagnostics of the policy being compiled,
//! pointed into its text.
//!
//! A gate set is evaluated in one of two ways, under the same rules (criterion outcome with
//! the missing-data rule in [`outcome`], strict and scored verdicts in [`scoring`], persona
//! sign-off in [`signoff`]): one record with every explanation, into a [`Decision`]
//! ([`evaluate`](evaluate()), with the sentences of [`reasons`]), or columns of records into
//! verdict codes ([`batch`]). The policy's gates, the batch and a pipeline's exit gates all
//! go through here.
//!
//! [`Decision`]: decision::Decision

pub(crate) mod batch;
mod compile;
pub mod decision;
mod evaluate;
pub mod model;
pub(crate) mod outcome;
pub mod personas;
mod reasons;
pub(crate) mod scoring;
mod set;
pub(crate) mod signoff;

pub use batch::{
    Batch, BatchColumn, BatchCounts, BatchResult, CODE_ERROR, CODE_FAIL, CODE_PASS, CODE_WARN,
    ColumnBuilder,
};
pub(crate) use compile::{Context, GateSource, compile, undeclared_persona, unique_names};
pub(crate) use evaluate::{eval_failure, evaluate, evaluate_noted};
pub use personas::DEFAULT_MAX_CONDITIONS;
pub(crate) use personas::Personas;
pub(crate) use set::{CriterionRule, GateRule, GateSet, PersonaRule, Scoring};

#[cfg(test)]
mod tests;
