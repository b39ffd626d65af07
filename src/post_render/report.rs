//! How findings are shown: one line each for people (`--check`, errors), a JSON document for tools (`-o json`),
//! and a unified diff of the stream (`--diff`). Secrets are never kept in memory as values and never changed
//! by a rule, so no Secret data can reach these reports; YAML errors are printed without source snippets.

use serde_json::{json, Value};

use super::manifest::Doc;
use super::pipeline::Outcome;
use super::rules::{Action, Finding};

/// Where a finding points: `document 4 Deployment/dagu-ui (dagu/templates/ui.yaml)`, `values` or `stream`.
pub fn location(finding: &Finding, docs: &[Doc]) -> String {
    match finding.doc {
        Some(i) => docs[i].reference.to_string(),
        None if finding.pointer.is_empty() => "stream".to_string(),
        None => "values".to_string(),
    }
}

/// `[rule] where pointer: message (expected X, found Y)`.
pub fn line(finding: &Finding, docs: &[Doc]) -> String {
    let mut out = format!("[{}] {}", finding.rule, location(finding, docs));
    if !finding.pointer.is_empty() {
        out.push_str(&format!(" {}", finding.pointer));
    }
    out.push_str(&format!(": {}", finding.message));
    if let Some(expected) = &finding.expected {
        let found = finding
            .found
            .as_ref()
            .map_or("nothing".to_string(), compact);
        out.push_str(&format!(" (expected {}, found {found})", compact(expected)));
    }
    out
}

fn compact(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// The `-o json` report.
pub fn json(outcome: &Outcome) -> Value {
    let ctx = &outcome.context;
    let findings: Vec<Value> = outcome
        .findings
        .iter()
        .map(|f| {
            let mut v = serde_json::to_value(f).expect("findings serialise");
            v["document"] = match f.doc {
                Some(i) => {
                    serde_json::to_value(&outcome.docs[i].reference).expect("refs serialise")
                }
                None => Value::Null,
            };
            v["scope"] = json!(location(f, &outcome.docs).split(' ').next());
            v
        })
        .collect();
    json!({
        "release": ctx.release,
        "fullname": ctx.fullname,
        "namespace": ctx.namespace,
        "profile": {
            "chart": ctx.profile.chart.to_string(), "generation": ctx.profile.generation.name,
            "mode": ctx.profile.mode, "dagu": ctx.profile.dagu, "reason": ctx.profile_reason,
            "warning": ctx.profile_warning,
        },
        "components": ctx.components.iter().map(|c| json!({
            "name": c.name, "role": c.role, "pool": c.pool,
            "document": outcome.docs[c.doc].reference.index,
        })).collect::<Vec<_>>(),
        "documents": outcome.docs.iter().filter(|d| d.object.is_some()).count(),
        "changed": outcome.changed.iter().map(|&i| outcome.docs[i].reference.index).collect::<Vec<_>>(),
        "errors": outcome.errors().count(),
        "fixes": outcome.fixes().count(),
        "warnings": outcome.warnings().count(),
        "findings": findings,
    })
}

/// A unified diff of every changed document, original against enforced.
pub fn diff(outcome: &Outcome) -> String {
    let mut out = String::new();
    for (i, new_bytes) in outcome.changed_documents() {
        let doc = &outcome.docs[i];
        let old = String::from_utf8_lossy(doc.chunk.raw);
        let new = String::from_utf8_lossy(&new_bytes);
        let name = doc.reference.to_string();
        let diff = similar::TextDiff::from_lines(old.as_ref(), new.as_ref());
        out.push_str(
            &diff
                .unified_diff()
                .context_radius(3)
                .header(&format!("a: {name}"), &format!("b: {name}"))
                .to_string(),
        );
    }
    out
}

/// True when the finding needs attention in `--check` (anything but a warning).
pub fn counts_for_check(f: &Finding) -> bool {
    f.action != Action::Warning
}
