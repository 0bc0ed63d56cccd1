//! The history on a PostgreSQL server, for teams whose CI runs on many machines: the same
//! records and queries as the SQLite file, in the tables `kiro_decisions` and `kiro_schema`.
//!
//! - **Schema versioning**: the version is the one row of `kiro_schema`. A history older
//!   than this kiro is migrated in one transaction under an advisory lock, so runners opening
//!   a new database at once migrate it once; one of a newer kiro is refused (`KIRO-E080`).
//! - **Writers at once**: each record is one `INSERT` (one transaction); a lock held past
//!   [`BUSY_TIMEOUT`] (`lock_timeout`) is `KIRO-E082`.
//! - **Failures**: a server that cannot be reached, or that goes away in the middle, is
//!   `KIRO-E084`; a login refused (password, role, database, privileges) `KIRO-E085`; a URL the
//!   client cannot read `KIRO-E086`; any other statement refused `KIRO-E083`. Every message
//!   names the URL with its password replaced by `***`.
//!
//! The connection is plain TCP or a Unix socket: `sslmode=require` is refused by the client
//! (no TLS stack is built in).

use super::{
    BUSY_TIMEOUT, COLUMNS, Context, Entry, FULL_COLUMNS, Filter, Param, Record, Row,
    SCHEMA_VERSION, Store, newer_schema, redact,
};
use kiro::{Code, Decision, Diagnostic};
use postgres::error::SqlState;
use postgres::types::ToSql;
use postgres::{Client, Config, NoTls};
use std::time::Duration;

/// How long connecting may take before the server counts as unreachable (`KIRO-E084`),
/// unless the URL says otherwise (`connect_timeout`).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A key for `pg_advisory_xact_lock`: the migrations of every kiro on one database take turns.
const MIGRATION_LOCK: i64 = 0x6b69_726f_6869_7374; // "kirohist"

/// The migrations, in order: `MIGRATIONS[i]` takes the schema from version `i` to `i + 1`.
///
/// The index ends in `id` so that a query's `ORDER BY at_ms DESC, id DESC LIMIT n` is a
/// backward scan of it that stops after `n` rows, whatever the planner's statistics (SQLite's
/// indexes end in the row id by themselves).
const MIGRATIONS: &[&str] = &["
CREATE TABLE kiro_decisions (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at_ms        BIGINT NOT NULL,
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
CREATE INDEX kiro_decisions_by_policy ON kiro_decisions (policy_name, branch, at_ms, id);
"];

/// An open PostgreSQL history.
pub struct PostgresHistory {
    client: Client,
    /// The URL without its password.
    shown: String,
}

impl std::fmt::Debug for PostgresHistory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresHistory")
            .field("url", &self.shown)
            .finish_non_exhaustive()
    }
}

impl PostgresHistory {
    /// Connects to the server of `url` (`postgres://` or `postgresql://`) and brings the
    /// history's schema up to date.
    ///
    /// # Errors
    /// `KIRO-E086` for a URL that cannot be read, `KIRO-E084` for a server that cannot be
    /// reached, `KIRO-E085` for a login refused, `KIRO-E080` for a newer schema, `KIRO-E083`
    /// for a migration the server refuses.
    pub fn open(url: &str) -> Result<PostgresHistory, Diagnostic> {
        let shown = redact(url);
        let mut config: Config = url.parse().map_err(|e| {
            Diagnostic::error(
                Code::HistoryUrl,
                format!("cannot read history URL `{shown}`: {e}"),
            )
            .with_help("write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE")
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("kiro");
        }
        let client = config
            .connect(NoTls)
            .map_err(|e| error(&shown, &e, "connect to", true))?;
        let mut history = PostgresHistory { client, shown };
        history.setup()?;
        Ok(history)
    }

    fn setup(&mut self) -> Result<(), Diagnostic> {
        let shown = self.shown.clone();
        let fail = |e: postgres::Error| error(&shown, &e, "open", false);
        self.client
            .batch_execute(&format!("SET lock_timeout = {}", BUSY_TIMEOUT.as_millis()))
            .map_err(fail)?;
        if self.version().map_err(fail)? == SCHEMA_VERSION {
            return Ok(());
        }
        let mut tx = self.client.transaction().map_err(fail)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .map_err(fail)?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS kiro_schema (version BIGINT NOT NULL)")
            .map_err(fail)?;
        // Read again under the lock: another kiro may have migrated meanwhile.
        let version: i64 = tx
            .query_opt("SELECT max(version) FROM kiro_schema", &[])
            .map_err(fail)?
            .and_then(|row| row.get::<_, Option<i64>>(0))
            .unwrap_or(0);
        if version > SCHEMA_VERSION {
            return Err(newer_schema(&self.shown, version));
        }
        for migration in MIGRATIONS
            .iter()
            .skip(usize::try_from(version).unwrap_or(0))
        {
            tx.batch_execute(migration).map_err(fail)?;
        }
        tx.batch_execute("DELETE FROM kiro_schema").map_err(fail)?;
        tx.execute(
            "INSERT INTO kiro_schema (version) VALUES ($1)",
            &[&SCHEMA_VERSION],
        )
        .map_err(fail)?;
        tx.commit().map_err(fail)
    }

    /// The schema version (0 for a database with no history yet), or `KIRO-E080` above ours.
    fn version(&mut self) -> Result<i64, postgres::Error> {
        let exists: bool = self
            .client
            .query_one("SELECT to_regclass('kiro_schema') IS NOT NULL", &[])?
            .get(0);
        if !exists {
            return Ok(0);
        }
        Ok(self
            .client
            .query_opt("SELECT max(version) FROM kiro_schema", &[])?
            .and_then(|row| row.get::<_, Option<i64>>(0))
            .unwrap_or(0))
    }

    /// The rows `filter` selects, with `columns`, each read by `read`.
    fn select<T>(
        &mut self,
        columns: &str,
        filter: &Filter,
        read: impl Fn(Row, Option<(String, String)>, &str) -> Result<T, Diagnostic>,
    ) -> Result<Vec<T>, Diagnostic> {
        let (clause, params) = filter.to_sql(|n| format!("${n}"));
        let values: Vec<Box<dyn ToSql + Sync>> = params
            .into_iter()
            .map(|p| -> Box<dyn ToSql + Sync> {
                match p {
                    Param::Text(t) => Box::new(t),
                    Param::Int(i) => Box::new(i),
                }
            })
            .collect();
        let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(AsRef::as_ref).collect();
        let rows = self
            .client
            .query(
                &format!("SELECT {columns} FROM kiro_decisions{clause}"),
                &refs,
            )
            .map_err(|e| error(&self.shown, &e, "read", false))?;
        let full = columns == FULL_COLUMNS;
        rows.iter()
            .map(|row| {
                let (raw, rest) =
                    read_row(row, full).map_err(|e| error(&self.shown, &e, "read", false))?;
                read(raw, rest, &self.shown)
            })
            .collect()
    }
}

/// A row of [`COLUMNS`], and the inputs and decision when `full`.
fn read_row(
    row: &postgres::Row,
    full: bool,
) -> Result<(Row, Option<(String, String)>), postgres::Error> {
    let raw = Row {
        id: row.try_get(0)?,
        policy: row.try_get(1)?,
        policy_hash: row.try_get(2)?,
        verdict: row.try_get(3)?,
        at_ms: row.try_get(4)?,
        commit: row.try_get(5)?,
        branch: row.try_get(6)?,
        environment: row.try_get(7)?,
        pipeline: row.try_get(8)?,
    };
    let rest = if full {
        Some((row.try_get(9)?, row.try_get(10)?))
    } else {
        None
    };
    Ok((raw, rest))
}

impl Store for PostgresHistory {
    fn record(
        &mut self,
        decision: &Decision,
        inputs: &serde_json::Value,
        context: &Context,
    ) -> Result<i64, Diagnostic> {
        let at = i64::try_from(context.at_ms).unwrap_or(i64::MAX);
        let row = self
            .client
            .query_one(
                "INSERT INTO kiro_decisions (at_ms, policy_name, policy_hash, verdict, \
                 commit_sha, branch, environment, pipeline, inputs, decision) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                &[
                    &at,
                    &decision.policy.name,
                    &decision.policy.hash,
                    &decision.verdict.as_str(),
                    &context.commit,
                    &context.branch,
                    &context.environment,
                    &context.pipeline,
                    &inputs.to_string(),
                    &kiro::decision_to_json(decision),
                ],
            )
            .map_err(|e| error(&self.shown, &e, "record in", false))?;
        row.try_get(0)
            .map_err(|e| error(&self.shown, &e, "record in", false))
    }

    fn list(&mut self, filter: &Filter) -> Result<Vec<Entry>, Diagnostic> {
        self.select(COLUMNS, filter, |row, _, shown| row.entry(&shown))
    }

    fn records(&mut self, filter: &Filter) -> Result<Vec<Record>, Diagnostic> {
        self.select(FULL_COLUMNS, filter, |row, rest, shown| {
            let (inputs, decision) = rest.unwrap_or_default();
            row.record(&inputs, &decision, &shown)
        })
    }

    fn get(&mut self, id: i64) -> Result<Option<Record>, Diagnostic> {
        let row = self
            .client
            .query_opt(
                &format!("SELECT {FULL_COLUMNS} FROM kiro_decisions WHERE id = $1"),
                &[&id],
            )
            .map_err(|e| error(&self.shown, &e, "read", false))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let (raw, rest) =
            read_row(&row, true).map_err(|e| error(&self.shown, &e, "read", false))?;
        let (inputs, decision) = rest.unwrap_or_default();
        raw.record(&inputs, &decision, &self.shown).map(Some)
    }
}

/// A PostgreSQL error as the coded diagnostic naming the URL without its password;
/// `connecting` when it came from opening the connection (where every error that is not the
/// server's answer means the server cannot be reached).
fn error(shown: &str, e: &postgres::Error, doing: &str, connecting: bool) -> Diagnostic {
    let unreachable = (
        Code::HistoryUnreachable,
        "check the host and port, and that the server runs and takes TCP connections",
    );
    let (code, help) = match e.code() {
        Some(state)
            if state.code().starts_with("28") || *state == SqlState::INVALID_CATALOG_NAME =>
        {
            (
                Code::HistoryAccess,
                "check the user, password and database of the URL",
            )
        }
        Some(state) if *state == SqlState::INSUFFICIENT_PRIVILEGE => (
            Code::HistoryAccess,
            "the role needs to create and use the tables kiro_schema and kiro_decisions",
        ),
        Some(state) if *state == SqlState::LOCK_NOT_AVAILABLE => (
            Code::HistoryLocked,
            "another kiro holds the history; try again",
        ),
        Some(state)
            if state.code().starts_with("57P") || *state == SqlState::TOO_MANY_CONNECTIONS =>
        {
            unreachable
        }
        Some(_) => (
            Code::HistoryIo,
            "check that the database is a kiro history and the role may write to it",
        ),
        None if connecting || e.is_closed() => unreachable,
        None if std::error::Error::source(e).is_some_and(|s| s.is::<std::io::Error>()) => {
            unreachable
        }
        None => (
            Code::HistoryCorrupt,
            "the tables do not hold what kiro wrote",
        ),
    };
    let reason = e
        .as_db_error()
        .map_or_else(|| e.to_string(), |db| db.message().to_owned());
    Diagnostic::error(code, format!("cannot {doing} history `{shown}`: {reason}")).with_help(help)
}
