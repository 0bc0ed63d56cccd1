//! The defect-risk model: determinism, the model file's checks, and bad training data.

use super::*;
use crate::error::KiroError;

/// A synthetic history of `n` changes where large changes by inexperienced authors induce
/// defects more often (a fixed pseudo-random sequence, so the data is the same every run).
fn history(n: usize) -> String {
    let mut text = String::from("commitdate,ns,nd,nf,entropy,la,ld,lt,fix,ndev,exp,bug\n");
    let mut state: u64 = 42;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as f64 / f64::from(1u32 << 31)
    };
    for i in 0..n {
        let la = (next() * 400.0).floor();
        let ld = (next() * 100.0).floor();
        let exp = (next() * 1000.0).floor();
        let nf = 1.0 + (next() * 10.0).floor();
        let z = -1.5 + 0.6 * (1.0 + la).ln() - 0.4 * (1.0 + exp).ln() + 0.2 * nf;
        let bug = u8::from(next() < 1.0 / (1.0 + (-z).exp()));
        let day = 1 + i % 28;
        let month = 1 + (i / 28) % 12;
        let year = 2000 + i / 336;
        text.push_str(&format!(
            "{year}/{month}/{day} 12:00,{},{},{nf},{},{la},{ld},{},{},{},{exp},{bug}\n",
            1 + i % 3,
            1 + i % 4,
            f64::from(u32::try_from(i % 10).unwrap_or(0)) / 10.0,
            la * 3.0,
            u8::from(next() < 0.3),
            1 + i % 5
        ));
    }
    text
}

#[test]
fn the_same_data_gives_the_same_model_file() {
    let data = history(600);
    let a = fit(&data, false).expect("a model").to_json();
    let b = fit(&data, false).expect("a model").to_json();
    assert_eq!(a, b);
    let model = DefectModel::from_json(&a).expect("reads back");
    assert!(model.parameters.converged);
    // Lines added raise the risk; experience lowers it.
    let coefficient = |m: &str| {
        model
            .preprocessing
            .iter()
            .find(|f| f.metric == m)
            .map(|f| f.coefficient)
            .unwrap_or_default()
    };
    assert!(coefficient("la") > 0.0 && coefficient("exp") < 0.0, "{a}");
    assert!(model.evaluation.model.auc > 0.6, "{a}");
}

#[test]
fn a_changed_model_file_is_refused() {
    let text = fit(&history(300), false).expect("a model").to_json();
    let tampered = text.replacen("\"lambda\": 1.0", "\"lambda\": 1.5", 1);
    assert_ne!(tampered, text);
    let e = DefectModel::from_json(&tampered).expect_err("tampered");
    assert_eq!(e.code(), Code::InvalidModelFile);
    let other = text.replacen(
        &format!("\"kiro_version\": \"{}\"", crate::api::VERSION),
        "\"kiro_version\": \"0.0.1\"",
        1,
    );
    assert_eq!(
        DefectModel::from_json(&other).expect_err("version").code(),
        Code::InvalidModelFile
    );
    assert_eq!(
        DefectModel::from_json("{}")
            .expect_err("not a model")
            .code(),
        Code::InvalidModelFile
    );
}

#[test]
fn bad_training_data_is_a_coded_error() {
    let code = |text: &str| fit(text, false).expect_err("bad data").code();
    assert_eq!(code(""), Code::InvalidChangeData);
    assert_eq!(code("commitdate,la,ld,bug\n"), Code::InvalidChangeData);
    assert_eq!(
        code("commitdate,la,bug\n2001/1/1 0:00,1,0\n"),
        Code::InvalidChangeData
    );
    let rows = |f: &dyn Fn(usize) -> String| {
        let mut t = String::from("commitdate,la,ld,bug\n");
        for i in 0..40 {
            t.push_str(&f(i));
        }
        t
    };
    // Too few rows, one class, a constant column.
    assert_eq!(
        code("commitdate,la,ld,bug\n2001/1/1 0:00,1,2,1\n"),
        Code::UnusableTrainingData
    );
    assert_eq!(
        code(&rows(&|i| format!("2001/1/{} 0:00,{i},2,1\n", 1 + i % 28))),
        Code::UnusableTrainingData
    );
    assert_eq!(
        code(&rows(&|i| format!(
            "2001/1/{} 0:00,{i},2,{}\n",
            1 + i % 28,
            i % 2
        ))),
        Code::UnusableTrainingData
    );
    // NaN, a negative count, a label that is not 0 or 1, a date that is not a date: each
    // labelled at its cell.
    for (row, cell) in [
        ("2001/1/1 0:00,NaN,2,1", "NaN"),
        ("2001/1/1 0:00,-4,2,1", "-4"),
        ("2001/1/1 0:00,4,2,maybe", "maybe"),
        ("someday,4,2,1", "someday"),
    ] {
        let text = format!("commitdate,la,ld,bug\n{row}\n");
        let e = fit(&text, false).expect_err("bad cell");
        assert_eq!(e.code(), Code::InvalidChangeData);
        let label = &e.diagnostics()[0].labels[0];
        assert_eq!(&text[label.start..label.end], cell);
    }
}

#[test]
fn scores_explain_themselves() {
    let model = fit(&history(600), false).expect("a model");
    let change = serde_json::json!({"ns": 1, "nd": 1, "nf": 9, "entropy": 0.5, "la": 390,
        "ld": 10, "lt": 1000, "fix": 0, "ndev": 2, "exp": 3});
    let data = ChangeData::from_json(&change).expect("a change");
    let scores = model.score(&data).expect("scored");
    let s = &scores[0];
    assert!(s.probability > 0.5, "{s:?}");
    assert_eq!(s.contributions[0].metric, "exp", "{s:?}");
    assert!(
        s.contributions
            .iter()
            .any(|c| c.metric == "la" && c.log_odds > 0.0)
    );
    assert!(!s.mitigations.is_empty());
    let missing = ChangeData::from_json(&serde_json::json!({"la": 3, "ld": 1})).expect("parsed");
    assert_eq!(
        model.score(&missing).expect_err("missing metrics").code(),
        Code::InvalidChangeData
    );
}
