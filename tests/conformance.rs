//! Runs the conformance corpus (`tests/conformance/**.yaml`) against the Rust engine, one test
//! per case.

use libtest_mimic::{Arguments, Failed, Trial};
use std::path::Path;

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("conformance");
    let trials = match kiro_tests::load_cases(&root) {
        Ok(cases) => cases
            .into_iter()
            .map(|case| {
                Trial::test(case.name.clone(), move || {
                    kiro_tests::run_case(&case).map_err(Failed::from)
                })
            })
            .collect(),
        Err(message) => vec![Trial::test("load the corpus", move || {
            Err(Failed::from(message))
        })],
    };
    libtest_mimic::run(&args, trials).exit();
}
