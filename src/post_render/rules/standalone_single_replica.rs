//! Charts 2.x, `deploymentMode: standalone`: the one `dagu start-all` Deployment holds one replica and the
//! `Recreate` strategy (chart 2.x README: scheduler and coordinator run inside it and the ReadWriteOnce volume
//! can be mounted by one pod; a rolling update would start a second one). A wrong replica count is an error
//! (naming ui.replicas=1 or deploymentMode=distributed); a missing or other strategy is patched.

use serde_json::{json, Value};

use super::helpers::{add, components, describe, replace, test};
use super::{Finding, Rule};
use crate::post_render::context::Context;
use crate::post_render::lookup::Lookup;
use crate::post_render::manifest::Doc;
use crate::post_render::model::Role;

pub const RULE: Rule = Rule {
    id: "standalone-single-replica",
    description: "standalone: the start-all Deployment has replicas: 1 and strategy Recreate",
    check,
};

fn check(ctx: &Context, docs: &[Doc]) -> Vec<Finding> {
    let mut findings = vec![];
    for (c, d) in components(ctx, docs).filter(|(c, _)| c.role == Role::Ui) {
        let replicas = d.at("/spec/replicas");
        if replicas.is_some_and(|r| r != &json!(1)) {
            findings.push(
                Finding::error(RULE.id, Some(c.doc), "/spec/replicas", format!(
                    "{}: deploymentMode=standalone runs scheduler and coordinator inside this pod, on a volume one \
                     pod mounts; it must have one replica. Set ui.replicas=1, or deploymentMode=distributed (with \
                     persistence.accessMode=ReadWriteMany) to scale the UI", describe(c)))
                .expected(json!(1), replicas.cloned()),
            );
        }
        let strategy = d.at("/spec/strategy");
        if strategy.is_some_and(|s| s == &json!({"type": "Recreate"})) {
            continue;
        }
        let ops = match strategy {
            None => vec![add("/spec/strategy", json!({"type": "Recreate"}))],
            Some(s) => vec![
                test("/spec/strategy", s.clone()),
                replace("/spec/strategy", json!({"type": "Recreate"})),
            ],
        };
        findings.push(
            Finding::fix(RULE.id, c.doc, "/spec/strategy", format!(
                "{}: strategy Recreate (a rolling update would run two start-all pods on one volume)", describe(c)), ops)
            .expected(json!({"type": "Recreate"}), strategy.cloned())
            .notable(strategy.is_some_and(Value::is_object)),
        );
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::post_render::rules::testing::{fixed, run, valid, UI};

    #[test]
    fn recreate_is_added_and_extra_replicas_are_refused() {
        let (findings, after) = fixed(&RULE, json!({}), &valid());
        assert_eq!(findings.len(), 1);
        assert_eq!(after[UI]["spec"]["strategy"], json!({"type": "Recreate"}));
        let mut docs = after.clone();
        docs[UI]["spec"]["replicas"] = json!(2);
        let (findings, _) = run(&RULE, json!({}), &docs);
        assert!(findings[0].is_error() && findings[0].message.contains("ui.replicas=1"));
    }
}
