//! `kiro watch` and `kiro replay` against a real Prometheus server (the Debian `prometheus`
//! package): started on a free loopback port over data the test writes — TSDB blocks made by
//! `promtool tsdb create-blocks-from openmetrics`, and an exporter the test serves and
//! Prometheus scrapes every second — and stopped after. Also the failure mapping against a
//! port nobody listens on, a server that answers HTML and one that answers too slowly, and
//! `promtool test rules` checking kiro's expansion of the series notation.
//!
//! Without `prometheus` on `PATH` the tests that need it say SKIPPED, except under CI (`CI`
//! set), where they fail.

#![allow(clippy::panic, reason = "a test fails by panicking")]

mod support;

use kiro::monitor::Reading;
use kiro_adapters::prometheus::client::{Client, Config};
use kiro_adapters::prometheus::notation::{self, Value as Step};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use support::{Prometheus, Server, free_port, prometheus_binaries};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn kiro() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kiro"));
    c.current_dir(root()).stdin(Stdio::null());
    c
}

fn fixture(name: &str) -> String {
    format!("cli/tests/fixtures/watch/{name}")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_code(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// The decisions of a JSON lines file.
fn decisions(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .expect("the decisions were written")
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

/// The first tier of trigger `name` in a decision.
fn tier<'a>(decision: &'a Value, name: &str) -> &'a Value {
    decision["triggers"]
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["name"] == name))
        .map(|t| &t["tiers"][0])
        .unwrap_or(&Value::Null)
}

fn now_s() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

const EXPORTED: &str = "# TYPE error_rate gauge\nerror_rate 2.5\n\
# TYPE availability gauge\navailability{probe=\"a\"} 99.9\navailability{probe=\"b\"} 98.0\n\
# TYPE latency_ratio gauge\nlatency_ratio NaN\n";

#[test]
fn watch_a_live_prometheus_until_the_rollback() {
    let Some(binaries) = prometheus_binaries() else {
        return;
    };
    let exporter = Server::start("text/plain; version=0.0.4", EXPORTED, Duration::ZERO);
    let prometheus = Prometheus::start(&binaries, None, Some(&exporter.addr));
    let jsonl = prometheus.dir().join("decisions.jsonl");
    let out = kiro()
        .args([
            "watch",
            &fixture("live.yaml"),
            "--prometheus",
            &prometheus.url,
        ])
        .args(["--interval", "1s", "--for", "40s", "--color", "never"])
        .args(["--query", "error_rate=error_rate"])
        .args(["--query", "availability=availability"])
        .args(["--query", "latency_ratio=latency_ratio"])
        .arg("--jsonl")
        .arg(&jsonl)
        .output()
        .expect("kiro runs");
    // error_rate 2.5% > 1%, held 2s: the rollback, long before the 40s are up.
    assert_code(&out, 6);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("ended by rollback"), "{stdout}");
    let all = decisions(&jsonl);
    let last = all.last().expect("decisions");
    assert_eq!(last["final"]["reason"], "rollback");
    assert!(
        all.len() >= 3,
        "at least three observations before a 2s hold: {all:?}"
    );
    // Once Prometheus has scraped: two series of availability are a source error naming the
    // count, the NaN is NaN, never a value.
    let scraped = all
        .iter()
        .find(|d| tier(d, "errors")["values"]["error_rate"].is_number())
        .expect("an observation with data");
    // Values are reported in the metric's base unit: 2.5% is 0.025.
    assert_eq!(tier(scraped, "errors")["values"]["error_rate"], 0.025);
    let error = tier(scraped, "availability")["errors"]["availability"]
        .as_str()
        .unwrap_or_default();
    assert!(error.contains("2 series where one was expected"), "{error}");
    assert_eq!(
        tier(scraped, "latency")["nan"],
        serde_json::json!(["latency_ratio"])
    );
    assert_eq!(tier(scraped, "latency")["observed"], "nan");
    // Before the first scrape the vectors were empty: no data, not zero.
    for d in all
        .iter()
        .take_while(|d| !tier(d, "errors")["values"]["error_rate"].is_number())
    {
        assert_eq!(
            tier(d, "errors")["missing"],
            serde_json::json!(["error_rate"])
        );
    }
}

#[test]
fn an_interrupted_watch_exits_8_and_resumes_from_its_state() {
    let Some(binaries) = prometheus_binaries() else {
        return;
    };
    let exporter = Server::start("text/plain; version=0.0.4", EXPORTED, Duration::ZERO);
    let prometheus = Prometheus::start(&binaries, None, Some(&exporter.addr));
    let state = prometheus.dir().join("state.json");
    let jsonl = prometheus.dir().join("decisions.jsonl");
    let lines = || {
        std::fs::read_to_string(&jsonl)
            .map(|t| t.lines().count())
            .unwrap_or(0)
    };
    let run = || {
        let before = lines();
        let child = kiro()
            .args([
                "watch",
                &fixture("calm.yaml"),
                "--prometheus",
                &prometheus.url,
            ])
            .args(["--interval", "1s", "--query", "error_rate=error_rate"])
            .arg("--state")
            .arg(&state)
            .arg("--jsonl")
            .arg(&jsonl)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kiro starts");
        // Two observations written (at most 30 s, on a busy machine), then SIGTERM.
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while lines() < before + 2 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        child.wait_with_output().expect("kiro ends")
    };
    let first = run();
    assert_code(&first, 8);
    let seen = decisions(&jsonl);
    let last = seen.last().expect("decisions");
    assert_eq!(last["event"], "abort");
    assert_eq!(last["final"]["reason"], "abort");
    assert_eq!(last["final"]["detail"], "interrupted");
    let observed_before = tier(&seen[seen.len() - 2], "errors")["counters"]["observations"]
        .as_u64()
        .expect("a count");
    assert!(observed_before >= 2, "{seen:?}");

    // The state was kept as of the last observation: the next watch carries on counting.
    let second = run();
    assert_code(&second, 8);
    assert!(
        text(&second.stderr).contains("resumed"),
        "{}",
        text(&second.stderr)
    );
    let all = decisions(&jsonl);
    let resumed = &all[seen.len()];
    assert_eq!(
        tier(resumed, "errors")["counters"]["observations"].as_u64(),
        Some(observed_before + 1),
        "{resumed}"
    );
}

/// Thirty minutes of one-minute samples, an hour ago: error_rate climbs from 0.2% by 0.1 a
/// minute (above 1% from minute 9); availability has two series.
fn history(start_s: u64) -> String {
    let mut om = String::from("# TYPE error_rate gauge\n");
    for i in 0..30u64 {
        om.push_str(&format!(
            "error_rate {} {}\n",
            0.2 + 0.1 * i as f64,
            start_s + 60 * i
        ));
    }
    om.push_str("# TYPE availability gauge\n");
    for probe in ["a", "b"] {
        for i in 0..30u64 {
            om.push_str(&format!(
                "availability{{probe=\"{probe}\"}} 99.9 {}\n",
                start_s + 60 * i
            ));
        }
    }
    om.push_str("# EOF\n");
    om
}

#[test]
fn query_range_answers_replay_and_instant_queries_map_to_readings() {
    let Some(binaries) = prometheus_binaries() else {
        return;
    };
    let start_s = (now_s() / 60 - 60) * 60;
    let prometheus = Prometheus::start(&binaries, Some(&history(start_s)), None);
    let client = Client::new(&prometheus.url, Config::default()).expect("a client");
    let start_ms = start_s * 1000;
    let end_ms = start_ms + 29 * 60_000;

    // query_range of one series, saved as it came, replays.
    let body = client
        .query_range("error_rate", start_ms, end_ms, 60_000)
        .expect("query_range answers");
    let file = prometheus.dir().join("error_rate.json");
    std::fs::write(&file, &body).expect("saved");
    let out = kiro()
        .args(["replay", "examples/kova/triggers.yaml", "--samples"])
        .arg(&file)
        .args(["--format", "jsonl", "--color", "never"])
        .output()
        .expect("kiro runs");
    // error_rate > 1% from minute 9 (1.1), held 5m at minute 14: the rollback.
    assert_code(&out, 6);
    let lines: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    let last = lines.last().expect("decisions");
    assert_eq!(last["final"]["reason"], "rollback");
    assert_eq!(last["at_ms"], start_ms + 14 * 60_000);

    // Two series for one metric: a coded error naming the count, pointed into the file.
    let body = client
        .query_range("availability", start_ms, end_ms, 60_000)
        .expect("query_range answers");
    let file = prometheus.dir().join("availability.json");
    std::fs::write(&file, &body).expect("saved");
    let out = kiro()
        .args(["replay", "examples/kova/triggers.yaml", "--samples"])
        .arg(&file)
        .args(["--color", "never"])
        .output()
        .expect("kiro runs");
    assert_code(&out, 3);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("KIRO-E004") && stderr.contains("has 2 series"),
        "{stderr}"
    );

    // Instant queries: every answer an explicit reading.
    let at = start_ms + 10 * 60_000;
    assert_eq!(client.query("error_rate", at), Reading::Number(1.2));
    assert_eq!(client.query("no_such_metric", at), Reading::Missing);
    assert_eq!(client.query("0/0", at), Reading::nan());
    assert_eq!(client.query("1/0", at), Reading::nan());
    let failed = |q: &str| match client.query(q, at) {
        Reading::Failed { error } => error,
        other => panic!("`{q}` read as {other:?}"),
    };
    assert!(failed("availability").contains("2 series"));
    assert!(failed("error_rate[5m]").contains("range vector"));
    let bad = failed("sum(");
    assert!(
        bad.contains("HTTP 400") && bad.contains("bad_data"),
        "{bad}"
    );
}

#[test]
fn a_prometheus_that_is_down_is_a_source_error_in_the_trace() {
    let url = format!("http://127.0.0.1:{}", free_port());
    let dir = tempfile::tempdir().expect("a folder");
    let jsonl = dir.path().join("d.jsonl");
    let out = kiro()
        .args(["watch", &fixture("strict.yaml"), "--prometheus", &url])
        .args(["--interval", "200ms", "--for", "20s", "--retries", "0"])
        .args(["--query", "error_rate=error_rate", "--color", "never"])
        .arg("--jsonl")
        .arg(&jsonl)
        .output()
        .expect("kiro runs");
    // Two source errors in a row exceed the limit of one: the rollback, by errors.
    assert_code(&out, 6);
    let all = decisions(&jsonl);
    let error = tier(&all[0], "errors")["errors"]["error_rate"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(error.contains("connection refused"), "{error}");
    assert_eq!(
        all.last().expect("decisions")["final"]["triggers"][0]["result"],
        "acted"
    );
    assert_eq!(tier(&all[1], "errors")["reason"], "error_limit");
}

#[test]
fn the_series_notation_expands_exactly_as_promtool_does() {
    let Some((_, promtool)) = prometheus_binaries() else {
        return;
    };
    // promtool itself checks kiro's expansion: one `promql_expr_test` per step, expecting
    // the value kiro computed (promtool compares the floats exactly), nothing after `stale`.
    // A `_` step is not checked: Prometheus' 5-minute lookback still shows the value before.
    let cases = [
        "0+0.1x10",
        "-2+4x3",
        " 1-2x4",
        "1x4",
        "1 _x3 stale 7",
        "1e-3+1e-3x5 0.1-0.3x6",
        "100+7.77x20 stale _ 3",
    ];
    let mut tests = String::new();
    for (i, values) in cases.iter().enumerate() {
        let steps = notation::expand(values, 1000).expect("kiro reads the notation");
        let mut checks = String::new();
        for (k, (step, _)) in steps.iter().enumerate() {
            let expected = match step {
                Step::Number(v) => {
                    format!("\n          - labels: 'x{{case=\"{i}\"}}'\n            value: {v:?}")
                }
                Step::Stale => " []".to_owned(),
                Step::Missing => continue,
            };
            checks.push_str(&format!(
                "      - expr: x\n        eval_time: {k}m\n        exp_samples:{expected}\n"
            ));
        }
        tests.push_str(&format!(
            "  - interval: 1m\n    input_series:\n      - series: 'x{{case=\"{i}\"}}'\n        values: '{values}'\n    promql_expr_test:\n{checks}"
        ));
    }
    assert!(tests.matches("eval_time").count() > 60, "{tests}");
    let dir = tempfile::tempdir().expect("a folder");
    let file = dir.path().join("notation_test.yaml");
    std::fs::write(
        &file,
        format!("rule_files: []\nevaluation_interval: 1m\ntests:\n{tests}"),
    )
    .expect("written");
    let out = Command::new(promtool)
        .args(["test", "rules"])
        .arg(&file)
        .output()
        .expect("promtool runs");
    assert!(
        out.status.success(),
        "promtool disagrees with kiro's expansion:\n{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

#[test]
fn the_watch_wakes_for_an_approval_deadline_between_rounds() {
    // A stand-in for Prometheus that answers every query with one series of 2.5.
    let answer = r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"2.5"]}]}}"#;
    let server = Server::start("application/json", answer, Duration::ZERO);
    let dir = tempfile::tempdir().expect("a folder");
    let jsonl = dir.path().join("d.jsonl");
    let started = std::time::Instant::now();
    let out = kiro()
        .args([
            "watch",
            &fixture("manual.yaml"),
            "--prometheus",
            &server.url(),
        ])
        .args(["--interval", "1m", "--for", "2m"])
        .args(["--query", "error_rate=error_rate", "--color", "never"])
        .arg("--jsonl")
        .arg(&jsonl)
        .output()
        .expect("kiro runs");
    assert_code(&out, 6);
    // Woken at the 1 s deadline, not at the next round a minute later.
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    let all = decisions(&jsonl);
    let events: Vec<&str> = all.iter().filter_map(|d| d["event"].as_str()).collect();
    assert_eq!(events, ["observe", "tick"]);
    assert_eq!(all[0]["effects"][0]["type"], "request_approval");
    assert_eq!(all[1]["effects"][0]["type"], "act");
    let waited = all[1]["at_ms"].as_u64().unwrap_or(0) - all[0]["at_ms"].as_u64().unwrap_or(0);
    assert!((1000..10_000).contains(&waited), "{waited} ms");
}

#[test]
fn html_and_slow_answers_are_source_errors() {
    let html = Server::start(
        "text/html",
        "<!DOCTYPE html><html><body>Bad gateway</body></html>",
        Duration::ZERO,
    );
    let client = Client::new(&html.url(), Config::default()).expect("a client");
    let Reading::Failed { error } = client.query("up", 0) else {
        panic!("HTML is a source error")
    };
    assert!(
        error.contains("not Prometheus JSON") && error.contains("<!DOCTYPE html>"),
        "{error}"
    );

    let slow = Server::start("application/json", "{}", Duration::from_millis(1500));
    let config = Config {
        timeout: Duration::from_millis(300),
        retries: 1,
        backoff: Duration::from_millis(10),
    };
    let client = Client::new(&slow.url(), config).expect("a client");
    let started = std::time::Instant::now();
    let Reading::Failed { error } = client.query("up", 0) else {
        panic!("a timeout is a source error")
    };
    assert!(
        error.contains("within 300 ms") && error.contains("tried 2 times"),
        "{error}"
    );
    // Two attempts of 300 ms and a short backoff: bounded, never a hang.
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}
