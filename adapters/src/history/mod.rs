//! The history of decisions: every recorded check with its policy, inputs and context, in a
//! SQLite file the user names ([`sqlite`]) or on a PostgreSQL server ([`postgres`]) that CI
//! runners on many machines share.
//!
//! The core never queries it (it takes what it needs as input); this is the CLI's store. Both
//! stores keep the same records, answer the same queries ([`Store`]) and behave alike:
//!
//! - **Schema versioning**: opening a history migrates it forward, once, under a lock; one
//!   written by a newer kiro is refused (`KIRO-E080`), never read or changed.
//! - **Writers at once** wait for each other up to [`BUSY_TIMEOUT`] (`KIRO-E082` past it).
//! - **Crash safety**: each record is one transaction; a writer killed in the middle leaves
//!   the history as before that record.
//! - A record that does not read back is `KIRO-E081`; a history that cannot be opened or
//!   written `KIRO-E083`; on PostgreSQL, a server that cannot be reached `KIRO-E084`, a login
//!   refused `KIRO-E085`, a URL that cannot be read `KIRO-E086`. Every error names the file,
//!   or the URL without its password.
//!
//! [`Location::parse`] tells the two apart: `postgres://` and `postgresql://` URLs are servers,
//! anything else a file.

#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "sqlite")]
pub mod sqlite;

use kiro::{Code, Decision, Diagnostic, Verdict};
use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The schema version this kiro writes and reads (the same number for both stores).
pub const SCHEMA_VERSION: i64 = 1;

/// How long a writer waits for another one before giving up with `KIRO-E082`.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

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

/// Which records to read. Every field narrows; the default is all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only this policy (by name).
    pub policy: Option<String>,
    /// Only this branch.
    pub branch: Option<String>,
    /// Only those recorded at or after this time (milliseconds since the Unix epoch).
    pub since_ms: Option<u64>,
    /// Only those with one of these verdicts (all when empty).
    pub verdicts: Vec<Verdict>,
    /// At most this many, the latest.
    pub limit: Option<u32>,
}

impl Filter {
    /// The last `last` passing decisions of `policy` on `branch`: the runs a baseline is
    /// taken from (Keptn's `compare_with: several_results`, `include_result_with_score: pass`).
    #[must_use]
    pub fn baseline(policy: &str, branch: Option<&str>, last: u32) -> Self {
        Self {
            policy: Some(policy.to_owned()),
            branch: branch.map(str::to_owned),
            since_ms: None,
            verdicts: vec![Verdict::Pass],
            limit: Some(last),
        }
    }

    /// The `WHERE` and `LIMIT` of a query for this filter, with `placeholder(n)` for the
    /// `n`th parameter (from 1), and the parameters in order.
    pub(crate) fn to_sql(&self, placeholder: impl Fn(usize) -> String) -> (String, Vec<Param>) {
        let mut conditions = Vec::new();
        let mut params = Vec::new();
        let mut add = |column: &str, param: Param| {
            params.push(param);
            conditions.push(format!("{column} {}", placeholder(params.len())));
        };
        if let Some(policy) = &self.policy {
            add("policy_name =", Param::Text(policy.clone()));
        }
        if let Some(branch) = &self.branch {
            add("branch =", Param::Text(branch.clone()));
        }
        if let Some(since) = self.since_ms {
            add(
                "at_ms >=",
                Param::Int(i64::try_from(since).unwrap_or(i64::MAX)),
            );
        }
        let mut sql = String::new();
        if !self.verdicts.is_empty() {
            let list: Vec<&str> = self.verdicts.iter().map(|v| v.as_str()).collect();
            // Verdicts are a closed set of lowercase words: written into the query, never
            // from the user's text.
            conditions.push(format!("verdict IN ('{}')", list.join("', '")));
        }
        if !conditions.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&conditions.join(" AND "));
        }
        sql.push_str(" ORDER BY at_ms DESC, id DESC");
        if let Some(limit) = self.limit {
            params.push(Param::Int(i64::from(limit)));
            sql.push_str(&format!(" LIMIT {}", placeholder(params.len())));
        }
        (sql, params)
    }
}

/// A parameter of a query [`Filter::to_sql`] builds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Param {
    Text(String),
    Int(i64),
}

/// What every history answers, whichever store keeps it.
pub trait Store {
    /// Records `decision`, made on `inputs` in `context`, in one transaction; its number in
    /// the history.
    ///
    /// # Errors
    /// The store's coded diagnostic (`KIRO-E081`–`E085`).
    fn record(
        &mut self,
        decision: &Decision,
        inputs: &serde_json::Value,
        context: &Context,
    ) -> Result<i64, Diagnostic>;

    /// The entries `filter` selects, latest first.
    ///
    /// # Errors
    /// As [`Store::record`], for reading.
    fn list(&mut self, filter: &Filter) -> Result<Vec<Entry>, Diagnostic>;

    /// The records `filter` selects in full, latest first.
    ///
    /// # Errors
    /// As [`Store::list`], and `KIRO-E081` for a record that does not read back.
    fn records(&mut self, filter: &Filter) -> Result<Vec<Record>, Diagnostic>;

    /// Record `id` in full, if there is one.
    ///
    /// # Errors
    /// As [`Store::records`].
    fn get(&mut self, id: i64) -> Result<Option<Record>, Diagnostic>;
}

/// Where a history is: a SQLite file, or a PostgreSQL server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite file.
    File(PathBuf),
    /// A `postgres://` or `postgresql://` URL.
    Postgres(String),
}

impl Location {
    /// A server for a `postgres://` or `postgresql://` URL, a file for anything else.
    #[must_use]
    pub fn parse(arg: &Path) -> Self {
        match arg.to_str() {
            Some(url) if is_postgres_url(url) => Location::Postgres(url.to_owned()),
            _ => Location::File(arg.to_owned()),
        }
    }

    /// Whether there is a history there already: a file that exists (a server is assumed to
    /// be there; opening it says otherwise).
    #[must_use]
    pub fn exists(&self) -> bool {
        match self {
            Location::File(path) => path.exists(),
            Location::Postgres(_) => true,
        }
    }
}

/// The file, or the URL with its password replaced by `***`: what messages show.
impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File(path) => write!(f, "{}", path.display()),
            Location::Postgres(url) => f.write_str(&redact(url)),
        }
    }
}

/// Whether `text` is a PostgreSQL connection URL.
#[must_use]
pub fn is_postgres_url(text: &str) -> bool {
    let lower = text.get(..13).unwrap_or(text).to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

/// `url` with the password of its user part and of a `password=` parameter replaced by `***`.
#[must_use]
pub fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let (scheme, rest) = url.split_at(scheme_end);
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rfind('@') {
        Some(at) => {
            let (user, host) = authority.split_at(at);
            match user.split_once(':') {
                Some((name, _)) => format!("{name}:***{host}"),
                None => authority.to_owned(),
            }
        }
        None => authority.to_owned(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => {
                        format!("{key}=***")
                    }
                    _ => pair.to_owned(),
                })
                .collect();
            format!("{path}?{}", query.join("&"))
        }
        None => tail.to_owned(),
    };
    format!("{scheme}{authority}{tail}")
}

/// An open history, of either store.
#[derive(Debug)]
pub enum History {
    /// A SQLite file.
    #[cfg(feature = "sqlite")]
    Sqlite(sqlite::SqliteHistory),
    /// A PostgreSQL server.
    #[cfg(feature = "postgres")]
    Postgres(postgres::PostgresHistory),
}

impl History {
    /// Opens (or creates) the history at `location` and brings its schema up to date.
    ///
    /// # Errors
    /// The store's coded diagnostic (`KIRO-E080`–`E086`), or `KIRO-E083` for a store this
    /// build of kiro leaves out.
    pub fn open(location: &Location) -> Result<History, Diagnostic> {
        match location {
            #[cfg(feature = "sqlite")]
            Location::File(path) => sqlite::SqliteHistory::open(path).map(History::Sqlite),
            #[cfg(feature = "postgres")]
            Location::Postgres(url) => postgres::PostgresHistory::open(url).map(History::Postgres),
            #[allow(unreachable_patterns, reason = "reached when a store's feature is off")]
            other => Err(Diagnostic::error(
                Code::HistoryIo,
                format!("cannot open history `{other}`: this kiro is built without that store"),
            )),
        }
    }

    fn store(&mut self) -> &mut dyn Store {
        match self {
            #[cfg(feature = "sqlite")]
            History::Sqlite(s) => s,
            #[cfg(feature = "postgres")]
            History::Postgres(p) => p,
        }
    }
}

impl Store for History {
    fn record(
        &mut self,
        decision: &Decision,
        inputs: &serde_json::Value,
        context: &Context,
    ) -> Result<i64, Diagnostic> {
        self.store().record(decision, inputs, context)
    }

    fn list(&mut self, filter: &Filter) -> Result<Vec<Entry>, Diagnostic> {
        self.store().list(filter)
    }

    fn records(&mut self, filter: &Filter) -> Result<Vec<Record>, Diagnostic> {
        self.store().records(filter)
    }

    fn get(&mut self, id: i64) -> Result<Option<Record>, Diagnostic> {
        self.store().get(id)
    }
}

/// The columns every query reads, in this order; `FULL_COLUMNS` adds the inputs and the
/// decision.
pub(crate) const COLUMNS: &str =
    "id, policy_name, policy_hash, verdict, at_ms, commit_sha, branch, environment, pipeline";
pub(crate) const FULL_COLUMNS: &str = "id, policy_name, policy_hash, verdict, at_ms, commit_sha, \
     branch, environment, pipeline, inputs, decision";

/// One row as the store gives it, before it is checked.
pub(crate) struct Row {
    pub id: i64,
    pub policy: String,
    pub policy_hash: String,
    pub verdict: String,
    pub at_ms: i64,
    pub commit: Option<String>,
    pub branch: Option<String>,
    pub environment: Option<String>,
    pub pipeline: Option<String>,
}

impl Row {
    /// The entry, or `KIRO-E081` naming `place` for a verdict kiro never writes.
    pub(crate) fn entry(self, place: &dyn fmt::Display) -> Result<Entry, Diagnostic> {
        let verdict = parse_verdict(&self.verdict).ok_or_else(|| {
            Diagnostic::error(
                Code::HistoryCorrupt,
                format!(
                    "record {} of history `{place}` has an unknown verdict `{}`",
                    self.id, self.verdict
                ),
            )
        })?;
        Ok(Entry {
            id: self.id,
            policy: self.policy,
            policy_hash: self.policy_hash,
            verdict,
            context: Context {
                at_ms: u64::try_from(self.at_ms).unwrap_or(0),
                commit: self.commit,
                branch: self.branch,
                environment: self.environment,
                pipeline: self.pipeline,
            },
        })
    }

    /// The full record, with the inputs and decision as stored.
    pub(crate) fn record(
        self,
        inputs: &str,
        decision: &str,
        place: &dyn fmt::Display,
    ) -> Result<Record, Diagnostic> {
        let id = self.id;
        let damaged = |what: &str, e: serde_json::Error| {
            Diagnostic::error(
                Code::HistoryCorrupt,
                format!("record {id} of history `{place}` has a damaged {what}: {e}"),
            )
        };
        Ok(Record {
            entry: self.entry(place)?,
            inputs: serde_json::from_str(inputs).map_err(|e| damaged("input", e))?,
            decision: serde_json::from_str(decision).map_err(|e| damaged("decision", e))?,
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

/// A newer schema than this kiro reads: `KIRO-E080`.
pub(crate) fn newer_schema(place: &dyn fmt::Display, version: i64) -> Diagnostic {
    Diagnostic::error(
        Code::HistoryVersion,
        format!(
            "history `{place}` has schema version {version}; this kiro reads up to {SCHEMA_VERSION}"
        ),
    )
    .with_help("record with the newer kiro, or start another history")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        for (url, shown) in [
            (
                "postgres://kiro:s3cret@db.example:5432/ci",
                "postgres://kiro:***@db.example:5432/ci",
            ),
            (
                "postgresql://kiro@localhost/ci?password=s3cret&sslmode=disable",
                "postgresql://kiro@localhost/ci?password=***&sslmode=disable",
            ),
            ("postgres://a:b:c@h", "postgres://a:***@h"),
            ("postgres://p%40ss:x@h/db", "postgres://p%40ss:***@h/db"),
            ("postgres://h/db", "postgres://h/db"),
        ] {
            assert_eq!(redact(url), shown);
        }
    }

    #[test]
    fn urls_are_servers_and_the_rest_files() {
        assert!(matches!(
            Location::parse(Path::new("postgres://h/db")),
            Location::Postgres(_)
        ));
        assert!(matches!(
            Location::parse(Path::new("POSTGRESQL://h/db")),
            Location::Postgres(_)
        ));
        assert!(matches!(
            Location::parse(Path::new("postgres.db")),
            Location::File(_)
        ));
    }

    #[test]
    fn filters_become_parameterised_queries() {
        let (sql, params) = Filter::baseline("kova", Some("main"), 5).to_sql(|n| format!("${n}"));
        assert_eq!(
            sql,
            " WHERE policy_name = $1 AND branch = $2 AND verdict IN ('pass') \
             ORDER BY at_ms DESC, id DESC LIMIT $3"
        );
        assert_eq!(
            params,
            [
                Param::Text("kova".into()),
                Param::Text("main".into()),
                Param::Int(5)
            ]
        );
    }
}
