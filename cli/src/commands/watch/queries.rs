//! `--query NAME=PROMQL`: which PromQL gives each metric.

use kiro::diagnostic::did_you_mean;
use kiro::{Code, Diagnostic, Span};
use std::collections::BTreeMap;

/// The `source` of diagnostics about a `--query`.
const SOURCE: &str = "--query";

/// Reads every `--query NAME=PROMQL` into metric name → PromQL; `metrics` are the policy's.
///
/// # Errors
/// [`Code::InvalidOverride`] for a query that is not `NAME=PROMQL` (or names a metric twice),
/// [`Code::UnknownMetric`] for a name the policy does not declare, with did-you-mean.
pub fn parse(queries: &[String], metrics: &[&str]) -> Result<BTreeMap<String, String>, Diagnostic> {
    let mut out = BTreeMap::new();
    if queries.is_empty() {
        return Err(Diagnostic::error(
            Code::InvalidOverride,
            "no metric has a query: `kiro watch` needs `--query NAME=PROMQL` for the metrics it reads",
        )
        .with_help(format!(
            "give one per metric, e.g. `--query '{}=sum(rate(http_errors_total[1m]))'`",
            metrics.first().copied().unwrap_or("error_rate")
        ))
        .with_source(SOURCE));
    }
    for query in queries {
        let whole = Span::new(0, query.len());
        let Some((name, promql)) = query.split_once('=') else {
            return Err(Diagnostic::error(
                Code::InvalidOverride,
                format!("`--query {query}` is not `NAME=PROMQL`"),
            )
            .with_label(whole, "no `=`")
            .with_help("write `--query error_rate='100 * sum(rate(errors_total[1m])) / sum(rate(requests_total[1m]))'`")
            .with_source(SOURCE));
        };
        let name = name.trim();
        let promql = promql.trim();
        if promql.is_empty() {
            return Err(Diagnostic::error(
                Code::InvalidOverride,
                format!("`--query {query}` gives no PromQL"),
            )
            .with_help("write the PromQL after the `=`")
            .with_source(SOURCE));
        }
        if !metrics.contains(&name) {
            let help = did_you_mean(name, metrics.iter().copied()).map_or_else(
                || format!("the policy declares: {}", metrics.join(", ")),
                |s| format!("did you mean `{s}`?"),
            );
            return Err(Diagnostic::error(
                Code::UnknownMetric,
                format!("`--query` names `{name}`, which is not a metric the policy declares"),
            )
            .with_help(help)
            .with_source(SOURCE));
        }
        if out.insert(name.to_owned(), promql.to_owned()).is_some() {
            return Err(Diagnostic::error(
                Code::InvalidOverride,
                format!("metric `{name}` has two `--query`s"),
            )
            .with_help("give one query per metric")
            .with_source(SOURCE));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_split_at_the_first_equals_sign() {
        let q = parse(
            &["a=up{job=\"x\"} == 1".into(), " b = sum(x) ".into()],
            &["a", "b"],
        )
        .expect("two queries");
        assert_eq!(q["a"], "up{job=\"x\"} == 1");
        assert_eq!(q["b"], "sum(x)");
    }

    #[test]
    fn bad_queries_are_coded_errors() {
        let code = |queries: &[&str]| {
            let queries: Vec<String> = queries.iter().map(|q| (*q).to_owned()).collect();
            parse(&queries, &["error_rate"]).expect_err("refused").code
        };
        assert_eq!(code(&[]), Code::InvalidOverride);
        assert_eq!(code(&["error_rate"]), Code::InvalidOverride);
        assert_eq!(code(&["error_rate="]), Code::InvalidOverride);
        assert_eq!(code(&["error_rat=up"]), Code::UnknownMetric);
        assert_eq!(
            code(&["error_rate=a", "error_rate=b"]),
            Code::InvalidOverride
        );
    }
}
