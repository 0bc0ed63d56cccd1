//! `kiro risk`, run as a user runs it: reports, pictures, exit statuses and diagnostics,
//! compared with committed snapshots (`INSTA_UPDATE=always cargo test -p kiro-cli --test risk`).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn kiro(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kiro"))
        .args(args)
        .current_dir(root())
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .expect("the kiro binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn score_human_and_markdown() {
    let args = [
        "risk",
        "score",
        "examples/risk/policy.yaml",
        "--metrics",
        "examples/risk/metrics.json",
    ];
    let out = kiro(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    insta::assert_snapshot!("risk_score_human", stdout(&out));
    let out = kiro(&[&args[..], &["--format", "markdown"]].concat());
    insta::assert_snapshot!("risk_score_markdown", stdout(&out));
    let out = kiro(&[&args[..], &["--fail-on", "high"]].concat());
    assert_eq!(out.status.code(), Some(1));
    let out = kiro(&[&args[..], &["--fail-on", "critical"]].concat());
    assert_eq!(out.status.code(), Some(0));
}

/// A large change is judged by its level's stricter threshold, and the report says so.
#[test]
fn check_at_risk_shows_the_thresholds_its_level_applied() {
    let out = kiro(&[
        "risk",
        "check",
        "examples/risk/gating.yaml",
        "--model",
        "change_risk",
        "--metrics",
        "examples/risk/large-change.json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    insta::assert_snapshot!("risk_check_thresholds", stdout(&out));
}

#[test]
fn score_json_is_the_reports() {
    let out = kiro(&[
        "risk",
        "score",
        "examples/risk/policy.yaml",
        "--metrics",
        "examples/risk/metrics.json",
        "--format",
        "json",
    ]);
    let reports: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(reports[0]["score"], 67.5);
    assert_eq!(reports[0]["level"], "high");
}

#[test]
fn blast_pictures() {
    for format in ["human", "dot", "mermaid"] {
        let out = kiro(&[
            "risk",
            "blast",
            "examples/risk/services.yaml",
            "--changed",
            "auth",
            "--format",
            format,
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        insta::assert_snapshot!(format!("risk_blast_{format}"), stdout(&out));
    }
}

#[test]
fn an_unknown_component_is_a_coded_error() {
    let out = kiro(&[
        "risk",
        "blast",
        "examples/risk/services.yaml",
        "--changed",
        "atuh",
        "--color",
        "never",
    ]);
    assert_eq!(out.status.code(), Some(3));
    insta::assert_snapshot!("risk_blast_unknown", stderr(&out));
}

#[test]
fn a_unit_mismatch_in_a_bound_points_at_it() {
    let dir = std::env::temp_dir().join(format!("kiro-risk-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let policy = dir.join("policy.yaml");
    std::fs::write(
        &policy,
        "name: t\nmetrics: {p95: {unit: ms}}\nrisk:\n  models:\n    - name: m\n      factors: [{name: latency, value: p95, linear: {from: 200ms, to: 5MB}}]\n",
    )
    .expect("written");
    let out = kiro(&[
        "risk",
        "score",
        policy.to_str().expect("utf-8"),
        "--color",
        "never",
    ]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(3));
    let text = stderr(&out);
    assert!(
        text.contains("error[KIRO-E012]: `to` is a size, but the factor's value is a duration"),
        "{text}"
    );
    assert!(text.contains("5MB"), "{text}");
}

#[test]
fn fit_writes_the_golden_model_and_scores_with_it() {
    let dir = std::env::temp_dir().join(format!("kiro-risk-fit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let model = dir.join("model.json");
    let out = kiro(&[
        "risk",
        "fit",
        "tests/fixtures/risk/changes.csv",
        "--out",
        model.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written = std::fs::read_to_string(&model).expect("the model");
    let golden = std::fs::read_to_string(root().join("tests/fixtures/risk/model.json"))
        .expect("the golden model");
    assert!(written == golden, "the CLI wrote another model file");
    insta::assert_snapshot!("risk_fit_summary", stdout(&out));
    let out = kiro(&[
        "risk",
        "score-model",
        "tests/fixtures/risk/model.json",
        "tests/fixtures/risk/change.json",
    ]);
    insta::assert_snapshot!("risk_score_model", stdout(&out));
    std::fs::write(
        &model,
        written.replacen("\"lambda\": 1.0", "\"lambda\": 3.0", 1),
    )
    .expect("tampered");
    let out = kiro(&[
        "risk",
        "evaluate",
        model.to_str().expect("utf-8"),
        "tests/fixtures/risk/changes.csv",
    ]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("KIRO-E172"), "{}", stderr(&out));
}

/// Runs `git` in `dir` as `author`, at a fixed time `at` (seconds since 1970).
fn git(dir: &Path, author: &str, at: i64, args: &[&str]) {
    let date = format!("@{at} +0000");
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", author)
        .env("GIT_AUTHOR_EMAIL", format!("{author}@example.com"))
        .env("GIT_COMMITTER_NAME", author)
        .env("GIT_COMMITTER_EMAIL", format!("{author}@example.com"))
        .env("GIT_AUTHOR_DATE", &date)
        .env("GIT_COMMITTER_DATE", &date)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
}

/// Cross-checks `nf`, `la` and `ld` of every commit of `repo` with PyDriller, which asks git
/// (`benches/risk_pydriller.py --strict`), when the project's `.venv` has it; skips saying so,
/// except under CI, where it must be there.
fn pydriller_agrees(repo: &str) {
    let python = root().join(".venv/bin/python");
    let has = python.exists()
        && Command::new(&python)
            .args(["-c", "import pydriller"])
            .status()
            .is_ok_and(|s| s.success());
    if !has {
        assert!(
            !support::in_ci(),
            "PyDriller is not in .venv, and CI is set: run `.ci/install-tools.sh python`"
        );
        eprintln!("SKIPPED: the PyDriller cross-check (PyDriller is not in .venv)");
        return;
    }
    let out = Command::new(&python)
        .arg(root().join("benches/risk_pydriller.py"))
        .args([repo, "--kiro", env!("CARGO_BIN_EXE_kiro"), "--strict"])
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "kiro and PyDriller disagree:\n{}{}",
        stdout(&out),
        stderr(&out)
    );
}

/// A repository with a known history: two authors, a rename, a binary file, a merge.
#[test]
fn features_of_a_known_history() {
    let dir = std::env::temp_dir().join(format!("kiro-risk-git-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).expect("a temp dir");
    let write = |path: &str, text: &[u8]| std::fs::write(dir.join(path), text).expect("written");
    let day = 86_400;
    git(&dir, "ana", 0, &["init", "-q", "-b", "main"]);
    // 1: ana adds two files in two subsystems: 3 + 2 lines.
    write("src/a.rs", b"one\ntwo\nthree\n");
    write("README", b"hello\nworld\n");
    git(&dir, "ana", day, &["add", "."]);
    git(&dir, "ana", day, &["commit", "-q", "-m", "start"]);
    // 2: bob fixes a bug in src/a.rs: one line changed (1 added, 1 deleted), 3 lines before.
    write("src/a.rs", b"one\n2\nthree\n");
    git(&dir, "bob", 3 * day, &["commit", "-q", "-am", "Fix a bug"]);
    // 3: ana renames src/a.rs to src/b.rs and adds a binary file.
    git(&dir, "ana", 4 * day, &["mv", "src/a.rs", "src/b.rs"]);
    write("logo.bin", b"\x00\x01\x02\x00");
    git(&dir, "ana", 4 * day, &["add", "."]);
    git(&dir, "ana", 4 * day, &["commit", "-q", "-m", "rename"]);
    // 4 and 5: a branch and a merge (the merge is skipped).
    git(&dir, "bob", 5 * day, &["checkout", "-q", "-b", "side"]);
    write("src/b.rs", b"one\n2\nthree\nfour\n");
    git(&dir, "bob", 5 * day, &["commit", "-q", "-am", "more"]);
    git(&dir, "ana", 6 * day, &["checkout", "-q", "main"]);
    write("README", b"hello\nworld\nagain\n");
    git(&dir, "ana", 6 * day, &["commit", "-q", "-am", "docs"]);
    git(&dir, "ana", 7 * day, &["merge", "-q", "--no-edit", "side"]);

    let repo = dir.to_str().expect("utf-8");
    let out = kiro(&["risk", "features", "--repo", repo, "--format", "jsonl"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let rows: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(rows.len(), 5, "the merge is skipped: {rows:#?}");
    let field = |i: usize, k: &str| rows[i][k].clone();
    // 1: two files in two subsystems ("" and src) and two directories.
    assert_eq!(
        (field(0, "nf"), field(0, "ns"), field(0, "nd")),
        (2.into(), 2.into(), 2.into())
    );
    assert_eq!(
        (field(0, "la"), field(0, "ld"), field(0, "lt")),
        (5.into(), 0.into(), 0.into())
    );
    assert_eq!(
        field(0, "entropy").as_f64().map(|e| (e * 1000.0).round()),
        Some(971.0)
    );
    // 2: a fix by a new author on a file ana wrote 2 days before.
    assert_eq!(
        (field(1, "la"), field(1, "ld"), field(1, "lt")),
        (1.into(), 1.into(), 3.into())
    );
    assert_eq!(
        (field(1, "fix"), field(1, "ndev"), field(1, "nuc")),
        (1.into(), 1.into(), 1.into())
    );
    assert_eq!(
        (field(1, "exp"), field(1, "age")),
        (0.into(), serde_json::json!(2.0))
    );
    // 3: the rename keeps the file's history (two authors, two commits); the binary file has
    // no lines.
    assert_eq!(
        (field(2, "nf"), field(2, "la"), field(2, "ld")),
        (2.into(), 0.into(), 0.into())
    );
    assert_eq!(
        (field(2, "ndev"), field(2, "nuc"), field(2, "exp")),
        (2.into(), 2.into(), 1.into())
    );
    // 4: bob's second commit, in src, where he committed once before.
    assert_eq!(
        (field(3, "exp"), field(3, "sexp"), field(3, "la")),
        (1.into(), 1.into(), 1.into())
    );

    pydriller_agrees(repo);

    let shallow = dir.join("shallow");
    let url = format!("file://{repo}");
    git(
        &dir,
        "ana",
        8 * day,
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            &url,
            shallow.to_str().expect("utf-8"),
        ],
    );
    let out = kiro(&[
        "risk",
        "features",
        "--repo",
        shallow.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("KIRO-E174"), "{}", stderr(&out));
    let out = kiro(&[
        "risk",
        "features",
        "--repo",
        dir.join("src").to_str().expect("utf-8"),
    ]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("KIRO-E174"), "{}", stderr(&out));
}

/// The SZZ labels of a known history: each fix's deleted or changed lines are blamed in its
/// parent, and exactly the commits blame names get `bug = 1`.
#[test]
fn szz_labels_of_a_known_history() {
    let dir = std::env::temp_dir().join(format!("kiro-risk-szz-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let write = |path: &str, text: &str| std::fs::write(dir.join(path), text).expect("written");
    // Dates `fit` reads as seconds since 1970 (2023-11-14 onwards).
    let (t0, day) = (1_700_000_000, 86_400);
    let commit = |author: &str, at: i64, message: &str| {
        git(&dir, author, at, &["add", "-A"]);
        git(&dir, author, at, &["commit", "-q", "-m", message]);
    };
    git(&dir, "ana", 0, &["init", "-q", "-b", "main"]);
    // 1: the first lines of a.rs and b.rs.
    write("a.rs", "one\ntwo\nthree\nfour\n");
    write("b.rs", "x\ny\n");
    commit("ana", t0 + day, "start");
    // 2: bob changes a line 1 wrote.
    write("a.rs", "one\nTWO\nthree\nfour\n");
    commit("bob", t0 + 2 * day, "refactor");
    // 3: ana adds a line to b.rs and a file c.rs.
    write("b.rs", "x\ny\nz\n");
    write("c.rs", "c1\nc2\n");
    commit("ana", t0 + 3 * day, "feature");
    // 4: a fix of the line 2 changed: 2 is labelled, not 1, which wrote the line first.
    write("a.rs", "one\n2\nthree\nfour\n");
    commit("bob", t0 + 4 * day, "Fix a crash");
    // 5: a fix that only adds a line labels nothing.
    write("b.rs", "x\ny\nz\nguard\n");
    commit("ana", t0 + 5 * day, "fix: add a guard");
    // 6: a fix that deletes c.rs labels 3, which wrote it.
    std::fs::remove_file(dir.join("c.rs")).expect("removed");
    commit("bob", t0 + 6 * day, "bug 7: drop c");
    // 7: a rename, and 8: a fix of a line 1 wrote, blamed across the rename.
    git(&dir, "ana", t0 + 7 * day, &["mv", "a.rs", "d.rs"]);
    commit("ana", t0 + 7 * day, "rename");
    write("d.rs", "ONE\n2\nthree\nfour\n");
    commit("bob", t0 + 8 * day, "patch d");

    let repo = dir.to_str().expect("utf-8");
    let labels = |rev: &str| {
        let out = kiro(&[
            "risk", "features", "--repo", repo, "--rev", rev, "--label", "szz", "--format", "jsonl",
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        stdout(&out)
            .lines()
            .map(|l| {
                let row: serde_json::Value = serde_json::from_str(l).expect("json");
                row["bug"].as_u64().expect("a label")
            })
            .collect::<Vec<_>>()
    };
    // Without the last fix: 2 (by 4) and 3 (by 6); 5 added only, so 1 stays 0.
    assert_eq!(labels("HEAD~1"), [0, 1, 1, 0, 0, 0, 0]);
    // The last fix labels 1 across the rename.
    assert_eq!(labels("HEAD"), [1, 1, 1, 0, 0, 0, 0, 0]);
    // A range: blame stops at its oldest commit, so a line from outside labels nothing.
    assert_eq!(labels("HEAD~4..HEAD"), [0, 0, 0, 0]);

    // The CSV has the `bug` column `fit` reads: eight changes are too few to fit.
    let csv = dir.join("changes.csv");
    let out = kiro(&[
        "risk",
        "features",
        "--repo",
        repo,
        "--label",
        "szz",
        "-o",
        csv.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&csv).expect("written");
    assert!(
        text.starts_with("commit,commitdate,")
            && text
                .lines()
                .all(|l| l.ends_with(",bug") || l.ends_with(",0") || l.ends_with(",1")),
        "{text}"
    );
    let out = kiro(&["risk", "fit", csv.to_str().expect("utf-8")]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("KIRO-E171") && stderr(&out).contains("8 changes are too few"),
        "{}",
        stderr(&out)
    );
}
