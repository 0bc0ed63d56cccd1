//! The composer: reads each imported file once, follows its imports, and merges what each
//! file declares with what it imports, reporting missing files, cycles and conflicts.

use super::map::SourceMap;
use super::model::ImportDecl;
use super::{Sources, path, template};
use crate::diagnostic::{Code, Diagnostic, Span, did_you_mean, push_error};
use crate::document::{self, Format, Limits, Node, NodeKind, Spanned};
use std::collections::BTreeMap;

/// The keys an imported file may have.
const LIBRARY_KEYS: &[&str] = &[
    "$schema",
    "version",
    "name",
    "description",
    "imports",
    "templates",
    "metrics",
    "personas",
    "gates",
];

/// The kinds of definition a file can import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Templates,
    Metrics,
    Personas,
    Gates,
}

impl Kind {
    /// Every kind; templates first, since gates are made from them.
    const ALL: [Kind; 4] = [Kind::Templates, Kind::Metrics, Kind::Personas, Kind::Gates];

    fn key(self) -> &'static str {
        match self {
            Kind::Templates => "templates",
            Kind::Metrics => "metrics",
            Kind::Personas => "personas",
            Kind::Gates => "gates",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Kind::Templates => "template",
            Kind::Metrics => "metric",
            Kind::Personas => "persona",
            Kind::Gates => "gate",
        }
    }

    /// Whether the section maps names to definitions (else it lists definitions with a
    /// `name`).
    fn is_map(self) -> bool {
        matches!(self, Kind::Templates | Kind::Metrics)
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One definition as a file exports it.
#[derive(Debug, Clone)]
pub(super) struct Item {
    /// Its name (empty for a list entry without one, which no check applies to).
    pub name: Spanned<String>,
    /// The definition: a map entry's value, or the whole list entry.
    pub node: Node,
    /// Where the file at hand takes it from: the import's `from`, or the name of a local one.
    pub via: Span,
    /// The path of the file that declares it (empty for the main policy).
    pub file: String,
}

/// What a file declares and imports, by kind.
#[derive(Debug, Clone, Default)]
pub(super) struct Exports([Vec<Item>; 4]);

impl Exports {
    pub(super) fn get(&self, kind: Kind) -> &[Item] {
        self.0.get(kind.index()).map_or(&[], Vec::as_slice)
    }

    fn get_mut(&mut self, kind: Kind) -> Option<&mut Vec<Item>> {
        self.0.get_mut(kind.index())
    }

    fn take(&mut self, kind: Kind) -> Vec<Item> {
        self.get_mut(kind).map(std::mem::take).unwrap_or_default()
    }
}

/// The state of one composition.
pub(super) struct Composer<'s> {
    sources: &'s Sources,
    /// The composed text: the main text, then each imported text after a newline.
    pub text: String,
    pub map: SourceMap,
    /// Each imported file read, by path, with its text.
    pub loaded: BTreeMap<String, String>,
    /// What each file read exports.
    done: BTreeMap<String, Exports>,
    /// The files being composed, outermost first (for cycles).
    stack: Vec<String>,
    /// Imported paths `sources` does not hold.
    pub missing: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'s> Composer<'s> {
    pub(super) fn new(text: &str, sources: &'s Sources) -> Self {
        Self {
            sources,
            text: text.to_owned(),
            map: SourceMap::default(),
            loaded: BTreeMap::new(),
            done: BTreeMap::new(),
            stack: Vec::new(),
            missing: Vec::new(),
            diagnostics: Vec::new(),
        }
    }

    /// The main policy composed: `imports` and `templates` removed, and its metrics, personas
    /// and gates those it declares and imports. A section that gains nothing stays as written.
    pub(super) fn main(&mut self, root: &Node) -> Node {
        let NodeKind::Map(entries) = &root.kind else {
            return root.clone();
        };
        let exports = self.file("", root);
        let mut out: Vec<(Spanned<String>, Node)> = Vec::with_capacity(entries.len());
        let mut placed = [false; 4];
        for (key, value) in entries {
            match Kind::ALL.iter().find(|k| k.key() == key.value) {
                Some(Kind::Templates) => {}
                _ if key.value == "imports" => {}
                Some(&kind) if !exports.get(kind).is_empty() && is_section(kind, value) => {
                    if let Some(p) = placed.get_mut(kind.index()) {
                        *p = true;
                    }
                    out.push((key.clone(), section(kind, exports.get(kind), value.span)));
                }
                _ => out.push((key.clone(), value.clone())),
            }
        }
        for kind in [Kind::Metrics, Kind::Personas, Kind::Gates] {
            let items = exports.get(kind);
            if !placed.get(kind.index()).copied().unwrap_or(true)
                && !items.is_empty()
                && root.get(kind.key()).is_none()
            {
                let key = Spanned::new(Span::default(), kind.key().to_owned());
                out.push((key, section(kind, items, Span::default())));
            }
        }
        Node::new(root.span, NodeKind::Map(out))
    }

    /// What the file at `path` (empty: the main policy) exports: what it imports, less what it
    /// overrides, then what it declares.
    fn file(&mut self, path: &str, root: &Node) -> Exports {
        let NodeKind::Map(entries) = &root.kind else {
            if !path.is_empty() {
                self.error(
                    Code::InvalidValue,
                    format!(
                        "the imported file `{path}` is {}, not a map",
                        root.describe()
                    ),
                    root.span,
                    "expected a map",
                );
            }
            return Exports::default();
        };
        if !path.is_empty() {
            for (key, _) in entries {
                if !LIBRARY_KEYS.contains(&key.value.as_str()) {
                    self.error(
                        Code::UnknownField,
                        format!("`{}` cannot be imported", key.value),
                        key.span,
                        "not importable",
                    )
                    .help = Some(
                        "an imported file holds `metrics`, `personas`, `gates`, `templates` and \
                         its own `imports`"
                            .to_owned(),
                    );
                }
            }
        }
        let mut imported = Exports::default();
        if let Some(imports) = root.get("imports") {
            self.imports(path, imports, &mut imported);
        }
        let mut exports = Exports::default();
        for kind in Kind::ALL {
            let theirs = imported.take(kind);
            let merged = match root.get(kind.key()) {
                Some(section) if is_section(kind, section) => {
                    let local = self.local(kind, path, section, exports.get(Kind::Templates));
                    self.merge(kind, theirs, local)
                }
                Some(section) if !path.is_empty() || kind == Kind::Templates => {
                    self.error(
                        Code::InvalidValue,
                        format!("`{}` is {}", kind.key(), section.describe()),
                        section.span,
                        if kind.is_map() {
                            "expected a map of names"
                        } else {
                            "expected a list"
                        },
                    );
                    theirs
                }
                _ => theirs,
            };
            if let Some(slot) = exports.get_mut(kind) {
                *slot = merged;
            }
        }
        exports
    }

    /// Follows the `imports` of the file at `path`, adding what each import takes to
    /// `imported`.
    fn imports(&mut self, path: &str, node: &Node, imported: &mut Exports) {
        let NodeKind::Seq(entries) = &node.kind else {
            self.error(
                Code::InvalidValue,
                format!("`imports` is {}, not a list", node.describe()),
                node.span,
                "expected a list of `{from: file}`",
            );
            return;
        };
        for entry in entries {
            let decl: ImportDecl = match document::deserialize(entry) {
                Ok(decl) => decl,
                Err(d) => {
                    self.diagnostics.push(d);
                    continue;
                }
            };
            let target = path::join(path, &decl.from);
            if let Some(at) = self.stack.iter().position(|p| *p == target) {
                let chain: Vec<&str> = self
                    .stack
                    .get(at..)
                    .unwrap_or_default()
                    .iter()
                    .map(String::as_str)
                    .chain([target.as_str()])
                    .collect();
                self.error(
                    Code::ImportCycle,
                    format!("`{target}` imports itself: {}", chain.join(" → ")),
                    decl.from.span,
                    "closes the cycle",
                )
                .help = Some(
                    "remove one of these imports, or move what the files share into a file of \
                     its own"
                        .to_owned(),
                );
                continue;
            }
            let exports = if let Some(done) = self.done.get(&target) {
                done.clone()
            } else if let Some(text) = self.sources.get(&target) {
                self.load(&target, text)
            } else {
                self.not_found(&target, decl.from.span);
                continue;
            };
            self.take(&decl, &target, &exports, imported);
        }
    }

    fn not_found(&mut self, target: &str, span: Span) {
        if !self.missing.iter().any(|m| m == target) {
            self.missing.push(target.to_owned());
        }
        let help = match did_you_mean(target, self.sources.keys().map(String::as_str)) {
            Some(close) => format!("did you mean `{close}`?"),
            None => {
                "an import's path is relative to the folder of the file that writes it".to_owned()
            }
        };
        self.error(
            Code::ImportNotFound,
            format!("imported file `{target}` was not found"),
            span,
            "not found",
        )
        .help = Some(help);
    }

    /// Reads the imported file `target` (its text appended to the composed text) and composes
    /// it.
    fn load(&mut self, target: &str, text: &str) -> Exports {
        let offset = self.text.len() + 1;
        self.text.push('\n');
        self.text.push_str(text);
        self.map.push(target, offset, offset + text.len());
        self.loaded.insert(target.to_owned(), text.to_owned());
        let format = target
            .rsplit_once('.')
            .and_then(|(_, ext)| Format::from_extension(ext))
            .unwrap_or_else(|| Format::detect(text));
        let exports = match document::parse(text, format, &Limits::default()) {
            Ok(mut node) => {
                shift(&mut node, offset);
                self.stack.push(target.to_owned());
                let exports = self.file(target, &node);
                self.stack.pop();
                exports
            }
            Err(d) => {
                self.diagnostics.push(d.shifted(offset));
                Exports::default()
            }
        };
        self.done.insert(target.to_owned(), exports.clone());
        exports
    }

    /// Adds what the import `decl` of `target` takes from `exports` to `imported`.
    fn take(&mut self, decl: &ImportDecl, target: &str, exports: &Exports, imported: &mut Exports) {
        for kind in Kind::ALL {
            let list = match kind {
                Kind::Templates => &decl.templates,
                Kind::Metrics => &decl.metrics,
                Kind::Personas => &decl.personas,
                Kind::Gates => &decl.gates,
            };
            let available = exports.get(kind);
            let taken: Vec<&Item> = match list {
                None => available.iter().collect(),
                Some(names) => names
                    .iter()
                    .filter_map(|name| {
                        let found = available.iter().find(|i| i.name.value == name.value);
                        if found.is_none() {
                            let d = self.error(
                                Code::UnknownReference,
                                format!("`{target}` has no {} `{}`", kind.noun(), name.value),
                                name.span,
                                "not in the imported file",
                            );
                            if let Some(close) = did_you_mean(
                                &name.value,
                                available.iter().map(|i| i.name.value.as_str()),
                            ) {
                                d.help = Some(format!("did you mean `{close}`?"));
                            }
                        }
                        found
                    })
                    .collect(),
            };
            for item in taken {
                self.add_import(kind, item, decl.from.span, imported);
            }
        }
    }

    /// Adds one imported definition, unless another file already gave one of that name
    /// (a conflict) or it is the same definition reached through two imports.
    fn add_import(&mut self, kind: Kind, item: &Item, via: Span, imported: &mut Exports) {
        let Some(items) = imported.get_mut(kind) else {
            return;
        };
        if let Some(first) = items
            .iter()
            .find(|i| !item.name.is_empty() && i.name.value == item.name.value)
        {
            if first.file != item.file || first.node.span != item.node.span {
                let (first_file, first_via) = (first.file.clone(), first.via);
                let message = format!(
                    "{} `{}` is imported from both `{first_file}` and `{}`",
                    kind.noun(),
                    item.name.value,
                    item.file
                );
                self.diagnostics.push(
                    Diagnostic::error(Code::ImportConflict, message)
                        .with_label(via, "imports it again")
                        .with_label(first_via, "first imported here")
                        .with_help(format!(
                            "take it from one file only (an import's `{}:` lists what it \
                             takes), or define it here with `override: true`",
                            kind.key()
                        )),
                );
            }
            return;
        }
        let mut item = item.clone();
        item.via = via;
        items.push(item);
    }

    /// The definitions written in the file at `path` under `section`, each with whether it
    /// says `override: true` (the key removed); gates written as a template's use are made
    /// from the template.
    fn local(
        &mut self,
        kind: Kind,
        path: &str,
        section: &Node,
        templates: &[Item],
    ) -> Vec<(Item, bool)> {
        let mut out = Vec::new();
        match &section.kind {
            NodeKind::Map(entries) => {
                for (name, value) in entries {
                    if kind == Kind::Templates {
                        template::check(name, value, &mut self.diagnostics);
                    }
                    let (node, replaces) = self.strip_override(value);
                    let item = Item {
                        name: name.clone(),
                        node,
                        via: name.span,
                        file: path.to_owned(),
                    };
                    out.push((item, replaces));
                }
            }
            NodeKind::Seq(entries) => {
                for entry in entries {
                    let made = if kind == Kind::Gates && entry.get("use").is_some() {
                        template::instantiate(entry, templates, &mut self.diagnostics)
                    } else {
                        let (node, replaces) = self.strip_override(entry);
                        let name = match node.get("name").map(|n| (&n.kind, n.span)) {
                            Some((NodeKind::String(s), span)) => Spanned::new(span, s.clone()),
                            _ => Spanned::new(entry.span, String::new()),
                        };
                        Some((node, name, replaces))
                    };
                    if let Some((node, name, replaces)) = made {
                        let item = Item {
                            via: name.span,
                            name,
                            node,
                            file: path.to_owned(),
                        };
                        out.push((item, replaces));
                    }
                }
            }
            _ => {}
        }
        out
    }

    /// `node` without its `override` key, and whether it was `true`.
    fn strip_override(&mut self, node: &Node) -> (Node, bool) {
        let NodeKind::Map(entries) = &node.kind else {
            return (node.clone(), false);
        };
        let mut replaces = false;
        let mut kept = Vec::with_capacity(entries.len());
        for (key, value) in entries {
            if key.value != "override" {
                kept.push((key.clone(), value.clone()));
                continue;
            }
            match value.kind {
                NodeKind::Bool(b) => replaces = b,
                _ => {
                    self.error(
                        Code::InvalidValue,
                        format!("`override` is {}, not a boolean", value.describe()),
                        value.span,
                        "expected `true` or `false`",
                    );
                }
            }
        }
        (Node::new(node.span, NodeKind::Map(kept)), replaces)
    }

    /// The imported definitions with those a local one overrides left out, then the local
    /// ones; a local definition with an imported one's name and no `override: true` is a
    /// conflict.
    fn merge(
        &mut self,
        kind: Kind,
        mut imported: Vec<Item>,
        local: Vec<(Item, bool)>,
    ) -> Vec<Item> {
        for (item, replaces) in &local {
            if item.name.is_empty() {
                continue;
            }
            let found = imported
                .iter()
                .position(|i| i.name.value == item.name.value);
            match (
                found.and_then(|i| imported.get(i).map(|it| (i, it))),
                replaces,
            ) {
                (Some((i, _)), true) => {
                    imported.remove(i);
                }
                (Some((_, theirs)), false) => {
                    let (file, via) = (theirs.file.clone(), theirs.via);
                    let message = format!(
                        "{} `{}` is defined here and imported from `{file}`",
                        kind.noun(),
                        item.name.value
                    );
                    self.diagnostics.push(
                        Diagnostic::error(Code::ImportConflict, message)
                            .with_label(item.name.span, "defined here")
                            .with_label(via, "imported here")
                            .with_help(
                                "write `override: true` in this definition to replace the \
                                 imported one, or rename one of them",
                            ),
                    );
                }
                (None, true) => {
                    self.error(
                        Code::ImportConflict,
                        format!(
                            "{} `{}` says `override: true`, but no imported {} has that name",
                            kind.noun(),
                            item.name.value,
                            kind.noun()
                        ),
                        item.name.span,
                        "overrides nothing",
                    )
                    .help = Some("remove `override: true`, or import what it replaces".to_owned());
                }
                (None, false) => {}
            }
        }
        imported.extend(local.into_iter().map(|(item, _)| item));
        imported
    }

    fn error(
        &mut self,
        code: Code,
        message: impl Into<String>,
        span: Span,
        label: &str,
    ) -> &mut Diagnostic {
        push_error(&mut self.diagnostics, code, message, span, label)
    }
}

/// Whether `node` can hold the `kind` section's definitions (a map or a list, or nothing).
fn is_section(kind: Kind, node: &Node) -> bool {
    match node.kind {
        NodeKind::Map(_) => kind.is_map(),
        NodeKind::Seq(_) => !kind.is_map(),
        _ => false,
    }
}

/// The `kind` section holding `items`, at `span`.
fn section(kind: Kind, items: &[Item], span: Span) -> Node {
    let kind = if kind.is_map() {
        NodeKind::Map(
            items
                .iter()
                .map(|i| (i.name.clone(), i.node.clone()))
                .collect(),
        )
    } else {
        NodeKind::Seq(items.iter().map(|i| i.node.clone()).collect())
    };
    Node::new(span, kind)
}

/// Moves every span of `node` `offset` bytes right (a text appended to the composed text).
fn shift(node: &mut Node, offset: usize) {
    node.span = node.span.offset(offset);
    match &mut node.kind {
        NodeKind::Seq(items) => items.iter_mut().for_each(|n| shift(n, offset)),
        NodeKind::Map(entries) => {
            for (key, value) in entries {
                key.span = key.span.offset(offset);
                shift(value, offset);
            }
        }
        _ => {}
    }
}
