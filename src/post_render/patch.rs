//! Applies a rule's fix operations to the documents, each document patched as a copy and swapped in only when
//! every operation (including its `test` guards) succeeded.

use std::collections::BTreeSet;

use super::manifest::Doc;
use super::rules::{Action, Finding};

/// A fix that did not apply: a `test` guard failed or a path was missing. This is a bug in a rule.
#[derive(Debug, thiserror::Error)]
#[error("internal error: rule {rule} produced a patch that does not apply to {doc}: {source}. Please report it")]
pub struct PatchFailure {
    pub rule: &'static str,
    pub doc: String,
    #[source]
    pub source: json_patch::PatchError,
}

/// Applies the `Fix` findings in order; returns the indices of the documents changed.
pub fn apply(docs: &mut [Doc], findings: &[Finding]) -> Result<BTreeSet<usize>, PatchFailure> {
    let mut changed = BTreeSet::new();
    for finding in findings {
        let (Action::Fix(ops), Some(i)) = (&finding.action, finding.doc) else {
            continue;
        };
        let doc = &mut docs[i];
        let reference = doc.reference.to_string();
        let Some(value) = doc.value_mut() else {
            continue;
        };
        let mut copy = value.clone();
        json_patch::patch(&mut copy, ops).map_err(|source| PatchFailure {
            rule: finding.rule,
            doc: reference,
            source,
        })?;
        *value = copy;
        changed.insert(i);
    }
    Ok(changed)
}
