//! A decision or a run result saved as JSON, rendered again: what `kiro render` does, and what
//! the bindings' `policy.render` does with the decision or run result a host holds.

use super::{
    HumanOptions, MetricUnits, human, junit, markdown, run_human, run_json, run_junit, run_markdown,
};
use crate::decision::{Decision, Verdict};
use crate::diagnostic::{Code, Diagnostic};
use crate::pipeline::RunResult;
use serde_json::Value;

/// A format a saved decision or run result renders in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SavedFormat {
    /// For a terminal (`kiro check`'s default).
    Human,
    /// The canonical JSON.
    Json,
    /// Markdown, for a pull request comment or a CI summary.
    Markdown,
    /// JUnit XML, for a CI's test report.
    Junit,
}

impl SavedFormat {
    /// Every format's name, as written: `human`, `json`, `markdown`, `junit`.
    pub const NAMES: [&'static str; 4] = ["human", "json", "markdown", "junit"];

    /// The format named `name`.
    ///
    /// # Errors
    /// `KIRO-E003` for another name, with the nearest one suggested.
    pub fn parse(name: &str) -> Result<Self, Diagnostic> {
        match name {
            "human" => Ok(SavedFormat::Human),
            "json" => Ok(SavedFormat::Json),
            "markdown" => Ok(SavedFormat::Markdown),
            "junit" => Ok(SavedFormat::Junit),
            other => {
                let help = crate::diagnostic::did_you_mean(other, Self::NAMES).map_or_else(
                    || "the formats are `human`, `json`, `markdown` and `junit`".to_owned(),
                    |close| format!("did you mean `{close}`?"),
                );
                Err(Diagnostic::error(
                    Code::InvalidValue,
                    format!("unknown report format `{other}`"),
                )
                .with_help(help))
            }
        }
    }
}

/// What a saved file holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Saved {
    /// A decision (`kiro check --format json`).
    Decision(Box<Decision>),
    /// A pipeline run's result (`kiro run`'s `result.json`).
    Run(Box<RunResult>),
}

impl Saved {
    /// Reads a decision (it has `gates`) or a run result (it has `stages`).
    ///
    /// # Errors
    /// `KIRO-E020` for a value that is neither, or not one kiro can read.
    pub fn from_json(value: Value) -> Result<Self, Diagnostic> {
        let shape = |e: serde_json::Error, what: &str| {
            Diagnostic::error(
                Code::InputSyntax,
                format!("the saved value is not a {what} kiro can read: {e}"),
            )
        };
        if value.get("stages").is_some() {
            serde_json::from_value(value)
                .map(|r| Saved::Run(Box::new(r)))
                .map_err(|e| shape(e, "run result"))
        } else if value.get("gates").is_some() {
            serde_json::from_value(value)
                .map(|d| Saved::Decision(Box::new(d)))
                .map_err(|e| shape(e, "decision"))
        } else {
            Err(Diagnostic::error(
                Code::InputSyntax,
                "the saved value is neither a decision (`gates`) nor a run result (`stages`)",
            )
            .with_help("give the output of `kiro check --format json`, or a run's result.json"))
        }
    }

    /// The hash of the policy it came from.
    #[must_use]
    pub fn policy_hash(&self) -> &str {
        match self {
            Saved::Decision(d) => &d.policy.hash,
            Saved::Run(r) => &r.policy.hash,
        }
    }

    /// Its verdict.
    #[must_use]
    pub fn verdict(&self) -> Verdict {
        match self {
            Saved::Decision(d) => d.verdict,
            Saved::Run(r) => r.verdict,
        }
    }

    /// Rendered in `format`, values in `units`; `color` for the human format only.
    #[must_use]
    pub fn render(&self, format: SavedFormat, units: &MetricUnits, color: bool) -> String {
        match (self, format) {
            (Saved::Decision(d), SavedFormat::Json) => {
                let mut json = crate::api::decision_to_json(d);
                json.push('\n');
                json
            }
            (Saved::Decision(d), SavedFormat::Junit) => junit(d, units),
            (Saved::Decision(d), SavedFormat::Markdown) => markdown(d, units),
            (Saved::Decision(d), SavedFormat::Human) => human(
                d,
                &HumanOptions {
                    color,
                    units: units.clone(),
                },
            ),
            (Saved::Run(r), SavedFormat::Json) => run_json(r),
            (Saved::Run(r), SavedFormat::Junit) => run_junit(r),
            (Saved::Run(r), SavedFormat::Markdown) => run_markdown(r),
            (Saved::Run(r), SavedFormat::Human) => run_human(r, color),
        }
    }
}
