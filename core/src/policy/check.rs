//! Checking metrics against the policy's gates (its `gates` section): one record with a full
//! explanation, or a columnar batch of records with verdicts only.

use super::CompiledPolicy;
use crate::baseline::{BaselineQuery, Baselines, EarlierRun, compute};
use crate::condition::Aggregate;
use crate::criteria::batch::{Batch, BatchResult, evaluate_batch};
use crate::criteria::evaluate_noted;
use crate::decision::Decision;
use crate::diagnostic::{Diagnostic, Severity, Span};
use crate::document::Format;
use crate::error::CheckError;
use crate::gate::{RecordCheck, RecordVerdict, Selection, judge};
use crate::metrics::MetricsInput;
use crate::metrics::bind::{bind_flat, bind_flat_into, bind_for_gates as bind};
use crate::metrics::input::{FlatJson, SOURCE};
use crate::metrics::unknown::{Given, undeclared, unlabelled};
use crate::units;

/// The `source` of diagnostics about a batch's columns.
const BATCH_SOURCE: &str = "batch";

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
        let warnings = self.undeclared(metrics.given(), selection, SOURCE)?;
        let slots = bind(metrics, &self.inner.metrics)?;
        self.decide(&slots, &selected, warnings, None)
    }

    /// [`CompiledPolicy::check`] comparing with earlier runs: `history` is every earlier run the
    /// host has (or the newest of them), `branch` the current run's branch. Each
    /// `baseline(metric)` is the aggregate of the metric over the runs the policy's (or the
    /// gate's) `baseline:` rule chooses; with none, it has no data and `on_missing` decides.
    ///
    /// # Errors
    /// As [`CompiledPolicy::check`], and `KIRO-E058` for a value in a chosen run that does not
    /// fit its metric.
    pub fn check_with_history(
        &self,
        metrics: &MetricsInput,
        selection: &Selection,
        history: &[EarlierRun],
        branch: Option<&str>,
    ) -> Result<Decision, CheckError> {
        let selected = selection.resolve(&self.inner.gates)?;
        let warnings = self.undeclared(metrics.given(), selection, SOURCE)?;
        let mut slots = bind(metrics, &self.inner.metrics)?;
        let baselines = self.baselines(history, branch)?;
        place(
            &mut slots,
            self.inner.metrics.slots().len(),
            &baselines.values,
        );
        self.decide(&slots, &selected, warnings, Some(&baselines))
    }

    /// [`CompiledPolicy::check_with_history`] with metrics as a JSON value.
    ///
    /// # Errors
    /// As [`CompiledPolicy::check_with_history`] and [`CompiledPolicy::check_value`].
    pub fn check_value_with_history(
        &self,
        metrics: &serde_json::Value,
        selection: &Selection,
        history: &[EarlierRun],
        branch: Option<&str>,
    ) -> Result<Decision, CheckError> {
        let input = MetricsInput::from_json(metrics).map_err(CheckError::input)?;
        self.check_with_history(&input, selection, history, branch)
    }

    /// The verdict path of [`CompiledPolicy::check_value_with_history`], into `out`.
    ///
    /// # Errors
    /// As [`CompiledPolicy::check_value_with_history`].
    pub fn verdict_value_with_history(
        &self,
        metrics: &serde_json::Value,
        selection: &Selection,
        history: &[EarlierRun],
        branch: Option<&str>,
        out: &mut RecordVerdict,
    ) -> Result<(), CheckError> {
        let input = MetricsInput::from_json(metrics).map_err(CheckError::input)?;
        selection.resolve_into(&self.inner.gates, &mut out.selected)?;
        self.refuse_undeclared(input.given(), selection)?;
        out.slots = bind(&input, &self.inner.metrics)?;
        let baselines = self.baselines(history, branch)?;
        place(
            &mut out.slots,
            self.inner.metrics.slots().len(),
            &baselines.values,
        );
        judge(&self.inner.gates, out)
    }

    /// The baseline values and notes of `history` under the policy's baseline rules.
    fn baselines(
        &self,
        history: &[EarlierRun],
        branch: Option<&str>,
    ) -> Result<Baselines, CheckError> {
        compute(
            &self.inner.metrics,
            &self.inner.baselines,
            &self.inner.policy,
            history,
            branch,
        )
    }

    /// The earlier runs a host with a store should fetch for a check on `branch` (the current
    /// run's): per baseline rule, the branch (`None`: any), which verdicts count and how many
    /// of the newest, for the policy named [`CompiledPolicy::name`]. Empty when no criterion
    /// reads a baseline. Passing the union of what these select as `history` gives the same
    /// baselines as passing every earlier run.
    #[must_use]
    pub fn baseline_queries(&self, branch: Option<&str>) -> Vec<BaselineQuery> {
        if !self.uses_baselines() {
            return Vec::new();
        }
        let mut queries: Vec<BaselineQuery> = Vec::new();
        for rule in &self.inner.baselines {
            let query = BaselineQuery {
                branch: rule.branch.clone().or_else(|| branch.map(str::to_owned)),
                include: rule.include,
                last: rule.last,
            };
            if !queries.contains(&query) {
                queries.push(query);
            }
        }
        queries
    }

    /// Whether any criterion reads a baseline.
    #[must_use]
    pub fn uses_baselines(&self) -> bool {
        self.inner.metrics.gate_record_len() > self.inner.metrics.slots().len()
    }

    /// The names of `metrics` the policy does not declare, each with did-you-mean and a label
    /// on its value (the CLI shows these with the input's text); the decision carries the
    /// same list without labels.
    #[must_use]
    pub fn undeclared_inputs(&self, metrics: &MetricsInput) -> Vec<Diagnostic> {
        undeclared(
            &self.inner.metrics,
            metrics.given(),
            Severity::Warning,
            SOURCE,
        )
    }

    /// The undeclared names of `given`: warnings for the decision, or, for a strict
    /// selection, the input error.
    fn undeclared<'a>(
        &self,
        given: impl IntoIterator<Item = Given<'a>>,
        selection: &Selection,
        source: &str,
    ) -> Result<Vec<Diagnostic>, CheckError> {
        if selection.strict {
            let errors = undeclared(&self.inner.metrics, given, Severity::Error, source);
            if errors.is_empty() {
                Ok(errors)
            } else {
                Err(CheckError::Input(errors))
            }
        } else {
            let warnings = undeclared(&self.inner.metrics, given, Severity::Warning, source);
            Ok(unlabelled(warnings))
        }
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
            let warnings = self.undeclared(flat.names().map(given), selection, SOURCE)?;
            let mut slots = bind_flat(&flat, &self.inner.metrics)?;
            slots.resize(self.inner.metrics.gate_record_len(), f64::NAN);
            return self.decide(&slots, &selected, warnings, None);
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
        let given = batch.names().map(|name| Given {
            name,
            span: Span::default(),
            list: false,
        });
        let warnings = self.undeclared(given, selection, BATCH_SOURCE)?;
        let mut result = evaluate_batch(&self.inner.gates, &self.inner.metrics, batch, &selected)?;
        result.warnings = warnings;
        Ok(result)
    }

    /// The verdict [`CompiledPolicy::check`] gives for these metrics and each criterion's
    /// outcome, without building explanations (the verdict path).
    ///
    /// # Errors
    /// As [`CompiledPolicy::check`]: the same errors for the same input.
    pub fn verdict(
        &self,
        metrics: &MetricsInput,
        selection: &Selection,
    ) -> Result<RecordVerdict, CheckError> {
        let mut out = RecordVerdict::new();
        selection.resolve_into(&self.inner.gates, &mut out.selected)?;
        self.refuse_undeclared(metrics.given(), selection)?;
        out.slots = bind(metrics, &self.inner.metrics)?;
        judge(&self.inner.gates, &mut out)?;
        Ok(out)
    }

    /// [`CompiledPolicy::verdict`] with metrics given as a JSON value, as
    /// [`CompiledPolicy::check_value`] takes them.
    ///
    /// # Errors
    /// As [`CompiledPolicy::check_value`].
    pub fn verdict_value(
        &self,
        metrics: &serde_json::Value,
        selection: &Selection,
    ) -> Result<RecordVerdict, CheckError> {
        let mut out = RecordVerdict::new();
        self.verdict_value_into(metrics, selection, &mut out)?;
        Ok(out)
    }

    /// [`CompiledPolicy::verdict_value`] into `out`, whose buffers are reused: a loop over
    /// records allocates nothing per record once they have grown (text values aside).
    ///
    /// # Errors
    /// As [`CompiledPolicy::check_value`].
    pub fn verdict_value_into(
        &self,
        metrics: &serde_json::Value,
        selection: &Selection,
        out: &mut RecordVerdict,
    ) -> Result<(), CheckError> {
        let Some(flat) = FlatJson::new(metrics) else {
            let input = MetricsInput::from_json(metrics).map_err(CheckError::input)?;
            *out = self.verdict(&input, selection)?;
            return Ok(());
        };
        selection.resolve_into(&self.inner.gates, &mut out.selected)?;
        self.refuse_undeclared(flat.names().map(given), selection)?;
        bind_flat_into(&flat, &self.inner.metrics, &mut out.slots)?;
        out.slots
            .resize(self.inner.metrics.gate_record_len(), f64::NAN);
        judge(&self.inner.gates, out)
    }

    /// A check prepared for records whose values come by position, one per name of `fields`
    /// (a struct's fields, a table's columns): the typed record form of
    /// [`CompiledPolicy::check_value`] and [`CompiledPolicy::verdict_value`].
    ///
    /// # Errors
    /// As [`CompiledPolicy::check`] for the selection and, when it is strict, for fields the
    /// policy does not declare; [`Code::DuplicateName`](crate::Code::DuplicateName) for a
    /// field named twice.
    pub fn record_check(
        &self,
        fields: &[&str],
        selection: &Selection,
    ) -> Result<RecordCheck, CheckError> {
        let selected = selection.resolve(&self.inner.gates)?;
        // In name order, as the full check of a JSON object reports them.
        let mut sorted = fields.to_vec();
        sorted.sort_unstable();
        let warnings = self.undeclared(sorted.into_iter().map(given), selection, SOURCE)?;
        RecordCheck::new(self, fields, selected, warnings)
    }

    /// For a strict selection, the input error for undeclared names in `given`; the verdict
    /// path builds no warnings otherwise.
    fn refuse_undeclared<'a>(
        &self,
        given: impl IntoIterator<Item = Given<'a>>,
        selection: &Selection,
    ) -> Result<(), CheckError> {
        if selection.strict {
            self.undeclared(given, selection, SOURCE)?;
        }
        Ok(())
    }

    /// The decision over the policy's gates `selected`.
    fn decide(
        &self,
        slots: &[f64],
        selected: &[usize],
        warnings: Vec<Diagnostic>,
        baselines: Option<&Baselines>,
    ) -> Result<Decision, CheckError> {
        let n = self.inner.metrics.slots().len();
        let per_rule = n * Aggregate::ALL.len();
        let note = |criterion_slots: &[usize], values: &[f64]| -> Option<String> {
            let mut notes: Vec<String> = Vec::new();
            for &slot in criterion_slots {
                let Some(derived) = slot.checked_sub(n) else {
                    continue;
                };
                let rule = derived.checked_div(per_rule).unwrap_or_default();
                let aggregate = derived
                    .checked_rem(Aggregate::ALL.len())
                    .and_then(|a| Aggregate::ALL.get(a))
                    .copied()
                    .unwrap_or(Aggregate::Avg);
                let text = match baselines.and_then(|b| b.notes.get(rule)) {
                    None => "no baseline: no earlier runs given".to_owned(),
                    Some((false, why)) => format!("no baseline: {why}"),
                    Some((true, runs)) => {
                        let metric = self.inner.metrics.get_any(slot);
                        let value = values.get(slot).copied().unwrap_or(f64::NAN);
                        let name = metric.map_or("", |m| m.name.as_str());
                        match metric {
                            _ if value.is_nan() => {
                                format!("no baseline: {name} has no data in {runs}")
                            }
                            Some(m) => format!(
                                "{name} {}: {} of {runs}",
                                units::format_in(value, m.unit),
                                aggregate.name()
                            ),
                            None => format!("{name}: {} of {runs}", aggregate.name()),
                        }
                    }
                };
                if !notes.contains(&text) {
                    notes.push(text);
                }
            }
            (!notes.is_empty()).then(|| notes.join("; "))
        };
        let mut decision = evaluate_noted(
            &self.inner.gates,
            &self.inner.metrics,
            &self.inner.policy,
            slots,
            selected,
            &note,
        )?;
        decision.warnings = warnings;
        Ok(decision)
    }
}

/// A name of input without a place in text and not a list.
fn given(name: &str) -> Given<'_> {
    Given {
        name,
        span: Span::default(),
        list: false,
    }
}

/// Puts the baseline `values` after the `declared` metrics of `slots`.
fn place(slots: &mut Vec<f64>, declared: usize, values: &[f64]) {
    slots.truncate(declared);
    slots.extend_from_slice(values);
}
