//! `kiro`: release governance as code, on the command line.
//!
//! `kiro check POLICY --metrics FILE` evaluates a policy's quality gates and reports the
//! verdict; `kiro validate POLICY` reports every problem in a policy; `kiro schema` prints the
//! JSON Schema of the policy format; `kiro replay POLICY --samples FILE` runs the policy's
//! rollback triggers over recorded samples; `kiro watch POLICY --prometheus URL` runs them
//! over a live Prometheus. See `kiro --help`.

#![cfg_attr(not(test), warn(unused_crate_dependencies))]
mod args;
mod commands;
mod diagnostics;
mod io;

use args::{Cli, Command};
use clap::Parser;
use commands::Outcome;
use diagnostics::Failure;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// Exit statuses.
pub mod exit {
    /// The verdict is pass, or warn without `--fail-on-warn`; or a command succeeded.
    pub const PASS: u8 = 0;
    /// The verdict is fail.
    pub const FAIL: u8 = 1;
    /// The verdict is warn and `--fail-on-warn` was given.
    pub const WARN_FAILED: u8 = 2;
    /// The policy or the input could not be evaluated (or the command line is wrong).
    pub const ERROR: u8 = 3;
    /// `kiro replay`: a trigger called for a warning (and nothing stronger).
    pub const WARN: u8 = 4;
    /// `kiro replay`: a trigger called for a pause (and no rollback or promotion).
    pub const PAUSE: u8 = 5;
    /// `kiro replay`: a trigger called for a rollback.
    pub const ROLLBACK: u8 = 6;
    /// `kiro replay`: a trigger called for a promotion (and no rollback).
    pub const PROMOTE: u8 = 7;
    /// `kiro watch`: stopped by Ctrl-C or SIGTERM before the monitor ended.
    pub const INTERRUPTED: u8 = 8;
    /// `kiro release`: the release waits for a person (an approval, a promotion, a retry or
    /// abort).
    pub const WAITING: u8 = 9;
}

fn main() -> ExitCode {
    // A bug must not look like a verdict: a panic reports an internal error and exits 3.
    std::panic::set_hook(Box::new(|info| {
        eprintln!(
            "error[{}]: kiro crashed, which is a bug; please report it\n  {info}",
            kiro::Code::Internal.as_str()
        );
    }));
    let code = std::panic::catch_unwind(run).unwrap_or(exit::ERROR);
    ExitCode::from(code)
}

fn run() -> u8 {
    let stdout_open = io::stdout_is_open();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // `--help` and `--version` are not errors.
            return if e.use_stderr() {
                exit::ERROR
            } else {
                exit::PASS
            };
        }
    };
    let (result, color) = match &cli.command {
        Command::Check(args) => (commands::check::run(args), args.color),
        Command::Validate(args) => (commands::validate::run(args), args.color),
        Command::Schema => (Ok(commands::schema::run()), args::ColorChoice::Auto),
        Command::Plan(args) => (commands::plan::run(args), args.color),
        Command::Run(args) => (commands::run::run(args), args.color),
        Command::Replay(args) => (commands::replay::run(args), args.color),
        Command::Watch(args) => (commands::watch::run(args), args.color),
        Command::Evidence(args) => (commands::evidence::run(args), args::ColorChoice::Auto),
        Command::Render(args) => (commands::render::run(args), args.color),
        Command::History(args) => (commands::history::run(args), args::ColorChoice::Auto),
        Command::Release(args) => (commands::release::run(args), args::ColorChoice::Auto),
        Command::Schedule(args) => (commands::schedule::run(args), args::ColorChoice::Auto),
        Command::Risk(args) => (commands::risk::run(args), args.color()),
        Command::Alerts(args) => (commands::alerts::run(args), args.color()),
        Command::Test(args) => (commands::test::run(args), args.color),
        Command::Status(args) => (commands::status::run(args), args.color),
    };
    let stderr_color = color.enabled(std::io::stderr().is_terminal());
    match result.and_then(|outcome| emit(outcome, stdout_open)) {
        Ok(code) => code,
        Err(failure) => {
            let _ =
                std::io::stderr().write_all(diagnostics::render(&failure, stderr_color).as_bytes());
            exit::ERROR
        }
    }
}

/// Writes a command's report and returns its exit status; with standard output closed, a
/// report meant for it is an error (exit 3), never a verdict nobody saw.
fn emit(outcome: Outcome, stdout_open: bool) -> Result<u8, Failure> {
    match &outcome.output {
        Some(path) => io::write_output(path, &outcome.report)?,
        None if !stdout_open => {
            return Err(Failure::io(
                "standard output is closed: the report would be lost; give `-o FILE` or open it"
                    .to_owned(),
            ));
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            let written = stdout
                .write_all(outcome.report.as_bytes())
                .and_then(|()| stdout.flush());
            match written {
                // A reader that stopped early (`kiro check … | head`) does not change the verdict.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                Err(e) => {
                    return Err(Failure::io(format!(
                        "cannot write to standard output: {}",
                        io::io_message(&e)
                    )));
                }
                Ok(()) => {}
            }
        }
    }
    Ok(outcome.code)
}

#[cfg(test)]
mod tests;
