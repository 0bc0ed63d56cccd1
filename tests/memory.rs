//! Peak heap memory per byte of input, measured by counting every allocation (a global
//! allocator), not by timing: the bound docs/cli.md states, checked on the largest inputs of
//! each kind kiro accepts.
//!
//! One process, one thread, measurements one after another: the counter is global.

use kiro::{CompiledPolicy, Format, MetricsInput, Selection};
use peak_alloc::PeakAlloc;

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc;

/// Runs `f` and returns the peak of heap memory in use during it, above what was in use before.
fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = HEAP.current_usage();
    HEAP.reset_peak_usage();
    let out = f();
    (out, HEAP.peak_usage().saturating_sub(before))
}

/// A policy of `n` gates of one criterion each.
fn many_gates(n: usize) -> String {
    let mut text = String::from("name: big\nmetrics: {x: {}}\ngates:\n");
    for i in 0..n {
        text.push_str(&format!(
            "  - {{name: g{i}, kind: pre-merge, criteria: [{{name: c, pass: x >= {i}}}]}}\n"
        ));
    }
    text
}

/// A policy of one gate with as many criteria as fit in `bytes`.
fn many_criteria(bytes: usize) -> String {
    let mut text = String::from(
        "name: big\nmetrics: {coverage: {unit: \"%\"}, p95: {unit: ms}}\ngates:\n  - name: g\n    kind: pre-merge\n    criteria:\n",
    );
    let mut i = 0;
    while text.len() < bytes {
        text.push_str(&format!(
            "      - {{name: c{i}, pass: coverage >= 90% and p95 < {i}ms, weight: 2}}\n"
        ));
        i += 1;
    }
    text
}

/// Metrics JSON of `n` keys.
fn many_metrics(n: usize) -> String {
    let mut text = String::from("{");
    for i in 0..n {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&format!("\"m{i}\":{i}"));
    }
    text.push('}');
    text
}

/// Peak heap bytes per byte of input that docs/cli.md promises ("Inputs kiro reads").
const BOUND: usize = 32;

fn main() {
    let mut failures = Vec::new();
    let mut measure = |what: &str, input: usize, peak: usize, bound: usize| {
        #[expect(clippy::cast_precision_loss, reason = "a ratio for a report")]
        let ratio = peak as f64 / input as f64;
        println!(
            "{what}: input {:.1} MB, peak {:.1} MB, {ratio:.1} bytes per input byte (bound {bound})",
            input as f64 / 1e6,
            peak as f64 / 1e6
        );
        if peak > bound * input {
            failures.push(format!("{what}: {ratio:.1} bytes per byte, over {bound}"));
        }
    };
    let text = many_gates(100_000);
    let (policy, peak) = peak_during(|| CompiledPolicy::from_text(&text, Some(Format::Yaml)));
    let policy = policy.unwrap_or_else(|e| unreachable!("{e}"));
    measure("100,000 gates, compiled", text.len(), peak, BOUND);
    drop(policy);

    let text = many_criteria(15 * 1024 * 1024);
    let (policy, peak) = peak_during(|| CompiledPolicy::from_text(&text, Some(Format::Yaml)));
    let policy = policy.unwrap_or_else(|e| unreachable!("{e}"));
    measure("criteria policy, compiled", text.len(), peak, BOUND);
    drop(policy);

    let policy = CompiledPolicy::from_text("name: p\nmetrics: {m5: {}}\ngates:\n  - {name: g, kind: pre-merge, criteria: [{name: c, pass: m5 == 5}]}\n", None)
        .unwrap_or_else(|e| unreachable!("{e}"));
    let text = many_metrics(900_000);
    let (decision, peak) = peak_during(|| {
        let input = MetricsInput::parse(&text, Format::Json)?;
        policy
            .check(&input, &Selection::all())
            .map_err(|e| kiro::KiroError::diagnostics(&e)[0].clone())
    });
    let decision = decision.unwrap_or_else(|e| unreachable!("{e}"));
    assert_eq!(decision.verdict, kiro::Verdict::Pass);
    measure(
        "metrics of 900,000 keys, read and checked",
        text.len(),
        peak,
        BOUND,
    );

    if !failures.is_empty() {
        eprintln!("{}", failures.join("\n"));
        std::process::exit(1);
    }
}
