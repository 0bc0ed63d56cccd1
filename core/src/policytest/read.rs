//! A test file's text, read into cases: every problem of shape is reported (`KIRO-E176`),
//! each pointing at what it is about.

use super::{Name, diagnostic};
use crate::decision::{Outcome, Verdict};
use crate::diagnostic::{Code, Diagnostic, Span, did_you_mean};
use crate::document::{Node, NodeKind, Spanned};
use crate::policy::model::GateKind;

/// A test file.
#[derive(Debug, Clone)]
pub(super) struct TestFile {
    pub policy: Name,
    pub cases: Vec<Case>,
}

/// One case: an input and what the policy must answer.
#[derive(Debug, Clone)]
pub(super) struct Case {
    pub name: Name,
    /// The metrics object, as written (`None`: no metrics).
    pub metrics: Option<Node>,
    /// `name=value` overrides, as `--metric` takes them.
    pub overrides: Vec<Name>,
    pub gate: Option<Name>,
    pub kind: Option<GateKind>,
    pub strict: bool,
    pub expect: Expect,
}

/// What a case expects: an error, or a verdict and gate and criterion results.
#[derive(Debug, Clone, Default)]
pub(super) struct Expect {
    pub error: Option<Code>,
    pub verdict: Option<Verdict>,
    pub gates: Vec<ExpectGate>,
}

/// What a case expects of one gate.
#[derive(Debug, Clone)]
pub(super) struct ExpectGate {
    pub name: Name,
    pub verdict: Option<Verdict>,
    pub criteria: Vec<(Name, Outcome)>,
}

const FILE_KEYS: &[&str] = &["policy", "cases"];
const CASE_KEYS: &[&str] = &[
    "name",
    "metrics",
    "overrides",
    "gate",
    "kind",
    "strict",
    "expect",
];
const EXPECT_KEYS: &[&str] = &["verdict", "gates", "error"];
const GATE_KEYS: &[&str] = &["verdict", "criteria"];

/// Reads `root`, or every problem found.
pub(super) fn read(root: &Node) -> Result<TestFile, Vec<Diagnostic>> {
    let mut r = Reader {
        diagnostics: Vec::new(),
    };
    let file = r.file(root);
    match file {
        Some(file) if r.diagnostics.is_empty() => Ok(file),
        _ => Err(r.diagnostics),
    }
}

struct Reader {
    diagnostics: Vec<Diagnostic>,
}

impl Reader {
    fn invalid(&mut self, message: String, span: Span, label: &str, help: Option<String>) {
        let mut d = diagnostic(Code::InvalidPolicyTest, message).with_label(span, label);
        d.help = help;
        self.diagnostics.push(d);
    }

    /// The entries of map `node` (a `what`), whatever their keys.
    fn entries<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n [(Spanned<String>, Node)]> {
        if let NodeKind::Map(entries) = &node.kind {
            return Some(entries);
        }
        self.invalid(
            format!("{what} is {}, not a map", node.describe()),
            node.span,
            "not a map",
            None,
        );
        None
    }

    /// The entries of map `node` (a `what`), each key among `keys`; unknown keys reported.
    fn map<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        keys: &[&str],
    ) -> Option<&'n [(Spanned<String>, Node)]> {
        let entries = self.entries(node, what)?;
        for (key, _) in entries {
            if !keys.contains(&key.value.as_str()) {
                let help = did_you_mean(&key.value, keys.iter().copied()).map_or_else(
                    || format!("the keys of {what} are `{}`", keys.join("`, `")),
                    |s| format!("did you mean `{s}`?"),
                );
                self.invalid(
                    format!("{what} has no key `{}`", key.value),
                    key.span,
                    "unknown key",
                    Some(help),
                );
            }
        }
        Some(entries)
    }

    /// A string value.
    fn string(&mut self, node: &Node, what: &str) -> Option<Name> {
        if let NodeKind::String(s) = &node.kind {
            Some(Spanned::new(node.span, s.clone()))
        } else {
            self.invalid(
                format!("{what} is {}, not a string", node.describe()),
                node.span,
                "not a string",
                None,
            );
            None
        }
    }

    fn file(&mut self, root: &Node) -> Option<TestFile> {
        let entries = self.map(root, "a test file", FILE_KEYS)?;
        let policy = match get(entries, "policy") {
            Some(p) => self.string(p, "`policy`"),
            None => {
                self.invalid(
                    "the test file names no `policy`".into(),
                    root.span,
                    "no `policy`",
                    Some("give `policy: <file>`, relative to the test file".into()),
                );
                None
            }
        };
        let cases = match get(entries, "cases").map(|c| (&c.kind, c.span)) {
            Some((NodeKind::Seq(cases), span)) if cases.is_empty() => {
                self.invalid(
                    "the test file has no cases".into(),
                    span,
                    "empty",
                    Some("add a case under `cases:`".into()),
                );
                Vec::new()
            }
            Some((NodeKind::Seq(cases), _)) => cases.iter().filter_map(|c| self.case(c)).collect(),
            Some((_, span)) => {
                self.invalid("`cases` is not a list".into(), span, "not a list", None);
                Vec::new()
            }
            None => {
                self.invalid(
                    "the test file has no `cases` list".into(),
                    root.span,
                    "no `cases`",
                    Some("add `cases:` with one case per input to test".into()),
                );
                Vec::new()
            }
        };
        let mut seen: Vec<&str> = Vec::new();
        let mut twice = Vec::new();
        for case in &cases {
            if seen.contains(&case.name.value.as_str()) {
                twice.push(case.name.clone());
            }
            seen.push(&case.name.value);
        }
        for name in twice {
            self.invalid(
                format!("case `{}` is named twice", name.value),
                name.span,
                "named again here",
                Some("give every case its own name".into()),
            );
        }
        Some(TestFile {
            policy: policy?,
            cases,
        })
    }

    fn case(&mut self, node: &Node) -> Option<Case> {
        let entries = self.map(node, "a case", CASE_KEYS)?;
        let name = match get(entries, "name") {
            Some(n) => self.string(n, "a case's `name`"),
            None => {
                self.invalid(
                    "a case has no `name`".into(),
                    node.span,
                    "this case",
                    Some("give it `name: <what it checks>`".into()),
                );
                None
            }
        };
        let metrics = match get(entries, "metrics") {
            Some(m) if matches!(m.kind, NodeKind::Map(_)) => Some(m.clone()),
            Some(m) if matches!(m.kind, NodeKind::Null) => None,
            Some(m) => {
                self.invalid(
                    format!(
                        "`metrics` is {}, not a map of names to values",
                        m.describe()
                    ),
                    m.span,
                    "not a map",
                    None,
                );
                None
            }
            None => None,
        };
        let overrides = match get(entries, "overrides") {
            None => Vec::new(),
            Some(Node {
                kind: NodeKind::Seq(items),
                ..
            }) => items
                .iter()
                .filter_map(|i| self.string(i, "an override"))
                .collect(),
            Some(o) => {
                self.invalid(
                    "`overrides` is not a list of `name=value`".into(),
                    o.span,
                    "not a list",
                    Some("write e.g. `overrides: [\"coverage=87%\"]`".into()),
                );
                Vec::new()
            }
        };
        let gate = get(entries, "gate").and_then(|g| self.string(g, "`gate`"));
        let kind = get(entries, "kind").and_then(|k| {
            let text = self.string(k, "`kind`")?;
            let kind = GateKind::parse(&text.value);
            if kind.is_none() {
                let kinds = GateKind::ALL.iter().map(|k| k.as_str());
                let help = did_you_mean(&text.value, kinds).map_or_else(
                    || "the kinds are `pre-commit`, `pre-merge`, `pre-deploy`, `post-deploy` and `custom`".to_owned(),
                    |s| format!("did you mean `{s}`?"),
                );
                self.invalid(
                    format!("`{}` is not a gate kind", text.value),
                    text.span,
                    "not a kind",
                    Some(help),
                );
            }
            kind
        });
        let strict = match get(entries, "strict").map(|s| (&s.kind, s.span)) {
            None => false,
            Some((NodeKind::Bool(b), _)) => *b,
            Some((_, span)) => {
                self.invalid(
                    "`strict` is not `true` or `false`".into(),
                    span,
                    "not a boolean",
                    None,
                );
                false
            }
        };
        let expect = match get(entries, "expect") {
            Some(e) => self.expect(e),
            None => {
                self.invalid(
                    "a case expects nothing".into(),
                    name.as_ref().map_or(node.span, |n| n.span),
                    "no `expect`",
                    Some("give `expect:` a `verdict`, `gates` or an `error` code".into()),
                );
                None
            }
        };
        Some(Case {
            name: name?,
            metrics,
            overrides,
            gate,
            kind,
            strict,
            expect: expect?,
        })
    }

    fn expect(&mut self, node: &Node) -> Option<Expect> {
        let entries = self.map(node, "`expect`", EXPECT_KEYS)?;
        let mut expect = Expect::default();
        if let Some(e) = get(entries, "error") {
            let text = self.string(e, "`error`")?;
            match crate::diagnostic::Code::parse(&text.value) {
                Some(code) => expect.error = Some(code),
                None => self.invalid(
                    format!("`{}` is not a kiro error code", text.value),
                    text.span,
                    "not an error code",
                    Some("write a code such as `KIRO-E022` (docs/errors.md lists them)".into()),
                ),
            }
            if entries.len() > 1 {
                self.invalid(
                    "a case that expects an error expects nothing else".into(),
                    e.span,
                    "an error here",
                    Some("an error has no verdict: drop `verdict` and `gates`".into()),
                );
            }
            return Some(expect);
        }
        if entries.is_empty() {
            self.invalid(
                "`expect` is empty".into(),
                node.span,
                "expects nothing",
                Some("give a `verdict`, `gates` or an `error` code".into()),
            );
        }
        if let Some(v) = get(entries, "verdict") {
            expect.verdict = self.verdict(v);
        }
        if let Some(g) = get(entries, "gates") {
            // The keys are gate names, checked against the policy when the case runs.
            let gates = self.entries(g, "`gates`").unwrap_or_default();
            for (name, value) in gates {
                if let Some(gate) = self.gate(name, value) {
                    expect.gates.push(gate);
                }
            }
        }
        Some(expect)
    }

    fn gate(&mut self, name: &Name, node: &Node) -> Option<ExpectGate> {
        if let NodeKind::String(_) = node.kind {
            return Some(ExpectGate {
                name: name.clone(),
                verdict: Some(self.verdict(node)?),
                criteria: Vec::new(),
            });
        }
        let entries = self.map(node, &format!("gate `{}`", name.value), GATE_KEYS)?;
        let verdict = get(entries, "verdict").and_then(|v| self.verdict(v));
        let mut criteria = Vec::new();
        if let Some(c) = get(entries, "criteria") {
            if let NodeKind::Map(items) = &c.kind {
                // The keys are criterion names, checked against the policy when the case runs.
                for (criterion, value) in items {
                    if let Some(outcome) = self.outcome(value) {
                        criteria.push((criterion.clone(), outcome));
                    }
                }
            } else {
                self.invalid(
                    "`criteria` is not a map of criterion names to outcomes".into(),
                    c.span,
                    "not a map",
                    Some("write e.g. `criteria: {coverage: fail}`".into()),
                );
            }
        }
        Some(ExpectGate {
            name: name.clone(),
            verdict,
            criteria,
        })
    }

    fn verdict(&mut self, node: &Node) -> Option<Verdict> {
        let text = self.string(node, "a verdict")?;
        let verdict = match text.value.as_str() {
            "pass" => Some(Verdict::Pass),
            "warn" => Some(Verdict::Warn),
            "fail" => Some(Verdict::Fail),
            _ => None,
        };
        if verdict.is_none() {
            self.invalid(
                format!("`{}` is not a verdict", text.value),
                text.span,
                "not a verdict",
                Some("a verdict is `pass`, `warn` or `fail`".into()),
            );
        }
        verdict
    }

    fn outcome(&mut self, node: &Node) -> Option<Outcome> {
        let text = self.string(node, "an outcome")?;
        let outcome = match text.value.as_str() {
            "pass" => Some(Outcome::Pass),
            "warn" => Some(Outcome::Warn),
            "fail" => Some(Outcome::Fail),
            "unknown" => Some(Outcome::Unknown),
            _ => None,
        };
        if outcome.is_none() {
            self.invalid(
                format!("`{}` is not a criterion outcome", text.value),
                text.span,
                "not an outcome",
                Some("an outcome is `pass`, `warn`, `fail` or `unknown`".into()),
            );
        }
        outcome
    }
}

/// The value under `key`.
fn get<'n>(entries: &'n [(Spanned<String>, Node)], key: &str) -> Option<&'n Node> {
    entries.iter().find(|(k, _)| k.value == key).map(|(_, v)| v)
}
