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

#[test]
fn stage_file_stems_are_one_to_one() {
    use crate::commands::stages::file_stem;
    let names = [
        "a/b",
        "a_b",
        "a b",
        "a%2Fb",
        "a.b",
        "тест",
        "проб",
        "unit tests",
        "..",
        ".",
        "a~0",
        "",
    ];
    let stems: Vec<String> = names.iter().map(|n| file_stem(n, 0)).collect();
    let unique: std::collections::BTreeSet<&String> = stems.iter().collect();
    assert_eq!(unique.len(), names.len(), "{stems:?}");
    assert_eq!(file_stem("a/b", 0), "a%2Fb");
    assert_eq!(file_stem("a_b", 0), "a_b");
    for stem in &stems {
        assert!(
            stem.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"%-_~".contains(&b)),
            "{stem}"
        );
    }
    // Long names: cut, with the position after `~`, never splitting a `%XX`.
    let long = "я".repeat(300);
    for position in [0, 7, 12345] {
        let stem = file_stem(&long, position);
        assert!(stem.len() <= 160, "{}", stem.len());
        assert!(stem.ends_with(&format!("~{position}")), "{stem}");
        let head = stem.split('~').next().unwrap_or_default();
        assert_eq!(head.len() % 3, 0, "{stem}");
    }
    assert_ne!(file_stem(&long, 1), file_stem(&long, 2));
}
