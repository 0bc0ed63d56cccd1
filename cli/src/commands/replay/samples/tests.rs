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
    let problems = read("time,latncy\n0,1\n", SamplesFormat::Csv, &["latency"])
        .expect_err("an unknown column");
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].code, Code::UnknownMetric);
    assert_eq!(problems[0].help.as_deref(), Some("did you mean `latency`?"));
}

#[test]
fn json_lines_take_at_ms_or_time_but_not_both() {
    let ok = read(
        "{\"at_ms\": 5, \"values\": {\"a\": null}}\n\n{\"time\": \"1970-01-01T00:00:01Z\"}\n",
        SamplesFormat::Jsonl,
        &["a"],
    )
    .expect("two samples");
    let times: Vec<u64> = ok.iter().map(|s| s.event.at_ms()).collect();
    assert_eq!(times, [5, 1000]);
    let both = read(
        "{\"at_ms\": 5, \"time\": 5}\n",
        SamplesFormat::Jsonl,
        &["a"],
    )
    .expect_err("two times");
    assert_eq!(both[0].code, Code::InputSyntax);
}

#[test]
fn an_empty_file_is_an_error() {
    for format in [SamplesFormat::Csv, SamplesFormat::Jsonl] {
        let problems = read("", format, &["a"]).expect_err("no sample");
        assert_eq!(problems[0].code, Code::InputSyntax);
    }
}
