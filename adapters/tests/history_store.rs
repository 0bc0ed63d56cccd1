//! The history stores, one suite for both: the same records and queries on a SQLite file and
//! on a real PostgreSQL server (Debian's `postgresql`, started on a free loopback port and
//! stopped after), and the PostgreSQL failures: a server that is down, a wrong password, an
//! unknown database, a newer schema, a URL that cannot be read — each coded, never showing the
//! password.

#![cfg(all(feature = "sqlite", feature = "postgres"))]
#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

mod postgres_server;

use kiro::{Decision, Format, Selection, Verdict};
use kiro_adapters::history::{Context, Filter, History, Location, Store};
use postgres_server::{PASSWORD, PgServer};
use std::path::{Path, PathBuf};

fn policy() -> kiro::CompiledPolicy {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/kova/kiro.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    kiro::CompiledPolicy::from_text(&text, None).unwrap()
}

/// The kova decision for `examples/kova/metrics/NAME.json`.
fn decision(policy: &kiro::CompiledPolicy, name: &str) -> (Decision, serde_json::Value) {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../examples/kova/metrics/{name}.json"));
    let text = std::fs::read_to_string(path).unwrap();
    let decision = policy
        .check_text(&text, Format::Json, &Selection::default())
        .unwrap();
    let inputs = serde_json::json!({
        "metrics": serde_json::from_str::<serde_json::Value>(&text).unwrap(),
        "metrics_file": format!("{name}.json"),
    });
    (decision, inputs)
}

fn context(at_ms: u64, branch: &str) -> Context {
    Context {
        at_ms,
        commit: Some(format!("c{at_ms}")),
        branch: Some(branch.to_owned()),
        environment: None,
        pipeline: Some(format!("p{at_ms}")),
    }
}

/// What both stores must do alike: record, list, filter, read back whole, take a baseline.
fn the_store_contract(location: &Location) {
    let policy = policy();
    let mut history = History::open(location).unwrap();
    assert_eq!(history.list(&Filter::default()).unwrap(), []);
    let runs = [
        ("pass", "main"),
        ("warn", "main"),
        ("fail", "main"),
        ("pass", "main"),
        ("pass", "mr-7"),
        ("pass", "main"),
        ("pass", "main"),
        ("pass", "main"),
        ("fail", "main"),
    ];
    let mut ids = Vec::new();
    for (i, (metrics, branch)) in runs.iter().enumerate() {
        let (d, inputs) = decision(&policy, metrics);
        let at = 1_764_000_000_000 + 60_000 * i as u64;
        ids.push(history.record(&d, &inputs, &context(at, branch)).unwrap());
    }
    assert_eq!(ids, (1..=9).collect::<Vec<i64>>());

    // Listed latest first; every filter narrows.
    let all = history.list(&Filter::default()).unwrap();
    assert_eq!(
        all.iter().map(|e| e.id).collect::<Vec<_>>(),
        (1..=9).rev().collect::<Vec<i64>>()
    );
    assert_eq!(all[0].verdict, Verdict::Fail);
    assert_eq!(all[0].policy, "kova-web");
    assert!(all[0].policy_hash.starts_with("sha256:"));
    assert_eq!(all[0].context, context(1_764_000_480_000, "main"));
    let mr = history
        .list(&Filter {
            branch: Some("mr-7".into()),
            ..Filter::default()
        })
        .unwrap();
    assert_eq!(mr.iter().map(|e| e.id).collect::<Vec<_>>(), [5]);
    let recent = history
        .list(&Filter {
            since_ms: Some(1_764_000_360_000),
            ..Filter::default()
        })
        .unwrap();
    assert_eq!(recent.iter().map(|e| e.id).collect::<Vec<_>>(), [9, 8, 7]);
    let bad = history
        .list(&Filter {
            verdicts: vec![Verdict::Warn, Verdict::Fail],
            limit: Some(2),
            ..Filter::default()
        })
        .unwrap();
    assert_eq!(bad.iter().map(|e| e.id).collect::<Vec<_>>(), [9, 3]);
    let none = history
        .list(&Filter {
            policy: Some("another".into()),
            ..Filter::default()
        })
        .unwrap();
    assert!(none.is_empty());

    // The baseline: the last five passing runs of the policy on main.
    let baseline = history
        .records(&Filter::baseline("kova-web", Some("main"), 5))
        .unwrap();
    assert_eq!(
        baseline.iter().map(|r| r.entry.id).collect::<Vec<_>>(),
        [8, 7, 6, 4, 1]
    );
    assert!(baseline.iter().all(|r| r.decision.verdict == Verdict::Pass));

    // A record reads back whole: the decision as made, the inputs as given.
    let (warn, inputs) = decision(&policy, "warn");
    let two = history.get(2).unwrap().unwrap();
    assert_eq!(two.decision, warn);
    assert_eq!(two.inputs, inputs);
    assert_eq!(two.entry, all[7]);
    assert_eq!(history.get(99).unwrap(), None);
    drop(history);

    // Opened again: the same history, no second migration.
    let mut again = History::open(location).unwrap();
    assert_eq!(again.list(&Filter::default()).unwrap().len(), 9);
}

#[test]
fn sqlite_keeps_the_store_contract() {
    let dir = tempfile::tempdir().unwrap();
    the_store_contract(&Location::File(dir.path().join("history.db")));
}

#[test]
fn postgresql_keeps_the_store_contract() {
    let Some(server) = PgServer::start(false) else {
        return;
    };
    let url = server.database("contract");
    the_store_contract(&Location::parse(&PathBuf::from(&url)));

    // Writers on many machines: eight at once, each gets its own record.
    let writers: Vec<_> = (0..8)
        .map(|i| {
            let url = url.clone();
            std::thread::spawn(move || {
                let policy = policy();
                let (d, inputs) = decision(&policy, "pass");
                let mut h = History::open(&Location::Postgres(url)).unwrap();
                h.record(&d, &inputs, &context(1_765_000_000_000 + i, "main"))
                    .unwrap()
            })
        })
        .collect();
    let mut ids: Vec<i64> = writers.into_iter().map(|w| w.join().unwrap()).collect();
    ids.sort_unstable();
    assert_eq!(ids, (10..=17).collect::<Vec<_>>());

    // Eight runners opening a new database at once migrate it once.
    let fresh = server.database("fresh");
    let openers: Vec<_> = (0..8)
        .map(|_| {
            let url = fresh.clone();
            std::thread::spawn(move || History::open(&Location::Postgres(url)).map(|_| ()))
        })
        .collect();
    for o in openers {
        o.join().unwrap().unwrap();
    }
    assert_eq!(
        server.psql("fresh", "SELECT count(*) FROM kiro_schema"),
        "1"
    );

    // The same history over the server's Unix socket.
    let mut local =
        History::open(&Location::parse(Path::new(&server.socket_url("contract")))).unwrap();
    assert_eq!(local.list(&Filter::default()).unwrap().len(), 17);
}

/// The error of opening `url`: its code and message.
fn open_error(url: &str) -> (String, String) {
    let e = History::open(&Location::Postgres(url.to_owned())).unwrap_err();
    (e.code.as_str().to_owned(), e.message.clone())
}

#[test]
fn postgresql_failures_are_coded_and_never_show_the_password() {
    let Some(server) = PgServer::start(false) else {
        return;
    };
    let url = server.database("failures");
    let policy = policy();
    let (d, inputs) = decision(&policy, "pass");
    History::open(&Location::Postgres(url.clone()))
        .unwrap()
        .record(&d, &inputs, &context(1, "main"))
        .unwrap();

    // A wrong password, an unknown role, a database that is not there.
    let wrong = format!(
        "postgres://kiro:not-{PASSWORD}@127.0.0.1:{}/failures",
        server.port
    );
    let (code, message) = open_error(&wrong);
    assert_eq!(code, "KIRO-E085", "{message}");
    assert!(
        message.contains("password authentication failed"),
        "{message}"
    );
    assert!(
        message.contains("postgres://kiro:***@127.0.0.1"),
        "{message}"
    );
    assert!(!message.contains(PASSWORD), "{message}");
    let nobody = format!("postgres://nobody:x@127.0.0.1:{}/failures", server.port);
    assert_eq!(open_error(&nobody).0, "KIRO-E085");
    let (code, message) = open_error(&server.url("no_such_db"));
    assert_eq!(code, "KIRO-E085", "{message}");
    assert!(message.contains("no_such_db") && !message.contains(PASSWORD));

    // A history of a newer kiro is refused, not read or changed.
    server.psql("failures", "UPDATE kiro_schema SET version = 7");
    let (code, message) = open_error(&url);
    assert_eq!(code, "KIRO-E080", "{message}");
    assert!(message.contains("schema version 7"), "{message}");
    assert_eq!(
        server.psql("failures", "SELECT count(*) FROM kiro_decisions"),
        "1"
    );
    server.psql("failures", "UPDATE kiro_schema SET version = 1");

    // A record kiro never wrote.
    server.psql("failures", "UPDATE kiro_decisions SET verdict = 'maybe'");
    let mut h = History::open(&Location::Postgres(url.clone())).unwrap();
    let e = h.list(&Filter::default()).unwrap_err();
    assert_eq!(e.code.as_str(), "KIRO-E081", "{}", e.message);

    // A URL the client cannot read.
    let (code, message) = open_error("postgres://kiro:hush@127.0.0.1:notaport/db");
    assert_eq!(code, "KIRO-E086", "{message}");
    assert!(!message.contains("hush"), "{message}");

    // The server goes away: under an open history, then for a new one.
    server.stop();
    let e = h.record(&d, &inputs, &context(2, "main")).unwrap_err();
    assert_eq!(e.code.as_str(), "KIRO-E084", "{}", e.message);
    let (code, message) = open_error(&url);
    assert_eq!(code, "KIRO-E084", "{message}");
    assert!(message.contains("127.0.0.1") && !message.contains(PASSWORD));
}
