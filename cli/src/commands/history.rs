//! The history of decisions: `kiro check --record DB` writes one, `kiro history list|show`
//! reads them back. The store is `kiro_adapters::history` (SQLite).

use super::Outcome;
use crate::diagnostics::Failure;
use crate::exit;
use clap::{Args, Subcommand, ValueEnum};
use kiro::metrics::RawValue;
use kiro::render::{HumanOptions, MetricUnits, human, markdown};
use kiro::units::duration::format_duration;
use kiro::{Decision, MetricsInput};
use kiro_adapters::history::{Context, Entry, Filter, History};
use serde_json::{Map, Value, json};
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Where a check is recorded, and the context the CI's variables do not give.
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// Record the decision in this history database (SQLite; made if missing), with its
    /// inputs and context (commit, branch, environment, pipeline: from the flags below, else
    /// from the CI's variables).
    #[arg(long, value_name = "DB")]
    pub record: Option<PathBuf>,

    /// The commit checked (default: `GITHUB_SHA`, `CI_COMMIT_SHA`, `GIT_COMMIT`, …).
    #[arg(long, value_name = "SHA", requires = "record")]
    pub commit: Option<String>,

    /// The branch (default: `GITHUB_HEAD_REF`, `GITHUB_REF_NAME`, `CI_COMMIT_REF_NAME`, …).
    #[arg(long, value_name = "NAME", requires = "record")]
    pub branch: Option<String>,

    /// The environment the decision is for (default: `CI_ENVIRONMENT_NAME`).
    #[arg(long, value_name = "NAME", requires = "record")]
    pub environment: Option<String>,

    /// The pipeline or workflow run (default: `GITHUB_RUN_ID`, `CI_PIPELINE_ID`, …).
    #[arg(long, value_name = "ID", requires = "record")]
    pub pipeline: Option<String>,
}

/// Records `decision` when `--record` was given; what was recorded goes to standard error.
///
/// # Errors
/// A [`Failure`] with the history's coded diagnostic when it cannot be opened or written.
pub fn record(
    args: &RecordArgs,
    decision: &Decision,
    input: &MetricsInput,
    provenance: Value,
) -> Result<(), Failure> {
    let Some(path) = &args.record else {
        return Ok(());
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    let mut context = Context::from_ci(now, |name| std::env::var(name).ok());
    let given = |flag: &Option<String>, ci: Option<String>| flag.clone().or(ci);
    context.commit = given(&args.commit, context.commit);
    context.branch = given(&args.branch, context.branch);
    context.environment = given(&args.environment, context.environment);
    context.pipeline = given(&args.pipeline, context.pipeline);
    let mut inputs = Map::new();
    inputs.insert("metrics".to_owned(), metrics_json(input));
    if let Value::Object(more) = provenance {
        inputs.extend(more);
    }
    let mut history = History::open(path).map_err(Failure::diagnostic)?;
    let id = history
        .record(decision, &Value::Object(inputs), &context)
        .map_err(Failure::diagnostic)?;
    eprintln!("recorded as #{id} in {}", path.display());
    Ok(())
}

/// The metrics as given: each raw value as JSON (numbers, strings with their unit, booleans,
/// null).
fn metrics_json(input: &MetricsInput) -> Value {
    let values = input
        .values
        .iter()
        .map(|(name, v)| {
            let value = match &v.value {
                RawValue::Null => Value::Null,
                RawValue::Bool(b) => Value::Bool(*b),
                RawValue::Number(x) => json!(x),
                RawValue::Text(t) => Value::String(t.clone()),
            };
            (name.clone(), value)
        })
        .collect();
    Value::Object(values)
}

/// `kiro history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: HistoryCommand,
}

/// The `kiro history` subcommands.
#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
    /// List recorded decisions, latest first.
    List(ListArgs),
    /// Show one recorded decision with its inputs and context.
    Show(ShowArgs),
}

/// `kiro history list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// The history database.
    #[arg(value_name = "DB")]
    pub db: PathBuf,
    /// Only the decisions of this policy (by name).
    #[arg(long, value_name = "NAME")]
    pub policy: Option<String>,
    /// Only the decisions on this branch.
    #[arg(long, value_name = "NAME")]
    pub branch: Option<String>,
    /// At most this many, the latest.
    #[arg(long, value_name = "N")]
    pub limit: Option<u32>,
    /// How to show them.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

/// How `kiro history list` shows the decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// A table.
    Table,
    /// A JSON array.
    Json,
    /// CSV with a header line.
    Csv,
}

/// `kiro history show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The history database.
    #[arg(value_name = "DB")]
    pub db: PathBuf,
    /// The decision's number, as `list` shows it.
    #[arg(value_name = "ID")]
    pub id: i64,
    /// How to show it: `human` and `markdown` render the decision (values in base units),
    /// `json` is the whole record.
    #[arg(long, value_enum, default_value_t = ShowFormat::Human)]
    pub format: ShowFormat,
}

/// How `kiro history show` shows a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    /// The context, then the decision as `kiro check` reports it.
    Human,
    /// The whole record (context, inputs, decision) as JSON.
    Json,
    /// The decision as Markdown.
    Markdown,
}

/// Runs `kiro history`.
///
/// # Errors
/// A [`Failure`] with the history's coded diagnostic, or for a record that is not there.
pub fn run(args: &HistoryArgs) -> Result<Outcome, Failure> {
    match &args.command {
        HistoryCommand::List(list) => run_list(list),
        HistoryCommand::Show(show) => run_show(show),
    }
}

fn open_existing(path: &Path) -> Result<History, Failure> {
    if !path.exists() {
        return Err(Failure::io(format!(
            "no history at `{}` (record one with `kiro check --record {}`)",
            path.display(),
            path.display()
        )));
    }
    History::open(path).map_err(Failure::diagnostic)
}

fn run_list(args: &ListArgs) -> Result<Outcome, Failure> {
    let history = open_existing(&args.db)?;
    let entries = history
        .list(&Filter {
            policy: args.policy.clone(),
            branch: args.branch.clone(),
            limit: args.limit,
        })
        .map_err(Failure::diagnostic)?;
    let report = match args.format {
        ListFormat::Json => {
            let mut text = serde_json::to_string_pretty(&entries).unwrap_or_default();
            text.push('\n');
            text
        }
        ListFormat::Csv => csv(&entries),
        ListFormat::Table => table(&entries),
    };
    Ok(Outcome {
        report,
        output: None,
        code: exit::PASS,
    })
}

fn run_show(args: &ShowArgs) -> Result<Outcome, Failure> {
    let history = open_existing(&args.db)?;
    let record = history
        .get(args.id)
        .map_err(Failure::diagnostic)?
        .ok_or_else(|| {
            Failure::io(format!(
                "history `{}` has no decision #{}",
                args.db.display(),
                args.id
            ))
        })?;
    let report = match args.format {
        ShowFormat::Json => {
            let mut text = serde_json::to_string_pretty(&record).unwrap_or_default();
            text.push('\n');
            text
        }
        ShowFormat::Markdown => markdown(&record.decision, &MetricUnits::new()),
        ShowFormat::Human => {
            let e = &record.entry;
            let mut out = format!("#{} {}", e.id, when(e.context.at_ms));
            for (label, value) in context_fields(e) {
                let _ = write!(out, ", {label} {value}");
            }
            out.push_str("\n\n");
            out.push_str(&human(
                &record.decision,
                &HumanOptions {
                    color: false,
                    units: MetricUnits::new(),
                },
            ));
            out
        }
    };
    Ok(Outcome {
        report,
        output: None,
        code: exit::PASS,
    })
}

/// The context fields that are set, labelled.
fn context_fields(e: &Entry) -> Vec<(&'static str, &str)> {
    [
        ("commit", &e.context.commit),
        ("branch", &e.context.branch),
        ("environment", &e.context.environment),
        ("pipeline", &e.context.pipeline),
    ]
    .into_iter()
    .filter_map(|(label, v)| v.as_deref().map(|v| (label, v)))
    .collect()
}

/// A Unix time in milliseconds as a UTC date and time (`2026-12-03 08:30:00Z`).
fn when(at_ms: u64) -> String {
    jiff::Timestamp::from_millisecond(i64::try_from(at_ms).unwrap_or(i64::MAX)).map_or_else(
        |_| format!("{at_ms} ms"),
        |t| t.strftime("%Y-%m-%d %H:%M:%SZ").to_string(),
    )
}

fn table(entries: &[Entry]) -> String {
    if entries.is_empty() {
        return "no decisions recorded\n".to_owned();
    }
    let rows: Vec<[String; 6]> = entries
        .iter()
        .map(|e| {
            [
                format!("#{}", e.id),
                when(e.context.at_ms),
                e.policy.clone(),
                e.verdict.as_str().to_owned(),
                e.context.branch.clone().unwrap_or_default(),
                e.context
                    .commit
                    .as_deref()
                    .map(|c| c.chars().take(12).collect())
                    .unwrap_or_default(),
            ]
        })
        .collect();
    let header = ["id", "recorded", "policy", "verdict", "branch", "commit"];
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &[&str]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(padded.join("  ").trim_end());
        out.push('\n');
    };
    line(&header);
    for row in &rows {
        line(&row.each_ref().map(String::as_str));
    }
    let span = entries
        .first()
        .zip(entries.last())
        .map_or(0, |(a, b)| a.context.at_ms.saturating_sub(b.context.at_ms));
    let _ = writeln!(
        out,
        "{} decisions over {}",
        entries.len(),
        format_duration(span)
    );
    out
}

fn csv(entries: &[Entry]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record([
        "id",
        "at_ms",
        "policy",
        "policy_hash",
        "verdict",
        "commit",
        "branch",
        "environment",
        "pipeline",
    ]);
    for e in entries {
        let c = &e.context;
        let _ = writer.write_record([
            e.id.to_string(),
            c.at_ms.to_string(),
            e.policy.clone(),
            e.policy_hash.clone(),
            e.verdict.as_str().to_owned(),
            c.commit.clone().unwrap_or_default(),
            c.branch.clone().unwrap_or_default(),
            c.environment.clone().unwrap_or_default(),
            c.pipeline.clone().unwrap_or_default(),
        ]);
    }
    writer
        .into_inner()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default()
}
