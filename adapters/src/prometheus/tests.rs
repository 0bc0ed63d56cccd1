#![allow(clippy::panic, reason = "a test fails by panicking")]

use super::api::{self, Data};
use super::notation::{self, Value};
use super::reading;
use kiro::Code;
use kiro::monitor::Reading;

fn numbers(text: &str) -> Vec<Option<f64>> {
    notation::expand(text, 1000)
        .expect("expands")
        .into_iter()
        .map(|(v, _)| match v {
            Value::Number(x) => Some(x),
            Value::Missing | Value::Stale => None,
        })
        .collect()
}

#[test]
fn notation_expands_as_promtool_documents() {
    assert_eq!(
        numbers("-2+4x3"),
        [Some(-2.0), Some(2.0), Some(6.0), Some(10.0)]
    );
    assert_eq!(
        numbers(" 1-2x4"),
        [Some(1.0), Some(-1.0), Some(-3.0), Some(-5.0), Some(-7.0)]
    );
    assert_eq!(numbers("1x4"), [Some(1.0); 5]);
    assert_eq!(numbers("1 _x3 stale"), [Some(1.0), None, None, None, None]);
    assert_eq!(
        numbers("1e3 1e-3+1e-3x1"),
        [Some(1000.0), Some(0.001), Some(0.002)]
    );
    let specials = notation::expand("NaN Inf -Inf", 10).expect("expands");
    assert!(matches!(specials[0].0, Value::Number(x) if x.is_nan()));
    assert_eq!(specials[1].0, Value::Number(f64::INFINITY));
    assert_eq!(specials[2].0, Value::Number(f64::NEG_INFINITY));
    let stale = notation::expand("stale", 10).expect("expands");
    assert_eq!(stale[0].0, Value::Stale);
}

#[test]
fn notation_adds_the_step_as_promtool_does() {
    // promtool adds the step to the value before; 0.1 added three times is not 0.3.
    let values = numbers("0+0.1x3");
    assert_eq!(values[3], Some(0.1 + 0.1 + 0.1));
}

#[test]
fn notation_errors_point_at_the_term() {
    let e = notation::expand("1 2 abc 4", 10).expect_err("not a number");
    assert_eq!(e.code, Code::InputSyntax);
    assert_eq!((e.labels[0].start, e.labels[0].end), (4, 7));
    let e = notation::expand("0+1x100", 50).expect_err("too many");
    assert_eq!(e.code, Code::TooLarge);
    let e = notation::expand("0+1x99999999999999999999999", 50).expect_err("count overflows");
    assert_eq!(e.code, Code::InputSyntax);
    let e = notation::expand("{{schema:1 sum:2}}", 50).expect_err("histogram");
    assert_eq!(e.code, Code::InputSyntax);
    for bad in ["1+*2x3", "--1", "x3", "0x", "1.2.3", "+"] {
        assert!(notation::expand(bad, 50).is_err(), "`{bad}` reads");
    }
}

#[test]
fn selectors_give_the_metric_name_and_labels() {
    let s = notation::selector(r#"http_requests_total{job="api", path='/a\"b'}"#).expect("reads");
    assert_eq!(s.name, "http_requests_total");
    assert_eq!(
        s.labels,
        [
            ("job".to_owned(), "api".to_owned()),
            ("path".to_owned(), "/a\"b".to_owned())
        ]
    );
    assert_eq!(
        notation::selector(r#"{__name__="up", job="x"}"#)
            .expect("reads")
            .name,
        "up"
    );
    assert_eq!(notation::selector("a:b_c").expect("reads").name, "a:b_c");
    for bad in [
        "",
        "{job=\"x\"}",
        "up{job=x}",
        "up{job=\"x\"",
        "up}",
        "up{=\"x\"}",
        "1up",
    ] {
        let e = notation::selector(bad).expect_err(bad);
        assert_eq!(e.code, Code::InputSyntax, "{bad}");
        for l in &e.labels {
            assert!(l.start <= l.end && l.end <= bad.len(), "{bad}: {l:?}");
        }
    }
}

const VECTOR_ONE: &str = r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","job":"api"},"value":[1733150400.5,"1.25"]}]}}"#;

#[test]
fn answers_read_into_series() {
    let Ok(Data::Vector(series)) = api::parse(VECTOR_ONE) else {
        panic!("a vector")
    };
    assert_eq!(series.len(), 1);
    assert_eq!(series[0].points[0].at_ms, 1_733_150_400_500);
    assert_eq!(series[0].points[0].value, 1.25);
    assert_eq!(series[0].selector(), r#"up{job="api"}"#);
    assert_eq!(reading::of_answer(VECTOR_ONE), Reading::Number(1.25));
}

#[test]
fn every_answer_maps_to_an_explicit_reading() {
    let vector = |result: &str| {
        format!(r#"{{"status":"success","data":{{"resultType":"vector","result":[{result}]}}}}"#)
    };
    let one = |v: &str| format!(r#"{{"metric":{{}},"value":[1,"{v}"]}}"#);
    assert_eq!(reading::of_answer(&vector("")), Reading::Missing);
    assert_eq!(reading::of_answer(&vector(&one("NaN"))), Reading::nan());
    assert_eq!(reading::of_answer(&vector(&one("+Inf"))), Reading::nan());
    assert_eq!(reading::of_answer(&vector(&one("-Inf"))), Reading::nan());
    let two = format!(
        "{},{}",
        r#"{"metric":{"job":"a"},"value":[1,"1"]}"#, r#"{"metric":{"job":"b"},"value":[1,"2"]}"#
    );
    let Reading::Failed { error } = reading::of_answer(&vector(&two)) else {
        panic!("several series are a source error")
    };
    assert!(error.contains("2 series"), "{error}");
    let matrix = r#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#;
    let Reading::Failed { error } = reading::of_answer(matrix) else {
        panic!("a matrix is a source error")
    };
    assert!(error.contains("range vector"), "{error}");
    let scalar = r#"{"status":"success","data":{"resultType":"scalar","result":[1,"3"]}}"#;
    assert_eq!(reading::of_answer(scalar), Reading::Number(3.0));
    let error = r#"{"status":"error","errorType":"bad_data","error":"parse error"}"#;
    assert_eq!(
        reading::of_answer(error),
        Reading::Failed {
            error: "Prometheus answered bad_data: parse error".into()
        }
    );
    let Reading::Failed { error } = reading::of_answer("<html><body>502 Bad Gateway</body></html>")
    else {
        panic!("HTML is a source error")
    };
    assert!(
        error.contains("not Prometheus JSON") && error.contains("<html>"),
        "{error}"
    );
    assert!(matches!(reading::of_answer(""), Reading::Failed { .. }));
}

#[test]
fn malformed_answers_point_into_the_text() {
    for bad in [
        r#"{"status":"success"}"#,
        r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"x"]}]}}"#,
        r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[-5,"1"]}]}}"#,
        r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":1},"value":[1,"1"]}]}}"#,
        r#"{"status":"maybe"}"#,
        r#"[1,2]"#,
        r#"{"status":"success","data":{"resultType":"vector","result":{}}}"#,
    ] {
        let e = api::parse(bad).expect_err(bad);
        let d = e.diagnostic();
        assert_eq!(d.code, Code::InputSyntax, "{bad}");
        assert!(!d.labels.is_empty(), "{bad}");
        for l in &d.labels {
            assert!(l.start <= l.end && l.end <= bad.len(), "{bad}: {l:?}");
        }
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// `a+bxn` gives n+1 values, the first `a`, each the one before plus `b`.
        #[test]
        fn expansions_have_n_plus_one_values(a in -1000i32..1000, b in -100i32..100, n in 0usize..200) {
            let sign = if b < 0 { '-' } else { '+' };
            let text = format!("{a}{sign}{}x{n}", b.unsigned_abs());
            let values = numbers(&text);
            prop_assert_eq!(values.len(), n + 1);
            prop_assert_eq!(values[0], Some(f64::from(a)));
            for pair in values.windows(2) {
                prop_assert_eq!(pair[1], pair[0].map(|x| x + f64::from(b)));
            }
        }

        /// Any text expands or is a coded error labelled inside it; never a panic.
        #[test]
        fn any_text_expands_or_is_a_located_error(text in "[0-9x+\\-_.eInaNstl {}]{0,40}") {
            match notation::expand(&text, 500) {
                Ok(values) => prop_assert!(values.len() <= 500),
                Err(d) => {
                    prop_assert!(matches!(d.code, Code::InputSyntax | Code::TooLarge));
                    for l in &d.labels {
                        prop_assert!(l.start <= l.end && l.end <= text.len());
                    }
                }
            }
        }

        /// A vector of one finite value reads as that value; several as a source error.
        #[test]
        fn vectors_read_by_their_series_count(values in proptest::collection::vec(-1e9f64..1e9, 0..5)) {
            let result: Vec<String> = values
                .iter()
                .enumerate()
                .map(|(i, v)| format!(r#"{{"metric":{{"i":"{i}"}},"value":[1,"{v}"]}}"#))
                .collect();
            let text = format!(
                r#"{{"status":"success","data":{{"resultType":"vector","result":[{}]}}}}"#,
                result.join(",")
            );
            let got = reading::of_answer(&text);
            match values.as_slice() {
                [] => prop_assert_eq!(got, Reading::Missing),
                [v] => prop_assert_eq!(got, Reading::Number(*v)),
                _ => prop_assert!(matches!(got, Reading::Failed { .. }), "several series: {:?}", got),
            }
        }
    }
}

#[test]
fn booleans_from_prometheus_are_0_and_1() {
    assert_eq!(reading::boolean(Reading::Number(0.0)), Reading::Bool(false));
    assert_eq!(
        reading::boolean(Reading::Number(-0.0)),
        Reading::Bool(false)
    );
    assert_eq!(reading::boolean(Reading::Number(1.0)), Reading::Bool(true));
    assert!(matches!(
        reading::boolean(Reading::Number(0.5)),
        Reading::Failed { error } if error.contains("needs 0 or 1")
    ));
    assert_eq!(reading::boolean(Reading::Missing), Reading::Missing);
    assert_eq!(reading::boolean(Reading::nan()), Reading::nan());
}
