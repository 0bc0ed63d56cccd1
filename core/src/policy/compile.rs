//! Validation and compilation: from the document model to a [`CompiledPolicy`].
//!
//! The policy compiles its metrics and personas once, then hands each section its part of the
//! document; every problem found goes into one list, so one run reports them all.

use super::compiled::{Compiled, CompiledPolicy};
use super::model::Policy;
use crate::baseline::BaselineRule;
use crate::compose::{Composed, SourceMap, SourceRef, Sources, compose, composes};
use crate::criteria::{Context, Personas};
use crate::decision::PolicyRef;
use crate::diagnostic::{Code, Diagnostic, Span};
use crate::document::{self, Format, Limits};
use crate::error::{KiroError, PolicyError};
use crate::metrics::table::MetricTable;
use crate::{alert, gate, health, monitor, pipeline, release};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::sync::Arc;

impl CompiledPolicy {
    /// Reads, validates and compiles a policy. `format` `None` detects it from the text.
    ///
    /// # Errors
    /// A [`PolicyError`] with every problem found, each with a code and a span into `text`.
    pub fn from_text(text: &str, format: Option<Format>) -> Result<CompiledPolicy, PolicyError> {
        Self::from_sources(text, format, &Sources::new())
    }

    /// Reads, validates and compiles a policy that may import other files (docs/composition.md):
    /// `sources` holds their texts by path ([`crate::compose::missing_imports`] names them).
    ///
    /// # Errors
    /// A [`PolicyError`] with every problem found, each with a code and a span into the text it
    /// is about: `text` (source `policy`) or an imported file (source: its path).
    pub fn from_sources(
        text: &str,
        format: Option<Format>,
        sources: &Sources,
    ) -> Result<CompiledPolicy, PolicyError> {
        let format = format.unwrap_or_else(|| Format::detect(text));
        let source = |d: Diagnostic| d.with_source("policy");
        let node = document::parse(text, format, &Limits::default())
            .map_err(|d| PolicyError::new(vec![source(d)]))?;
        let (node, whole, map, sources) = if composes(&node) {
            let composed = compose(text, &node, sources).map_err(|found| {
                PolicyError::new(
                    found
                        .into_iter()
                        .map(|d| if d.source.is_some() { d } else { source(d) })
                        .collect(),
                )
            })?;
            drop(node);
            let Composed {
                node,
                text: whole,
                map,
                sources,
            } = composed;
            (node, Cow::Owned(whole), map, sources)
        } else {
            (node, Cow::Borrowed(text), SourceMap::default(), Vec::new())
        };
        let text = whole.as_ref();
        let read = document::deserialize_all::<Policy>(&node);
        drop(node);
        if read.diagnostics.is_empty()
            && let Some(policy) = &read.value
        {
            return Self::compile(policy, text, sources, map);
        }
        // Shape errors: report them with what validation finds in the rest of the document,
        // leaving out what follows only from the parts at fault.
        let mut diagnostics: Vec<Diagnostic> = read.diagnostics.into_iter().map(source).collect();
        if let Some(Err(rest)) = read
            .value
            .map(|policy| Self::compile(&policy, text, Vec::new(), SourceMap::default()))
        {
            diagnostics.extend(
                rest.diagnostics()
                    .iter()
                    .filter(|d| !read.cut.explains(d, text))
                    .cloned(),
            );
        }
        diagnostics.sort_by_key(|d| d.labels.first().map_or(usize::MAX, |l| l.start));
        Err(PolicyError::new(map.remap_all(diagnostics)))
    }

    /// Validates and compiles an already-read policy. `text` is the source the model's spans
    /// point into (empty when there is none).
    ///
    /// # Errors
    /// A [`PolicyError`] with every problem found.
    pub fn from_model(policy: &Policy, text: &str) -> Result<CompiledPolicy, PolicyError> {
        Self::compile(policy, text, Vec::new(), SourceMap::default())
    }

    /// [`CompiledPolicy::from_model`] for a policy composed from the imported files `sources`,
    /// whose texts `map` places in `text`.
    fn compile(
        policy: &Policy,
        text: &str,
        sources: Vec<SourceRef>,
        map: SourceMap,
    ) -> Result<CompiledPolicy, PolicyError> {
        let mut cx = Compiler {
            text,
            diagnostics: Vec::new(),
        };
        let mut compiled = cx.policy(policy);
        if cx.diagnostics.is_empty() {
            compiled.policy.sources = sources;
            compiled.sources = map;
            Ok(CompiledPolicy {
                inner: Arc::new(compiled),
            })
        } else {
            let diagnostics = cx
                .diagnostics
                .into_iter()
                .map(|d| d.with_source("policy"))
                .collect();
            Err(PolicyError::new(map.remap_all(diagnostics)))
        }
    }
}

/// `sha256:` and the hex SHA-256 of `bytes`.
#[must_use]
pub(crate) fn text_hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// The canonical hash of a policy model: `sha256:` + hex of its canonical JSON.
#[must_use]
pub fn policy_hash(policy: &Policy) -> String {
    // INVARIANT: the model serializes without error (no maps with non-string keys, no
    // non-finite floats reach here because validation rejects them before hashing matters).
    let json = serde_json::to_vec(policy).unwrap_or_default();
    text_hash(&json)
}

struct Compiler<'t> {
    text: &'t str,
    diagnostics: Vec<Diagnostic>,
}

impl Compiler<'_> {
    fn error(
        &mut self,
        code: Code,
        message: impl Into<String>,
        span: Span,
        label: &str,
    ) -> &mut Diagnostic {
        crate::diagnostic::push_error(&mut self.diagnostics, code, message, span, label)
    }

    /// Each section in turn, over the metrics and personas compiled once.
    fn policy(&mut self, policy: &Policy) -> Compiled {
        if *policy.version != 1 {
            self.error(
                Code::InvalidValue,
                format!("unsupported policy version `{}`", *policy.version),
                policy.version.span,
                "only version 1 exists",
            );
        }
        let mut metrics = MetricTable::compile(&policy.metrics, &mut self.diagnostics);
        let baselines = baseline_rules(policy, &mut self.diagnostics);
        metrics.set_baseline_rules(baselines.len());
        let personas = Personas::compile(&policy.personas, &mut self.diagnostics);
        let reference = PolicyRef {
            name: policy.name.value.clone(),
            hash: policy_hash(policy),
            sources: Vec::new(),
        };
        let cx = Context {
            text: self.text,
            metrics: &metrics,
            personas: &personas,
        };
        let gates = gate::compile(cx, &policy.gates, &mut self.diagnostics);
        let pipeline = policy.pipeline.as_ref().and_then(|decl| {
            pipeline::compile(decl, cx, &gates, &reference, &mut self.diagnostics)
        });
        let monitor = monitor::compile(cx, policy, &mut self.diagnostics);
        let release = release::compile(
            &policy.environments,
            policy.strategy.as_ref(),
            &release_names(policy),
            &mut self.diagnostics,
        );
        let gate_names: Vec<&str> = gates.gates.iter().map(|g| g.name.as_str()).collect();
        let persona_names: Vec<&str> = personas.names().collect();
        let names = crate::risk::Names {
            gates: &gate_names,
            personas: &persona_names,
        };
        let risk = crate::risk::compile(
            self.text,
            &metrics,
            names,
            policy.risk.as_ref(),
            &mut self.diagnostics,
        );
        let risk_thresholds = super::risk_thresholds::compile(
            cx,
            &policy.gates,
            policy.risk.as_ref(),
            &mut self.diagnostics,
        );
        let alerts = alert::compile(cx, policy.alerts.as_ref(), &mut self.diagnostics);
        let health = health::compile(cx, policy.health.as_ref(), &mut self.diagnostics);
        let declared = metrics.slots().len();
        let reads_baselines = |set: &crate::criteria::GateSet| {
            set.gates
                .iter()
                .flat_map(|g| &g.criteria)
                .any(|c| c.slots.iter().any(|&s| s >= declared))
        };
        if reads_baselines(&gates)
            || pipeline
                .as_ref()
                .is_some_and(|p| reads_baselines(p.inline()))
        {
            metrics.set_gates_read_baselines();
        }
        Compiled {
            policy: reference,
            metrics,
            baselines,
            gates,
            pipeline,
            monitor,
            release,
            risk,
            risk_thresholds,
            alerts,
            health,
            sources: SourceMap::default(),
        }
    }
}

/// The names of the policy that its environments may refer to: gates, personas, and the
/// triggers an analysis may run (triggers and judges, by name).
fn release_names(policy: &Policy) -> release::Names<'_> {
    release::Names {
        gates: policy.gates.iter().map(|g| g.name.as_str()).collect(),
        personas: policy.personas.iter().map(|p| p.name.as_str()).collect(),
        triggers: policy
            .triggers
            .iter()
            .map(|t| t.name.as_str())
            .chain(policy.judges.iter().map(|j| j.name.as_str()))
            .collect(),
    }
}

/// The baseline rules: the policy's (rule 0), then one per gate with its own `baseline:`, in
/// gate order (the numbering `gate::compile` gives).
fn baseline_rules(policy: &Policy, diagnostics: &mut Vec<Diagnostic>) -> Vec<BaselineRule> {
    let top = BaselineRule::resolve(
        policy.baseline.as_ref(),
        &BaselineRule::default(),
        diagnostics,
    );
    let mut rules = vec![top.clone()];
    for gate in &policy.gates {
        if let Some(decl) = &gate.baseline {
            rules.push(BaselineRule::resolve(Some(decl), &top, diagnostics));
        }
    }
    rules
}
