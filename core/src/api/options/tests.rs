#![allow(clippy::panic, reason = "tests")]

use super::*;
use serde_json::json;

/// The input error `value` decodes to, as `(code, message, help)`.
fn error<T: std::fmt::Debug>(decoded: Result<T, BoundaryError>) -> (Code, String, Option<String>) {
    let Err(error) = decoded else {
        panic!("expected an error, got {decoded:?}");
    };
    assert_eq!(error.kind, ErrorKind::Input);
    let d = &error.diagnostics[0];
    (d.code, d.message.clone(), d.help.clone())
}

#[test]
fn check_options_select_gates() {
    assert_eq!(
        CheckOptions::decode(&Value::Null),
        Ok(CheckOptions::default())
    );
    let options = CheckOptions::decode(&json!({"gate": "tests", "kind": "pre-merge"}))
        .expect("valid options");
    assert_eq!(options.gate.as_deref(), Some("tests"));
    assert_eq!(options.kind, Some(GateKind::PreMerge));
    assert_eq!(options.selection().kind, Some(GateKind::PreMerge));
    let nulls = CheckOptions::decode(&json!({"gate": null, "kind": null}));
    assert_eq!(nulls, Ok(CheckOptions::default()));
}

#[test]
fn a_wrong_check_option_is_one_coded_error() {
    assert_eq!(
        error(CheckOptions::decode(&json!("gate"))),
        (
            Code::InvalidValue,
            "the options must be an object like `{gate, kind, strict}`, not a string".to_owned(),
            None
        )
    );
    assert_eq!(
        error(CheckOptions::decode(&json!({"gate": 5}))).1,
        "option `gate` must be a string, not a number"
    );
    let (code, message, help) = error(CheckOptions::decode(&json!({"kind": "pre-merj"})));
    assert_eq!(
        (code, message.as_str()),
        (Code::InvalidValue, "unknown gate kind `pre-merj`")
    );
    assert_eq!(help.as_deref(), Some("did you mean `pre-merge`?"));
    let (_, message, help) = error(CheckOptions::decode(&json!({"gates": "a"})));
    assert_eq!(message, "unknown option `gates`");
    assert_eq!(help.as_deref(), Some("did you mean `gate`?"));
    let (_, _, help) = error(CheckOptions::decode(&json!({"zzz": 1})));
    assert_eq!(
        help.as_deref(),
        Some("the options are `gate`, `kind`, `strict`, `history`, `branch`")
    );
}

#[test]
fn run_options_in_either_spelling() {
    let camel = StartRunOptions::decode(&json!({"maxParallel": 3, "failFast": true}));
    let snake = StartRunOptions::decode(&json!({"max_parallel": 3.0, "fail_fast": true}));
    assert_eq!(camel, snake);
    let options = camel.expect("valid options").run_options();
    assert_eq!(
        (options.max_parallel, options.fail_fast),
        (Some(3), Some(true))
    );
    assert_eq!(
        StartRunOptions::decode(&Value::Null),
        Ok(StartRunOptions::default())
    );
}

#[test]
fn a_wrong_run_option_names_it_as_the_host_spelled_it() {
    for bad in [json!(0), json!(-1), json!(1.5), json!("2"), json!(1e300)] {
        let (code, message, _) = error(StartRunOptions::decode(&json!({"maxParallel": bad})));
        assert_eq!(code, Code::InvalidValue);
        assert!(
            message.starts_with("option `maxParallel` must be a whole number of at least 1, not "),
            "{message}"
        );
    }
    let (_, message, _) = error(StartRunOptions::decode(&json!({"fail_fast": "yes"})));
    assert_eq!(
        message,
        "option `fail_fast` must be a boolean, not a string"
    );
    let (_, message, help) = error(StartRunOptions::decode(&json!({"maxParalel": 1})));
    assert_eq!(message, "unknown option `maxParalel`");
    assert_eq!(help.as_deref(), Some("did you mean `maxParallel`?"));
}

#[test]
fn formats() {
    assert_eq!(decode_format(&Value::Null), Ok(None));
    assert_eq!(decode_format(&json!("toml")), Ok(Some(Format::Toml)));
    let (code, message, _) = error(decode_format(&json!("ini")));
    assert_eq!(
        (code, message.as_str()),
        (Code::UnsupportedFormat, "unknown format `ini`")
    );
    let (code, message, _) = error(decode_format(&json!(5)));
    assert_eq!(code, Code::InvalidValue);
    assert_eq!(
        message,
        "the format must be a string (`yaml`, `json` or `toml`), not a number"
    );
}

#[test]
fn history_and_branch_are_check_options() {
    let options = CheckOptions::decode(&json!({
        "branch": "main",
        "history": [{"id": "#1", "verdict": "pass", "at_ms": 5, "metrics": {"x": 1}}],
    }))
    .expect("valid options");
    assert_eq!(options.branch.as_deref(), Some("main"));
    let runs = options.history.expect("a history");
    assert_eq!((runs[0].id.as_str(), runs[0].at_ms), ("#1", 5));
    let (code, message, _) = error(CheckOptions::decode(&json!({"history": [{"id": "#1"}]})));
    assert_eq!(code, Code::InvalidHistory);
    assert!(
        message.starts_with("earlier run at `/0` is not a run"),
        "{message}"
    );
}
