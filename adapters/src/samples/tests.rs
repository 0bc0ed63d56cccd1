#![allow(clippy::panic, reason = "a test fails by panicking")]

use super::csv::{cell_spans, record_start};
use super::*;

#[test]
fn cells_read_as_the_four_kinds_of_reading() {
    assert_eq!(reading(""), Reading::Missing);
    assert_eq!(reading("  "), Reading::Missing);
    assert_eq!(reading("NaN"), Reading::nan());
    assert_eq!(reading("nan"), Reading::nan());
    assert_eq!(
        reading("error: HTTP 503"),
        Reading::Failed {
            error: "HTTP 503".into()
        }
    );
    assert_eq!(reading("true"), Reading::Bool(true));
    assert_eq!(reading("1.25"), Reading::Number(1.25));
    assert_eq!(reading("420ms"), Reading::Text("420ms".into()));
}

#[test]
fn times_are_milliseconds_or_rfc_3339() {
    let span = Span::new(0, 1);
    assert_eq!(parse_time("60000", span), Ok(60_000));
    assert_eq!(parse_time("1970-01-01T00:01:00Z", span), Ok(60_000));
    assert_eq!(parse_time("1970-01-01T01:01:00.5+01:00", span), Ok(60_500));
    let before = parse_time("1969-12-31T23:59:59Z", span).expect_err("before 1970");
    assert_eq!(before.code, Code::InputSyntax);
    let garbage = parse_time("soon", span).expect_err("not a time");
    assert_eq!(garbage.code, Code::InputSyntax);
    assert_eq!(
        garbage.labels.first().map(|l| (l.start, l.end)),
        Some((0, 1))
    );
}

#[test]
fn cells_are_located_in_their_line_after_comments() {
    let text = "# a comment\n\ntime, a ,b\n1,2,3\n";
    let header = record_start(text, 0);
    assert_eq!(&text[header..header + 4], "time");
    let spans = cell_spans(text, header, 3);
    let cells: Vec<&str> = spans.iter().map(|s| &text[s.start..s.end]).collect();
    assert_eq!(cells, ["time", "a", "b"]);
}

#[test]
fn a_header_column_the_policy_does_not_declare_suggests_the_nearest() {
    let problems =
        read("time,latncy\n0,1\n", Format::Csv, &["latency"]).expect_err("an unknown column");
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].code, Code::UnknownMetric);
    assert_eq!(problems[0].help.as_deref(), Some("did you mean `latency`?"));
}

#[test]
fn json_lines_take_at_ms_or_time_but_not_both() {
    let ok = read(
        "{\"at_ms\": 5, \"values\": {\"a\": null}}\n\n{\"time\": \"1970-01-01T00:00:01Z\"}\n",
        Format::Jsonl,
        &["a"],
    )
    .expect("two samples");
    let times: Vec<u64> = ok.iter().map(|s| s.event.at_ms()).collect();
    assert_eq!(times, [5, 1000]);
    let both = read("{\"at_ms\": 5, \"time\": 5}\n", Format::Jsonl, &["a"]).expect_err("two times");
    assert_eq!(both[0].code, Code::InputSyntax);
}

#[test]
fn an_empty_file_is_an_error() {
    for format in [Format::Csv, Format::Jsonl] {
        let problems = read("", format, &["a"]).expect_err("no sample");
        assert_eq!(problems[0].code, Code::InputSyntax);
    }
}

fn observed(samples: &[Sample]) -> Vec<(u64, BTreeMap<String, Reading>)> {
    samples
        .iter()
        .map(|s| match &s.event {
            MonitorEvent::Observe { at_ms, values } => (*at_ms, values.clone()),
            other => panic!("not an observation: {other:?}"),
        })
        .collect()
}

fn values(pairs: &[(&str, Reading)]) -> BTreeMap<String, Reading> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

#[test]
fn long_csv_groups_consecutive_rows_at_one_time() {
    let text = "time,metric,value\n0,a,1\n0,b,NaN\n60000,a,\n60000,b,error: down\n";
    let samples = read(text, Format::Csv, &["a", "b"]).expect("long CSV");
    assert_eq!(
        observed(&samples),
        [
            (
                0,
                values(&[("a", Reading::Number(1.0)), ("b", Reading::nan())])
            ),
            (
                60_000,
                values(&[
                    ("a", Reading::Missing),
                    (
                        "b",
                        Reading::Failed {
                            error: "down".into()
                        }
                    )
                ])
            ),
        ]
    );
    let cell = samples[1].cells["b"];
    assert_eq!(&text[cell.start..cell.end], "error: down");
}

#[test]
fn long_csv_errors_point_at_the_cell() {
    let text = "time,metric,value\n0,a,1\n0,a,2\n";
    let e = read(text, Format::Csv, &["a"]).expect_err("twice at one time");
    assert_eq!(e[0].code, Code::DuplicateName);
    assert_eq!(e[0].labels[0].start, text.rfind("a,2").unwrap_or(0));
    let text = "time,metric,value\n0,latncy,1\n";
    let e = read(text, Format::Csv, &["latency"]).expect_err("unknown");
    assert_eq!(e[0].code, Code::UnknownMetric);
    assert_eq!(e[0].help.as_deref(), Some("did you mean `latency`?"));
    assert_eq!(&text[e[0].labels[0].start..e[0].labels[0].end], "latncy");
}

#[test]
fn a_policy_with_metrics_called_metric_and_value_reads_wide() {
    let samples = read(
        "time,metric,value\n0,1,2\n",
        Format::Csv,
        &["metric", "value"],
    )
    .expect("wide");
    assert_eq!(
        observed(&samples)[0].1,
        values(&[
            ("metric", Reading::Number(1.0)),
            ("value", Reading::Number(2.0))
        ])
    );
}

fn matrix(series: &[&str]) -> String {
    format!(
        r#"{{"status":"success","data":{{"resultType":"matrix","result":[{}]}}}}"#,
        series.join(",")
    )
}

#[test]
fn query_range_series_merge_by_time_with_no_data_where_absent() {
    let text = matrix(&[
        r#"{"metric":{"__name__":"a","job":"x"},"values":[[0,"1"],[15,"NaN"],[30,"+Inf"]]}"#,
        r#"{"metric":{"__name__":"b"},"values":[[15,"2"]]}"#,
    ]);
    let samples = read(&text, Format::QueryRange, &["a", "b"]).expect("a matrix");
    assert_eq!(
        observed(&samples),
        [
            (
                0,
                values(&[("a", Reading::Number(1.0)), ("b", Reading::Missing)])
            ),
            (
                15_000,
                values(&[("a", Reading::nan()), ("b", Reading::Number(2.0))])
            ),
            (
                30_000,
                values(&[("a", Reading::nan()), ("b", Reading::Missing)])
            ),
        ]
    );
}

#[test]
fn query_range_responses_may_be_named_by_metric() {
    let unnamed = matrix(&[r#"{"metric":{},"values":[[60,"0.5"]]}"#]);
    let text = format!(r#"{{"a": {unnamed}, "b": {}}}"#, matrix(&[]));
    let samples = read(&text, Format::QueryRange, &["a", "b"]).expect("named");
    assert_eq!(
        observed(&samples),
        [(
            60_000,
            values(&[("a", Reading::Number(0.5)), ("b", Reading::Missing)])
        )]
    );
    let e = read(&unnamed, Format::QueryRange, &["a"]).expect_err("no name");
    assert_eq!(e[0].code, Code::InputSyntax);
    let e = read(
        &format!(r#"{{"c": {unnamed}}}"#),
        Format::QueryRange,
        &["a"],
    )
    .expect_err("unknown metric");
    assert_eq!(e[0].code, Code::UnknownMetric);
}

#[test]
fn query_range_with_several_series_for_a_metric_is_an_error_naming_them() {
    let text = matrix(&[
        r#"{"metric":{"__name__":"a","job":"x"},"values":[[0,"1"]]}"#,
        r#"{"metric":{"__name__":"a","job":"y"},"values":[[0,"2"]]}"#,
    ]);
    let e = read(&text, Format::QueryRange, &["a"]).expect_err("two series");
    assert_eq!(e[0].code, Code::DuplicateName);
    assert!(e[0].message.contains("2 series"), "{}", e[0].message);
    assert_eq!(e[0].labels.len(), 2);
    assert_eq!(e[0].labels[1].label, r#"`a{job="y"}`"#);
}

#[test]
fn query_range_errors_point_into_the_text() {
    let backwards = matrix(&[r#"{"metric":{"__name__":"a"},"values":[[30,"1"],[15,"2"]]}"#]);
    let e = read(&backwards, Format::QueryRange, &["a"]).expect_err("backwards");
    assert_eq!(e[0].code, Code::TimeWentBackwards);
    assert_eq!(
        &backwards[e[0].labels[0].start..e[0].labels[0].end],
        r#"[15,"2"]"#
    );
    let vector = r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#;
    let e = read(vector, Format::QueryRange, &["a"]).expect_err("a vector");
    assert_eq!(e[0].code, Code::InputSyntax);
    assert_eq!(
        &vector[e[0].labels[0].start..e[0].labels[0].end],
        r#""vector""#
    );
    let e = read("{\"status\": ", Format::QueryRange, &["a"]).expect_err("not JSON");
    assert_eq!(e[0].code, Code::InputSyntax);
    let e = read(
        r#"{"status":"error","errorType":"bad_data","error":"parse error"}"#,
        Format::QueryRange,
        &["a"],
    )
    .expect_err("an error answer");
    assert!(e[0].message.contains("bad_data: parse error"));
}

const PROMTOOL: &str = r#"# A promtool test file
rule_files: [rules.yml]
evaluation_interval: 1m
tests:
  - interval: 30s
    input_series:
      - series: 'a{job="api"}'
        values: '1+1x2 _ stale 7'
      - series: b
        values: "0x1"
    alert_rule_test: []
"#;

#[test]
fn promtool_series_are_one_observation_per_step() {
    let samples = read(PROMTOOL, Format::Promtool, &["a", "b"]).expect("promtool");
    let n = |x: f64| Reading::Number(x);
    assert_eq!(
        observed(&samples),
        [
            (0, values(&[("a", n(1.0)), ("b", n(0.0))])),
            (30_000, values(&[("a", n(2.0)), ("b", n(0.0))])),
            (60_000, values(&[("a", n(3.0)), ("b", Reading::Missing)])),
            (
                90_000,
                values(&[("a", Reading::Missing), ("b", Reading::Missing)])
            ),
            (
                120_000,
                values(&[("a", Reading::Missing), ("b", Reading::Missing)])
            ),
            (150_000, values(&[("a", n(7.0)), ("b", Reading::Missing)])),
        ]
    );
    let cell = samples[1].cells["a"];
    assert_eq!(&PROMTOOL[cell.start..cell.end], "1+1x2");
    let cell = samples[4].cells["a"];
    assert_eq!(&PROMTOOL[cell.start..cell.end], "stale");
}

#[test]
fn promtool_errors_point_into_the_values() {
    let text = "interval: 1m\ninput_series:\n  - series: a\n    values: '1 2 oops'\n";
    let e = read(text, Format::Promtool, &["a"]).expect_err("bad value");
    assert_eq!(e[0].code, Code::InputSyntax);
    assert_eq!(&text[e[0].labels[0].start..e[0].labels[0].end], "oops");
    let text = "input_series:\n  - series: 'a{job=\"x\"}'\n    values: '1'\n  - series: 'a{job=\"y\"}'\n    values: '2'\n";
    let e = read(text, Format::Promtool, &["a"]).expect_err("two series");
    assert_eq!(e[0].code, Code::DuplicateName);
    let text = "input_series:\n  - series: 'latncy'\n    values: '1'\n";
    let e = read(text, Format::Promtool, &["latency"]).expect_err("unknown");
    assert_eq!(e[0].code, Code::UnknownMetric);
    let text = "interval: soon\ninput_series: []\n";
    let e = read(text, Format::Promtool, &["a"]).expect_err("bad interval");
    assert_eq!(e[0].code, Code::InputSyntax);
    let text = "tests:\n  - input_series: []\n  - input_series: []\n";
    let e = read(text, Format::Promtool, &["a"]).expect_err("two tests");
    assert_eq!(e[0].code, Code::InputSyntax);
    let text = "input_series:\n  - series: a\n    values: '0+1x2000000'\n";
    let e = read(text, Format::Promtool, &["a"]).expect_err("too many");
    assert_eq!(e[0].code, Code::TooLarge);
}

#[test]
fn formats_are_told_by_extension_then_by_text() {
    assert_eq!(
        Format::detect(Some("json"), "{\"data\": {\"resultType\": \"matrix\"}}"),
        Format::QueryRange
    );
    assert_eq!(
        Format::detect(Some("json"), "{\"at_ms\": 1}"),
        Format::Jsonl
    );
    assert_eq!(Format::detect(Some("yml"), ""), Format::Promtool);
    assert_eq!(Format::detect(None, "{\"at_ms\": 1}"), Format::Jsonl);
    assert_eq!(
        Format::detect(
            None,
            "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\"}}"
        ),
        Format::QueryRange
    );
    assert_eq!(Format::detect(None, "input_series: []"), Format::Promtool);
    assert_eq!(Format::detect(None, "time,a\n"), Format::Csv);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// A query_range matrix replays as one observation per distinct time, in time order,
        /// each series' points at their times and no data elsewhere.
        #[test]
        fn query_range_merges_without_reordering(
            a in proptest::collection::btree_map(0u32..500, -1e6f64..1e6, 0..20),
            b in proptest::collection::btree_map(0u32..500, -1e6f64..1e6, 0..20),
        ) {
            let points = |m: &BTreeMap<u32, f64>| -> String {
                m.iter().map(|(t, v)| format!("[{t},\"{v}\"]")).collect::<Vec<_>>().join(",")
            };
            let text = matrix(&[
                &format!(r#"{{"metric":{{"__name__":"a"}},"values":[{}]}}"#, points(&a)),
                &format!(r#"{{"metric":{{"__name__":"b"}},"values":[{}]}}"#, points(&b)),
            ]);
            let result = read(&text, Format::QueryRange, &["a", "b"]);
            if a.is_empty() && b.is_empty() {
                prop_assert!(result.is_err());
                return Ok(());
            }
            let samples = result.map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            let mut times: Vec<u32> = a.keys().chain(b.keys()).copied().collect();
            times.sort_unstable();
            times.dedup();
            let got = observed(&samples);
            prop_assert_eq!(got.len(), times.len());
            for ((at_ms, values), t) in got.iter().zip(&times) {
                prop_assert_eq!(*at_ms, u64::from(*t) * 1000);
                let expect = |m: &BTreeMap<u32, f64>| m.get(t).map_or(Reading::Missing, |v| Reading::Number(*v));
                prop_assert_eq!(&values["a"], &expect(&a));
                prop_assert_eq!(&values["b"], &expect(&b));
            }
        }

        /// Long and wide CSV of the same readings give the same observations.
        #[test]
        fn long_and_wide_csv_agree(rows in proptest::collection::vec((-1e6f64..1e6, proptest::option::of(-1e6f64..1e6)), 1..20)) {
            let mut wide = String::from("time,a,b\n");
            let mut long = String::from("time,metric,value\n");
            for (i, (a, b)) in rows.iter().enumerate() {
                let b = b.map_or(String::new(), |b| b.to_string());
                wide.push_str(&format!("{i},{a},{b}\n"));
                long.push_str(&format!("{i},a,{a}\n{i},b,{b}\n"));
            }
            let wide = read(&wide, Format::Csv, &["a", "b"]).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            let long = read(&long, Format::Csv, &["a", "b"]).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            prop_assert_eq!(observed(&wide), observed(&long));
        }
    }
}

mod formats_agree {
    use super::*;
    use proptest::prelude::*;

    /// A reading Prometheus can carry: a number, NaN, or nothing at that step.
    fn point() -> impl Strategy<Value = Option<Option<f64>>> {
        prop_oneof![
            6 => (-1e6f64..1e6).prop_map(|x| Some(Some(x))),
            1 => Just(Some(None)),
            2 => Just(None),
        ]
    }

    proptest! {
        /// The same readings written as wide CSV, as promtool series and as a query_range
        /// response give the same observations (promtool and query_range leave out the steps
        /// where no metric has a point alike, so every step here has at least one).
        #[test]
        fn csv_promtool_and_query_range_agree(
            steps in proptest::collection::vec((point(), point()), 1..30)
                .prop_filter("every step has a point", |s| s.iter().all(|(a, b)| a.is_some() || b.is_some()))
        ) {
            let csv_cell = |p: &Option<Option<f64>>| match p {
                Some(Some(x)) => x.to_string(),
                Some(None) => "NaN".to_owned(),
                None => String::new(),
            };
            let notation = |p: &Option<Option<f64>>| match p {
                Some(Some(x)) => x.to_string(),
                Some(None) => "NaN".to_owned(),
                None => "_".to_owned(),
            };
            let mut csv = String::from("time,a,b\n");
            let (mut a_values, mut b_values) = (Vec::new(), Vec::new());
            let (mut a_points, mut b_points) = (Vec::new(), Vec::new());
            for (i, (a, b)) in steps.iter().enumerate() {
                csv.push_str(&format!("{},{},{}\n", i * 60_000, csv_cell(a), csv_cell(b)));
                a_values.push(notation(a));
                b_values.push(notation(b));
                let at = i * 60;
                if let Some(x) = a {
                    a_points.push(format!("[{at},\"{}\"]", csv_cell(&Some(*x))));
                }
                if let Some(x) = b {
                    b_points.push(format!("[{at},\"{}\"]", csv_cell(&Some(*x))));
                }
            }
            let promtool = format!(
                "interval: 1m\ninput_series:\n  - series: a\n    values: '{}'\n  - series: b\n    values: '{}'\n",
                a_values.join(" "),
                b_values.join(" ")
            );
            let response = |points: &[String]| {
                format!(
                    r#"{{"status":"success","data":{{"resultType":"matrix","result":[{{"metric":{{}},"values":[{}]}}]}}}}"#,
                    points.join(",")
                )
            };
            let query_range = format!(
                r#"{{"a": {}, "b": {}}}"#,
                response(&a_points),
                response(&b_points)
            );
            let read_ok = |text: &str, format: Format| {
                read(text, format, &["a", "b"]).map(|s| observed(&s))
            };
            let csv = read_ok(&csv, Format::Csv).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            let promtool = read_ok(&promtool, Format::Promtool).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            let query_range = read_ok(&query_range, Format::QueryRange).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            prop_assert_eq!(&csv, &promtool);
            prop_assert_eq!(&csv, &query_range);
        }
    }
}
