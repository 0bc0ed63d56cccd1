//! The `kiro` binary, run as a user runs it: exit statuses, reports and diagnostics.
//!
//! Reports and diagnostics are compared with committed snapshots in `tests/snapshots/`
//! (`insta`). After an intended change, regenerate them with
//! `INSTA_UPDATE=always cargo test -p kiro-cli` and review the diff.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const EXAMPLE: &str = "examples/kova/kiro.yaml";
const PASS: &str = "examples/kova/metrics/pass.json";
const WARN: &str = "examples/kova/metrics/warn.json";
const FAIL: &str = "examples/kova/metrics/fail.json";

/// The workspace root: commands run there, so paths in output are short and stable.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn command(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kiro"));
    cmd.args(args)
        .current_dir(root())
        .env_remove("NO_COLOR")
        .stdin(Stdio::null());
    cmd
}

fn kiro(args: &[&str]) -> Output {
    command(args).output().expect("the kiro binary runs")
}

fn kiro_with_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = command(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the kiro binary runs");
    // kiro may refuse the arguments and exit before reading its input: a broken pipe is then
    // expected, and the exit status is what the test checks.
    let written = child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(stdin.as_bytes());
    if let Err(e) = written {
        assert_eq!(
            e.kind(),
            std::io::ErrorKind::BrokenPipe,
            "writing stdin: {e}"
        );
    }
    child.wait_with_output().expect("kiro finishes")
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("kiro exits with a status")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

/// Asserts the exit status, showing both streams when it differs.
fn assert_code(output: &Output, expected: i32) {
    assert_eq!(
        code(output),
        expected,
        "stdout:\n{}\nstderr:\n{}",
        stdout(output),
        stderr(output)
    );
}

/// A temporary directory for one test, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("kiro-cli-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }

    fn file(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).expect("write temp file");
        path.display().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

// ---------------------------------------------------------------- exit statuses

#[test]
fn pass_exits_0() {
    let out = kiro(&["check", EXAMPLE, "--metrics", PASS]);
    assert_code(&out, 0);
    assert!(stdout(&out).contains("verdict: PASS"), "{}", stdout(&out));
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
}

#[test]
fn warn_exits_0_and_2_with_fail_on_warn() {
    let out = kiro(&["check", EXAMPLE, "--metrics", WARN]);
    assert_code(&out, 0);
    assert!(stdout(&out).contains("verdict: WARN"), "{}", stdout(&out));
    let out = kiro(&["check", EXAMPLE, "--metrics", WARN, "--fail-on-warn"]);
    assert_code(&out, 2);
}

#[test]
fn fail_exits_1_with_or_without_fail_on_warn() {
    assert_code(&kiro(&["check", EXAMPLE, "--metrics", FAIL]), 1);
    assert_code(
        &kiro(&["check", EXAMPLE, "--metrics", FAIL, "--fail-on-warn"]),
        1,
    );
}

#[test]
fn pass_with_fail_on_warn_exits_0() {
    assert_code(
        &kiro(&["check", EXAMPLE, "--metrics", PASS, "--fail-on-warn"]),
        0,
    );
}

#[test]
fn no_metrics_means_no_data() {
    // Every criterion falls back to its missing-data rule, by default fail.
    let out = kiro(&["check", EXAMPLE, "--format", "json"]);
    assert_code(&out, 1);
    assert!(stdout(&out).contains("\"verdict\":\"fail\""));
}

#[test]
fn a_bad_policy_exits_3() {
    let out = kiro(&[
        "check",
        "cli/tests/fixtures/unit-mismatch.yaml",
        "--metrics",
        PASS,
    ]);
    assert_code(&out, 3);
    assert!(stderr(&out).contains("KIRO-E012"), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
}

#[test]
fn bad_metrics_exit_3() {
    let out = kiro(&[
        "check",
        EXAMPLE,
        "--metrics",
        "cli/tests/fixtures/metrics-malformed.json",
    ]);
    assert_code(&out, 3);
    let err = stderr(&out);
    assert!(err.contains("KIRO-E020"), "{err}");
    assert!(
        err.contains("cli/tests/fixtures/metrics-malformed.json:1:"),
        "{err}"
    );
}

#[test]
fn a_missing_file_exits_3() {
    let out = kiro(&["check", "no/such/policy.yaml"]);
    assert_code(&out, 3);
    assert_eq!(
        stderr(&out),
        "error: cannot read policy file `no/such/policy.yaml`: no such file\n"
    );
    let out = kiro(&["check", EXAMPLE, "--metrics", "no/such/metrics.json"]);
    assert_code(&out, 3);
    assert!(stderr(&out).contains("cannot read metrics file `no/such/metrics.json`"));
}

#[test]
fn a_directory_is_not_a_policy() {
    let out = kiro(&["validate", "cli/tests"]);
    assert_code(&out, 3);
    assert!(
        stderr(&out).contains("it is a directory"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn usage_errors_exit_3_and_help_exits_0() {
    assert_code(&kiro(&["check"]), 3);
    assert_code(&kiro(&["frobnicate"]), 3);
    assert_code(
        &kiro(&["check", EXAMPLE, "--gate", "a", "--kind", "custom"]),
        3,
    );
    assert_code(&kiro(&["check", EXAMPLE, "--format", "yaml"]), 3);
    let help = kiro(&["--help"]);
    assert_code(&help, 0);
    assert!(stdout(&help).contains("check"));
    let version = kiro(&["--version"]);
    assert_code(&version, 0);
    assert!(stdout(&version).starts_with("kiro "));
}

// ---------------------------------------------------------------- selection and overrides

#[test]
fn a_gate_can_be_selected_by_name_or_kind() {
    let out = kiro(&[
        "check",
        EXAMPLE,
        "--metrics",
        FAIL,
        "--gate",
        "performance-build",
        "--format",
        "json",
    ]);
    let json = stdout(&out);
    assert!(json.contains("\"performance-build\""), "{json}");
    assert!(!json.contains("\"code-quality-security\""), "{json}");
    let out = kiro(&[
        "check",
        EXAMPLE,
        "--metrics",
        PASS,
        "--kind",
        "pre-deploy",
        "--format",
        "json",
    ]);
    assert_code(&out, 0);
    assert!(!stdout(&out).contains("\"comprehensive-testing\""));
}

#[test]
fn a_bad_selection_exits_3() {
    let out = kiro(&[
        "check",
        EXAMPLE,
        "--metrics",
        PASS,
        "--gate",
        "performance-bild",
    ]);
    assert_code(&out, 3);
    let err = stderr(&out);
    assert!(err.contains("KIRO-E005"), "{err}");
    assert!(err.contains("did you mean `performance-build`?"), "{err}");
    let out = kiro(&["check", EXAMPLE, "--metrics", PASS, "--kind", "pre-merj"]);
    assert_code(&out, 3);
    assert!(stderr(&out).contains("KIRO-E003"), "{}", stderr(&out));
    let out = kiro(&["check", EXAMPLE, "--metrics", PASS, "--kind", "post-deploy"]);
    assert_code(&out, 3);
    assert!(stderr(&out).contains("KIRO-E030"), "{}", stderr(&out));
}

#[test]
fn overrides_replace_file_values() {
    // fail.json has a critical vulnerability and a 612KB bundle; override both away.
    let out = kiro(&[
        "check",
        EXAMPLE,
        "--metrics",
        FAIL,
        "--gate",
        "code-quality-security",
        "--metric",
        "security.critical_vulns=0",
        "--metric",
        "security.high_vulns=0",
        "--format",
        "json",
    ]);
    assert_code(&out, 0);
}

#[test]
fn a_bad_override_points_into_the_argument() {
    let out = kiro(&["check", EXAMPLE, "--metric", "coverage"]);
    assert_code(&out, 3);
    let err = stderr(&out);
    assert!(err.contains("KIRO-E023"), "{err}");
    assert!(err.contains("--metric"), "{err}");
    // A value of the wrong dimension is reported against the argument, not the metrics file.
    let out = kiro(&[
        "check",
        EXAMPLE,
        "--metrics",
        PASS,
        "--metric",
        "build.bundle_size=12ms",
    ]);
    assert_code(&out, 3);
    let err = stderr(&out);
    assert!(err.contains("KIRO-E022"), "{err}");
    assert!(err.contains("--metric"), "{err}");
    assert!(err.contains("build.bundle_size=12ms"), "{err}");
    assert!(!err.contains("pass.json"), "{err}");
}

#[test]
fn metrics_can_come_from_stdin() {
    let text = std::fs::read_to_string(root().join(PASS)).expect("example metrics");
    let out = kiro_with_stdin(&["check", EXAMPLE, "--metrics", "-"], &text);
    assert_code(&out, 0);
    let out = kiro_with_stdin(&["check", "-", "--metrics", "-"], &text);
    assert_code(&out, 3);
}

#[test]
fn yaml_metrics_are_read_by_extension() {
    let dir = TempDir::new("yaml-metrics");
    let metrics = dir.file(
        "m.yml",
        "security: {critical_vulns: 0, high_vulns: 0}\nquality: {score: 91.5}\n",
    );
    let out = kiro(&[
        "check",
        EXAMPLE,
        "--metrics",
        &metrics,
        "--gate",
        "code-quality-security",
        "--format",
        "json",
    ]);
    // architecture.compliance has no data: fail closed.
    assert_code(&out, 1);
    assert!(
        stdout(&out).contains("\"security.critical_vulns\":0"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn the_policy_format_can_be_given_or_detected() {
    let dir = TempDir::new("policy-format");
    let text = std::fs::read_to_string(root().join("examples/kova/kiro.toml")).expect("example");
    let policy = dir.file("policy.txt", &text);
    assert_code(&kiro(&["validate", &policy]), 0);
    assert_code(&kiro(&["validate", &policy, "--policy-format", "toml"]), 0);
    let out = kiro(&["validate", &policy, "--policy-format", "json"]);
    assert_code(&out, 3);
    assert!(stderr(&out).contains("KIRO-E001"), "{}", stderr(&out));
}

#[test]
fn yaml_json_and_toml_policies_decide_the_same() {
    let decide = |policy: &str| {
        let out = kiro(&["check", policy, "--metrics", WARN, "--format", "json"]);
        assert_code(&out, 0);
        stdout(&out)
    };
    let yaml = decide(EXAMPLE);
    assert_eq!(decide("examples/kova/kiro.json"), yaml);
    assert_eq!(decide("examples/kova/kiro.toml"), yaml);
}

// ---------------------------------------------------------------- output

#[test]
fn output_writes_the_report_to_a_file() {
    let dir = TempDir::new("output");
    let path = dir.0.join("report.xml");
    let path_text = path.display().to_string();
    let out = kiro(&[
        "check",
        EXAMPLE,
        "--metrics",
        FAIL,
        "--format",
        "junit",
        "--output",
        &path_text,
    ]);
    assert_code(&out, 1);
    assert!(out.stdout.is_empty());
    let written = std::fs::read_to_string(&path).expect("report written");
    assert!(written.starts_with("<?xml"));
    let out = kiro(&[
        "check",
        EXAMPLE,
        "--metrics",
        FAIL,
        "--output",
        "no/such/dir/report.txt",
    ]);
    assert_code(&out, 3);
    assert!(
        stderr(&out).contains("cannot write `no/such/dir/report.txt`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn colour_is_off_for_pipes_and_on_when_asked() {
    let plain = kiro(&["check", EXAMPLE, "--metrics", FAIL]);
    assert!(!stdout(&plain).contains('\x1b'));
    let coloured = kiro(&["check", EXAMPLE, "--metrics", FAIL, "--color", "always"]);
    assert!(stdout(&coloured).contains("\x1b[1;31mFAIL\x1b[0m"));
    let never = kiro(&["check", EXAMPLE, "--metrics", FAIL, "--color", "never"]);
    assert_eq!(stdout(&never), stdout(&plain));
    let diagnostics = kiro(&[
        "validate",
        "cli/tests/fixtures/unit-mismatch.yaml",
        "--color",
        "always",
    ]);
    assert!(stderr(&diagnostics).contains('\x1b'));
}

#[test]
fn json_is_the_canonical_decision() {
    let out = kiro(&["check", EXAMPLE, "--metrics", FAIL, "--format", "json"]);
    let text = stdout(&out);
    assert!(text.ends_with("}\n"));
    assert_eq!(text.matches('\n').count(), 1, "one line");
    assert!(text.starts_with("{\"verdict\":\"fail\""), "{text}");
}

#[test]
fn json_is_exactly_what_the_library_gives() {
    let policy_text = std::fs::read_to_string(root().join(EXAMPLE)).expect("example policy");
    let metrics_text = std::fs::read_to_string(root().join(FAIL)).expect("example metrics");
    let policy = kiro::CompiledPolicy::from_text(&policy_text, Some(kiro::Format::Yaml))
        .expect("the example compiles");
    let metrics =
        kiro::MetricsInput::parse(&metrics_text, kiro::Format::Json).expect("the metrics read");
    let decision = policy
        .check(&metrics, &kiro::Selection::all())
        .expect("the check runs");
    let out = kiro(&["check", EXAMPLE, "--metrics", FAIL, "--format", "json"]);
    assert_eq!(stdout(&out), kiro::decision_to_json(&decision) + "\n");
}

// ---------------------------------------------------------------- snapshots

#[test]
fn snapshot_human_reports() {
    for (name, metrics) in [("pass", PASS), ("warn", WARN), ("fail", FAIL)] {
        let out = kiro(&["check", EXAMPLE, "--metrics", metrics]);
        insta::assert_snapshot!(format!("check_{name}_human"), stdout(&out));
    }
}

#[test]
fn snapshot_markdown_report() {
    let out = kiro(&["check", EXAMPLE, "--metrics", FAIL, "--format", "markdown"]);
    insta::assert_snapshot!("check_fail_markdown", stdout(&out));
}

#[test]
fn snapshot_junit_report() {
    let out = kiro(&["check", EXAMPLE, "--metrics", FAIL, "--format", "junit"]);
    insta::assert_snapshot!("check_fail_junit", stdout(&out));
}

#[test]
fn snapshot_json_report() {
    let out = kiro(&["check", EXAMPLE, "--metrics", WARN, "--format", "json"]);
    insta::assert_snapshot!("check_warn_json", stdout(&out));
}

#[test]
fn snapshot_unit_mismatch_diagnostic() {
    let out = kiro(&["validate", "cli/tests/fixtures/unit-mismatch.yaml"]);
    assert_code(&out, 3);
    insta::assert_snapshot!("diagnostic_unit_mismatch", stderr(&out));
}

#[test]
fn snapshot_malformed_yaml_diagnostic() {
    let out = kiro(&["validate", "cli/tests/fixtures/malformed.yaml"]);
    assert_code(&out, 3);
    insta::assert_snapshot!("diagnostic_malformed_yaml", stderr(&out));
}

#[test]
fn snapshot_every_problem_of_a_policy_in_one_run() {
    let out = kiro(&["validate", "cli/tests/fixtures/typos.yaml"]);
    assert_code(&out, 3);
    insta::assert_snapshot!("diagnostic_every_problem", stderr(&out));
}

#[test]
fn snapshot_validate_ok() {
    let out = kiro(&["validate", EXAMPLE]);
    assert_code(&out, 0);
    insta::assert_snapshot!("validate_ok", stdout(&out));
}

// ---------------------------------------------------------------- schema

#[test]
fn schema_matches_the_committed_file() {
    let out = kiro(&["schema"]);
    assert_code(&out, 0);
    let committed =
        std::fs::read_to_string(root().join("docs/policy.schema.json")).unwrap_or_default();
    assert!(
        stdout(&out) == committed,
        "docs/policy.schema.json is out of date; regenerate it with\n  \
         cargo run -q -p kiro-cli -- schema > docs/policy.schema.json"
    );
}

// ---------------------------------------------------------------- hostile input

#[test]
fn a_50_mb_policy_is_refused_before_reading() {
    let dir = TempDir::new("huge");
    let path = dir.0.join("huge.yaml");
    let file = std::fs::File::create(&path).expect("create");
    file.set_len(50 * 1024 * 1024).expect("grow to 50 MB");
    drop(file);
    let started = Instant::now();
    let out = kiro(&["check", &path.display().to_string()]);
    let took = started.elapsed();
    assert_code(&out, 3);
    let err = stderr(&out);
    assert!(err.contains("KIRO-E006"), "{err}");
    assert!(err.contains("50.0 MiB"), "{err}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
}

#[test]
fn a_100000_deep_condition_is_refused_without_a_crash() {
    let dir = TempDir::new("deep");
    let condition = format!(
        "{}coverage >= 90%{}",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    let policy = dir.file(
        "deep.yaml",
        &format!(
            "name: deep\nmetrics:\n  coverage: {{unit: \"%\"}}\ngates:\n  - name: g\n    kind: custom\n    criteria:\n      - name: c\n        pass: '{condition}'\n"
        ),
    );
    let started = Instant::now();
    let out = kiro(&["check", &policy]);
    assert_code(&out, 3);
    assert!(stderr(&out).contains("KIRO-E015"), "{}", stderr(&out));
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn deep_nesting_within_the_length_limit_is_refused_too() {
    // 30,000 levels in 60 KB: under the 64 KiB length limit, far over the depth limit.
    let dir = TempDir::new("deep-short");
    let condition = format!(
        "{}coverage >= 90%{}",
        "(".repeat(30_000),
        ")".repeat(30_000)
    );
    let policy = dir.file(
        "deep.yaml",
        &format!(
            "name: deep\nmetrics:\n  coverage: {{unit: \"%\"}}\ngates:\n  - name: g\n    kind: custom\n    criteria:\n      - name: c\n        pass: '{condition}'\n"
        ),
    );
    let out = kiro(&["validate", &policy]);
    assert_code(&out, 3);
    let err = stderr(&out);
    assert!(err.contains("KIRO-E015"), "{err}");
    assert!(err.contains("nested"), "{err}");
}

#[test]
fn a_policy_from_stdin_is_detected() {
    let text = std::fs::read_to_string(root().join("examples/kova/kiro.toml")).expect("example");
    let out = kiro_with_stdin(&["check", "-", "--metrics", PASS], &text);
    assert_code(&out, 0);
}

#[test]
fn a_metrics_array_is_refused() {
    let out = kiro(&[
        "check",
        EXAMPLE,
        "--metrics",
        "cli/tests/fixtures/metrics-array.json",
    ]);
    assert_code(&out, 3);
    assert!(stderr(&out).contains("KIRO-E021"), "{}", stderr(&out));
}

#[test]
fn a_policy_that_is_not_utf8_is_refused() {
    let dir = TempDir::new("latin1");
    let path = dir.0.join("latin1.yaml");
    std::fs::write(&path, b"name: caf\xe9\n").expect("write");
    let out = kiro(&["validate", &path.display().to_string()]);
    assert_code(&out, 3);
    assert!(stderr(&out).contains("KIRO-E001"), "{}", stderr(&out));
    assert!(stderr(&out).contains("not UTF-8"), "{}", stderr(&out));
}

/// Runs `kiro` with `args` and kills it if it has not ended within `limit`: the test fails
/// instead of hanging when kiro blocks.
fn kiro_within(args: &[&str], limit: Duration) -> Output {
    let mut child = command(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the kiro binary runs");
    let started = Instant::now();
    while child.try_wait().expect("kiro can be waited for").is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            unreachable!("kiro {args:?} did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("kiro finishes")
}

#[cfg(unix)]
#[test]
fn special_files_are_refused_without_blocking_or_reading_them() {
    let dir = TempDir::new("special");
    let fifo = dir.0.join("metrics.json");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let zero = dir.0.join("zero.json");
    std::os::unix::fs::symlink("/dev/zero", &zero).expect("a link to /dev/zero");
    let fifo = fifo.display().to_string();
    let zero = zero.display().to_string();
    for (args, what) in [
        (
            vec!["check", EXAMPLE, "--metrics", fifo.as_str()],
            "a named pipe",
        ),
        (
            vec!["check", EXAMPLE, "--metrics", zero.as_str()],
            "a device",
        ),
        (vec!["check", zero.as_str()], "a device"),
        (vec!["validate", fifo.as_str()], "a named pipe"),
        (vec!["check", "/dev/zero", "--metrics", PASS], "a device"),
    ] {
        let out = kiro_within(&args, Duration::from_secs(10));
        assert_code(&out, 3);
        let err = stderr(&out);
        assert!(
            err.contains(&format!("it is {what}, not a regular file")),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn empty_and_blank_metrics_files_say_so() {
    let dir = TempDir::new("empty-metrics");
    for (name, text) in [
        ("e.json", ""),
        ("b.json", " \n\t\n"),
        ("b.yaml", "\n"),
        ("e.toml", ""),
    ] {
        let path = dir.0.join(name);
        std::fs::write(&path, text).expect("write");
        let out = kiro(&["check", EXAMPLE, "--metrics", &path.display().to_string()]);
        assert_code(&out, 3);
        let err = stderr(&out);
        assert!(err.contains("KIRO-E021"), "{name}: {err}");
        assert!(err.contains("the metrics input is empty"), "{name}: {err}");
    }
}

/// The metrics text is read by kiro's own YAML reader here (the bindings take host data), so
/// merge keys are tested in the CLI and the core; a YAML 1.1 reader would merge them in.
#[test]
fn yaml_merge_keys_in_metrics_are_refused() {
    let dir = TempDir::new("merge-metrics");
    let path = dir.file("m.yaml", "defaults: &d {coverage: 95}\n<<: *d\n");
    let out = kiro(&["check", EXAMPLE, "--metrics", &path]);
    assert_code(&out, 3);
    let err = stderr(&out);
    assert!(err.contains("KIRO-E020"), "{err}");
    assert!(
        err.contains("invalid yaml: merge keys (`<<`) are not supported"),
        "{err}"
    );
}

/// With standard output closed the report would be lost: kiro says so and exits 3, whatever
/// the verdict; `-o FILE` still works, and a shell's `> /dev/null` keeps the verdict's status.
#[cfg(target_os = "linux")]
#[test]
fn a_closed_standard_output_is_an_error_not_a_lost_report() {
    let shell = |redirect: &str, extra: &str| {
        Command::new("sh")
            .arg("-c")
            .arg(format!(
                "exec \"$0\" check {EXAMPLE} --metrics {PASS} {extra} {redirect}"
            ))
            .arg(env!("CARGO_BIN_EXE_kiro"))
            .current_dir(root())
            .output()
            .expect("sh runs")
    };
    let closed = shell(">&-", "");
    assert_eq!(closed.status.code(), Some(3));
    let err = String::from_utf8_lossy(&closed.stderr);
    assert!(err.contains("standard output is closed"), "{err}");
    let dir = std::env::temp_dir().join(format!("kiro-closed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let file = dir.join("report.txt");
    let to_file = shell(">&-", &format!("-o {}", file.display()));
    assert_eq!(to_file.status.code(), Some(0));
    assert!(
        std::fs::read_to_string(&file)
            .expect("the report")
            .contains("PASS")
    );
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(shell("> /dev/null", "").status.code(), Some(0));
}

/// The CI recipe of docs/cli.md, run as GitHub Actions runs a step (`bash -eo pipefail`): one
/// check writes the JUnit report and appends the Markdown summary, and the step's status is
/// the verdict's.
#[cfg(unix)]
#[test]
fn the_documented_ci_recipe_works_under_bash_e_pipefail() {
    let docs = std::fs::read_to_string(root().join("docs/cli.md")).expect("docs/cli.md");
    let after = docs
        .split("In CI, write every report from one run")
        .nth(1)
        .expect("the CI recipe in docs/cli.md");
    let script = after
        .split("```sh\n")
        .nth(1)
        .and_then(|s| s.split("```").next())
        .expect("the recipe's code block");
    let dir = std::env::temp_dir().join(format!("kiro-ci-recipe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    std::fs::copy(root().join(EXAMPLE), dir.join("kiro.yaml")).expect("the policy");
    let summary = dir.join("summary.md");
    for (metrics, status, verdict) in [(PASS, 0, "PASS"), (FAIL, 1, "FAIL")] {
        std::fs::copy(root().join(metrics), dir.join("metrics.json")).expect("the metrics");
        std::fs::write(&summary, "earlier step\n").expect("the summary");
        let bin = Path::new(env!("CARGO_BIN_EXE_kiro"))
            .parent()
            .expect("the binary's folder");
        let path = format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let out = Command::new("bash")
            .args(["-eo", "pipefail", "-c", script])
            .current_dir(&dir)
            .env("PATH", path)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .output()
            .expect("bash runs");
        assert_eq!(out.status.code(), Some(status), "{}", stderr(&out));
        let md = std::fs::read_to_string(&summary).expect("the summary");
        assert!(md.starts_with("earlier step\n## kiro check: **"), "{md}");
        assert!(md.contains(&format!("**{verdict}**")), "{md}");
        let junit = std::fs::read_to_string(dir.join("kiro-junit.xml")).expect("the JUnit report");
        assert!(junit.starts_with("<?xml"), "{junit}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// `kiro render` gives a saved decision exactly the report `kiro check` would have written,
/// in every format, with the verdict's exit status; a wrong policy or a file that is neither a
/// decision nor a run result is status 3.
#[test]
fn render_gives_a_saved_decision_the_same_reports_as_check() {
    let dir = std::env::temp_dir().join(format!("kiro-render-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let saved = dir.join("decision.json");
    let saved_arg = saved.to_str().expect("a UTF-8 path");
    let check = kiro(&[
        "check",
        EXAMPLE,
        "--metrics",
        FAIL,
        "--format",
        "json",
        "-o",
        saved_arg,
    ]);
    assert_code(&check, 1);
    for format in ["human", "json", "junit", "markdown"] {
        let direct = kiro(&["check", EXAMPLE, "--metrics", FAIL, "--format", format]);
        let rendered = kiro(&["render", saved_arg, "--policy", EXAMPLE, "--format", format]);
        assert_code(&rendered, 1);
        assert_eq!(stdout(&rendered), stdout(&direct), "{format}");
    }
    let wrong = kiro(&[
        "render",
        saved_arg,
        "--policy",
        "examples/kova/pipeline.yaml",
    ]);
    assert_code(&wrong, 3);
    assert!(
        stderr(&wrong).contains("is not the policy"),
        "{}",
        stderr(&wrong)
    );
    let not_saved = kiro_with_stdin(&["render", "-"], "{\"verdict\": \"pass\"}");
    assert_code(&not_saved, 3);
    assert!(
        stderr(&not_saved).contains("KIRO-E020"),
        "{}",
        stderr(&not_saved)
    );
    std::fs::remove_dir_all(&dir).ok();
}
