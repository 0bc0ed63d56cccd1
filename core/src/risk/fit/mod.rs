//! The defect-risk model fitted on a project's own history: just-in-time defect prediction on
//! the change metrics of Kamei et al. (TSE 2013).
//!
//! - [`fit`]: change data (CSV, [`ChangeData`]) sorted by date, split in time (the first 80%
//!   of rows train, the last 20% validate, `int(n × 0.8)`), every metric `log(1 + x)` then
//!   standardised on the training rows, a logistic regression fitted by Newton's method with a
//!   small L2 penalty, and beside it the LApredict baseline (a logistic regression on lines
//!   added alone) on the same split. The [`DefectModel`] holds the preprocessing, the
//!   parameters, the training data's SHA-256, the kiro version and the evaluation report.
//! - [`DefectModel::to_json`] / [`DefectModel::from_json`]: the model file, canonical JSON with
//!   a checksum; the same data gives the same file, byte for byte. A file from another kiro
//!   version or format, or changed since it was written, is `KIRO-E172`.
//! - [`DefectModel::evaluate`]: the figures on other labelled data; [`DefectModel::score`]:
//!   per change the probability, level and each metric's contribution to the log-odds.

pub mod data;
mod logistic;
pub mod measure;

#[cfg(test)]
mod tests;

pub use data::{ChangeData, METRICS, ReadOptions};
pub use measure::Figures;

use super::score::Level;
use crate::diagnostic::{Code, Diagnostic};
use crate::error::{ErrorKind, diagnostics_error};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

diagnostics_error! {
    /// A defect-risk model could not be fitted, read, evaluated or used.
    FitError, ErrorKind::Input
}

/// The `format` of a model file.
pub const MODEL_FORMAT: &str = "kiro-defect-model";
/// The version of the model file format this build writes and reads.
pub const MODEL_FORMAT_VERSION: u32 = 1;
/// The L2 penalty on the standardised coefficients.
pub const LAMBDA: f64 = 1.0;
/// The share of rows, oldest first, that trains.
pub const TRAIN_SHARE: f64 = 0.8;

/// A fitted defect-risk model, as its file holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DefectModel {
    /// Always `kiro-defect-model`.
    pub format: String,
    /// The file format's version.
    pub format_version: u32,
    /// The kiro version that wrote it.
    pub kiro_version: String,
    /// What it was trained on.
    pub training_data: TrainingData,
    /// How a change's metrics become the model's inputs.
    pub preprocessing: Vec<Feature>,
    /// The logistic regression.
    pub parameters: Parameters,
    /// The LApredict baseline: a logistic regression on `log(1 + la)` alone.
    pub baseline: Baseline,
    /// The probabilities at which a change's level is medium, high and critical.
    pub levels: ProbabilityLevels,
    /// The figures on the validation rows, the model's and the baseline's.
    pub evaluation: Evaluation,
    /// `sha256:` and the hex SHA-256 of the file written with an empty checksum.
    pub checksum: String,
}

/// The training data, as the model file records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingData {
    /// `sha256:` and the hex SHA-256 of the data file's bytes.
    pub sha256: String,
    /// Rows read.
    pub rows: usize,
    /// Whether `la`, `ld` and `lt` were normalised in the file and multiplied back.
    pub normalised: bool,
    /// Rows that trained (the oldest).
    pub train_rows: usize,
    /// Rows that validated (the newest).
    pub validation_rows: usize,
    /// The date of the first validation row, seconds since 1970.
    pub split_at: Option<i64>,
    /// Columns of the file that the model does not read.
    pub ignored_columns: Vec<String>,
}

/// One input of the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Feature {
    /// The metric.
    pub metric: String,
    /// Always `log1p`: `log(1 + x)`.
    pub transform: String,
    /// The transformed metric's mean over the training rows.
    pub mean: f64,
    /// Its standard deviation over the training rows.
    pub std: f64,
    /// The coefficient of the standardised input.
    pub coefficient: f64,
}

/// The regression's other parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Parameters {
    /// The intercept (log-odds of a change at the training means).
    pub intercept: f64,
    /// The L2 penalty.
    pub lambda: f64,
    /// Newton steps taken.
    pub iterations: u32,
    /// Whether the steps converged.
    pub converged: bool,
}

/// The LApredict baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// The input, standardised like a feature.
    pub feature: Feature,
    /// The intercept.
    pub intercept: f64,
}

/// Probability thresholds of the levels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProbabilityLevels {
    /// Where medium starts.
    pub medium: f64,
    /// Where high starts.
    pub high: f64,
    /// Where critical starts.
    pub critical: f64,
}

/// The figures of a model and its baseline on labelled changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Evaluation {
    /// Changes evaluated.
    pub rows: usize,
    /// Of which defect-inducing.
    pub defective: usize,
    /// The model's figures.
    pub model: Figures,
    /// LApredict's figures on the same changes.
    pub lapredict: Figures,
}

/// One change scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ChangeScore {
    /// The line of the change in its file (1 for a JSON object).
    pub line: usize,
    /// The probability that the change induces a defect.
    pub probability: f64,
    /// Its level.
    pub level: Level,
    /// Each metric's contribution to the log-odds, against a change at the training means,
    /// largest first.
    pub contributions: Vec<Contribution>,
    /// What would lower the risk, for the metrics that raise it most.
    pub mitigations: Vec<String>,
}

/// A metric's part in a change's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "ChangeContribution")]
pub struct Contribution {
    /// The metric.
    pub metric: String,
    /// Its value.
    pub value: f64,
    /// Its contribution to the log-odds.
    pub log_odds: f64,
}

/// `sha256:` and the hex digest of `bytes`.
#[must_use]
pub fn sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::from("sha256:");
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

fn unusable(message: impl Into<String>) -> FitError {
    Diagnostic::error(Code::UnusableTrainingData, message)
        .with_source(data::SOURCE)
        .into()
}

/// The standardised `log(1 + x)` of column `col` of `rows`, and its mean and std over `train`.
fn standardise(rows: &[Vec<f64>], col: usize, train: usize) -> (f64, f64) {
    let values: Vec<f64> = rows[..train].iter().map(|r| libm::log1p(r[col])).collect();
    let n = values.len().max(1) as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    (mean, var.sqrt())
}

fn design(rows: &[Vec<f64>], features: &[(usize, f64, f64)]) -> Vec<Vec<f64>> {
    rows.iter()
        .map(|r| {
            features
                .iter()
                .map(|&(col, mean, std)| (libm::log1p(r[col]) - mean) / std)
                .collect()
        })
        .collect()
}

/// Fits a model on change data. `text` is the data file's text (hashed into the model).
///
/// # Errors
/// `KIRO-E170` for data that cannot be read; `KIRO-E171` for data that cannot give a model:
/// fewer than 10 rows, a split without both classes, a constant metric.
pub fn fit(text: &str, normalised: bool) -> Result<DefectModel, FitError> {
    let data = ChangeData::parse(
        text,
        ReadOptions {
            normalised,
            labelled: true,
        },
    )
    .map_err(FitError::new)?;
    let labels = data.labels.clone().unwrap_or_default();
    let n = data.rows.len();
    if n < 10 {
        return Err(unusable(format!(
            "{n} changes are too few to fit a model (10 at least)"
        )));
    }
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a share of a row count"
    )]
    let train = (n as f64 * TRAIN_SHARE) as usize;
    for (part, range) in [("training", 0..train), ("validation", train..n)] {
        let positives = labels[range.clone()].iter().filter(|&&v| v).count();
        if positives == 0 || positives == range.len() {
            return Err(unusable(format!(
                "the {part} rows are all of one class ({} defect-inducing of {})",
                positives,
                range.len()
            ))
            .into_with_help("the model needs changes that induced defects and changes that did not, in both parts"));
        }
    }
    let mut features = Vec::new();
    for (col, name) in data.metrics.iter().enumerate() {
        let (mean, std) = standardise(&data.rows, col, train);
        if std.is_nan() || std < 1e-12 {
            return Err(unusable(format!(
                "metric `{name}` is constant over the training rows"
            ))
            .into_with_help("remove the column: a constant says nothing about risk"));
        }
        features.push((col, mean, std));
    }
    let x = design(&data.rows, &features);
    let fitted = logistic::fit(&x[..train], &labels[..train], LAMBDA);
    let la = data.column("la").unwrap_or(0);
    let la_feature = features
        .iter()
        .copied()
        .find(|f| f.0 == la)
        .unwrap_or((la, 0.0, 1.0));
    let xla = design(&data.rows, &[la_feature]);
    let base = logistic::fit(&xla[..train], &labels[..train], LAMBDA);
    let preprocessing: Vec<Feature> = features
        .iter()
        .zip(&fitted.coefficients)
        .map(|(&(col, mean, std), &coefficient)| Feature {
            metric: data.metrics[col].clone(),
            transform: "log1p".into(),
            mean,
            std,
            coefficient,
        })
        .collect();
    let baseline = Baseline {
        feature: Feature {
            metric: "la".into(),
            transform: "log1p".into(),
            mean: la_feature.1,
            std: la_feature.2,
            coefficient: base.coefficients.first().copied().unwrap_or(0.0),
        },
        intercept: base.intercept,
    };
    let mut model = DefectModel {
        format: MODEL_FORMAT.into(),
        format_version: MODEL_FORMAT_VERSION,
        kiro_version: crate::api::VERSION.into(),
        training_data: TrainingData {
            sha256: sha256(text.as_bytes()),
            rows: n,
            normalised,
            train_rows: train,
            validation_rows: n - train,
            split_at: data.dates.get(train).copied().flatten(),
            ignored_columns: data.ignored.clone(),
        },
        preprocessing,
        parameters: Parameters {
            intercept: fitted.intercept,
            lambda: LAMBDA,
            iterations: fitted.iterations,
            converged: fitted.converged,
        },
        baseline,
        levels: ProbabilityLevels {
            medium: 0.25,
            high: 0.5,
            critical: 0.75,
        },
        evaluation: Evaluation {
            rows: 0,
            defective: 0,
            model: Figures {
                auc: 0.0,
                recall_at_20_effort: 0.0,
                popt: 0.0,
                brier: 0.0,
            },
            lapredict: Figures {
                auc: 0.0,
                recall_at_20_effort: 0.0,
                popt: 0.0,
                brier: 0.0,
            },
        },
        checksum: String::new(),
    };
    let validation = subset(&data, train..n);
    model.evaluation = model.evaluate_data(&validation)?;
    Ok(model)
}

/// The rows `range` of `data`.
fn subset(data: &ChangeData, range: std::ops::Range<usize>) -> ChangeData {
    ChangeData {
        metrics: data.metrics.clone(),
        rows: data.rows[range.clone()].to_vec(),
        dates: data.dates[range.clone()].to_vec(),
        labels: data.labels.as_ref().map(|l| l[range.clone()].to_vec()),
        lines: data.lines[range].to_vec(),
        ignored: data.ignored.clone(),
    }
}

trait WithHelp {
    fn into_with_help(self, help: &str) -> FitError;
}

impl WithHelp for FitError {
    fn into_with_help(self, help: &str) -> FitError {
        let mut d = crate::error::KiroError::diagnostics(&self).to_vec();
        if let Some(first) = d.first_mut() {
            first.help = Some(help.to_owned());
        }
        FitError::new(d)
    }
}

impl DefectModel {
    /// The model file: canonical JSON (fields in declaration order, shortest round-trip
    /// numbers) with its checksum, and a final newline.
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut model = self.clone();
        model.checksum = String::new();
        // INVARIANT: the model holds only finite numbers and strings, so it serializes.
        let bare = serde_json::to_string_pretty(&model).unwrap_or_default();
        model.checksum = sha256(bare.as_bytes());
        let mut text = serde_json::to_string_pretty(&model).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads a model file written by [`DefectModel::to_json`].
    ///
    /// # Errors
    /// `KIRO-E172` for text that is not a model file, a file of another format or kiro
    /// version, or one whose checksum does not match its content.
    pub fn from_json(text: &str) -> Result<DefectModel, FitError> {
        let invalid = |message: String| -> FitError {
            Diagnostic::error(Code::InvalidModelFile, message)
                .with_source("model")
                .into()
        };
        let model: DefectModel = serde_json::from_str(text)
            .map_err(|e| invalid(format!("not a kiro defect model file: {e}")))?;
        if model.format != MODEL_FORMAT || model.format_version != MODEL_FORMAT_VERSION {
            return Err(invalid(format!(
                "a model file of format `{}` version {}, not `{MODEL_FORMAT}` version {MODEL_FORMAT_VERSION}",
                model.format, model.format_version
            )));
        }
        if model.kiro_version != crate::api::VERSION {
            return Err(invalid(format!(
                "a model written by kiro {}, not this kiro {}",
                model.kiro_version,
                crate::api::VERSION
            ))
            .into_with_help("fit the model again with this version (`kiro risk fit`)"));
        }
        let mut bare = model.clone();
        bare.checksum = String::new();
        let expected = sha256(
            serde_json::to_string_pretty(&bare)
                .unwrap_or_default()
                .as_bytes(),
        );
        if expected != model.checksum {
            return Err(invalid(
                "the model file was changed after it was written: its checksum does not match"
                    .into(),
            )
            .into_with_help("fit the model again rather than editing the file"));
        }
        Ok(model)
    }

    fn inputs(&self, data: &ChangeData) -> Result<Vec<usize>, FitError> {
        self.preprocessing
            .iter()
            .map(|f| {
                data.column(&f.metric).ok_or_else(|| {
                    Diagnostic::error(
                        Code::InvalidChangeData,
                        format!(
                            "the change data has no `{}` column, which the model reads",
                            f.metric
                        ),
                    )
                    .with_source(data::SOURCE)
                    .into()
                })
            })
            .collect()
    }

    /// The probability of each change of `data`, and each input's log-odds contribution.
    fn predict(&self, data: &ChangeData) -> Result<Vec<(f64, Vec<f64>)>, FitError> {
        let cols = self.inputs(data)?;
        Ok(data
            .rows
            .iter()
            .map(|r| {
                let parts: Vec<f64> = self
                    .preprocessing
                    .iter()
                    .zip(&cols)
                    .map(|(f, &c)| (f.coefficient / f.std) * (libm::log1p(r[c]) - f.mean))
                    .collect();
                let mut z = self.parameters.intercept;
                for p in &parts {
                    z += p;
                }
                (logistic::sigmoid(z), parts)
            })
            .collect())
    }

    fn baseline_predict(&self, data: &ChangeData) -> Vec<f64> {
        let la = data.column("la").unwrap_or(0);
        let f = &self.baseline.feature;
        data.rows
            .iter()
            .map(|r| {
                logistic::sigmoid(
                    self.baseline.intercept + f.coefficient * (libm::log1p(r[la]) - f.mean) / f.std,
                )
            })
            .collect()
    }

    fn evaluate_data(&self, data: &ChangeData) -> Result<Evaluation, FitError> {
        let labels = data.labels.clone().unwrap_or_default();
        let defective = labels.iter().filter(|&&v| v).count();
        if defective == 0 || defective == labels.len() {
            return Err(unusable(format!(
                "the changes evaluated are all of one class ({defective} defect-inducing of {})",
                labels.len()
            )));
        }
        let probabilities: Vec<f64> = self.predict(data)?.into_iter().map(|(p, _)| p).collect();
        let effort = data.effort();
        let base = self.baseline_predict(data);
        Ok(Evaluation {
            rows: labels.len(),
            defective,
            model: measure::figures(&probabilities, &labels, &effort).rounded(),
            lapredict: measure::figures(&base, &labels, &effort).rounded(),
        })
    }

    /// The model's and the baseline's figures on labelled change data (all of its rows).
    ///
    /// # Errors
    /// `KIRO-E170` for data that cannot be read or lacks a metric the model reads;
    /// `KIRO-E171` for data of one class.
    pub fn evaluate(&self, text: &str) -> Result<Evaluation, FitError> {
        let data = ChangeData::parse(
            text,
            ReadOptions {
                normalised: self.training_data.normalised,
                labelled: true,
            },
        )
        .map_err(FitError::new)?;
        self.evaluate_data(&data)
    }

    /// Scores each change of `data`.
    ///
    /// # Errors
    /// `KIRO-E170` for data that lacks a metric the model reads.
    pub fn score(&self, data: &ChangeData) -> Result<Vec<ChangeScore>, FitError> {
        let predicted = self.predict(data)?;
        Ok(predicted
            .into_iter()
            .zip(&data.rows)
            .zip(&data.lines)
            .map(|(((p, parts), row), &line)| {
                let mut contributions: Vec<Contribution> = self
                    .preprocessing
                    .iter()
                    .zip(parts)
                    .map(|(f, log_odds)| Contribution {
                        metric: f.metric.clone(),
                        value: data
                            .column(&f.metric)
                            .and_then(|c| row.get(c))
                            .copied()
                            .unwrap_or(f64::NAN),
                        log_odds: measure::round6(log_odds),
                    })
                    .collect();
                contributions.sort_by(|a, b| b.log_odds.total_cmp(&a.log_odds));
                let mut mitigations: Vec<String> = Vec::new();
                for text in contributions
                    .iter()
                    .filter(|c| c.log_odds > 0.1)
                    .filter_map(|c| mitigation(&c.metric))
                {
                    if mitigations.len() < 3 && !mitigations.iter().any(|m| m == text) {
                        mitigations.push(text.to_owned());
                    }
                }
                ChangeScore {
                    line,
                    probability: measure::round6(p),
                    level: self.level(p),
                    contributions,
                    mitigations,
                }
            })
            .collect())
    }

    /// A scorer for rows of the model's metrics in the model's order
    /// ([`DefectModel::metrics`]): the probability only, with nothing allocated per change.
    #[must_use]
    pub fn scorer(&self) -> Scorer {
        Scorer {
            intercept: self.parameters.intercept,
            terms: self
                .preprocessing
                .iter()
                .map(|f| (f.coefficient / f.std, f.mean))
                .collect(),
        }
    }

    /// The metrics the model reads, in its order.
    #[must_use]
    pub fn metrics(&self) -> Vec<&str> {
        self.preprocessing
            .iter()
            .map(|f| f.metric.as_str())
            .collect()
    }

    fn level(&self, p: f64) -> Level {
        if p >= self.levels.critical {
            Level::Critical
        } else if p >= self.levels.high {
            Level::High
        } else if p >= self.levels.medium {
            Level::Medium
        } else {
            Level::Low
        }
    }
}

/// Probabilities of changes given as rows of the model's metrics, in its order.
#[derive(Debug, Clone)]
pub struct Scorer {
    intercept: f64,
    /// Per metric: coefficient ÷ std, and the mean of `log(1 + x)`.
    terms: Vec<(f64, f64)>,
}

impl Scorer {
    /// The probability that the change `row` induces a defect (the same number, to the bit,
    /// as [`DefectModel::score`] before its rounding to 6 decimals).
    #[must_use]
    pub fn probability(&self, row: &[f64]) -> f64 {
        let mut z = self.intercept;
        for (&(k, mean), &x) in self.terms.iter().zip(row) {
            z += k * (libm::log1p(x) - mean);
        }
        logistic::sigmoid(z)
    }
}

/// What lowers the risk a metric adds, for the metrics a change author can act on.
fn mitigation(metric: &str) -> Option<&'static str> {
    Some(match metric {
        "la" | "ld" | "nf" | "entropy" => {
            "split the change: smaller, focused changes induce fewer defects"
        }
        "ns" | "nd" => "keep the change within one subsystem, or review each part separately",
        "lt" => "add tests around the large files the change touches",
        "ndev" | "nuc" => "ask a developer who knows these files to review",
        "exp" | "rexp" | "sexp" => "pair with or ask a review from an experienced developer",
        "fix" => "add a regression test for the defect being fixed",
        _ => return None,
    })
}
