//! `kiro plan` and `kiro run`, run as a user runs them, with real shell commands.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The workspace root: commands run there, so paths in output are short and stable.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// A fresh folder for one test.
fn scratch() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("kiro-pipeline-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

fn command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kiro"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null());
    cmd
}

fn kiro(dir: &Path, args: &[&str]) -> Output {
    command(dir, args).output().expect("the kiro binary runs")
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("kiro exits with a status")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Writes `policy.yaml` in `dir`.
fn policy(dir: &Path, text: &str) {
    std::fs::write(dir.join("policy.yaml"), text).expect("the policy is written");
}

/// `kiro run policy.yaml --format json --logs logs` in `dir`, outside GitHub Actions: the exit
/// status, the result and standard error.
fn run_json(dir: &Path, extra: &[&str]) -> (i32, Value, String) {
    run_with_env(dir, extra, None)
}

fn outcomes(result: &Value) -> Vec<(String, String)> {
    result["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap_or_default().to_owned(),
                s["outcome"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

#[test]
fn plan_shows_the_critical_path_in_every_format() {
    let dir = root();
    let out = kiro(&dir, &["plan", "examples/kova/planning.yaml"]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let human = text(&out.stdout);
    assert!(
        human.contains(
            "critical path: architecture-definition -> threat-model -> infrastructure-plan (7d)"
        ),
        "{human}"
    );

    let out = kiro(
        &dir,
        &["plan", "examples/kova/planning.yaml", "--format", "json"],
    );
    let plan: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(plan["total_ms"], 7 * 86_400_000_u64);
    assert_eq!(plan["waves"].as_array().map(Vec::len), Some(3));

    let out = kiro(
        &dir,
        &["plan", "examples/kova/pipeline.yaml", "--format", "dot"],
    );
    assert!(text(&out.stdout).starts_with("digraph \"kova-web-ci\" {"));
    let out = kiro(
        &dir,
        &["plan", "examples/kova/pipeline.yaml", "--format", "mermaid"],
    );
    assert!(text(&out.stdout).contains("class s0,s1,s2,s3 critical"));
}

#[test]
fn plan_reports_a_cycle_with_its_path() {
    let dir = scratch();
    policy(
        &dir,
        "name: t\npipeline:\n  stages:\n    - {name: build, needs: [test]}\n    - {name: test, needs: [build]}\n",
    );
    let out = kiro(&dir, &["plan", "policy.yaml", "--color", "never"]);
    assert_eq!(code(&out), 3);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("KIRO-E008"), "{stderr}");
    assert!(stderr.contains("`build -> test -> build`"), "{stderr}");
}

#[test]
fn plan_without_a_pipeline_is_an_error() {
    let dir = scratch();
    policy(&dir, "name: t\n");
    let out = kiro(&dir, &["plan", "policy.yaml", "--color", "never"]);
    assert_eq!(code(&out), 3);
    assert!(text(&out.stderr).contains("the policy has no pipeline"));
}

#[test]
fn the_kova_pipeline_passes() {
    let logs = scratch();
    let logs = logs.to_str().expect("a UTF-8 path");
    let out = kiro(
        &root(),
        &["run", "examples/kova/pipeline.yaml", "--logs", logs],
    );
    assert_eq!(
        code(&out),
        0,
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(text(&out.stdout).contains("pass: all 4 stages passed"));
    let metrics =
        std::fs::read_to_string(Path::new(logs).join("code-quality-security-scan.1.metrics.json"))
            .expect("the stage wrote its metrics");
    assert!(metrics.contains("critical_vulns"));
    assert!(Path::new(logs).join("result.json").is_file());
}

#[test]
fn commands_gates_and_failures() {
    let dir = scratch();
    policy(
        &dir,
        r#"name: t
metrics: {x: {}}
pipeline:
  fail_fast: false
  stages:
    - {name: ok, run: "true"}
    - {name: broken, run: "echo oops >&2; exit 3"}
    - {name: after-broken, needs: [broken], run: "true"}
    - name: measured
      run: printf '{"x":1}' > "$KIRO_METRICS"
      criteria: [{name: enough-x, pass: x >= 2}]
    - name: garbled
      run: echo '{"x":' > "$KIRO_METRICS"
"#,
    );
    let (status, result, _) = run_json(&dir, &[]);
    assert_eq!(status, 1);
    assert_eq!(
        outcomes(&result),
        pairs(&[
            ("ok", "passed"),
            ("broken", "failed"),
            ("after-broken", "skipped"),
            ("measured", "failed"),
            ("garbled", "failed"),
        ])
    );
    let stages = &result["stages"];
    assert_eq!(stages[1]["reason"], "exit status 3");
    assert_eq!(
        std::fs::read_to_string(dir.join("logs/broken.1.log")).expect("a log"),
        "oops\n"
    );
    assert_eq!(stages[2]["reason"], "needs `broken`, which failed");
    assert_eq!(stages[3]["gate"]["verdict"], "fail");
    assert_eq!(
        stages[3]["gate"]["gates"][0]["criteria"][0]["explanation"],
        "x 1 < 2 (needs +1)"
    );
    let garbled = stages[4]["reason"].as_str().unwrap_or_default();
    assert!(garbled.starts_with("$KIRO_METRICS: "), "{garbled}");
}

#[test]
fn env_and_workdir() {
    let dir = scratch();
    std::fs::create_dir_all(dir.join("sub")).expect("a folder");
    policy(
        &dir,
        r#"name: t
pipeline:
  stages:
    - {name: greet, run: 'echo "$GREETING $KIRO_STAGE $KIRO_ATTEMPT" > out.txt', workdir: sub, env: {GREETING: hello}}
    - {name: nowhere, needs: [greet], run: "true", workdir: missing}
"#,
    );
    let (status, result, _) = run_json(&dir, &[]);
    assert_eq!(status, 1);
    assert_eq!(
        std::fs::read_to_string(dir.join("sub/out.txt")).expect("the command ran in sub"),
        "hello greet 1\n"
    );
    let reason = result["stages"][1]["reason"].as_str().unwrap_or_default();
    assert!(
        reason.starts_with("cannot start the command in `missing`"),
        "{reason}"
    );
}

#[test]
fn retries_keep_a_log_per_attempt() {
    let dir = scratch();
    policy(
        &dir,
        r#"name: t
pipeline:
  stages:
    - name: flaky
      retries: 2
      backoff: 100ms
      run: 'echo "try $KIRO_ATTEMPT"; if [ -f once ]; then exit 0; fi; touch once; exit 1'
"#,
    );
    let (status, result, stderr) = run_json(&dir, &[]);
    assert_eq!(status, 0, "{stderr}");
    let attempts = result["stages"][0]["attempts"]
        .as_array()
        .expect("attempts");
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0]["outcome"], "failed");
    assert_eq!(attempts[1]["outcome"], "succeeded");
    assert!(attempts[1]["started_at_ms"].as_u64() >= Some(100));
    assert_eq!(
        std::fs::read_to_string(dir.join("logs/flaky.2.log")).expect("a second log"),
        "try 2\n"
    );
    assert!(
        stderr.contains("flaky: failed: exit status 1, retrying in 100ms"),
        "{stderr}"
    );
}

/// Whether process `pid` still runs (not counting a zombie).
fn alive(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| !stat.contains(") Z "))
        .unwrap_or(false)
}

fn wait_dead(pid: &str) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        if !alive(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

#[cfg(target_os = "linux")]
#[test]
fn a_timeout_kills_the_whole_command() {
    let dir = scratch();
    policy(
        &dir,
        r#"name: t
pipeline:
  stages:
    - {name: slow, timeout: 500ms, run: 'sleep 30 & echo $! > child.pid; wait'}
"#,
    );
    let started = Instant::now();
    let (status, result, _) = run_json(&dir, &[]);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(status, 1);
    assert_eq!(result["stages"][0]["outcome"], "timed_out");
    assert_eq!(result["stages"][0]["reason"], "timed out after 500ms");
    let pid = std::fs::read_to_string(dir.join("child.pid")).expect("the command started");
    assert!(
        wait_dead(pid.trim()),
        "the command's child survived the timeout"
    );
}

#[test]
fn fail_fast_cancels_running_stages() {
    let dir = scratch();
    policy(
        &dir,
        r#"name: t
pipeline:
  stages:
    - {name: slow, run: sleep 30}
    - {name: fails, run: sleep 0.2; exit 1}
    - {name: later, needs: [fails], run: "true"}
"#,
    );
    let started = Instant::now();
    let (status, result, _) = run_json(&dir, &[]);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(status, 1);
    assert_eq!(
        outcomes(&result),
        pairs(&[
            ("slow", "cancelled"),
            ("fails", "failed"),
            ("later", "skipped")
        ])
    );
    assert_eq!(
        result["stages"][0]["reason"],
        "stage `fails` failed and fail_fast is on"
    );
    // `--no-fail-fast` lets the independent stage finish.
    policy(
        &dir,
        "name: t\npipeline:\n  stages:\n    - {name: slow, run: sleep 0.3}\n    - {name: fails, run: exit 1}\n",
    );
    let (_, result, _) = run_json(&dir, &["--no-fail-fast"]);
    assert_eq!(
        outcomes(&result),
        pairs(&[("slow", "passed"), ("fails", "failed")])
    );
}

#[test]
fn max_parallel_from_the_command_line() {
    let dir = scratch();
    policy(
        &dir,
        "name: t\npipeline:\n  stages:\n    - {name: a, run: sleep 0.3}\n    - {name: b, run: sleep 0.3}\n",
    );
    let (_, result, _) = run_json(&dir, &["--max-parallel", "1"]);
    let b = result["stages"][1]["started_at_ms"].as_u64().unwrap_or(0);
    assert!(b >= 300, "b started at {b}ms, before a ended");
}

/// Ctrl-C, SIGTERM and SIGHUP all end a run the same way: the stages' process groups are
/// killed and the result is still reported.
#[cfg(unix)]
#[test]
fn ctrl_c_sigterm_and_sighup_cancel_and_still_report() {
    for signal in ["INT", "TERM", "HUP"] {
        let dir = scratch();
        policy(
            &dir,
            r#"name: t
pipeline:
  stages:
    - {name: long, run: 'echo $$ > shell.pid; sleep 30 & echo $! > child.pid; wait'}
    - {name: after, needs: [long], run: "true"}
"#,
        );
        let child = command(
            &dir,
            &["run", "policy.yaml", "--format", "json", "--logs", "logs"],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kiro starts");
        let start = Instant::now();
        while !dir.join("child.pid").exists() && start.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(100));
        let sent = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success());
        let out = child.wait_with_output().expect("kiro ends");
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "SIG{signal}: kiro waited for the stage"
        );
        assert_eq!(code(&out), 1, "SIG{signal}: {}", text(&out.stderr));
        let result: Value =
            serde_json::from_slice(&out.stdout).expect("the result is still printed");
        assert_eq!(result["interrupted"], true, "SIG{signal}");
        assert_eq!(
            outcomes(&result),
            pairs(&[("long", "cancelled"), ("after", "skipped")]),
            "SIG{signal}"
        );
        #[cfg(target_os = "linux")]
        for file in ["shell.pid", "child.pid"] {
            let pid = std::fs::read_to_string(dir.join(file)).expect("a pid");
            assert!(
                wait_dead(pid.trim()),
                "SIG{signal}: the stage's process in {file} survived"
            );
        }
    }
}

/// A stage that makes `$KIRO_METRICS` a named pipe or a link to `/dev/zero`, or writes more
/// than the input limit, fails at once; the run neither blocks nor reads without end.
#[cfg(unix)]
#[test]
fn special_or_huge_metrics_files_fail_the_stage_without_hanging() {
    let dir = scratch();
    policy(
        &dir,
        r#"name: t
pipeline:
  fail_fast: false
  stages:
    - {name: fifo, timeout: 30s, run: 'mkfifo "$KIRO_METRICS"'}
    - {name: zero, timeout: 30s, run: 'ln -s /dev/zero "$KIRO_METRICS"'}
    - {name: huge, timeout: 30s, run: 'head -c 17000000 /dev/zero | tr "\0" " " > "$KIRO_METRICS"'}
    - {name: fine, run: 'echo "{}" > "$KIRO_METRICS"'}
"#,
    );
    let started = Instant::now();
    let (status, result, stderr) = run_json(&dir, &[]);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(status, 1, "{stderr}");
    assert_eq!(
        outcomes(&result),
        pairs(&[
            ("fifo", "failed"),
            ("zero", "failed"),
            ("huge", "failed"),
            ("fine", "passed")
        ])
    );
    let reason = |i: usize| {
        result["stages"][i]["reason"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(
        reason(0),
        "cannot read $KIRO_METRICS: it is a named pipe, not a regular file"
    );
    assert_eq!(
        reason(1),
        "cannot read $KIRO_METRICS: it is a device, not a regular file"
    );
    assert_eq!(
        reason(2),
        "$KIRO_METRICS is larger than the limit of 16 MiB (KIRO-E006)"
    );
}

/// Stage names that a lossy mapping would make one file name (`a/b` and `a_b`, Cyrillic names
/// of one length) get files of their own: a stage that writes no metrics does not pass on its
/// sibling's. A 300-character name runs too.
#[test]
fn stage_files_are_unique_per_stage_name() {
    let dir = scratch();
    let long = "s".repeat(300);
    policy(
        &dir,
        &format!(
            r#"name: t
metrics: {{ok: {{unit: bool}}}}
pipeline:
  fail_fast: false
  stages:
    - {{name: a_b, run: 'echo "{{\"ok\": true}}" > "$KIRO_METRICS"; echo a_b', criteria: [{{name: ok, pass: ok}}]}}
    - {{name: a/b, needs: [a_b], run: 'echo a/b', criteria: [{{name: ok, pass: ok}}]}}
    - {{name: тест, run: 'echo "{{\"ok\": true}}" > "$KIRO_METRICS"', criteria: [{{name: ok, pass: ok}}]}}
    - {{name: проб, needs: [тест], run: 'true', criteria: [{{name: ok, pass: ok}}]}}
    - {{name: {long}x, run: 'echo "{{\"ok\": true}}" > "$KIRO_METRICS"', criteria: [{{name: ok, pass: ok}}]}}
    - {{name: {long}, needs: [{long}x], run: 'echo long', criteria: [{{name: ok, pass: ok}}]}}
"#
        ),
    );
    let (_, result, stderr) = run_json(&dir, &[]);
    assert_eq!(
        outcomes(&result),
        pairs(&[
            ("a_b", "passed"),
            ("a/b", "failed"),
            ("тест", "passed"),
            ("проб", "failed"),
            (format!("{long}x").as_str(), "passed"),
            (long.as_str(), "failed"),
        ]),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("logs/a_b.1.log")).expect("a_b's log"),
        "a_b\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("logs/a%2Fb.1.log")).expect("a/b's log"),
        "a/b\n"
    );
    let logs: Vec<String> = std::fs::read_dir(dir.join("logs"))
        .expect("the log folder")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".log"))
        .collect();
    assert_eq!(logs.len(), 6, "{logs:?}");
}

/// Runs started together in one folder each claim a run folder of their own, and each stage
/// passes only on the metrics it wrote.
#[test]
fn concurrent_runs_never_share_a_folder() {
    let dir = scratch();
    policy(
        &dir,
        r#"name: t
metrics: {run: {}}
pipeline:
  stages:
    - name: s
      run: 'sleep 0.1; [ -f "$KIRO_METRICS" ] && exit 9; echo "{\"run\": $RUN}" > "$KIRO_METRICS"'
      criteria: [{name: mine, pass: run == 1}]
"#,
    );
    for round in 0..3 {
        let children: Vec<_> = (0..4)
            .map(|i| {
                command(&dir, &["run", "policy.yaml", "--format", "json"])
                    .env("RUN", if i == 0 { "1" } else { "2" })
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("kiro starts")
            })
            .collect();
        let outs: Vec<Output> = children
            .into_iter()
            .map(|c| c.wait_with_output().expect("kiro ends"))
            .collect();
        for (i, out) in outs.iter().enumerate() {
            let result: Value = serde_json::from_slice(&out.stdout).expect("a result");
            let expected = if i == 0 { "passed" } else { "failed" };
            assert_eq!(
                result["stages"][0]["outcome"],
                expected,
                "round {round}, run {i}: {}",
                text(&out.stderr)
            );
        }
        let folders = std::fs::read_dir(dir.join(".kiro/runs"))
            .expect("the runs folder")
            .count();
        assert_eq!(folders, 4 * (round + 1));
    }
}

#[test]
fn reports_in_every_format_and_numbered_log_folders() {
    let dir = scratch();
    policy(
        &dir,
        "name: t\npipeline:\n  stages:\n    - {name: a, run: 'true'}\n    - {name: b, run: exit 1, continue_on_failure: true}\n",
    );
    let out = kiro(&dir, &["run", "policy.yaml", "--color", "never"]);
    assert_eq!(code(&out), 0, "warn exits 0");
    let human = text(&out.stdout);
    assert!(
        human.contains("warn: 1 stage failed with continue_on_failure (`b`)"),
        "{human}"
    );
    assert!(dir.join(".kiro/runs/1/a.1.log").is_file());
    let out = kiro(
        &dir,
        &["run", "policy.yaml", "--fail-on-warn", "--format", "junit"],
    );
    assert_eq!(code(&out), 2);
    assert!(text(&out.stdout).contains("<testcase classname=\"t\" name=\"a\""));
    assert!(dir.join(".kiro/runs/2/b.1.log").is_file());
    let out = kiro(&dir, &["run", "policy.yaml", "--format", "markdown"]);
    assert!(text(&out.stdout).contains("| `b` | **failed** (allowed) |"));
}

#[test]
fn run_without_a_pipeline_is_an_error() {
    let dir = scratch();
    policy(&dir, "name: t\n");
    let out = kiro(&dir, &["run", "policy.yaml"]);
    assert_eq!(code(&out), 3);
}

#[test]
fn the_markdown_report_names_the_criteria_behind_an_exit_gate() {
    let dir = scratch();
    policy(
        &dir,
        r#"name: t
metrics: {coverage: {unit: "%"}, vulns: {unit: count}}
pipeline:
  stages:
    - name: test
      run: |
        printf '{"coverage": 85, "vulns": 0}' > "$KIRO_METRICS"
      criteria:
        - {name: coverage, pass: coverage >= 90%, warn: coverage >= 80%}
        - {name: vulns, pass: vulns == 0}
"#,
    );
    let out = kiro(&dir, &["run", "policy.yaml", "--format", "markdown"]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let markdown = text(&out.stdout);
    assert!(
        markdown.starts_with("## kiro run: **WARN**\n"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| `test` | passed | ")
            && markdown.contains(" | 1 | **warn**: `coverage` warn |"),
        "{markdown}"
    );
}

/// One run, several reports: JSON on standard output, JUnit to a file, Markdown appended to a
/// summary, all of the same result.
#[test]
fn one_run_writes_every_report_asked_for() {
    let dir = scratch();
    policy(
        &dir,
        "name: t\npipeline:\n  stages:\n    - {name: ok, run: \"true\"}\n    - {name: broken, run: \"exit 3\"}\n",
    );
    std::fs::write(dir.join("summary.md"), "before\n").expect("a summary");
    let (status, result, _) = run_json(
        &dir,
        &[
            "--report",
            "junit=kiro.xml",
            "--report",
            "markdown+=summary.md",
        ],
    );
    assert_eq!(status, 1);
    assert_eq!(result["verdict"], "fail");
    let junit = std::fs::read_to_string(dir.join("kiro.xml")).expect("the JUnit report");
    assert!(junit.contains("failures=\"1\""), "{junit}");
    let md = std::fs::read_to_string(dir.join("summary.md")).expect("the summary");
    assert!(md.starts_with("before\n## kiro run: **FAIL**"), "{md}");
    std::fs::remove_dir_all(&dir).ok();
}

/// A run's saved result renders to the same Markdown the run wrote.
#[test]
fn render_gives_a_saved_run_result_the_same_report() {
    let dir = scratch();
    policy(
        &dir,
        "name: t\npipeline:\n  stages:\n    - {name: ok, run: \"true\"}\n    - {name: broken, run: \"exit 3\"}\n",
    );
    let run = kiro(
        &dir,
        &[
            "run",
            "policy.yaml",
            "--logs",
            "logs",
            "--format",
            "markdown",
            "--report",
            "json=saved.json",
        ],
    );
    assert_eq!(code(&run), 1);
    let rendered = kiro(&dir, &["render", "saved.json", "--format", "markdown"]);
    assert_eq!(code(&rendered), 1, "{}", text(&rendered.stderr));
    assert_eq!(text(&rendered.stdout), text(&run.stdout));
    std::fs::remove_dir_all(&dir).ok();
}

/// Runs `policy.yaml` in `dir` with `args` after `run policy.yaml --format json --logs logs`,
/// and `GITHUB_ACTIONS` set to `github` (or unset): the exit status, the result and standard
/// error.
fn run_with_env(dir: &Path, args: &[&str], github: Option<&str>) -> (i32, Value, String) {
    let mut cmd = command(
        dir,
        &["run", "policy.yaml", "--format", "json", "--logs", "logs"],
    );
    cmd.args(args);
    match github {
        Some(value) => cmd.env("GITHUB_ACTIONS", value),
        None => cmd.env_remove("GITHUB_ACTIONS"),
    };
    let out = cmd.output().expect("the kiro binary runs");
    let result = serde_json::from_slice::<Value>(&out.stdout);
    assert!(
        result.is_ok(),
        "{result:?}: {}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let result = result.unwrap_or_default();
    (code(&out), result, text(&out.stderr))
}

#[test]
fn stage_output_is_streamed_grouped_or_quiet_on_standard_error() {
    let dir = scratch();
    policy(
        &dir,
        "name: t\npipeline:\n  stages:\n    - {name: build, run: 'echo one; echo two >&2; printf three'}\n",
    );
    let (status, result, stderr) = run_with_env(&dir, &["--stage-output", "stream"], None);
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(
        result["verdict"], "pass",
        "standard output is the result only"
    );
    assert!(
        stderr.contains("build | one\nbuild | two\nbuild | three\n"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("logs/build.1.log")).expect("a log"),
        "one\ntwo\nthree",
        "the log has every byte, in order"
    );
    let (_, _, stderr) = run_with_env(&dir, &["--stage-output", "group"], None);
    assert!(
        stderr.contains("::group::build\none\ntwo\nthree\n::endgroup::\n"),
        "{stderr}"
    );
    assert!(!stderr.contains("build | "), "{stderr}");
    let (_, _, stderr) = run_with_env(&dir, &["--stage-output", "quiet"], None);
    assert!(
        !stderr.contains("one") && !stderr.contains("::group::"),
        "{stderr}"
    );
    // `auto`, the default: grouped under GitHub Actions, streamed elsewhere.
    let (_, _, stderr) = run_with_env(&dir, &[], Some("true"));
    assert!(stderr.contains("::group::build\n"), "{stderr}");
    let (_, _, stderr) = run_with_env(&dir, &[], None);
    assert!(stderr.contains("build | one\n"), "{stderr}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_failed_stage_shows_the_end_of_its_log() {
    let dir = scratch();
    policy(
        &dir,
        "name: t\npipeline:\n  stages:\n    - {name: test, run: 'for i in $(seq 1 30); do echo \"line $i\"; done; exit 1'}\n",
    );
    let (status, _, stderr) = run_with_env(&dir, &["--stage-output", "quiet"], None);
    assert_eq!(status, 1);
    let tail: String = (11..=30).map(|i| format!("  line {i}\n")).collect();
    assert!(
        stderr.contains(&format!(
            "test: failed: exit status 1\ntest: the last 20 lines of `logs/test.1.log`:\n{tail}"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("line 10\n"), "{stderr}");
    let (_, _, stderr) = run_with_env(&dir, &["--stage-output", "quiet", "--log-tail", "2"], None);
    assert!(
        stderr.contains("the last 2 lines of `logs/test.1.log`:\n  line 29\n  line 30\n"),
        "{stderr}"
    );
    let (_, _, stderr) = run_with_env(&dir, &["--stage-output", "quiet", "--log-tail", "0"], None);
    assert!(!stderr.contains("line 30"), "{stderr}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_exit_gate_decides_on_a_failed_command_and_only_transient_failures_are_retried() {
    let dir = scratch();
    policy(
        &dir,
        r#"name: t
metrics: {failed_tests: {unit: count}}
pipeline:
  fail_fast: false
  stages:
    - name: test
      retries: 2
      on_action_failure: gate
      run: |
        printf '{"failed_tests": 2}' > "$KIRO_METRICS"; exit 1
      criteria: [{name: red, pass: failed_tests == 0, warn: failed_tests <= 3}]
    - name: fetch
      retries: 3
      retry_on: [{exit: [75]}]
      run: if [ "$KIRO_ATTEMPT" = 1 ]; then exit 75; else exit 4; fi
"#,
    );
    let (status, result, stderr) = run_with_env(&dir, &["--stage-output", "quiet"], None);
    assert_eq!(status, 1, "{stderr}");
    let test = &result["stages"][0];
    assert_eq!(test["outcome"], "passed");
    assert_eq!(test["gate"]["verdict"], "warn");
    assert_eq!(test["reason"], "exit status 1; exit gate `test` warn");
    assert_eq!(test["attempts"].as_array().map(Vec::len), Some(1));
    let fetch = &result["stages"][1];
    assert_eq!(fetch["outcome"], "failed");
    assert_eq!(fetch["reason"], "exit status 4 (after 2 attempts)");
    std::fs::remove_dir_all(&dir).ok();
}

/// The Markdown of a run (rendered from a saved result, so that its times are fixed): the
/// table, then the criteria behind each exit gate's verdict with their explanations.
#[test]
fn snapshot_run_markdown_names_the_criteria_behind_each_exit_gate() {
    let out = kiro(
        &root(),
        &[
            "render",
            "cli/tests/fixtures/run/result.json",
            "--format",
            "markdown",
        ],
    );
    assert_eq!(code(&out), 1, "{}", text(&out.stderr));
    insta::assert_snapshot!("run_markdown", text(&out.stdout));
}
