//! Checking metrics against the policy's gates (its `gates` section): one record with a full
//! explanation, or a columnar batch of records with verdicts only.

use super::CompiledPolicy;
use crate::criteria::batch::{Batch, BatchResult, evaluate_batch};
use crate::criteria::evaluate;
use crate::decision::Decision;
use crate::document::Format;
use crate::error::CheckError;
use crate::gate::Selection;
use crate::metrics::MetricsInput;
use crate::metrics::bind::{bind, bind_flat};
use crate::metrics::input::FlatJson;

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
        let selected = selection.resolve(&self.inner.gates)?;
        let slots = bind(metrics, &self.inner.metrics)?;
        self.decide(&slots, &selected)
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
            let selected = selection.resolve(&self.inner.gates)?;
            let slots = bind_flat(&flat, &self.inner.metrics)?;
            return self.decide(&slots, &selected);
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

    /// Checks every record of a columnar batch; each record's code equals the verdict
    /// [`CompiledPolicy::check`] gives for that record's values, or
    /// code 3 (error) where that check gives an error: a
    /// record with a value that does not fit its metric gets its own code, and the others are
    /// judged.
    ///
    /// # Errors
    /// [`CheckError::Input`] for a selection that matches nothing, or a column of the wrong
    /// kind (numbers for a `bool` metric, booleans for another).
    pub fn check_batch(
        &self,
        batch: &Batch,
        selection: &Selection,
    ) -> Result<BatchResult, CheckError> {
        let selected = selection.resolve(&self.inner.gates)?;
        evaluate_batch(&self.inner.gates, &self.inner.metrics, batch, &selected)
    }

    /// The decision over the policy's gates `selected`.
    fn decide(&self, slots: &[f64], selected: &[usize]) -> Result<Decision, CheckError> {
        evaluate(
            &self.inner.gates,
            &self.inner.metrics,
            &self.inner.policy,
            slots,
            selected,
        )
    }
}
