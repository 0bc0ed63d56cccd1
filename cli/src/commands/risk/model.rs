//! `kiro risk fit`, `kiro risk evaluate` and `kiro risk score-model`: the defect-risk model
//! fitted on a project's history (`kiro::risk::fit`).

use super::json_line;
use crate::commands::Outcome;
use crate::diagnostics::{Failure, SourceFile};
use crate::exit;
use crate::io::{self, InputKind};
use clap::{Args, ValueEnum};
use kiro::KiroError;
use kiro::risk::fit::{self, ChangeData, DefectModel, Evaluation, Figures, ReadOptions};
use std::path::{Path, PathBuf};

/// `kiro risk fit`.
#[derive(Debug, Args)]
pub struct FitArgs {
    /// The change data: CSV with the Kamei change metrics (`la` and `ld` at least), a date
    /// column (`commitdate`, `date`) and a label column (`bug`).
    #[arg(value_name = "DATA")]
    pub data: PathBuf,

    /// Write the model file here (else to standard output).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// The file's `la` and `ld` are divided by `lt` and `lt` by `nf` (the public JIT data
    /// sets): multiply them back into line counts, for the features and the effort.
    #[arg(long)]
    pub normalised: bool,
}

/// `kiro risk evaluate`.
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// The model file `kiro risk fit` wrote.
    #[arg(value_name = "MODEL")]
    pub model: PathBuf,

    /// Labelled change data, as for `fit`.
    #[arg(value_name = "DATA")]
    pub data: PathBuf,

    /// How to report.
    #[arg(long, value_enum, default_value_t = ModelFormat::Human)]
    pub format: ModelFormat,
}

/// `kiro risk score-model`.
#[derive(Debug, Args)]
pub struct ScoreModelArgs {
    /// The model file `kiro risk fit` wrote.
    #[arg(value_name = "MODEL")]
    pub model: PathBuf,

    /// The changes: a CSV file as for `fit` (labels not needed), or a JSON object of metrics
    /// (or a list of them).
    #[arg(value_name = "CHANGE")]
    pub change: PathBuf,

    /// How to report.
    #[arg(long, value_enum, default_value_t = ModelFormat::Human)]
    pub format: ModelFormat,
}

/// How the model commands report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModelFormat {
    /// Readable lines.
    Human,
    /// JSON.
    Json,
}

fn read(path: &Path, kind: InputKind, source: &str) -> Result<SourceFile, Failure> {
    let mut file = io::read_input(path, kind)?;
    source.clone_into(&mut file.source);
    Ok(file)
}

fn fail(e: &dyn KiroError, file: &SourceFile) -> Failure {
    Failure::in_source(e.diagnostics(), file)
}

/// Runs `kiro risk fit`.
///
/// # Errors
/// A [`Failure`] for data that cannot be read or give a model.
pub fn fit(args: &FitArgs) -> Result<Outcome, Failure> {
    let data = read(&args.data, InputKind::Metrics, fit::data::SOURCE)?;
    let model = fit::fit(&data.text, args.normalised).map_err(|e| fail(&e, &data))?;
    let text = model.to_json();
    match &args.out {
        Some(path) => {
            io::write_output(path, &text)?;
            Ok(Outcome {
                report: summary(&model.evaluation),
                output: None,
                code: exit::PASS,
            })
        }
        None => Ok(Outcome {
            report: text,
            output: None,
            code: exit::PASS,
        }),
    }
}

fn load_model(path: &Path) -> Result<DefectModel, Failure> {
    let file = read(path, InputKind::Policy, "model")?;
    DefectModel::from_json(&file.text).map_err(|e| fail(&e, &file))
}

/// Runs `kiro risk evaluate`.
///
/// # Errors
/// A [`Failure`] for a model file or data that cannot be used.
pub fn evaluate(args: &EvaluateArgs) -> Result<Outcome, Failure> {
    let model = load_model(&args.model)?;
    let data = read(&args.data, InputKind::Metrics, fit::data::SOURCE)?;
    let evaluation = model.evaluate(&data.text).map_err(|e| fail(&e, &data))?;
    let report = match args.format {
        ModelFormat::Json => json_line(&evaluation)?,
        ModelFormat::Human => summary(&evaluation),
    };
    Ok(Outcome {
        report,
        output: None,
        code: exit::PASS,
    })
}

/// Runs `kiro risk score-model`.
///
/// # Errors
/// A [`Failure`] for a model file or changes that cannot be used.
pub fn score_model(args: &ScoreModelArgs) -> Result<Outcome, Failure> {
    let model = load_model(&args.model)?;
    let file = read(&args.change, InputKind::Metrics, fit::data::SOURCE)?;
    let is_json = file.text.trim_start().starts_with(['{', '[']);
    let changes = if is_json {
        let value: serde_json::Value = serde_json::from_str(&file.text)
            .map_err(|e| Failure::io(format!("the change is not JSON: {e}")))?;
        ChangeData::from_json(&value)
    } else {
        ChangeData::parse(
            &file.text,
            ReadOptions {
                normalised: model.training_data.normalised,
                labelled: false,
            },
        )
    }
    .map_err(|d| Failure::in_source(&d, &file))?;
    let scores = model.score(&changes).map_err(|e| fail(&e, &file))?;
    let report = match args.format {
        ModelFormat::Json => json_line(&scores)?,
        ModelFormat::Human => {
            let mut out = String::new();
            for s in &scores {
                out.push_str(&format!(
                    "line {}: {:.1}% {}\n",
                    s.line,
                    s.probability * 100.0,
                    s.level.as_str()
                ));
                for c in s.contributions.iter().take(4) {
                    out.push_str(&format!(
                        "  {:+.3} {} = {}\n",
                        c.log_odds, c.metric, c.value
                    ));
                }
                for m in &s.mitigations {
                    out.push_str(&format!("  - {m}\n"));
                }
            }
            out
        }
    };
    Ok(Outcome {
        report,
        output: None,
        code: exit::PASS,
    })
}

fn figures_line(name: &str, f: &Figures) -> String {
    format!(
        "  {name:<10} AUC {:.3}  Recall@20%Effort {:.3}  Popt {:.3}  Brier {:.3}\n",
        f.auc, f.recall_at_20_effort, f.popt, f.brier
    )
}

fn summary(e: &Evaluation) -> String {
    let mut out = format!(
        "{} changes evaluated, {} defect-inducing\n",
        e.rows, e.defective
    );
    out.push_str(&figures_line("model", &e.model));
    out.push_str(&figures_line("LApredict", &e.lapredict));
    out
}
