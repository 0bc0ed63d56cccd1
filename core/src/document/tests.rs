use super::*;
use crate::policy::model::{GateKind, MissingRule, Policy, Threshold};
use proptest::prelude::*;
use serde::Deserialize;
use std::collections::BTreeMap;

fn read(text: &str, format: Format) -> Node {
    match parse(text, format, &Limits::default()) {
        Ok(node) => node,
        Err(d) => unreachable!("{format} {text:?} did not parse: {d:?}"),
    }
}

fn fail(text: &str, format: Format) -> Diagnostic {
    fail_with(text, format, &Limits::default())
}

fn fail_with(text: &str, format: Format, limits: &Limits) -> Diagnostic {
    match parse(text, format, limits) {
        Ok(node) => unreachable!("{format} {text:?} parsed: {node:?}"),
        Err(d) => d,
    }
}

/// The text a span points at.
fn at(text: &str, span: Span) -> &str {
    &text[span.start..span.end]
}

fn label(text: &str, d: &Diagnostic, i: usize) -> String {
    let l = &d.labels[i];
    text[l.start..l.end].to_owned()
}

fn entries(node: &Node) -> &[(Spanned<String>, Node)] {
    match &node.kind {
        NodeKind::Map(entries) => entries,
        other => unreachable!("not a map: {other:?}"),
    }
}

fn items(node: &Node) -> &[Node] {
    match &node.kind {
        NodeKind::Seq(items) => items,
        other => unreachable!("not a sequence: {other:?}"),
    }
}

fn get<'a>(node: &'a Node, key: &str) -> &'a Node {
    node.get(key)
        .unwrap_or_else(|| unreachable!("no key {key} in {node:?}"))
}

fn assert_clean_message(d: &Diagnostic) {
    let first = d.message.chars().next().unwrap_or('x');
    assert!(
        !first.is_uppercase(),
        "message starts uppercase: {}",
        d.message
    );
    assert!(
        !d.message.ends_with('.'),
        "message ends with a period: {}",
        d.message
    );
}

// ---------------------------------------------------------------------------------------------
// Formats

#[test]
fn format_names_and_extensions() {
    assert_eq!(Format::from_extension("yaml"), Some(Format::Yaml));
    assert_eq!(Format::from_extension("YML"), Some(Format::Yaml));
    assert_eq!(Format::from_extension("json"), Some(Format::Json));
    assert_eq!(Format::from_extension(".toml"), Some(Format::Toml));
    assert_eq!(Format::from_extension("txt"), None);
    assert_eq!(Format::parse("yaml"), Some(Format::Yaml));
    assert_eq!(Format::parse("JSON"), Some(Format::Json));
    assert_eq!(Format::parse("toml"), Some(Format::Toml));
    assert_eq!(Format::parse("yml"), None);
    for format in Format::ALL {
        assert_eq!(Format::parse(format.as_str()), Some(*format));
        assert_eq!(format.to_string(), format.as_str());
    }
}

#[test]
fn format_detection() {
    assert_eq!(Format::detect("{\"name\": 1}"), Format::Json);
    assert_eq!(Format::detect("  \n [1, 2]"), Format::Json);
    assert_eq!(Format::detect("[true]"), Format::Json);
    assert_eq!(Format::detect("[\"a\", \"b\"]"), Format::Json);
    assert_eq!(Format::detect("[\"a\"]"), Format::Json);
    assert_eq!(Format::detect("[gates]\nname = 1"), Format::Toml);
    assert_eq!(Format::detect("[[gates]]\nname = 'x'"), Format::Toml);
    assert_eq!(
        Format::detect("# policy\nversion = 1\nname = \"x\""),
        Format::Toml
    );
    assert_eq!(
        Format::detect("metrics.coverage.unit = \"%\""),
        Format::Toml
    );
    assert_eq!(Format::detect("name: x\nversion: 1"), Format::Yaml);
    assert_eq!(Format::detect("# comment\nname: a = b"), Format::Yaml);
    assert_eq!(Format::detect("- a = b"), Format::Yaml);
    assert_eq!(Format::detect("\"a\": \"b=c\""), Format::Yaml);
    assert_eq!(Format::detect("\"tests.e2e\" = true"), Format::Toml);
    assert_eq!(Format::detect("pass: coverage >= 90%"), Format::Yaml);
    assert_eq!(Format::detect("---\nname = x"), Format::Yaml);
    assert_eq!(Format::detect(""), Format::Yaml);
    assert_eq!(Format::detect("\u{feff}{}"), Format::Json);
}

// ---------------------------------------------------------------------------------------------
// YAML

#[test]
fn yaml_spans_of_scalars_and_keys() {
    let text = "a: 1\nb: 'x y'\nc: \"é\\n\"\nd:\n  - x\n  - yy\ne: |\n  lit\n  more\n\nf: {g: h, i: [1, 2]}\n";
    let root = read(text, Format::Yaml);
    let e = entries(&root);
    let keys: Vec<&str> = e.iter().map(|(k, _)| k.value.as_str()).collect();
    assert_eq!(keys, ["a", "b", "c", "d", "e", "f"]);
    for (k, _) in e {
        assert_eq!(at(text, k.span), k.value);
    }
    assert_eq!(at(text, get(&root, "a").span), "1");
    assert_eq!(at(text, get(&root, "b").span), "'x y'");
    assert_eq!(get(&root, "b").kind, NodeKind::String("x y".into()));
    assert_eq!(at(text, get(&root, "c").span), "\"é\\n\"");
    assert_eq!(get(&root, "c").kind, NodeKind::String("é\n".into()));
    let d = get(&root, "d");
    assert_eq!(at(text, d.span), "- x\n  - yy");
    assert_eq!(at(text, items(d)[1].span), "yy");
    let lit = get(&root, "e");
    assert_eq!(lit.kind, NodeKind::String("lit\nmore\n".into()));
    assert_eq!(at(text, lit.span), "lit\n  more");
    let f = get(&root, "f");
    assert_eq!(at(text, f.span), "{g: h, i: [1, 2]}");
    assert_eq!(at(text, get(f, "i").span), "[1, 2]");
    assert_eq!(at(text, items(get(f, "i"))[1].span), "2");
    assert_eq!(root.span.start, 0);
}

#[test]
fn yaml_spans_after_multibyte_text() {
    let text = "ä: ü\n# ö comment ✓\n\"ключ\": [ä, 'größe', b]\nz: 日本\n";
    let root = read(text, Format::Yaml);
    let e = entries(&root);
    assert_eq!(at(text, e[0].0.span), "ä");
    assert_eq!(at(text, e[0].1.span), "ü");
    assert_eq!(e[1].0.value, "ключ");
    assert_eq!(at(text, e[1].0.span), "\"ключ\"");
    let seq = items(&e[1].1);
    assert_eq!(at(text, seq[0].span), "ä");
    assert_eq!(at(text, seq[1].span), "'größe'");
    assert_eq!(at(text, seq[2].span), "b");
    assert_eq!(at(text, e[2].1.span), "日本");
}

#[test]
fn yaml_spans_with_bom_and_crlf() {
    let text = "\u{feff}a: 1\r\nbé: 'x'\r\n";
    let root = read(text, Format::Yaml);
    let e = entries(&root);
    assert_eq!(at(text, e[0].0.span), "a");
    assert_eq!(at(text, e[0].1.span), "1");
    assert_eq!(at(text, e[1].0.span), "bé");
    assert_eq!(at(text, e[1].1.span), "'x'");
}

#[test]
fn yaml_folded_and_multiline_scalars() {
    let text = "a: >\n  folded\n  text\n\nb: \"multi\n  line\"\nc: plain\n  continued\n";
    let root = read(text, Format::Yaml);
    assert_eq!(
        get(&root, "a").kind,
        NodeKind::String("folded text\n".into())
    );
    assert_eq!(at(text, get(&root, "a").span), "folded\n  text");
    assert_eq!(get(&root, "b").kind, NodeKind::String("multi line".into()));
    assert_eq!(at(text, get(&root, "b").span), "\"multi\n  line\"");
    assert_eq!(
        get(&root, "c").kind,
        NodeKind::String("plain continued".into())
    );
    assert_eq!(at(text, get(&root, "c").span), "plain\n  continued");
}

#[test]
fn yaml_core_schema_scalars() {
    let text = "n1: null\nn2: ~\nn3:\nb1: true\nb2: False\ni1: 42\ni2: -7\ni3: 0x1F\ni4: 0o17\n\
                f1: 1.5\nf2: 1e3\nf3: .5\nf4: -.inf\nf5: .nan\nbig: 99999999999999999999\n\
                s1: '42'\ns2: \"true\"\ns3: yes\ns4: 1_000\ns5: !!str 12\ns6: 0x\ns7: 1.2.3\n";
    let root = read(text, Format::Yaml);
    let kind = |k: &str| get(&root, k).kind.clone();
    assert_eq!(kind("n1"), NodeKind::Null);
    assert_eq!(kind("n2"), NodeKind::Null);
    assert_eq!(kind("n3"), NodeKind::Null);
    assert_eq!(kind("b1"), NodeKind::Bool(true));
    assert_eq!(kind("b2"), NodeKind::Bool(false));
    assert_eq!(kind("i1"), NodeKind::Integer(42));
    assert_eq!(kind("i2"), NodeKind::Integer(-7));
    assert_eq!(kind("i3"), NodeKind::Integer(31));
    assert_eq!(kind("i4"), NodeKind::Integer(15));
    assert_eq!(kind("f1"), NodeKind::Float(1.5));
    assert_eq!(kind("f2"), NodeKind::Float(1000.0));
    assert_eq!(kind("f3"), NodeKind::Float(0.5));
    assert_eq!(kind("f4"), NodeKind::Float(f64::NEG_INFINITY));
    assert!(matches!(kind("f5"), NodeKind::Float(f) if f.is_nan()));
    assert_eq!(kind("big"), NodeKind::Float(1e20));
    assert_eq!(kind("s1"), NodeKind::String("42".into()));
    assert_eq!(kind("s2"), NodeKind::String("true".into()));
    assert_eq!(kind("s3"), NodeKind::String("yes".into()));
    assert_eq!(kind("s4"), NodeKind::String("1_000".into()));
    assert_eq!(kind("s5"), NodeKind::String("12".into()));
    assert_eq!(kind("s6"), NodeKind::String("0x".into()));
    assert_eq!(kind("s7"), NodeKind::String("1.2.3".into()));
}

#[test]
fn yaml_empty_document_is_null() {
    for text in ["", "# only a comment\n", "---\n"] {
        assert_eq!(read(text, Format::Yaml).kind, NodeKind::Null, "{text:?}");
    }
}

#[test]
fn yaml_aliases_are_copied() {
    let text = "base: &b {unit: ms}\nother: *b\nlist: [&x 1, *x]\n*x : key-from-alias\n";
    let root = read(text, Format::Yaml);
    let other = get(&root, "other");
    assert_eq!(at(text, other.span), "*b");
    assert_eq!(get(other, "unit").kind, NodeKind::String("ms".into()));
    // The values inside the copy point at the anchored original.
    assert_eq!(at(text, get(other, "unit").span), "ms");
    assert_eq!(items(get(&root, "list"))[1].kind, NodeKind::Integer(1));
    assert_eq!(
        get(&root, "1").kind,
        NodeKind::String("key-from-alias".into())
    );
}

#[test]
fn yaml_alias_errors() {
    let d = fail("a: &x [1, *x]", Format::Yaml);
    assert_eq!(d.code, Code::InvalidValue);
    assert_eq!(label("a: &x [1, *x]", &d, 0), "*x");

    // Billion laughs: each level doubles the copies.
    let mut text = String::from("l0: &l0 [a, b, c, d, e, f, g, h, i, j]\n");
    for i in 1..30 {
        text.push_str(&format!(
            "l{i}: &l{i} [*l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}]\n",
            p = i - 1
        ));
    }
    let d = fail(&text, Format::Yaml);
    assert_eq!(d.code, Code::TooLarge);
    assert_clean_message(&d);

    // An alias may not make the tree deeper than the limit.
    let limits = Limits {
        max_depth: 3,
        ..Limits::default()
    };
    let d = fail_with("a: &x [[1]]\nb: [*x]\n", Format::Yaml, &limits);
    assert_eq!(d.code, Code::TooLarge);
    assert_eq!(label("a: &x [[1]]\nb: [*x]\n", &d, 0), "*x");
    assert!(parse("a: &x [[1]]\nb: *x\n", Format::Yaml, &limits).is_ok());
}

#[test]
fn yaml_structural_errors() {
    let d = fail("--- a\n--- b\n", Format::Yaml);
    assert_eq!(d.code, Code::Syntax);
    assert_eq!(label("--- a\n--- b\n", &d, 0), "---");

    let text = "? [a]\n: 1\n";
    let d = fail(text, Format::Yaml);
    assert_eq!(d.code, Code::InvalidValue);
    assert!(d.message.contains("key"), "{}", d.message);
}

#[test]
fn yaml_syntax_errors_have_spans() {
    let text = "a: 1\nb: [1, 2\n";
    let d = fail(text, Format::Yaml);
    assert_eq!(d.code, Code::Syntax);
    assert_clean_message(&d);
    assert!(d.message.starts_with("invalid yaml: "), "{}", d.message);
    assert!(d.labels[0].start >= 8, "{d:?}");

    let text = "é: 1\n ü: 2";
    let d = fail(text, Format::Yaml);
    assert_eq!(d.code, Code::Syntax);
    assert_eq!(label(text, &d, 0), ":");

    let d = fail("a: \"x\0\"", Format::Yaml);
    assert_eq!(d.code, Code::Syntax);
}

#[test]
fn yaml_duplicate_keys() {
    let text = "a: 1\nb:\n  x: 1\n  x: 2\na: 3\n";
    let d = fail(text, Format::Yaml);
    assert_eq!(d.code, Code::DuplicateName);
    assert_eq!(d.message, "duplicate key `x`");
    assert_eq!(d.labels.len(), 2);
    assert_eq!(d.labels[0].start, 17);
    assert_eq!(d.labels[1].start, 10);
    // `1` and `"1"` are the same key.
    let d = fail("1: a\n\"1\": b\n", Format::Yaml);
    assert_eq!(d.code, Code::DuplicateName);
}

// ---------------------------------------------------------------------------------------------
// JSON

#[test]
fn json_spans_and_values() {
    let text = "{\"a\": 1, \"é\": [true, null, -2.5e1, \"x\\\"y\"], \"n\": {\"k\": \"日本\"}, \"big\": 12345678901234567890}";
    let root = read(text, Format::Json);
    assert_eq!(root.span, Span::new(0, text.len()));
    let e = entries(&root);
    assert_eq!(at(text, e[0].0.span), "\"a\"");
    assert_eq!(at(text, e[1].0.span), "\"é\"");
    let seq = items(&e[1].1);
    assert_eq!(at(text, e[1].1.span), "[true, null, -2.5e1, \"x\\\"y\"]");
    assert_eq!(seq[0].kind, NodeKind::Bool(true));
    assert_eq!(seq[1].kind, NodeKind::Null);
    assert_eq!(seq[2].kind, NodeKind::Float(-25.0));
    assert_eq!(at(text, seq[2].span), "-2.5e1");
    assert_eq!(seq[3].kind, NodeKind::String("x\"y".into()));
    assert_eq!(at(text, seq[3].span), "\"x\\\"y\"");
    let n = get(&root, "n");
    assert_eq!(at(text, n.span), "{\"k\": \"日本\"}");
    assert_eq!(at(text, get(n, "k").span), "\"日本\"");
    assert_eq!(
        get(&root, "big").kind,
        NodeKind::Float(12_345_678_901_234_567_890.0)
    );
    assert_eq!(get(&root, "a").kind, NodeKind::Integer(1));
}

#[test]
fn json_strings_and_escapes() {
    let root = read(r#"["\u00e9\ud83d\ude00\n\t\/\\", "", " ✓ "]"#, Format::Json);
    assert_eq!(items(&root)[0].kind, NodeKind::String("é😀\n\t/\\".into()));
    assert_eq!(items(&root)[1].kind, NodeKind::String(String::new()));
    assert_eq!(items(&root)[2].kind, NodeKind::String(" ✓ ".into()));
    for bad in [
        r#""\ud83d""#,
        r#""\x""#,
        r#""\u12"#,
        "\"a\nb\"",
        "\"open",
        r#""\ude00\ud83d""#,
    ] {
        let d = fail(bad, Format::Json);
        assert_eq!(d.code, Code::Syntax, "{bad:?}");
        assert_clean_message(&d);
    }
}

#[test]
fn json_syntax_errors() {
    let cases: &[(&str, &str)] = &[
        ("{\"a\": 1,}", "}"),
        ("[1, 2,]", "]"),
        ("{\"a\" 1}", "1"),
        ("{a: 1}", "a"),
        ("[1 2]", "2"),
        ("tru", "tru"),
        ("nullx", "nullx"),
        ("01", "0"),
        ("1.", ""),
        ("-", ""),
        ("1e", ""),
        ("[1] 2", "2"),
        ("", ""),
        ("   ", ""),
        ("[", ""),
        ("{\"a\": // c\n 1}", "/"),
        ("'x'", "'"),
        ("{\"é\": ü}", "ü"),
    ];
    for (text, at_text) in cases {
        let d = fail(text, Format::Json);
        assert_eq!(d.code, Code::Syntax, "{text:?}: {d:?}");
        assert_clean_message(&d);
        assert!(d.message.starts_with("invalid json: "), "{}", d.message);
        assert_eq!(label(text, &d, 0), *at_text, "{text:?}: {d:?}");
    }
}

#[test]
fn json_duplicate_keys() {
    let text = "{\"a\": 1, \"b\": {\"c\": 1}, \"a\": 2}";
    let d = fail(text, Format::Json);
    assert_eq!(d.code, Code::DuplicateName);
    assert_eq!(d.message, "duplicate key `a`");
    assert_eq!(d.labels[0].start, 24);
    assert_eq!(d.labels[1].start, 1);
    assert_eq!(label(text, &d, 1), "\"a\"");
}

#[test]
fn json_bom_is_skipped() {
    let text = "\u{feff}{\"a\": 1}";
    let root = read(text, Format::Json);
    assert_eq!(at(text, get(&root, "a").span), "1");
}

// ---------------------------------------------------------------------------------------------
// TOML

#[test]
fn toml_spans_and_values() {
    let text = "version = 1\nname = \"é\"\nwhen = 1979-05-27T07:32:00Z\n[metrics.cov]\nunit = '%'\n\
                [[gates]]\nname = 'g'\ncriteria = [{name = 'c', pass = 'x >= 1'}]\n[[gates]]\nname = 'h'\n";
    let root = read(text, Format::Toml);
    let keys: Vec<&str> = entries(&root)
        .iter()
        .map(|(k, _)| k.value.as_str())
        .collect();
    assert_eq!(keys, ["version", "name", "when", "metrics", "gates"]);
    for (k, _) in entries(&root) {
        assert_eq!(at(text, k.span), k.value);
    }
    assert_eq!(get(&root, "version").kind, NodeKind::Integer(1));
    assert_eq!(at(text, get(&root, "name").span), "\"é\"");
    assert_eq!(
        get(&root, "when").kind,
        NodeKind::String("1979-05-27T07:32:00Z".into())
    );
    let unit = get(get(get(&root, "metrics"), "cov"), "unit");
    assert_eq!(at(text, unit.span), "'%'");
    let gates = items(get(&root, "gates"));
    assert_eq!(gates.len(), 2);
    let criterion = &items(get(&gates[0], "criteria"))[0];
    assert_eq!(at(text, criterion.span), "{name = 'c', pass = 'x >= 1'}");
    assert_eq!(at(text, get(criterion, "pass").span), "'x >= 1'");
    let keys: Vec<&str> = entries(criterion)
        .iter()
        .map(|(k, _)| k.value.as_str())
        .collect();
    assert_eq!(keys, ["name", "pass"]);
}

#[test]
fn toml_numbers() {
    let text = "a = 0x1F\nb = -inf\nc = nan\nd = 1_000\ne = 1.5e3\nf = 0o17\n";
    let root = read(text, Format::Toml);
    assert_eq!(get(&root, "a").kind, NodeKind::Integer(31));
    assert_eq!(get(&root, "b").kind, NodeKind::Float(f64::NEG_INFINITY));
    assert!(matches!(get(&root, "c").kind, NodeKind::Float(f) if f.is_nan()));
    assert_eq!(get(&root, "d").kind, NodeKind::Integer(1000));
    assert_eq!(get(&root, "e").kind, NodeKind::Float(1500.0));
    assert_eq!(get(&root, "f").kind, NodeKind::Integer(15));
}

#[test]
fn toml_errors() {
    let d = fail("a = 9223372036854775808", Format::Toml);
    assert_eq!(d.code, Code::Syntax);
    assert_eq!(d.labels[0].start, 4);

    let text = "a = [1, 2";
    let d = fail(text, Format::Toml);
    assert_eq!(d.code, Code::Syntax);
    assert_clean_message(&d);
    assert_eq!(d.labels[0].start, 9);

    let text = "a = 1\nb = 2\na = 3\n";
    let d = fail(text, Format::Toml);
    assert_eq!(d.code, Code::DuplicateName);
    assert_eq!(d.message, "duplicate key `a`");
    assert_eq!((d.labels[0].start, d.labels[1].start), (12, 0));

    let text = "[a]\nx = 1\n[b]\nx = 2\n[a]\n";
    let d = fail(text, Format::Toml);
    assert_eq!(d.code, Code::DuplicateName);
    assert_eq!((d.labels[0].start, d.labels[1].start), (21, 1));

    // The first occurrence is found by full path, not by name alone.
    let text = "a.x = 1\nb.x = 2\na.x = 3\n";
    let d = fail(text, Format::Toml);
    assert_eq!(d.code, Code::DuplicateName);
    assert_eq!(d.message, "duplicate key `x`");
    assert_eq!((d.labels[0].start, d.labels[1].start), (18, 2));

    let text = "[[g]]\nn = 1\n[[g]]\nn = 2\n\"n\" = 3\n";
    let d = fail(text, Format::Toml);
    assert_eq!(d.code, Code::DuplicateName);
    assert_eq!((d.labels[0].start, d.labels[1].start), (24, 18));

    let text = "a = {b = 1, c = {b = 2, b = 3}}";
    let d = fail(text, Format::Toml);
    assert_eq!(d.code, Code::DuplicateName);
    assert_eq!((d.labels[0].start, d.labels[1].start), (24, 17));
}

#[test]
fn toml_empty_is_an_empty_map() {
    assert_eq!(read("", Format::Toml).kind, NodeKind::Map(Vec::new()));
}

// ---------------------------------------------------------------------------------------------
// Limits

#[test]
fn size_limit_comes_first() {
    let limits = Limits {
        max_bytes: 10,
        ..Limits::default()
    };
    for format in Format::ALL {
        let d = fail_with("[1, 2, 3, 4, 5]", *format, &limits);
        assert_eq!(d.code, Code::TooLarge);
        assert!(
            d.message.contains("15 bytes") && d.message.contains("10 bytes"),
            "{}",
            d.message
        );
        assert_eq!(d.labels[0].start, 0);
    }
    assert!(parse("[1, 2, 3]", Format::Json, &limits).is_ok());

    // 50 MB of garbage is rejected without being read.
    let huge = "[".repeat(50 * 1024 * 1024);
    for format in Format::ALL {
        assert_eq!(fail(&huge, *format).code, Code::TooLarge);
    }
}

#[test]
fn depth_limit_points_at_the_offending_collection() {
    let limits = Limits {
        max_depth: 3,
        ..Limits::default()
    };
    let ok: &[(&str, Format)] = &[
        ("[[[1]]]", Format::Json),
        ("a: {b: [1]}", Format::Yaml),
        ("a = [[1]]", Format::Toml),
        ("a.b = [1]", Format::Toml),
        ("[a.b]\nc = 1", Format::Toml),
    ];
    for (text, format) in ok {
        assert!(parse(text, *format, &limits).is_ok(), "{format} {text:?}");
    }
    let bad: &[(&str, Format, &str)] = &[
        ("[[[[1]]]]", Format::Json, "["),
        ("{\"a\": {\"b\": {\"c\": {}}}}", Format::Json, "{"),
        ("a: {b: {c: [1]}}", Format::Yaml, "["),
        ("a:\n  b:\n    c:\n      d: 1\n", Format::Yaml, "d"),
        ("a = [[[1]]]", Format::Toml, "["),
        ("a = {b = {c = {d = 1}}}", Format::Toml, "{"),
        ("a.b.c.d = 1", Format::Toml, "a.b.c.d"),
        ("[a.b.c]\nx = 1", Format::Toml, "[a.b.c]"),
        ("[[a.b]]\nx = 1", Format::Toml, "[[a.b]]"),
        ("[a]\nb.c.d = 1", Format::Toml, "b.c.d"),
    ];
    for (text, format, at_text) in bad {
        let d = fail_with(text, *format, &limits);
        assert_eq!(d.code, Code::TooLarge, "{format} {text:?}: {d:?}");
        assert_clean_message(&d);
        assert_eq!(label(text, &d, 0), *at_text, "{format} {text:?}");
    }
}

#[test]
fn deep_nesting_never_overflows_the_stack() {
    const DEPTH: usize = 100_000;
    let cases: Vec<(String, Format)> = vec![
        ("[".repeat(DEPTH), Format::Json),
        (
            format!("{}1{}", "[".repeat(DEPTH), "]".repeat(DEPTH)),
            Format::Json,
        ),
        ("{\"a\":".repeat(DEPTH), Format::Json),
        ("[".repeat(DEPTH), Format::Yaml),
        ("{a: ".repeat(DEPTH), Format::Yaml),
        ("- ".repeat(DEPTH), Format::Yaml),
        (
            (0..3000)
                .map(|i| format!("{}a:\n", " ".repeat(i)))
                .collect(),
            Format::Yaml,
        ),
        (format!("a = {}", "[".repeat(DEPTH)), Format::Toml),
        (format!("a = {}", "{b = ".repeat(DEPTH)), Format::Toml),
        (format!("{} = 1", vec!["a"; DEPTH].join(".")), Format::Toml),
        (format!("[{}]", vec!["a"; DEPTH].join(".")), Format::Toml),
        (format!("[[{}]]", vec!["a"; DEPTH].join(".")), Format::Toml),
    ];
    for (text, format) in &cases {
        let d = fail(text, *format);
        assert_eq!(d.code, Code::TooLarge, "{format} {:?}…: {d:?}", &text[..20]);
    }
    // Not a nesting: TOML reads `[[[` as a malformed table header.
    assert_eq!(fail(&"[".repeat(DEPTH), Format::Toml).code, Code::Syntax);
}

// ---------------------------------------------------------------------------------------------
// Deserialization

const POLICY_YAML: &str = r#"$schema: ../../docs/policy.schema.json
version: 1
name: kova-web
description: quality gates for the kova web product
metrics:
  coverage:        { unit: "%" }
  p95_latency:     { unit: ms }
  tests.e2e_green: { unit: bool }
personas:
  - { name: architect, required: true }
  - { name: qa, max_conditions: 2 }
gates:
  - name: code-quality
    kind: pre-merge
    owners: [architect]
    score: { pass: 90%, warn: 0.75 }
    criteria:
      - name: coverage
        pass: coverage >= 90%
        warn: coverage >= 80%
        weight: 2
        key: true
        on_missing: fail
        owners: [qa]
      - name: latency
        pass: p95_latency < 500ms
"#;

const POLICY_JSON: &str = r#"{
  "$schema": "../../docs/policy.schema.json",
  "version": 1,
  "name": "kova-web",
  "description": "quality gates for the kova web product",
  "metrics": {
    "coverage": {"unit": "%"},
    "p95_latency": {"unit": "ms"},
    "tests.e2e_green": {"unit": "bool"}
  },
  "personas": [{"name": "architect", "required": true}, {"name": "qa", "max_conditions": 2}],
  "gates": [{
    "name": "code-quality",
    "kind": "pre-merge",
    "owners": ["architect"],
    "score": {"pass": "90%", "warn": 0.75},
    "criteria": [
      {"name": "coverage", "pass": "coverage >= 90%", "warn": "coverage >= 80%", "weight": 2,
       "key": true, "on_missing": "fail", "owners": ["qa"]},
      {"name": "latency", "pass": "p95_latency < 500ms"}
    ]
  }]
}"#;

const POLICY_TOML: &str = r#""$schema" = "../../docs/policy.schema.json"
version = 1
name = "kova-web"
description = "quality gates for the kova web product"

[metrics]
coverage = { unit = "%" }
p95_latency = { unit = "ms" }
"tests.e2e_green" = { unit = "bool" }

[[personas]]
name = "architect"
required = true

[[personas]]
name = "qa"
max_conditions = 2

[[gates]]
name = "code-quality"
kind = "pre-merge"
owners = ["architect"]
score = { pass = "90%", warn = 0.75 }

[[gates.criteria]]
name = "coverage"
pass = "coverage >= 90%"
warn = "coverage >= 80%"
weight = 2
key = true
on_missing = "fail"
owners = ["qa"]

[[gates.criteria]]
name = "latency"
pass = "p95_latency < 500ms"
"#;

fn load_policy(text: &str, format: Format) -> Result<Policy, Diagnostic> {
    load(text, format, &Limits::default())
}

#[test]
fn policy_reads_the_same_from_every_format() {
    let yaml = load_policy(POLICY_YAML, Format::Yaml).unwrap_or_else(|d| unreachable!("{d:?}"));
    let json = load_policy(POLICY_JSON, Format::Json).unwrap_or_else(|d| unreachable!("{d:?}"));
    let toml = load_policy(POLICY_TOML, Format::Toml).unwrap_or_else(|d| unreachable!("{d:?}"));
    assert_eq!(yaml, json);
    assert_eq!(yaml, toml);

    assert_eq!(
        yaml.schema.as_deref(),
        Some("../../docs/policy.schema.json")
    );
    assert_eq!(*yaml.version, 1);
    assert_eq!(yaml.metrics.len(), 3);
    assert!(yaml.metrics.contains_key("tests.e2e_green"));
    let gate = &yaml.gates[0];
    assert_eq!(gate.kind, GateKind::PreMerge);
    let score = gate.score.as_ref().unwrap_or_else(|| unreachable!());
    assert_eq!(*score.pass, Threshold::Percent("90%".into()));
    assert_eq!(
        score.warn.as_ref().map(|w| w.value.clone()),
        Some(Threshold::Fraction(0.75))
    );
    let criterion = &gate.criteria[0];
    assert_eq!(criterion.weight.as_ref().map(|w| w.value), Some(2.0));
    assert_eq!(
        criterion.on_missing.as_ref().map(|r| r.value),
        Some(MissingRule::Fail)
    );
    assert!(criterion.key);
    assert!(!gate.criteria[1].key);
}

#[test]
fn spanned_fields_get_their_spans() {
    for (text, format) in [
        (POLICY_YAML, Format::Yaml),
        (POLICY_JSON, Format::Json),
        (POLICY_TOML, Format::Toml),
    ] {
        let policy = load_policy(text, format).unwrap_or_else(|d| unreachable!("{d:?}"));
        let unquote = |s: &str| s.trim_matches('"').to_owned();
        assert_eq!(unquote(at(text, policy.name.span)), "kova-web", "{format}");
        assert_eq!(at(text, policy.version.span), "1", "{format}");
        let gate = &policy.gates[0];
        let criterion = &gate.criteria[1];
        assert_eq!(
            unquote(at(text, criterion.pass.span)),
            "p95_latency < 500ms",
            "{format}"
        );
        assert_eq!(
            unquote(at(text, gate.owners[0].span)),
            "architect",
            "{format}"
        );
        let unit = policy.metrics["coverage"]
            .unit
            .as_ref()
            .unwrap_or_else(|| unreachable!());
        assert_eq!(unquote(at(text, unit.span)), "%", "{format}");
        let spanned_criterion = &gate.criteria[0];
        assert!(
            at(text, spanned_criterion.span).contains("coverage >= 90%"),
            "{format}"
        );
    }
}

#[test]
fn version_defaults_to_one() {
    let policy = load_policy("name: x\n", Format::Yaml).unwrap_or_else(|d| unreachable!("{d:?}"));
    assert_eq!(*policy.version, 1);
    assert!(policy.gates.is_empty());
}

#[test]
fn unknown_field_suggests_the_closest() {
    let text = "name: x\ngates:\n  - name: g\n    kind: pre-merge\n    critera: []\n";
    let d = load_policy(text, Format::Yaml)
        .err()
        .unwrap_or_else(|| unreachable!());
    assert_eq!(d.code, Code::UnknownField);
    assert_eq!(d.message, "unknown field `critera`");
    assert_eq!(d.help.as_deref(), Some("did you mean `criteria`?"));
    assert_eq!(label(text, &d, 0), "critera");

    let text = "{\"name\": \"x\", \"zzz\": 1}";
    let d = load_policy(text, Format::Json)
        .err()
        .unwrap_or_else(|| unreachable!());
    assert_eq!(d.code, Code::UnknownField);
    assert_eq!(label(text, &d, 0), "\"zzz\"");
    let help = d.help.unwrap_or_default();
    assert!(
        help.starts_with("the fields here are `$schema`, `version`"),
        "{help}"
    );
}

#[test]
fn unknown_enum_value_suggests_the_closest() {
    let text = "name: x\ngates:\n  - name: g\n    kind: pre-merg\n    criteria: []\n";
    let d = load_policy(text, Format::Yaml)
        .err()
        .unwrap_or_else(|| unreachable!());
    assert_eq!(d.code, Code::InvalidValue);
    assert_eq!(d.message, "unknown value `pre-merg`");
    assert_eq!(d.help.as_deref(), Some("did you mean `pre-merge`?"));
    assert_eq!(label(text, &d, 0), "pre-merg");

    let text = "name: x\ngates:\n  - name: g\n    kind: 5\n    criteria: []\n";
    let d = load_policy(text, Format::Yaml)
        .err()
        .unwrap_or_else(|| unreachable!());
    assert_eq!(d.code, Code::InvalidValue);
    assert!(
        d.message.starts_with("expected one of `pre-commit`"),
        "{}",
        d.message
    );
    assert_eq!(label(text, &d, 0), "5");
}

#[test]
fn missing_field_points_at_the_enclosing_map() {
    let text = "name: x\ngates:\n  - name: g\n    kind: custom\n    criteria:\n      - {name: c, warn: a}\n";
    let d = load_policy(text, Format::Yaml)
        .err()
        .unwrap_or_else(|| unreachable!());
    assert_eq!(d.code, Code::InvalidValue);
    assert_eq!(d.message, "missing field `pass`");
    assert_eq!(label(text, &d, 0), "{name: c, warn: a}");
}

#[test]
fn wrong_types_are_described_without_rust_names() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "name: [a, b]\n",
            "expected a string, found a sequence",
            "[a, b]",
        ),
        (
            "name: x\nversion: one\n",
            "expected a whole number from 0 to 4294967295, found a string `one`",
            "one",
        ),
        (
            "name: x\nversion: 5000000000\n",
            "expected a whole number from 0 to 4294967295, found a number `5000000000`",
            "5000000000",
        ),
        (
            "name: x\nversion: -1\n",
            "expected a whole number from 0 to 4294967295, found a number `-1`",
            "-1",
        ),
        (
            "name: x\npersonas: {a: 1}\n",
            "expected a sequence, found a map",
            "{a: 1}",
        ),
        (
            "name: x\nmetrics: [a]\n",
            "expected a map, found a sequence",
            "[a]",
        ),
        (
            "name: x\npersonas: [{name: a, required: 'yes'}]\n",
            "expected a boolean, found a string `yes`",
            "'yes'",
        ),
        (
            "name: x\npersonas: [[a]]\n",
            "expected a map, found a sequence",
            "[a]",
        ),
        ("- a\n", "expected a map, found a sequence", "- a"),
    ];
    for (text, message, at_text) in cases {
        let d = load_policy(text, Format::Yaml)
            .err()
            .unwrap_or_else(|| unreachable!("{text:?}"));
        assert_eq!(d.code, Code::InvalidValue, "{text:?}");
        assert_eq!(d.message, *message, "{text:?}");
        assert_eq!(label(text, &d, 0), *at_text, "{text:?}");
        assert_clean_message(&d);
    }
}

#[test]
fn a_number_where_a_string_is_expected_suggests_quotes() {
    let text = "name: 2024\n";
    let d = load_policy(text, Format::Yaml)
        .err()
        .unwrap_or_else(|| unreachable!());
    assert_eq!(d.message, "expected a string, found a number `2024`");
    assert_eq!(
        d.help.as_deref(),
        Some("to make it a string, quote it: `\"2024\"`")
    );
    let d = load_policy("name: [1]\n", Format::Yaml)
        .err()
        .unwrap_or_else(|| unreachable!());
    assert_eq!(d.help, None);
}

#[test]
fn numbers_convert_where_the_model_allows() {
    let text = "name: x\ngates:\n  - name: g\n    kind: custom\n    criteria:\n      - {name: c, pass: a, weight: 3}\n      - {name: d, pass: a, weight: 0.5}\n";
    let policy = load_policy(text, Format::Yaml).unwrap_or_else(|d| unreachable!("{d:?}"));
    assert_eq!(
        policy.gates[0].criteria[0].weight.as_ref().map(|w| w.value),
        Some(3.0)
    );
    assert_eq!(
        policy.gates[0].criteria[1].weight.as_ref().map(|w| w.value),
        Some(0.5)
    );

    let text = "name: x\npersonas: [{name: a, max_conditions: 1.5}]\n";
    let d = load_policy(text, Format::Yaml)
        .err()
        .unwrap_or_else(|| unreachable!());
    assert_eq!(d.code, Code::InvalidValue);
    assert_eq!(label(text, &d, 0), "1.5");
}

#[test]
fn untagged_threshold() {
    #[derive(Debug, Deserialize)]
    struct Holder {
        t: Spanned<Threshold>,
    }
    let cases: &[(&str, Threshold)] = &[
        ("t: 0.9", Threshold::Fraction(0.9)),
        ("t: 1", Threshold::Fraction(1.0)),
        ("t: 90%", Threshold::Percent("90%".into())),
        ("t: '0.5'", Threshold::Percent("0.5".into())),
    ];
    for (text, want) in cases {
        let h: Holder =
            load(text, Format::Yaml, &Limits::default()).unwrap_or_else(|d| unreachable!("{d:?}"));
        assert_eq!(&h.t.value, want);
        assert_eq!(at(text, h.t.span), &text[3..]);
    }
    let text = "t: true";
    let d = load::<Holder>(text, Format::Yaml, &Limits::default())
        .err()
        .unwrap_or_else(|| unreachable!());
    assert_eq!(d.code, Code::InvalidValue);
    assert_eq!(
        d.message,
        "a boolean `true` is not one of the accepted forms"
    );
    assert_eq!(label(text, &d, 0), "true");
}

#[test]
fn spanned_protocol_nests() {
    #[derive(Debug, Deserialize)]
    struct Holder {
        list: Spanned<Vec<Spanned<u32>>>,
        map: BTreeMap<String, Spanned<Option<String>>>,
    }
    let text = "{\"list\": [1, 22], \"map\": {\"k\": null, \"j\": \"v\"}}";
    let h: Holder =
        load(text, Format::Json, &Limits::default()).unwrap_or_else(|d| unreachable!("{d:?}"));
    assert_eq!(at(text, h.list.span), "[1, 22]");
    assert_eq!(at(text, h.list[1].span), "22");
    assert_eq!(h.map["k"].value, None);
    assert_eq!(at(text, h.map["j"].span), "\"v\"");

    // Spans only come from kiro's reader.
    let from_json: Result<Spanned<u32>, _> = serde_json::from_str("1");
    assert!(from_json.is_err());
}

#[test]
fn deserialize_reports_errors_in_nested_sequences() {
    let text = "name: x\ngates:\n  - name: g\n    kind: custom\n    criteria:\n      - {name: c, pass: a}\n      - {name: d, pass: [x]}\n";
    let d = load_policy(text, Format::Yaml)
        .err()
        .unwrap_or_else(|| unreachable!());
    assert_eq!(d.message, "expected a string, found a sequence");
    assert_eq!(label(text, &d, 0), "[x]");
}

// ---------------------------------------------------------------------------------------------
// Properties

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        proptest::collection::vec(
            prop_oneof![
                Just("["),
                Just("]"),
                Just("{"),
                Just("}"),
                Just(":"),
                Just(": "),
                Just(","),
                Just("\""),
                Just("'"),
                Just("\\"),
                Just("\n"),
                Just("  "),
                Just("- "),
                Just("#"),
                Just("="),
                Just("."),
                Just("&a "),
                Just("*a"),
                Just("!!str "),
                Just("? "),
                Just("|"),
                Just(">"),
                Just("---"),
                Just("..."),
                Just("é"),
                Just("\t"),
                Just("\r"),
                Just("a"),
                Just("1"),
                Just("-1.5e3"),
                Just("true"),
                Just("null"),
                Just("[[a]]"),
                Just("\"\"\""),
                Just("'''"),
                Just("\u{feff}"),
                Just("\0"),
                Just("%YAML 1.2\n"),
            ],
            0..40,
        )
        .prop_map(|parts| parts.concat()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn parse_never_panics(text in any_text()) {
        for format in Format::ALL {
            let limits = Limits { max_bytes: 1 << 20, max_depth: 4 };
            if let Ok(node) = parse(&text, *format, &limits) {
                check_spans(&text, &node);
                let _ = deserialize::<Policy>(&node);
            } else if let Err(d) = parse(&text, *format, &limits) {
                for l in &d.labels {
                    prop_assert!(l.start <= l.end && l.end <= text.len(), "{format} {d:?}");
                    prop_assert!(text.is_char_boundary(l.start) && text.is_char_boundary(l.end));
                }
            }
        }
    }
}

/// Every span lies within the text, on character boundaries.
fn check_spans(text: &str, node: &Node) {
    let ok = |s: Span| {
        s.start <= s.end
            && s.end <= text.len()
            && text.is_char_boundary(s.start)
            && text.is_char_boundary(s.end)
    };
    assert!(ok(node.span), "{node:?}");
    match &node.kind {
        NodeKind::Seq(items) => items.iter().for_each(|n| check_spans(text, n)),
        NodeKind::Map(entries) => entries.iter().for_each(|(k, n)| {
            assert!(ok(k.span), "{k:?}");
            check_spans(text, n);
        }),
        _ => {}
    }
}

fn json_soup() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("{"),
            Just("}"),
            Just("["),
            Just("]"),
            Just(":"),
            Just(","),
            Just(" "),
            Just("\"a\""),
            Just("\"b\""),
            Just("\"\\u00e9\\n\""),
            Just("\"\\ud83d\\ude00\""),
            Just("1"),
            Just("-0.5e3"),
            Just("0"),
            Just("12345678901234567890"),
            Just("true"),
            Just("null"),
            Just("\"\\\""),
            Just("\"é\""),
            Just("-"),
            Just("."),
            Just("e"),
        ],
        0..30,
    )
    .prop_map(|parts| parts.concat())
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e300..1e300f64).prop_map(Value::from),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            proptest::collection::btree_map(any::<String>(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Whether a node holds the same data as a JSON value.
fn same_as_json(node: &Node, value: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (&node.kind, value) {
        (NodeKind::Null, Value::Null) => true,
        (NodeKind::Bool(a), Value::Bool(b)) => a == b,
        // `-0` is the integer 0 here and the float -0.0 in serde_json: the same number.
        #[expect(
            clippy::cast_precision_loss,
            reason = "comparing values, not converting"
        )]
        (NodeKind::Integer(a), Value::Number(b)) => {
            b.as_i64() == Some(*a) || b.as_f64() == Some(*a as f64)
        }
        // serde_json's default float parsing may be one ulp off; ours is correctly rounded.
        (NodeKind::Float(a), Value::Number(b)) => b
            .as_f64()
            .is_some_and(|b| (a - b).abs() <= a.abs().max(b.abs()) * 1e-15),
        (NodeKind::String(a), Value::String(b)) => a == b,
        (NodeKind::Seq(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_as_json(x, y))
        }
        (NodeKind::Map(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, v)| b.get(&k.value).is_some_and(|w| same_as_json(v, w)))
        }
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// The JSON reader accepts exactly what `serde_json` accepts (bar duplicate keys and depth)
    /// and reads the same data.
    #[test]
    fn json_agrees_with_serde_json(text in prop_oneof![json_soup(), json_value().prop_map(|v| v.to_string())]) {
        let ours = parse(&text, Format::Json, &Limits::default());
        let theirs = serde_json::from_str::<serde_json::Value>(&text);
        match (&ours, &theirs) {
            (Ok(node), Ok(value)) => prop_assert!(same_as_json(node, value), "{text:?}: {node:?} vs {value:?}"),
            (Err(d), Ok(_)) => prop_assert!(matches!(d.code, Code::DuplicateName | Code::TooLarge), "{text:?}: {d:?}"),
            (Ok(node), Err(e)) => prop_assert!(false, "{text:?}: we read {node:?}, serde_json says {e}"),
            (Err(_), Err(_)) => {}
        }
    }
}

/// A small shape for the tests of [`deserialize_all`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Shape {
    name: String,
    #[serde(default)]
    items: Vec<Item>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Item {
    id: u32,
}

fn read_all<T: serde::de::DeserializeOwned>(text: &str) -> Collected<T> {
    deserialize_all(&read(text, Format::Yaml))
}

fn messages<T>(found: &Collected<T>) -> Vec<&str> {
    found
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect()
}

#[test]
fn every_shape_error_is_found_in_one_run_in_text_order() {
    let text = "name: t\nnmae: x\nitems:\n  - {id: 1}\n  - {id: one}\n  - {id: 3, extra: 1}\n";
    let found = read_all::<Shape>(text);
    let labels: Vec<String> = found
        .diagnostics
        .iter()
        .map(|d| label(text, d, 0))
        .collect();
    assert_eq!(labels, ["nmae", "one", "extra"]);
    assert_eq!(
        messages(&found),
        [
            "unknown field `nmae`",
            "expected a whole number from 0 to 4294967295, found a string `one`",
            "unknown field `extra`",
        ]
    );
    // The rest still reads: the item at fault is left out, the unknown keys dropped.
    let shape = found
        .value
        .unwrap_or_else(|| unreachable!("the rest reads"));
    assert_eq!(shape.items.iter().map(|i| i.id).collect::<Vec<_>>(), [1, 3]);
}

#[test]
fn a_field_missing_because_it_was_cut_is_not_reported() {
    // `id: one` is cut, so the item lacks `id`: one error, not two.
    let once = read_all::<Shape>("name: t\nitems: [{id: one}]\n");
    assert_eq!(once.diagnostics.len(), 1, "{:?}", once.diagnostics);
    // A field that was never there is reported.
    let twice = read_all::<Shape>("name: t\nitems: [{idd: 1}]\n");
    assert_eq!(
        messages(&twice),
        ["unknown field `idd`", "missing field `id`"]
    );
}

#[test]
fn a_document_with_no_error_reads_as_deserialize_does() {
    let found = read_all::<Shape>("name: t\n");
    assert!(found.diagnostics.is_empty() && found.cut.is_empty());
    assert_eq!(found.value.map(|s| s.name).as_deref(), Some("t"));
}

#[test]
fn a_root_of_the_wrong_shape_is_one_error_and_no_value() {
    let found = read_all::<Shape>("[1, 2]");
    assert_eq!(found.diagnostics.len(), 1);
    assert!(found.value.is_none());
}

#[test]
fn shape_errors_stop_at_the_limit() {
    let mut text = String::from("name: t\n");
    for i in 0..(MAX_SHAPE_ERRORS + 50) {
        text.push_str(&format!("k{i}: 1\n"));
    }
    assert_eq!(read_all::<Shape>(&text).diagnostics.len(), MAX_SHAPE_ERRORS);
}

#[test]
fn what_was_cut_explains_the_problems_that_follow_from_it() {
    let text = "name: t\nmetrics:\n  lat: {unit: [ms]}\n";
    let found = read_all::<Policy>(text);
    assert_eq!(found.diagnostics.len(), 1);
    // A problem underlining a use of `lat` may follow from the cut; one elsewhere does not.
    let start = text.find("lat").unwrap_or_default();
    let at_lat =
        Diagnostic::error(Code::TypeMismatch, "x").with_label(Span::new(start, start + 3), "");
    let elsewhere = Diagnostic::error(Code::TypeMismatch, "x").with_label(Span::new(0, 4), "");
    assert!(found.cut.explains(&at_lat, text));
    assert!(!found.cut.explains(&elsewhere, text));
}
