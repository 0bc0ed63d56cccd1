//! The history of decisions end to end: `kiro check --record DB` and `kiro history list|show`
//! on a real SQLite file — several writers at once, writers killed mid-record, a newer schema,
//! a file that is not a database, a path that cannot be written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const POLICY: &str = "examples/kova/kiro.yaml";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// `kiro` in the workspace root, without the CI's own variables (the context comes from the
/// flags the tests give).
fn command(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kiro"));
    cmd.args(args).current_dir(root()).stdin(Stdio::null());
    for var in [
        "GITHUB_SHA",
        "GITHUB_HEAD_REF",
        "GITHUB_REF_NAME",
        "GITHUB_RUN_ID",
        "CI_COMMIT_SHA",
        "CI_COMMIT_REF_NAME",
        "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
        "CI_ENVIRONMENT_NAME",
        "CI_PIPELINE_ID",
        "GIT_COMMIT",
        "BRANCH_NAME",
        "BUILD_TAG",
        "BUILDKITE_COMMIT",
        "BUILDKITE_BRANCH",
        "BUILDKITE_BUILD_ID",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

fn kiro(args: &[&str]) -> Output {
    command(args).output().expect("the kiro binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kiro-history-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

fn record(db: &Path, metrics: &str, branch: &str) -> Output {
    kiro(&[
        "check",
        POLICY,
        "--metrics",
        &format!("examples/kova/metrics/{metrics}.json"),
        "--record",
        db.to_str().expect("a UTF-8 path"),
        "--commit",
        "0123456789abcdef",
        "--branch",
        branch,
    ])
}

#[test]
fn checks_are_recorded_and_listed_with_their_context_and_inputs() {
    let dir = scratch("list");
    let db = dir.join("history.db");
    for (metrics, branch, code) in [
        ("pass", "main", 0),
        ("warn", "main", 0),
        ("fail", "mr-7", 1),
    ] {
        let out = record(&db, metrics, branch);
        assert_eq!(out.status.code(), Some(code), "{}", text(&out.stderr));
    }
    let db_arg = db.to_str().expect("a UTF-8 path");
    let list = kiro(&["history", "list", db_arg, "--format", "json"]);
    assert_eq!(list.status.code(), Some(0), "{}", text(&list.stderr));
    let entries: serde_json::Value = serde_json::from_slice(&list.stdout).expect("JSON");
    let seen: Vec<(i64, &str, &str)> = entries
        .as_array()
        .expect("a list")
        .iter()
        .map(|e| {
            (
                e["id"].as_i64().unwrap_or(0),
                e["verdict"].as_str().unwrap_or(""),
                e["branch"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (3, "fail", "mr-7"),
            (2, "warn", "main"),
            (1, "pass", "main")
        ]
    );
    let main = kiro(&[
        "history", "list", db_arg, "--branch", "main", "--limit", "1", "--format", "csv",
    ]);
    let csv = text(&main.stdout);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[0].starts_with("id,at_ms,policy,policy_hash,verdict,commit,branch"));
    assert!(
        lines[1].starts_with("2,") && lines[1].contains(",warn,0123456789abcdef,main,"),
        "{csv}"
    );
    let table = text(&kiro(&["history", "list", db_arg]).stdout);
    assert!(table.starts_with("id  recorded"), "{table}");
    assert!(table.contains("3 decisions over"), "{table}");

    let show = kiro(&["history", "show", db_arg, "2", "--format", "json"]);
    let record: serde_json::Value = serde_json::from_slice(&show.stdout).expect("JSON");
    assert_eq!(record["decision"]["verdict"], "warn");
    assert_eq!(
        record["inputs"]["metrics_file"],
        "examples/kova/metrics/warn.json"
    );
    assert_eq!(record["inputs"]["metrics"]["security.high_vulns"], 1.0);
    assert_eq!(record["commit"], "0123456789abcdef");
    let human = text(&kiro(&["history", "show", db_arg, "3"]).stdout);
    assert!(
        human.starts_with("#3 ") && human.contains("branch mr-7"),
        "{human}"
    );
    assert!(human.contains("verdict: FAIL"), "{human}");
    let missing = kiro(&["history", "show", db_arg, "99"]);
    assert_eq!(missing.status.code(), Some(3));
    assert!(text(&missing.stderr).contains("has no decision #99"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn writers_at_once_each_get_their_record() {
    let dir = scratch("concurrent");
    let db = dir.join("history.db");
    let writers: Vec<_> = (0..8)
        .map(|i| {
            let db = db.clone();
            std::thread::spawn(move || record(&db, "pass", &format!("b{i}")))
        })
        .collect();
    for w in writers {
        let out = w.join().expect("the writer thread");
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }
    let list = kiro(&[
        "history",
        "list",
        db.to_str().expect("UTF-8"),
        "--format",
        "json",
    ]);
    let entries: serde_json::Value = serde_json::from_slice(&list.stdout).expect("JSON");
    let mut ids: Vec<i64> = entries
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|e| e["id"].as_i64())
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, (1..=8).collect::<Vec<_>>());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_writer_killed_mid_record_leaves_every_other_record_whole() {
    let dir = scratch("killed");
    let db = dir.join("history.db");
    assert_eq!(record(&db, "pass", "main").status.code(), Some(0));
    let db_arg = db.to_str().expect("UTF-8").to_owned();
    for delay in (0..24).map(|i| Duration::from_millis(i % 12)) {
        let mut child = command(&[
            "check",
            POLICY,
            "--metrics",
            "examples/kova/metrics/fail.json",
            "--record",
            &db_arg,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("kiro starts");
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
    }
    let conn = rusqlite::Connection::open(&db).expect("the history opens");
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .expect("an integrity check");
    assert_eq!(check, "ok");
    drop(conn);
    let list = kiro(&["history", "list", &db_arg, "--format", "json"]);
    assert_eq!(list.status.code(), Some(0), "{}", text(&list.stderr));
    let entries: serde_json::Value = serde_json::from_slice(&list.stdout).expect("JSON");
    for e in entries.as_array().expect("a list") {
        let id = e["id"].as_i64().expect("an id").to_string();
        let show = kiro(&["history", "show", &db_arg, &id, "--format", "json"]);
        assert_eq!(show.status.code(), Some(0), "#{id}: {}", text(&show.stderr));
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_bad_history_is_a_coded_error_naming_the_file() {
    let dir = scratch("bad");
    // Not a database.
    let garbage = dir.join("garbage.db");
    std::fs::write(
        &garbage,
        "this is not a SQLite database, just text long enough to read\n".repeat(20),
    )
    .expect("a file");
    let out = record(&garbage, "pass", "main");
    assert_eq!(out.status.code(), Some(3));
    let err = text(&out.stderr);
    assert!(
        err.contains("KIRO-E081") && err.contains("garbage.db"),
        "{err}"
    );

    // Written by a newer kiro.
    let newer = dir.join("newer.db");
    assert_eq!(record(&newer, "pass", "main").status.code(), Some(0));
    rusqlite::Connection::open(&newer)
        .and_then(|c| c.pragma_update(None, "user_version", 7))
        .expect("the schema version is set");
    let out = record(&newer, "pass", "main");
    assert_eq!(out.status.code(), Some(3));
    let err = text(&out.stderr);
    assert!(
        err.contains("KIRO-E080") && err.contains("schema version 7"),
        "{err}"
    );
    let out = kiro(&["history", "list", newer.to_str().expect("UTF-8")]);
    assert!(text(&out.stderr).contains("KIRO-E080"));

    // A folder that does not exist.
    let nowhere = dir.join("no/such/folder/history.db");
    let out = record(&nowhere, "pass", "main");
    assert_eq!(out.status.code(), Some(3));
    let err = text(&out.stderr);
    assert!(
        err.contains("KIRO-E083") && err.contains("history.db"),
        "{err}"
    );

    // Listing a history that is not there does not make one.
    let absent = dir.join("absent.db");
    let out = kiro(&["history", "list", absent.to_str().expect("UTF-8")]);
    assert_eq!(out.status.code(), Some(3));
    assert!(!absent.exists());
    std::fs::remove_dir_all(&dir).ok();
}

/// A history of eight kova checks on main, an hour apart from 2025-12-01 00:00 UTC (the times
/// set in the file, so the renderings do not change from run to run).
fn eight_checks(test: &str) -> (PathBuf, String) {
    let dir = scratch(test);
    let db = dir.join("history.db");
    for metrics in [
        "pass", "pass", "warn", "pass", "fail", "pass", "warn", "pass",
    ] {
        let out = record(&db, metrics, "main");
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{}",
            text(&out.stderr)
        );
    }
    rusqlite::Connection::open(&db)
        .and_then(|c| {
            c.execute(
                "UPDATE decisions SET at_ms = 1764547200000 + (id - 1) * 3600000",
                [],
            )
        })
        .expect("the times are set");
    let arg = db.to_str().expect("UTF-8").to_owned();
    (dir, arg)
}

fn stdout_of(args: &[&str]) -> String {
    let out = kiro(args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    text(&out.stdout)
}

#[test]
fn trends_render_as_a_chart_svg_json_and_csv() {
    let (dir, db) = eight_checks("trend");
    let metric = ["history", "trend", &db, "--metric", "build.bundle_size"];
    insta::assert_snapshot!("history_trend_metric_chart", stdout_of(&metric));
    insta::assert_snapshot!(
        "history_trend_metric_svg",
        stdout_of(&[&metric[..], &["--format", "svg"]].concat())
    );
    insta::assert_snapshot!(
        "history_trend_metric_json",
        stdout_of(&[&metric[..], &["--format", "json", "--last", "3"]].concat())
    );
    insta::assert_snapshot!(
        "history_trend_metric_csv",
        stdout_of(&[&metric[..], &["--format", "csv"]].concat())
    );
    let gate = ["history", "trend", &db, "--gate", "code-quality-security"];
    insta::assert_snapshot!("history_trend_gate_chart", stdout_of(&gate));
    insta::assert_snapshot!(
        "history_trend_gate_svg",
        stdout_of(&[&gate[..], &["--format", "svg"]].concat())
    );
    // The SVG is well-formed XML.
    let svg = stdout_of(&[&gate[..], &["--format", "svg"]].concat());
    roxmltree::Document::parse(&svg).expect("well-formed SVG");
    // Days count back from now: the history of 2026-12-01 is older than a day.
    let old = stdout_of(&[&metric[..], &["--days", "1", "--format", "csv"]].concat());
    assert_eq!(old.lines().count(), 1, "{old}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn exports_are_json_lines_and_csv_oldest_first() {
    let (dir, db) = eight_checks("export");
    let jsonl = stdout_of(&["history", "export", &db]);
    let records: Vec<serde_json::Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(records.len(), 8);
    assert_eq!(records[0]["id"], 1);
    assert_eq!(records[4]["decision"]["verdict"], "fail");
    insta::assert_snapshot!(
        "history_export_jsonl",
        stdout_of(&["history", "export", &db, "--limit", "1"])
    );
    let csv = stdout_of(&["history", "export", &db, "--format", "csv", "--limit", "2"]);
    insta::assert_snapshot!("history_export_csv", csv);
    let out = dir.join("export.csv");
    let written = kiro(&[
        "history",
        "export",
        &db,
        "--format",
        "csv",
        "-o",
        out.to_str().expect("UTF-8"),
    ]);
    assert_eq!(written.status.code(), Some(0));
    let file = std::fs::read_to_string(&out).expect("the export was written");
    assert_eq!(file.lines().count(), 9, "{file}");
    std::fs::remove_dir_all(&dir).ok();
}

#[path = "../../adapters/tests/postgres_server/mod.rs"]
mod postgres_server;

#[test]
fn checks_are_recorded_on_postgresql_and_read_back() {
    let Some(server) = postgres_server::PgServer::start(false) else {
        return;
    };
    let url = server.database("cli");
    for (metrics, branch, code) in [
        ("pass", "main", 0),
        ("warn", "main", 0),
        ("fail", "mr-7", 1),
    ] {
        let out = kiro(&[
            "check",
            POLICY,
            "--metrics",
            &format!("examples/kova/metrics/{metrics}.json"),
            "--record",
            &url,
            "--branch",
            branch,
        ]);
        assert_eq!(out.status.code(), Some(code), "{}", text(&out.stderr));
        let err = text(&out.stderr);
        assert!(
            err.contains("recorded as #") && err.contains("kiro:***@"),
            "{err}"
        );
        assert!(!err.contains(postgres_server::PASSWORD), "{err}");
    }
    let list = stdout_of(&["history", "list", &url, "--format", "json"]);
    let entries: serde_json::Value = serde_json::from_str(&list).expect("JSON");
    let verdicts: Vec<&str> = entries
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|e| e["verdict"].as_str())
        .collect();
    assert_eq!(verdicts, ["fail", "warn", "pass"]);
    let show = stdout_of(&["history", "show", &url, "2", "--format", "json"]);
    assert!(show.contains("\"metrics_file\": \"examples/kova/metrics/warn.json\""));
    let trend = stdout_of(&["history", "trend", &url, "--gate", "code-quality-security"]);
    assert!(trend.contains("pass 1, warn 1, fail 1"), "{trend}");
    let export = stdout_of(&["history", "export", &url, "--format", "csv"]);
    assert_eq!(export.lines().count(), 4, "{export}");

    // The server stopped: a coded error naming the URL without the password, status 3.
    server.stop();
    let out = kiro(&["history", "list", &url]);
    assert_eq!(out.status.code(), Some(3));
    let err = text(&out.stderr);
    assert!(
        err.contains("KIRO-E084") && err.contains("kiro:***@127.0.0.1"),
        "{err}"
    );
    assert!(!err.contains(postgres_server::PASSWORD), "{err}");
}
