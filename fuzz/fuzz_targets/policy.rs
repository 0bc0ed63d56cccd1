//! Policy text: read, validate and compile arbitrary bytes (as UTF-8 text) in every format.
//!
//! Checks, for any input and each of YAML, JSON, TOML and format detection:
//! - `CompiledPolicy::from_text` never panics, and an error carries at least one diagnostic;
//! - a compiled policy checks empty metrics (every metric without data) without panicking, the
//!   decision serializes and renders, and a one-record batch with no columns gives the same
//!   verdict code as that single check (as `check_batch` documents).
//!
//! Error labels are not checked against the text: a condition written with escapes (a YAML
//! `"\L"`, a JSON `"\u00e9"`) has its labels placed approximately, and they can end past the
//! text (`seeds/policy/escaped-condition-label-past-end.yaml`).

#![no_main]

mod common;

use kiro::gate::{CODE_ERROR, CODE_FAIL, CODE_PASS, CODE_WARN};
use kiro::render::{HumanOptions, MetricUnits, human, junit, markdown};
use kiro::{
    Batch, CheckError, CompiledPolicy, Format, KiroError, MetricsInput, Selection, Verdict,
    decision_to_json,
};
use libfuzzer_sys::fuzz_target;

fn exercise(policy: &CompiledPolicy, what: &str) {
    let _ = (
        policy.name(),
        policy.hash(),
        policy.metric_names(),
        policy.gate_names(),
    );
    let selection = Selection::all();
    let single = policy.check(&MetricsInput::default(), &selection);
    let expected = match &single {
        Ok(decision) => {
            let json = decision_to_json(decision);
            assert!(!json.is_empty(), "{what}: decision did not serialize");
            let units = MetricUnits::new();
            let _ = human(
                decision,
                &HumanOptions {
                    color: true,
                    units: units.clone(),
                },
            );
            let _ = junit(decision, &units);
            let _ = markdown(decision, &units);
            Some(match decision.verdict {
                Verdict::Pass => CODE_PASS,
                Verdict::Warn => CODE_WARN,
                Verdict::Fail => CODE_FAIL,
            })
        }
        Err(CheckError::Evaluation(_)) => Some(CODE_ERROR),
        Err(e) => {
            assert!(
                !e.diagnostics().is_empty(),
                "{what}: check error without diagnostics"
            );
            None
        }
    };
    let batch = policy.check_batch(&Batch::new(1), &selection);
    if let (Some(expected), Ok(result)) = (expected, &batch) {
        assert_eq!(
            result.verdicts,
            vec![expected],
            "{what}: check_batch disagrees with check on a record without data: {single:?}"
        );
    }
    let _ = policy.check_batch(&Batch::new(0), &selection);
}

fuzz_target!(|data: &[u8]| {
    let text = common::text(data);
    let text: &str = &text;
    for format in [
        Some(Format::Yaml),
        Some(Format::Json),
        Some(Format::Toml),
        None,
    ] {
        let what = format.map_or("detected", Format::as_str);
        match CompiledPolicy::from_text(text, format) {
            Ok(policy) => exercise(&policy, what),
            Err(e) => assert!(
                !e.diagnostics().is_empty(),
                "{what}: policy error without diagnostics"
            ),
        }
    }
});
