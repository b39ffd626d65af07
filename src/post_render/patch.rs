//! Applies a rule's fix operations to the documents. `json_patch::patch` is atomic: when an operation (or a
//! `test` guard) fails, the operations already applied are undone, so a document is never half patched.

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
        json_patch::patch(value, ops).map_err(|source| PatchFailure {
            rule: finding.rule,
            doc: reference,
            source,
        })?;
        changed.insert(i);
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::post_render::manifest::parse_stream;
    use crate::post_render::rules::helpers::{add, test};
    use serde_json::json;

    #[test]
    fn a_failing_guard_leaves_the_document_untouched_and_names_the_rule() {
        let mut docs =
            parse_stream(b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '1'}\n")
                .unwrap();
        let before = docs[0].value().cloned();
        let finding = Finding::fix(
            "some-rule",
            0,
            "/data",
            "m",
            vec![add("/data/b", json!("2")), test("/data/a", json!("not 1"))],
        );
        let err = apply(&mut docs, &[finding]).unwrap_err();
        assert_eq!(docs[0].value().cloned(), before);
        assert!(
            err.to_string().contains("rule some-rule")
                && err.to_string().contains("document 1 ConfigMap/c")
        );
    }
}
