//! Checking metrics against a compiled policy: one record with a full explanation, or a
//! columnar batch of records with verdicts only.

mod batch;
mod decide;
mod selection;
mod text;

pub use batch::{
    Batch, BatchColumn, BatchCounts, BatchResult, CODE_ERROR, CODE_FAIL, CODE_PASS, CODE_WARN,
    ColumnBuilder,
};
pub use selection::Selection;

use crate::criteria::GateSet;
use crate::decision::Decision;
use crate::diagnostic::{Code, Diagnostic};
use crate::document::Format;
use crate::error::CheckError;
use crate::metrics::MetricsInput;
use crate::metrics::bind::{bind, bind_flat};
use crate::metrics::input::FlatJson;
use crate::pipeline::Exit;
use crate::policy::CompiledPolicy;

impl CompiledPolicy {
    /// Checks one set of metrics against the selected gates and explains the verdict.
    ///
    /// # Errors
    /// [`CheckError::Input`] for values that do not fit their metrics or a selection that
    /// matches nothing; [`CheckError::Evaluation`] when a condition cannot be computed on these
    /// values (division by zero, overflow).
    pub fn check(
        &self,
        metrics: &MetricsInput,
        selection: &Selection,
    ) -> Result<Decision, CheckError> {
        let selected = selection.resolve(self)?;
        let slots = bind(metrics, &self.inner.metrics)?;
        self.decide(&self.inner.gates, &slots, &selected)
    }

    /// [`CompiledPolicy::check`] with metrics given as a JSON value (an object of names to
    /// numbers, unit strings, booleans, nulls or nested objects).
    ///
    /// # Errors
    /// As [`CompiledPolicy::check`], and for input that is not such an object.
    pub fn check_value(
        &self,
        metrics: &serde_json::Value,
        selection: &Selection,
    ) -> Result<Decision, CheckError> {
        // A flat object (the usual shape) is read in place: `from_json` would copy it entry for
        // entry and find nothing to report.
        if let Some(flat) = FlatJson::new(metrics) {
            let selected = selection.resolve(self)?;
            let slots = bind_flat(&flat, &self.inner.metrics)?;
            return self.decide(&self.inner.gates, &slots, &selected);
        }
        let input = MetricsInput::from_json(metrics).map_err(CheckError::input)?;
        self.check(&input, selection)
    }

    /// [`CompiledPolicy::check`] with metrics given as text (JSON, YAML or TOML).
    ///
    /// # Errors
    /// As [`CompiledPolicy::check`], and for text that is not a metrics object.
    pub fn check_text(
        &self,
        metrics: &str,
        format: Format,
        selection: &Selection,
    ) -> Result<Decision, CheckError> {
        let input = MetricsInput::parse(metrics, format).map_err(CheckError::input)?;
        self.check(&input, selection)
    }

    /// Checks the exit gate of stage `stage` of the policy's pipeline on the metrics the stage
    /// reported: the exit gate's name and the decision, or `None` when the stage has none.
    pub(crate) fn check_exit(
        &self,
        stage: usize,
        metrics: &MetricsInput,
    ) -> Option<(&str, Result<Decision, CheckError>)> {
        let pipeline = self.pipeline()?;
        let (set, gate) = match pipeline.exits.get(stage)? {
            Exit::None => return None,
            Exit::Gate(gate) => (&self.inner.gates, *gate),
            Exit::Inline(gate) => (&pipeline.inline, *gate),
        };
        let Some(rule) = set.gates.get(gate) else {
            // INVARIANT: exits are resolved when the pipeline is compiled; should one point
            // nowhere, the stage fails rather than passing unchecked.
            let missing = Diagnostic::error(Code::Internal, "the stage's exit gate is missing");
            return Some(("", Err(CheckError::Evaluation(vec![missing]))));
        };
        let decision =
            bind(metrics, &self.inner.metrics).and_then(|slots| self.decide(set, &slots, &[gate]));
        Some((rule.name.as_str(), decision))
    }

    /// The decision over gates `selected` of `set` (the policy's gates, or a pipeline's own).
    fn decide(
        &self,
        set: &GateSet,
        slots: &[f64],
        selected: &[usize],
    ) -> Result<Decision, CheckError> {
        decide::decide(
            set,
            &self.inner.metrics,
            &self.inner.policy,
            slots,
            selected,
        )
    }
}
