//! The history in a SQLite file.
//!
//! - **Schema versioning**: the schema version is SQLite's `user_version`. Opening a database
//!   migrates it forward in one transaction under the write lock; one written by a newer kiro
//!   is refused (`KIRO-E080`), never read or changed.
//! - **Concurrent writers**: write-ahead logging and a busy timeout ([`BUSY_TIMEOUT`]), so CI
//!   jobs recording at once wait for each other instead of failing; past the wait, `KIRO-E082`.
//! - **Crash safety**: each record is one transaction; a writer killed in the middle leaves
//!   the database as before that record.
//! - A file that is not a SQLite database, or a damaged one, is `KIRO-E081`; a path that cannot
//!   be opened or written (a missing folder, a read-only disk) is `KIRO-E083`. Every error names
//!   the file.

use super::{
    BUSY_TIMEOUT, COLUMNS, Context, Entry, FULL_COLUMNS, Filter, Param, Record, Row,
    SCHEMA_VERSION, Store, newer_schema,
};
use kiro::{Code, Decision, Diagnostic};
use rusqlite::{Connection, ErrorCode, TransactionBehavior, params};
use std::path::{Path, PathBuf};

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

/// An open SQLite history.
#[derive(Debug)]
pub struct SqliteHistory {
    conn: Connection,
    path: PathBuf,
}

impl SqliteHistory {
    /// Opens (or creates) the history at `path` and brings its schema up to date.
    ///
    /// # Errors
    /// `KIRO-E080` for a database of a newer schema, `KIRO-E081` for a file that is not a
    /// SQLite database or is damaged, `KIRO-E082` when it stays locked, `KIRO-E083` when it
    /// cannot be opened or written.
    pub fn open(path: &Path) -> Result<SqliteHistory, Diagnostic> {
        let conn = Connection::open(path).map_err(|e| error(path, &e, "open"))?;
        let mut history = SqliteHistory {
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
            return Err(newer_schema(&self.path.display(), version));
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

    /// The rows `filter` selects, with `columns`, each read by `read`.
    fn select<T>(
        &self,
        columns: &str,
        filter: &Filter,
        read: impl Fn(Row, Option<(String, String)>) -> Result<T, kiro::Diagnostic>,
    ) -> Result<Vec<T>, Diagnostic> {
        let fail = |e: rusqlite::Error| error(&self.path, &e, "read");
        let (clause, params) = filter.to_sql(|n| format!("?{n}"));
        let mut statement = self
            .conn
            .prepare(&format!("SELECT {columns} FROM decisions{clause}"))
            .map_err(fail)?;
        let values: Vec<rusqlite::types::Value> = params
            .into_iter()
            .map(|p| match p {
                Param::Text(t) => rusqlite::types::Value::Text(t),
                Param::Int(i) => rusqlite::types::Value::Integer(i),
            })
            .collect();
        let full = columns == FULL_COLUMNS;
        let mut rows = statement
            .query(rusqlite::params_from_iter(values))
            .map_err(fail)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(fail)? {
            let (raw, rest) = read_row(row, full).map_err(fail)?;
            out.push(read(raw, rest)?);
        }
        Ok(out)
    }
}

/// A row of [`COLUMNS`], and the inputs and decision when `full`.
fn read_row(
    row: &rusqlite::Row<'_>,
    full: bool,
) -> rusqlite::Result<(Row, Option<(String, String)>)> {
    let raw = Row {
        id: row.get(0)?,
        policy: row.get(1)?,
        policy_hash: row.get(2)?,
        verdict: row.get(3)?,
        at_ms: row.get(4)?,
        commit: row.get(5)?,
        branch: row.get(6)?,
        environment: row.get(7)?,
        pipeline: row.get(8)?,
    };
    let rest = if full {
        Some((row.get(9)?, row.get(10)?))
    } else {
        None
    };
    Ok((raw, rest))
}

impl Store for SqliteHistory {
    fn record(
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

    fn list(&mut self, filter: &Filter) -> Result<Vec<Entry>, Diagnostic> {
        let place = self.path.display().to_string();
        self.select(COLUMNS, filter, |row, _| row.entry(&place))
    }

    fn records(&mut self, filter: &Filter) -> Result<Vec<Record>, Diagnostic> {
        let place = self.path.display().to_string();
        self.select(FULL_COLUMNS, filter, |row, rest| {
            let (inputs, decision) = rest.unwrap_or_default();
            row.record(&inputs, &decision, &place)
        })
    }

    fn get(&mut self, id: i64) -> Result<Option<Record>, Diagnostic> {
        let fail = |e: rusqlite::Error| error(&self.path, &e, "read");
        let mut statement = self
            .conn
            .prepare(&format!(
                "SELECT {FULL_COLUMNS} FROM decisions WHERE id = ?1"
            ))
            .map_err(fail)?;
        let mut rows = statement.query(params![id]).map_err(fail)?;
        let Some(row) = rows.next().map_err(fail)? else {
            return Ok(None);
        };
        let (raw, rest) = read_row(row, true).map_err(fail)?;
        let (inputs, decision) = rest.unwrap_or_default();
        raw.record(&inputs, &decision, &self.path.display())
            .map(Some)
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
