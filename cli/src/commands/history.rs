//! The history of decisions: `kiro check --record DB` writes one, `kiro history
//! list|show|trend|export` reads them back. The store is `kiro_adapters::history`: a SQLite
//! file, or a PostgreSQL server for a `postgres://` URL.

mod trend;

use super::Outcome;
use crate::diagnostics::Failure;
use crate::exit;
use clap::{Args, Subcommand, ValueEnum};
use kiro::metrics::RawValue;
use kiro::render::{HumanOptions, MetricUnits, human, markdown};
use kiro::units::duration::format_duration;
use kiro::{Decision, MetricsInput};
use kiro_adapters::history::{Context, Entry, Filter, History, Location, Record, Store};
use serde_json::{Map, Value, json};
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Where a check is recorded, and the context the CI's variables do not give.
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// Record the decision in this history: a SQLite file (made if missing) or a
    /// `postgres://` URL, with its inputs and context (commit, branch, environment, pipeline:
    /// from the flags below, else from the CI's variables).
    #[arg(long, value_name = "DB")]
    pub record: Option<PathBuf>,

    /// The commit checked (default: `GITHUB_SHA`, `CI_COMMIT_SHA`, `GIT_COMMIT`, …).
    #[arg(long, value_name = "SHA", requires = "record")]
    pub commit: Option<String>,

    /// The branch: recorded with the decision, and the branch baselines compare with unless
    /// the policy names one (default: `GITHUB_HEAD_REF`, `GITHUB_REF_NAME`,
    /// `CI_COMMIT_REF_NAME`, …).
    #[arg(long, value_name = "NAME")]
    pub branch: Option<String>,

    /// Compare `baseline(metric)` with the earlier runs recorded in this history (a SQLite
    /// file or a `postgres://` URL); it may be the `--record` history too.
    #[arg(long = "history", value_name = "DB", conflicts_with = "baseline_runs")]
    pub baseline_history: Option<PathBuf>,

    /// Compare `baseline(metric)` with the earlier runs in this JSON file: a list of
    /// `{id, verdict, at_ms, metrics}` with optional `policy`, `branch`, `policy_hash`.
    #[arg(long, value_name = "FILE")]
    pub baseline_runs: Option<PathBuf>,

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
    let location = Location::parse(path);
    let mut history = History::open(&location).map_err(Failure::diagnostic)?;
    let id = history
        .record(decision, &Value::Object(inputs), &context)
        .map_err(Failure::diagnostic)?;
    eprintln!("recorded as #{id} in {location}");
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
    /// A metric's values or a gate's verdicts over the last decisions: a chart, SVG, JSON, CSV.
    Trend(TrendArgs),
    /// Every selected record in full, oldest first: JSON lines or CSV.
    Export(ExportArgs),
}

/// `kiro history list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// The history: a SQLite file or a `postgres://` URL.
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
    /// The history: a SQLite file or a `postgres://` URL.
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

/// `kiro history trend`.
#[derive(Debug, Args)]
pub struct TrendArgs {
    /// The history: a SQLite file or a `postgres://` URL.
    #[arg(value_name = "DB")]
    pub db: PathBuf,
    /// Follow this metric (its value in base units, as the decisions read it).
    #[arg(
        long,
        value_name = "NAME",
        required_unless_present = "gate",
        conflicts_with = "gate"
    )]
    pub metric: Option<String>,
    /// Follow this gate's verdict.
    #[arg(long, value_name = "NAME")]
    pub gate: Option<String>,
    /// Only the decisions of this policy (by name).
    #[arg(long, value_name = "NAME")]
    pub policy: Option<String>,
    /// Only the decisions on this branch.
    #[arg(long, value_name = "NAME")]
    pub branch: Option<String>,
    /// The last N decisions (default 30 unless `--days` is given).
    #[arg(long, value_name = "N")]
    pub last: Option<u32>,
    /// Only the decisions of the last D days.
    #[arg(long, value_name = "D")]
    pub days: Option<u32>,
    /// How to show it.
    #[arg(long, value_enum, default_value_t = TrendFormat::Chart)]
    pub format: TrendFormat,
    /// Write it to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// How `kiro history trend` shows a trend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TrendFormat {
    /// A small chart of text for the terminal.
    Chart,
    /// An SVG image.
    Svg,
    /// JSON: the subject and every point.
    Json,
    /// CSV: a line per decision.
    Csv,
}

/// `kiro history export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The history: a SQLite file or a `postgres://` URL.
    #[arg(value_name = "DB")]
    pub db: PathBuf,
    /// Only the decisions of this policy (by name).
    #[arg(long, value_name = "NAME")]
    pub policy: Option<String>,
    /// Only the decisions on this branch.
    #[arg(long, value_name = "NAME")]
    pub branch: Option<String>,
    /// Only the decisions of the last D days.
    #[arg(long, value_name = "D")]
    pub days: Option<u32>,
    /// At most this many, the latest.
    #[arg(long, value_name = "N")]
    pub limit: Option<u32>,
    /// JSON lines (a whole record per line) or CSV (the inputs and decision as JSON cells).
    #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
    pub format: ExportFormat,
    /// Write it to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// How `kiro history export` writes the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// A JSON object per line.
    Jsonl,
    /// CSV with a header line.
    Csv,
}

/// Runs `kiro history`.
///
/// # Errors
/// A [`Failure`] with the history's coded diagnostic, or for a record that is not there.
pub fn run(args: &HistoryArgs) -> Result<Outcome, Failure> {
    match &args.command {
        HistoryCommand::List(list) => run_list(list),
        HistoryCommand::Show(show) => run_show(show),
        HistoryCommand::Trend(trend) => run_trend(trend),
        HistoryCommand::Export(export) => run_export(export),
    }
}

fn open_existing(path: &Path) -> Result<History, Failure> {
    let location = Location::parse(path);
    if !location.exists() {
        return Err(Failure::io(format!(
            "no history at `{location}` (record one with `kiro check --record {location}`)"
        )));
    }
    History::open(&location).map_err(Failure::diagnostic)
}

/// The time `days` days ago, in milliseconds since the Unix epoch.
fn days_ago(days: Option<u32>) -> Option<u64> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    days.map(|d| now.saturating_sub(u64::from(d) * 86_400_000))
}

fn run_trend(args: &TrendArgs) -> Result<Outcome, Failure> {
    let mut history = open_existing(&args.db)?;
    let limit = args
        .last
        .or(if args.days.is_none() { Some(30) } else { None });
    let records = history
        .records(&Filter {
            policy: args.policy.clone(),
            branch: args.branch.clone(),
            since_ms: days_ago(args.days),
            verdicts: Vec::new(),
            limit,
        })
        .map_err(Failure::diagnostic)?;
    let subject = match (&args.metric, &args.gate) {
        (Some(metric), _) => trend::Subject::Metric(metric.clone()),
        (None, Some(gate)) => trend::Subject::Gate(gate.clone()),
        (None, None) => return Err(Failure::io("give --metric NAME or --gate NAME")),
    };
    let trend = trend::Trend::new(subject, &records);
    let report = match args.format {
        TrendFormat::Chart => trend.chart(),
        TrendFormat::Svg => trend.svg(),
        TrendFormat::Json => trend.json(),
        TrendFormat::Csv => trend.csv(),
    };
    Ok(Outcome {
        report,
        output: args.output.clone(),
        code: exit::PASS,
    })
}

fn run_export(args: &ExportArgs) -> Result<Outcome, Failure> {
    let mut history = open_existing(&args.db)?;
    let mut records = history
        .records(&Filter {
            policy: args.policy.clone(),
            branch: args.branch.clone(),
            since_ms: days_ago(args.days),
            verdicts: Vec::new(),
            limit: args.limit,
        })
        .map_err(Failure::diagnostic)?;
    records.reverse();
    let report = match args.format {
        ExportFormat::Jsonl => records
            .iter()
            .map(|r| serde_json::to_string(r).unwrap_or_default() + "\n")
            .collect(),
        ExportFormat::Csv => export_csv(&records),
    };
    Ok(Outcome {
        report,
        output: args.output.clone(),
        code: exit::PASS,
    })
}

fn export_csv(records: &[Record]) -> String {
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
        "inputs",
        "decision",
    ]);
    for r in records {
        let (e, c) = (&r.entry, &r.entry.context);
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
            r.inputs.to_string(),
            kiro::decision_to_json(&r.decision),
        ]);
    }
    writer
        .into_inner()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default()
}

fn run_list(args: &ListArgs) -> Result<Outcome, Failure> {
    let mut history = open_existing(&args.db)?;
    let entries = history
        .list(&Filter {
            policy: args.policy.clone(),
            branch: args.branch.clone(),
            limit: args.limit,
            ..Filter::default()
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
    let mut history = open_existing(&args.db)?;
    let record = history
        .get(args.id)
        .map_err(Failure::diagnostic)?
        .ok_or_else(|| {
            Failure::io(format!(
                "history `{}` has no decision #{}",
                Location::parse(&args.db),
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
