//! Every `extraEnv` entry is in the env of every Dagu container, once (chart docs, "Pod Configuration": added to
//! coordinator, scheduler, UI and all workers). Missing entries are added; an entry of the same name with
//! another value is replaced and reported. extraEnv that is malformed, has duplicate names, or sets
//! `DAGU_HOME` or a component variable is an error.

use std::collections::BTreeSet;

use serde_json::Value;

use super::component_env::COMPONENT_VARIABLES;
use super::helpers::{components, describe, EnvEditor};
use super::{Finding, Rule};
use crate::post_render::context::Context;
use crate::post_render::manifest::Doc;

pub const RULE: Rule = Rule {
    id: "extra-env",
    description: "every extraEnv entry is set once on every Dagu container; it may not override DAGU_HOME or component variables",
    check,
};

fn check(ctx: &Context, docs: &[Doc]) -> Vec<Finding> {
    let Some(extra) = ctx.value("/extraEnv") else {
        return vec![];
    };
    let Some(entries) = extra.as_array() else {
        return vec![Finding::error(
            RULE.id,
            None,
            "/extraEnv",
            "values: extraEnv must be a list of env entries ({name, value} or {name, valueFrom})",
        )];
    };
    let mut findings = vec![];
    let mut names = BTreeSet::new();
    for (i, entry) in entries.iter().enumerate() {
        let at = format!("/extraEnv/{i}");
        let Some(name) = entry
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
        else {
            findings.push(Finding::error(
                RULE.id,
                None,
                at,
                "values: this extraEnv entry has no name",
            ));
            continue;
        };
        if name == "DAGU_HOME" || COMPONENT_VARIABLES.contains(&name) {
            findings.push(Finding::error(
                RULE.id,
                None,
                at,
                format!(
                    "values: extraEnv sets {name}, which the chart itself sets per component (DAGU_HOME=/data, \
                     DAGU_PORT from ui.service.port, the coordinator address, the worker id). Remove it from \
                     extraEnv (use ui.service.port for the UI port)"
                ),
            ));
        } else if !names.insert(name) {
            findings.push(Finding::error(
                RULE.id,
                None,
                at,
                format!("values: extraEnv lists {name} more than once; keep one entry"),
            ));
        }
    }
    if !findings.is_empty() {
        return findings;
    }
    for (c, d) in components(ctx, docs) {
        let mut editor = EnvEditor::new(d, &c.container_ptr());
        for entry in entries {
            let Some(change) = editor.ensure(entry) else {
                continue;
            };
            let name = entry["name"].as_str().unwrap_or_default();
            let message = if change.replaced {
                format!("{}: {name} replaced by the extraEnv value", describe(c))
            } else if change.found.is_some() {
                format!("{}: duplicate {name} entries removed", describe(c))
            } else {
                format!("{}: add extraEnv {name}", describe(c))
            };
            findings.push(
                Finding::fix(
                    RULE.id,
                    c.doc,
                    format!("{}/env", c.container_ptr()),
                    message,
                    change.ops,
                )
                .expected(entry.clone(), change.found)
                .notable(change.replaced),
            );
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::post_render::rules::testing::{errors, fixed, run, valid, UI, WORKER};
    use serde_json::json;

    fn values() -> Value {
        json!({"extraEnv": [{"name": "HTTP_PROXY", "value": "http://proxy:8080"},
                            {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]})
    }

    fn env(doc: &Value) -> Vec<Value> {
        doc["spec"]["template"]["spec"]["containers"][0]["env"]
            .as_array()
            .unwrap()
            .clone()
    }

    #[test]
    fn entries_are_added_to_every_component() {
        let (findings, after) = fixed(&RULE, values(), &valid());
        assert_eq!(findings.len(), 8);
        for doc in &after[2..=5] {
            let env = env(doc);
            assert_eq!(
                env[env.len() - 2..],
                values()["extraEnv"].as_array().unwrap()[..]
            );
        }
    }

    #[test]
    fn a_different_value_is_replaced_and_reported_and_duplicates_removed() {
        let mut docs = valid();
        let env_ptr = "/spec/template/spec/containers/0/env";
        docs[UI]
            .pointer_mut(env_ptr)
            .unwrap()
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "HTTP_PROXY", "value": "old"}));
        let dup = docs[WORKER]
            .pointer_mut(env_ptr)
            .unwrap()
            .as_array_mut()
            .unwrap();
        dup.push(json!({"name": "HTTP_PROXY", "value": "http://proxy:8080"}));
        dup.push(json!({"name": "HTTP_PROXY", "value": "http://proxy:8080"}));
        let (findings, after) = fixed(&RULE, values(), &docs);
        assert!(findings
            .iter()
            .any(|f| f.message == "Deployment dagu-ui: HTTP_PROXY replaced by the extraEnv value"));
        assert!(findings.iter().any(|f| f
            .message
            .contains("dagu-worker-general: duplicate HTTP_PROXY")));
        for doc in &after[2..=5] {
            assert_eq!(
                env(doc)
                    .iter()
                    .filter(|e| e["name"] == "HTTP_PROXY")
                    .count(),
                1
            );
        }
    }

    #[test]
    fn reserved_duplicate_and_nameless_entries_are_errors() {
        let values = json!({"extraEnv": [{"name": "DAGU_HOME", "value": "/x"}, {"name": "DAGU_PORT", "value": "1"},
            {"name": "A", "value": "1"}, {"name": "A", "value": "2"}, {"value": "x"}]});
        let (findings, after) = run(&RULE, values, &valid());
        assert_eq!(errors(&findings).len(), 4);
        assert_eq!(findings.len(), 4);
        assert_eq!(after, valid());
        let (findings, _) = run(&RULE, json!({"extraEnv": {"A": "1"}}), &valid());
        assert!(findings[0].is_error());
    }
}
