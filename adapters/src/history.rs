//! The history of decisions: every recorded check with its policy, inputs and context, in a
//! SQLite database the user names.
//!
//! The core never queries it (it takes what it needs as input); this is the CLI's store.
//!
//! - **Schema versioning**: the schema version is SQLite's `user_version`. Opening a database
//!   migrates it forward in one transaction; one written by a newer kiro is refused
//!   (`KIRO-E080`), never read or changed.
//! - **Concurrent writers**: write-ahead logging and a busy timeout ([`BUSY_TIMEOUT`]), so CI
//!   jobs recording at once wait for each other instead of failing; past the wait, `KIRO-E082`.
//! - **Crash safety**: each record is one transaction; a writer killed in the middle leaves
//!   the database as before that record.
//! - A file that is not a SQLite database, or a damaged one, is `KIRO-E081`; a path that cannot
//!   be opened or written (a missing folder, a read-only disk) is `KIRO-E083`. Every error names
//!   the file.

use kiro::{Code, Decision, Diagnostic, Verdict};
use rusqlite::{Connection, ErrorCode, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The schema version this kiro writes and reads.
pub const SCHEMA_VERSION: i64 = 1;

/// How long a writer waits for another one before giving up with `KIRO-E082`.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The migrations, in order: `MIGRATIONS[i]` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &["
CREATE TABLE decisions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms        INTEGER NOT NULL,
    policy_name  TEXT NOT NULL,
    policy_hash  TEXT NOT NULL,
    verdict      TEXT NOT NULL,
    commit_sha   TEXT,
    branch       TEXT,
    environment  TEXT,
    pipeline     TEXT,
    inputs       TEXT NOT NULL,
    decision     TEXT NOT NULL
);
CREATE INDEX decisions_by_policy ON decisions (policy_name, branch, at_ms);
"];

/// Where and when a decision was made: given by the host, or read from the CI's environment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Context {
    /// When it was recorded, in milliseconds since the Unix epoch.
    pub at_ms: u64,
    /// The commit checked.
    pub commit: Option<String>,
    /// The branch (or merge request's source branch).
    pub branch: Option<String>,
    /// The environment (staging, production) the decision was for.
    pub environment: Option<String>,
    /// The CI pipeline or workflow run.
    pub pipeline: Option<String>,
}

impl Context {
    /// The context the standard variables of GitHub Actions, GitLab CI, Jenkins and Buildkite
    /// give, read through `var`; the first one set wins for each field.
    pub fn from_ci(at_ms: u64, var: impl Fn(&str) -> Option<String>) -> Self {
        let first = |names: &[&str]| names.iter().find_map(|n| var(n).filter(|v| !v.is_empty()));
        Self {
            at_ms,
            commit: first(&[
                "GITHUB_SHA",
                "CI_COMMIT_SHA",
                "GIT_COMMIT",
                "BUILDKITE_COMMIT",
            ]),
            branch: first(&[
                "GITHUB_HEAD_REF",
                "GITHUB_REF_NAME",
                "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
                "CI_COMMIT_REF_NAME",
                "BRANCH_NAME",
                "BUILDKITE_BRANCH",
            ]),
            environment: first(&["CI_ENVIRONMENT_NAME"]),
            pipeline: first(&[
                "GITHUB_RUN_ID",
                "CI_PIPELINE_ID",
                "BUILD_TAG",
                "BUILDKITE_BUILD_ID",
            ]),
        }
    }
}

/// One recorded decision, as listed: without the inputs and the decision itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    /// Its number in the history.
    pub id: i64,
    /// The policy's name.
    pub policy: String,
    /// The policy's hash.
    pub policy_hash: String,
    /// The verdict.
    pub verdict: Verdict,
    /// Where and when.
    #[serde(flatten)]
    pub context: Context,
}

/// One recorded decision in full.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    /// What a list shows.
    #[serde(flatten)]
    pub entry: Entry,
    /// The metrics as given, with their provenance (the files and reports they came from).
    pub inputs: serde_json::Value,
    /// The decision.
    pub decision: Decision,
}

/// Which entries to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only this policy (by name).
    pub policy: Option<String>,
    /// Only this branch.
    pub branch: Option<String>,
    /// At most this many, the latest.
    pub limit: Option<u32>,
}

/// An open history database.
#[derive(Debug)]
pub struct History {
    conn: Connection,
    path: PathBuf,
}

impl History {
    /// Opens (or creates) the history at `path` and brings its schema up to date.
    ///
    /// # Errors
    /// `KIRO-E080` for a database of a newer schema, `KIRO-E081` for a file that is not a
    /// SQLite database or is damaged, `KIRO-E082` when it stays locked, `KIRO-E083` when it
    /// cannot be opened or written.
    pub fn open(path: &Path) -> Result<History, Diagnostic> {
        let conn = Connection::open(path).map_err(|e| error(path, &e, "open"))?;
        let mut history = History {
            conn,
            path: path.to_owned(),
        };
        history.setup()?;
        Ok(history)
    }

    fn setup(&mut self) -> Result<(), Diagnostic> {
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| error(&path, &e, "open");
        self.conn.busy_timeout(BUSY_TIMEOUT).map_err(fail)?;
        let version: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(fail)?;
        if version > SCHEMA_VERSION {
            return Err(Diagnostic::error(
                Code::HistoryVersion,
                format!(
                    "history `{}` has schema version {version}; this kiro reads up to {SCHEMA_VERSION}",
                    self.path.display()
                ),
            )
            .with_help("record with the newer kiro, or start another history file"));
        }
        // WAL lets readers go on while one writer records; it is a property of the file.
        let mode: String = self
            .conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            .map_err(fail)?;
        if !mode.eq_ignore_ascii_case("wal") && !mode.eq_ignore_ascii_case("memory") {
            return Err(Diagnostic::error(
                Code::HistoryIo,
                format!(
                    "history `{}` cannot use write-ahead logging (journal mode {mode})",
                    self.path.display()
                ),
            ));
        }
        if version < SCHEMA_VERSION {
            // Under the write lock, and from the version read again under it: two writers
            // creating one history at once migrate it once.
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(fail)?;
            let version: i64 = tx
                .pragma_query_value(None, "user_version", |row| row.get(0))
                .map_err(fail)?;
            for migration in MIGRATIONS
                .iter()
                .skip(usize::try_from(version).unwrap_or(0))
            {
                tx.execute_batch(migration).map_err(fail)?;
            }
            tx.pragma_update(None, "user_version", SCHEMA_VERSION)
                .map_err(fail)?;
            tx.commit().map_err(fail)?;
        }
        Ok(())
    }

    /// Records `decision`, made on `inputs` in `context`; its number in the history.
    ///
    /// # Errors
    /// `KIRO-E082` when another writer holds the database past [`BUSY_TIMEOUT`], `KIRO-E083`
    /// when it cannot be written, `KIRO-E081` when it is damaged.
    pub fn record(
        &mut self,
        decision: &Decision,
        inputs: &serde_json::Value,
        context: &Context,
    ) -> Result<i64, Diagnostic> {
        let fail = |e: rusqlite::Error| error(&self.path, &e, "record in");
        let at = i64::try_from(context.at_ms).unwrap_or(i64::MAX);
        self.conn
            .execute(
                "INSERT INTO decisions (at_ms, policy_name, policy_hash, verdict, commit_sha, \
                 branch, environment, pipeline, inputs, decision) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    at,
                    decision.policy.name,
                    decision.policy.hash,
                    decision.verdict.as_str(),
                    context.commit,
                    context.branch,
                    context.environment,
                    context.pipeline,
                    inputs.to_string(),
                    kiro::decision_to_json(decision),
                ],
            )
            .map_err(fail)?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The entries `filter` selects, latest first.
    ///
    /// # Errors
    /// As [`History::record`], for reading.
    pub fn list(&self, filter: &Filter) -> Result<Vec<Entry>, Diagnostic> {
        let fail = |e: rusqlite::Error| error(&self.path, &e, "read");
        let mut statement = self
            .conn
            .prepare(
                "SELECT id, policy_name, policy_hash, verdict, at_ms, commit_sha, branch, \
                 environment, pipeline FROM decisions \
                 WHERE (?1 IS NULL OR policy_name = ?1) AND (?2 IS NULL OR branch = ?2) \
                 ORDER BY at_ms DESC, id DESC LIMIT ?3",
            )
            .map_err(fail)?;
        let limit = filter.limit.map_or(-1, i64::from);
        let rows = statement
            .query_map(params![filter.policy, filter.branch, limit], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, i64>(4)?,
                    row.get::<_, Option<String>>(5)?,
                    row.get::<_, Option<String>>(6)?,
                    row.get::<_, Option<String>>(7)?,
                    row.get::<_, Option<String>>(8)?,
                ))
            })
            .map_err(fail)?;
        let mut entries = Vec::new();
        for row in rows {
            let (id, policy, policy_hash, verdict, at, commit, branch, environment, pipeline) =
                row.map_err(fail)?;
            entries.push(Entry {
                id,
                policy,
                policy_hash,
                verdict: self.verdict(id, &verdict)?,
                context: Context {
                    at_ms: u64::try_from(at).unwrap_or(0),
                    commit,
                    branch,
                    environment,
                    pipeline,
                },
            });
        }
        Ok(entries)
    }

    /// Record `id` in full, if there is one.
    ///
    /// # Errors
    /// As [`History::list`], and `KIRO-E081` for a record that does not read back.
    pub fn get(&self, id: i64) -> Result<Option<Record>, Diagnostic> {
        let fail = |e: rusqlite::Error| error(&self.path, &e, "read");
        let Some(entry) = self.list_one(id).map_err(fail)? else {
            return Ok(None);
        };
        let (inputs, decision): (String, String) = self
            .conn
            .query_row(
                "SELECT inputs, decision FROM decisions WHERE id = ?1",
                params![id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .map_err(fail)?;
        let damaged = |what: &str, e: serde_json::Error| {
            Diagnostic::error(
                Code::HistoryCorrupt,
                format!(
                    "record {id} of history `{}` has a damaged {what}: {e}",
                    self.path.display()
                ),
            )
        };
        Ok(Some(Record {
            entry,
            inputs: serde_json::from_str(&inputs).map_err(|e| damaged("input", e))?,
            decision: serde_json::from_str(&decision).map_err(|e| damaged("decision", e))?,
        }))
    }

    fn list_one(&self, id: i64) -> rusqlite::Result<Option<Entry>> {
        self.conn
            .query_row(
                "SELECT policy_name, policy_hash, verdict, at_ms, commit_sha, branch, \
                 environment, pipeline FROM decisions WHERE id = ?1",
                params![id],
                |row| {
                    let verdict: String = row.get(2)?;
                    Ok(Entry {
                        id,
                        policy: row.get(0)?,
                        policy_hash: row.get(1)?,
                        verdict: parse_verdict(&verdict).unwrap_or(Verdict::Fail),
                        context: Context {
                            at_ms: u64::try_from(row.get::<_, i64>(3)?).unwrap_or(0),
                            commit: row.get(4)?,
                            branch: row.get(5)?,
                            environment: row.get(6)?,
                            pipeline: row.get(7)?,
                        },
                    })
                },
            )
            .optional()
    }

    fn verdict(&self, id: i64, text: &str) -> Result<Verdict, Diagnostic> {
        parse_verdict(text).ok_or_else(|| {
            Diagnostic::error(
                Code::HistoryCorrupt,
                format!(
                    "record {id} of history `{}` has an unknown verdict `{text}`",
                    self.path.display()
                ),
            )
        })
    }
}

fn parse_verdict(text: &str) -> Option<Verdict> {
    match text {
        "pass" => Some(Verdict::Pass),
        "warn" => Some(Verdict::Warn),
        "fail" => Some(Verdict::Fail),
        _ => None,
    }
}

/// A SQLite error as the coded diagnostic that names the file.
fn error(path: &Path, e: &rusqlite::Error, doing: &str) -> Diagnostic {
    let (code, help) = match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => (
            Code::HistoryCorrupt,
            "give a history file kiro wrote, or a new path to start one",
        ),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => (
            Code::HistoryLocked,
            "another kiro is writing to it; try again, or record to another file",
        ),
        _ => (
            Code::HistoryIo,
            "check that the folder exists and is writable",
        ),
    };
    Diagnostic::error(
        code,
        format!("cannot {doing} history `{}`: {e}", path.display()),
    )
    .with_help(help)
}
