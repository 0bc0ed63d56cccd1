//! Names from reports (suite names, rule ids) as parts of metric names.

/// `text` as one or more parts of a metric name: every character other than an ASCII letter,
/// digit, `_` or `.` becomes `_`; a part that is empty, starts with a digit or is a keyword of
/// the condition language (`and`, `or`, `not`, `true`, `false`) gets a leading `_`. Dots are kept,
/// so `com.example.FooTest` stays three parts. `fallback` stands for an empty `text`.
pub(super) fn metric_key(text: &str, fallback: &str) -> String {
    let text = text.trim();
    if text.is_empty() {
        return fallback.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 1);
    for (i, part) in text.split('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        let starts_badly = part.chars().next().is_none_or(|c| c.is_ascii_digit());
        if starts_badly || matches!(part, "and" | "or" | "not" | "true" | "false") {
            out.push('_');
        }
        out.extend(part.chars().map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        }));
    }
    out
}
