//! Which gates a check evaluates.

use crate::criteria::GateSet;
use crate::criteria::model::GateKind;
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::error::CheckError;

/// Which gates to evaluate: all by default, or one by name, or those of one kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Only the gate with this name.
    pub gate: Option<String>,
    /// Only gates of this kind.
    pub kind: Option<GateKind>,
    /// Refuse input names the policy does not declare (`KIRO-E011`) instead of reporting them
    /// as warnings in the decision.
    pub strict: bool,
}

impl Selection {
    /// Every gate.
    #[must_use]
    pub fn all() -> Self {
        Self::default()
    }

    /// The indices of the selected gates of `set`, in policy order.
    pub(crate) fn resolve(&self, set: &GateSet) -> Result<Vec<usize>, CheckError> {
        let mut selected = Vec::new();
        self.resolve_into(set, &mut selected)?;
        Ok(selected)
    }

    /// [`Selection::resolve`] into `selected` (cleared first), so that a caller checking record
    /// after record reuses one buffer.
    pub(crate) fn resolve_into(
        &self,
        set: &GateSet,
        selected: &mut Vec<usize>,
    ) -> Result<(), CheckError> {
        let gates = &set.gates;
        if let Some(name) = &self.gate
            && !gates.iter().any(|g| &g.name == name)
        {
            let names = gates.iter().map(|g| g.name.as_str());
            let help = did_you_mean(name, names).map_or_else(
                || {
                    format!(
                        "the gates are {}",
                        list(gates.iter().map(|g| g.name.as_str()))
                    )
                },
                |s| format!("did you mean `{s}`?"),
            );
            return Err(CheckError::input(
                Diagnostic::error(Code::UnknownReference, format!("there is no gate `{name}`"))
                    .with_help(help),
            ));
        }
        selected.clear();
        selected.extend(
            gates
                .iter()
                .enumerate()
                .filter(|(_, g)| self.gate.as_ref().is_none_or(|n| &g.name == n))
                .filter(|(_, g)| self.kind.is_none_or(|k| g.kind == k))
                .map(|(i, _)| i),
        );
        if selected.is_empty() {
            let what = match (&self.gate, self.kind) {
                (Some(name), Some(kind)) => {
                    format!("gate `{name}` is not of kind `{}`", kind.as_str())
                }
                (None, Some(kind)) => format!("no gate is of kind `{}`", kind.as_str()),
                _ => "the policy has no gates".to_owned(),
            };
            return Err(CheckError::input(Diagnostic::error(
                Code::EmptySelection,
                what,
            )));
        }
        Ok(())
    }
}

fn list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<String> = names.map(|n| format!("`{n}`")).collect();
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}
