use crate::args::{Cli, ColorChoice};
use clap::{CommandFactory, Parser};

#[test]
fn the_command_line_is_well_formed() {
    Cli::command().debug_assert();
}

#[test]
fn gate_and_kind_conflict() {
    let parsed =
        Cli::try_parse_from(["kiro", "check", "p.yaml", "--gate", "a", "--kind", "custom"]);
    assert!(parsed.is_err());
}

#[test]
fn format_policy_is_an_alias_of_policy_format() {
    let parsed = Cli::try_parse_from(["kiro", "validate", "p.txt", "--format-policy", "toml"]);
    assert!(parsed.is_ok());
}

#[test]
fn colour_always_and_never_ignore_the_terminal() {
    assert!(ColorChoice::Always.enabled(false));
    assert!(!ColorChoice::Never.enabled(true));
    assert!(!ColorChoice::Auto.enabled(false));
}
