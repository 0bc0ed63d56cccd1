use super::*;
use serde_json::json;

fn parsed(text: &str, format: Format) -> MetricsInput {
    MetricsInput::parse(text, format).unwrap_or_else(|d| unreachable!("{text:?}: {d:?}"))
}

fn failed(text: &str, format: Format) -> Diagnostic {
    match MetricsInput::parse(text, format) {
        Ok(input) => unreachable!("{text:?} parsed: {input:?}"),
        Err(d) => d,
    }
}

fn value<'a>(input: &'a MetricsInput, name: &str) -> &'a Spanned<RawValue> {
    input
        .values
        .get(name)
        .unwrap_or_else(|| unreachable!("no metric {name} in {input:?}"))
}

fn at(text: &str, span: Span) -> &str {
    &text[span.start..span.end]
}

#[test]
fn json_input_flattens_nested_objects() {
    let text = r#"{"coverage": 87, "p95_latency": "420ms", "e2e": true, "none": null,
                   "tests": {"failed": 0, "total": 1.5e2, "unit": {"ok": "ü"}}}"#;
    let input = parsed(text, Format::Json);
    let names: Vec<&str> = input.values.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "coverage",
            "e2e",
            "none",
            "p95_latency",
            "tests.failed",
            "tests.total",
            "tests.unit.ok"
        ]
    );
    assert_eq!(value(&input, "coverage").value, RawValue::Number(87.0));
    assert_eq!(
        value(&input, "p95_latency").value,
        RawValue::Text("420ms".into())
    );
    assert_eq!(value(&input, "e2e").value, RawValue::Bool(true));
    assert_eq!(value(&input, "none").value, RawValue::Null);
    assert_eq!(value(&input, "tests.total").value, RawValue::Number(150.0));
    assert_eq!(at(text, value(&input, "tests.total").span), "1.5e2");
    assert_eq!(at(text, value(&input, "tests.unit.ok").span), "\"ü\"");
}

#[test]
fn yaml_and_toml_input() {
    let yaml = "coverage: 87%\ntests:\n  failed: 0\nflag: ~\n";
    let input = parsed(yaml, Format::Yaml);
    assert_eq!(
        value(&input, "coverage").value,
        RawValue::Text("87%".into())
    );
    assert_eq!(value(&input, "tests.failed").value, RawValue::Number(0.0));
    assert_eq!(at(yaml, value(&input, "tests.failed").span), "0");
    assert_eq!(value(&input, "flag").value, RawValue::Null);

    let toml = "coverage = 87\n[tests]\nfailed = 2\n";
    let input = parsed(toml, Format::Toml);
    assert_eq!(value(&input, "coverage").value, RawValue::Number(87.0));
    assert_eq!(value(&input, "tests.failed").value, RawValue::Number(2.0));
    assert_eq!(at(toml, value(&input, "tests.failed").span), "2");
}

#[test]
fn top_level_must_be_a_map() {
    for (text, format) in [
        ("[1, 2]", Format::Json),
        ("42", Format::Json),
        ("- a\n", Format::Yaml),
        ("", Format::Yaml),
    ] {
        let d = failed(text, format);
        assert_eq!(d.code, Code::InputNotObject, "{text:?}");
        assert_eq!(d.source.as_deref(), Some("metrics"));
    }
    let d = failed("[1, 2]", Format::Json);
    assert_eq!(
        d.message,
        "metrics input must be a map of metric names to values, found a sequence"
    );
    assert_eq!(d.labels[0].start, 0);
    assert_eq!(d.labels[0].end, 6);
    for (text, format) in [
        ("  \n", Format::Yaml),
        ("", Format::Json),
        (" \t\r\n", Format::Json),
        ("\u{feff}", Format::Json),
        ("", Format::Toml),
        ("\n\n", Format::Toml),
    ] {
        let d = failed(text, format);
        assert_eq!(
            (d.code, d.message.as_str()),
            (Code::InputNotObject, "the metrics input is empty"),
            "{text:?} as {format:?}"
        );
        assert_eq!(d.source.as_deref(), Some("metrics"));
    }
}

#[test]
fn yaml_merge_keys_are_refused() {
    for text in [
        "base: &b {coverage: 95}\n<<: *b\n",
        "<<: {coverage: 95}\ncoverage: 50\n",
        "tests:\n  <<: {failed: 0}\n",
        "{<<: {coverage: 95}}",
    ] {
        let d = failed(text, Format::Yaml);
        assert_eq!(d.code, Code::InputSyntax, "{text:?}");
        assert_eq!(
            d.message,
            "invalid yaml: merge keys (`<<`) are not supported"
        );
        assert_eq!(
            at(text, Span::new(d.labels[0].start, d.labels[0].end)),
            "<<",
            "{text:?}"
        );
    }
    // Quoted, `<<` is an ordinary name.
    let input = parsed("'<<': 1\n", Format::Yaml);
    assert!(input.values.contains_key("<<"));
}

#[test]
fn names_given_twice_are_rejected() {
    let text = r#"{"a.b": 1, "a": {"b": 2}}"#;
    let d = failed(text, Format::Json);
    assert_eq!(d.code, Code::DuplicateName);
    assert_eq!(d.message, "metric `a.b` is given twice");
    assert_eq!(
        at(text, Span::new(d.labels[0].start, d.labels[0].end)),
        "\"b\""
    );
    assert_eq!(
        at(text, Span::new(d.labels[1].start, d.labels[1].end)),
        "\"a.b\""
    );
    assert_eq!(d.source.as_deref(), Some("metrics"));

    // A plain duplicate key is caught by the reader.
    let d = failed("a: 1\na: 2\n", Format::Yaml);
    assert_eq!(d.code, Code::DuplicateName);
    assert_eq!(d.source.as_deref(), Some("metrics"));
}

#[test]
fn lists_are_kept_aside_and_non_finite_numbers_are_invalid() {
    // A list is structure, not a metric: kept aside with where it was, for a check to report
    // (undeclared) or refuse (declared).
    let text = r#"{"tests": {"runs": [1, 2], "failed": 0}}"#;
    let input = parsed(text, Format::Json);
    let span = input.lists.get("tests.runs").copied().unwrap_or_default();
    assert_eq!(at(text, span), "[1, 2]");
    assert_eq!(value(&input, "tests.failed").value, RawValue::Number(0.0));
    assert!(!input.values.contains_key("tests.runs"));

    for (text, format) in [
        ("x: .nan", Format::Yaml),
        ("x: -.inf", Format::Yaml),
        ("x = nan", Format::Toml),
        ("x = inf", Format::Toml),
    ] {
        let d = failed(text, format);
        assert_eq!(d.code, Code::InvalidMetricValue, "{text:?}");
        assert_eq!(d.message, "metric `x` is not a finite number");
        assert_eq!(d.source.as_deref(), Some("metrics"));
    }
    // JSON has no infinity: a number too large for a double is a syntax error, as in serde_json.
    let d = failed("{\"x\": 1e999}", Format::Json);
    assert_eq!(d.code, Code::InputSyntax);
    assert!(d.message.contains("number out of range"), "{}", d.message);
}

#[test]
fn syntax_errors_are_input_syntax() {
    for (text, format) in [
        ("{\"a\": }", Format::Json),
        ("a: [1", Format::Yaml),
        ("a = ", Format::Toml),
    ] {
        let d = failed(text, format);
        assert_eq!(d.code, Code::InputSyntax, "{text:?}");
        assert_eq!(d.source.as_deref(), Some("metrics"));
        assert!(!d.labels.is_empty());
    }
    let d = failed(&"[".repeat(100_000), Format::Json);
    assert_eq!(d.code, Code::TooLarge);
}

#[test]
fn from_json_follows_the_same_rules() {
    let input = MetricsInput::from_json(&json!({
        "coverage": 87, "big": 18_446_744_073_709_551_615_u64, "tests": {"failed": 0}, "x": null
    }))
    .unwrap_or_else(|d| unreachable!("{d:?}"));
    assert_eq!(value(&input, "coverage").value, RawValue::Number(87.0));
    assert_eq!(
        value(&input, "big").value,
        RawValue::Number(18_446_744_073_709_551_615.0)
    );
    assert_eq!(value(&input, "tests.failed").value, RawValue::Number(0.0));
    assert_eq!(value(&input, "tests.failed").span, Span::default());
    assert_eq!(value(&input, "x").value, RawValue::Null);

    let code = |v: serde_json::Value| MetricsInput::from_json(&v).err().map(|d| d.code);
    assert_eq!(code(json!([1])), Some(Code::InputNotObject));
    assert_eq!(code(json!("x")), Some(Code::InputNotObject));
    assert_eq!(code(json!({"a": [1]})), None);
    assert_eq!(
        code(json!({"a.b": 1, "a": {"b": 1}})),
        Some(Code::DuplicateName)
    );

    let mut deep = json!(1);
    for _ in 0..100 {
        deep = json!({ "a": deep });
    }
    assert_eq!(code(deep), Some(Code::TooLarge));
}

#[test]
fn overrides() {
    let mut input = parsed("{\"coverage\": 50, \"other\": 1}", Format::Json);
    let arg = "coverage=87%";
    assert!(input.set_override(arg).is_ok());
    let v = value(&input, "coverage");
    assert_eq!(v.value, RawValue::Text("87%".into()));
    assert_eq!(at(arg, v.span), "87%");
    assert_eq!(value(&input, "other").value, RawValue::Number(1.0));

    let cases: &[(&str, &str, RawValue)] = &[
        ("n=12", "n", RawValue::Number(12.0)),
        ("n=-1.5e2", "n", RawValue::Number(-150.0)),
        ("flag=true", "flag", RawValue::Bool(true)),
        ("flag=False", "flag", RawValue::Bool(false)),
        ("gone=null", "gone", RawValue::Null),
        ("gone=~", "gone", RawValue::Null),
        ("gone=", "gone", RawValue::Null),
        (" tests.failed = 3 ", "tests.failed", RawValue::Number(3.0)),
        ("p95=420ms", "p95", RawValue::Text("420ms".into())),
        ("eq=a=b", "eq", RawValue::Text("a=b".into())),
        ("q='1'", "q", RawValue::Text("'1'".into())),
    ];
    for (arg, name, want) in cases {
        let mut input = MetricsInput::default();
        assert!(input.set_override(arg).is_ok(), "{arg:?}");
        assert_eq!(&value(&input, name).value, want, "{arg:?}");
    }
    let mut input = MetricsInput::default();
    assert!(input.set_override(" tests.failed = 3 ").is_ok());
    assert_eq!(value(&input, "tests.failed").span, Span::new(16, 17));
}

#[test]
fn bad_overrides() {
    let mut input = MetricsInput::default();
    for arg in ["coverage", "=5", " =5", ""] {
        let d = input
            .set_override(arg)
            .err()
            .unwrap_or_else(|| unreachable!("{arg:?}"));
        assert_eq!(d.code, Code::InvalidOverride, "{arg:?}");
        assert_eq!(d.source.as_deref(), Some(OVERRIDE_SOURCE));
        assert!(d.labels.iter().all(|l| l.end <= arg.len()));
        assert!(d.help.is_some());
    }
    let d = input
        .set_override("x=.nan")
        .err()
        .unwrap_or_else(|| unreachable!());
    assert_eq!(d.code, Code::InvalidMetricValue);
    assert_eq!(d.labels[0].start, 2);
    assert!(input.values.is_empty());
}

#[test]
fn a_flat_object_is_read_in_place_as_from_json_reads_it() {
    let flat = json!({
        "coverage": 87, "big": 18_446_744_073_709_551_615_u64, "ratio": 0.5, "p95": "420ms",
        "ok": true, "none": null, "tests.failed": 2
    });
    let input = MetricsInput::from_json(&flat).unwrap_or_else(|d| unreachable!("{d:?}"));
    let reader = FlatJson::new(&flat).unwrap_or_else(|| unreachable!("flat"));
    for (name, value) in &input.values {
        let read = reader.get(name);
        assert_eq!(
            read.as_ref().map(|r| &r.value),
            Some(&value.value),
            "{name}"
        );
        assert_eq!(read.map(|r| r.span), Some(value.span), "{name}");
    }
    assert!(reader.get("absent").is_none());
    for not_flat in [
        json!({"a": {"b": 1}}),
        json!({"a": [1]}),
        json!({"a": 1, "b": {}}),
        json!([1]),
        json!("x"),
        json!(null),
    ] {
        assert!(FlatJson::new(&not_flat).is_none(), "{not_flat}");
    }
}
