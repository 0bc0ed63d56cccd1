//! Running the `kiro` binary as a user runs it, for the tests that compare its output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The workspace root: commands run there, so paths in output are short and stable.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// `kiro` with `args` and `--color never` in the workspace root, standard input closed.
pub fn kiro(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kiro"))
        .args(args)
        .args(["--color", "never"])
        .current_dir(root())
        .stdin(Stdio::null())
        .output()
        .expect("the kiro binary runs")
}

/// What it wrote to standard output.
pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

/// What it wrote to standard error.
pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

/// Asserts the exit status, showing both streams when it differs.
pub fn assert_code(output: &Output, expected: i32) {
    assert_eq!(
        output.status.code(),
        Some(expected),
        "stdout:\n{}\nstderr:\n{}",
        stdout(output),
        stderr(output)
    );
}
