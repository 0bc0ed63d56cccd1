//! Places in a report, for messages: `line 3, column 7`.

/// `line L, column C` of byte `offset` in `text` (1-based; the column counts characters).
pub(super) fn at(text: &str, offset: usize) -> String {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let column = before
        .get(line_start..)
        .map_or(1, |l| l.chars().count() + 1);
    format!("line {line}, column {column}")
}

/// Byte offset of 1-based `line` and `column` (counted in characters) in `text`, clamped to the
/// text: serde_json reports places this way.
pub(super) fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text.get(start..).and_then(|rest| rest.find('\n')) {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let rest = text.get(start..).unwrap_or("");
    start
        + rest
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(rest.len(), |(i, _)| i)
}
