//! Per-component env (chart docs, "Pod Configuration"): UI `DAGU_PORT=<ui.service.port>` when that value is
//! set (2.x: `ui.containerPort`, default 8080); coordinator `DAGU_COORDINATOR_HOST=0.0.0.0` and
//! `DAGU_COORDINATOR_ADVERTISE=<fullname>-coordinator.<namespace>.svc.cluster.local` (2.x: the short Service
//! name); worker `DAGU_WORKER_ID` from the pod name. Patched.

use serde_json::{json, Value};

use super::helpers::{components, describe, EnvEditor};
use super::{Finding, Rule};
use crate::post_render::context::{Context, NAMESPACE_UNKNOWN};
use crate::post_render::manifest::Doc;
use crate::post_render::model::Role;

pub const RULE: Rule = Rule {
    id: "component-env",
    description: "UI DAGU_PORT, coordinator DAGU_COORDINATOR_HOST/ADVERTISE, worker DAGU_WORKER_ID from the pod name",
    check,
};

/// Variables this rule owns; `extraEnv` may not set them.
pub const COMPONENT_VARIABLES: &[&str] = &[
    "DAGU_PORT",
    "DAGU_COORDINATOR_HOST",
    "DAGU_COORDINATOR_ADVERTISE",
    "DAGU_WORKER_ID",
];

/// The env entries a component must have.
pub fn desired(ctx: &Context, role: Role) -> Vec<Value> {
    match role {
        Role::Ui => ctx
            .profile
            .ui_port(&ctx.values)
            .map(|port| json!({"name": "DAGU_PORT", "value": port}))
            .into_iter()
            .collect(),
        Role::Coordinator => vec![
            json!({"name": "DAGU_COORDINATOR_HOST", "value": "0.0.0.0"}),
            json!({"name": "DAGU_COORDINATOR_ADVERTISE", "value": ctx.coordinator_address()}),
        ],
        Role::Worker => vec![
            json!({"name": "DAGU_WORKER_ID", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}),
        ],
        Role::Scheduler => vec![],
    }
}

fn check(ctx: &Context, docs: &[Doc]) -> Vec<Finding> {
    let mut findings = vec![];
    for (c, d) in components(ctx, docs) {
        let mut editor = EnvEditor::new(d, &c.container_ptr());
        for want in desired(ctx, c.role) {
            let Some(change) = editor.ensure(&want) else {
                continue;
            };
            if want["name"] == "DAGU_COORDINATOR_ADVERTISE" && ctx.address_needs_namespace() {
                findings.push(Finding::error(RULE.id, Some(c.doc), format!("{}/env", c.container_ptr()), format!(
                    "{}: DAGU_COORDINATOR_ADVERTISE must be {}-coordinator.<namespace>.svc.cluster.local but the \
                     release namespace is unknown ({}). Pass --namespace (the namespace given to helm)",
                    describe(c), ctx.fullname, NAMESPACE_UNKNOWN)).expected(want, change.found));
                continue;
            }
            let mut message = format!(
                "{}: set {}",
                describe(c),
                want["name"].as_str().unwrap_or_default()
            );
            if want["name"] == "DAGU_COORDINATOR_ADVERTISE" {
                message.push_str(&format!(" (namespace from {})", ctx.namespace_from));
            }
            findings.push(
                Finding::fix(
                    RULE.id,
                    c.doc,
                    format!("{}/env", c.container_ptr()),
                    message,
                    change.ops,
                )
                .expected(want, change.found),
            );
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::post_render::rules::testing::{fixed, run, valid, COORDINATOR, UI, WORKER};

    fn env(doc: &Value) -> &Vec<Value> {
        doc["spec"]["template"]["spec"]["containers"][0]["env"]
            .as_array()
            .unwrap()
    }

    #[test]
    fn valid_env_passes() {
        assert!(
            run(&RULE, json!({"ui": {"service": {"port": 8080}}}), &valid())
                .0
                .is_empty()
        );
    }

    #[test]
    fn port_advertise_and_worker_id_are_enforced() {
        let mut docs = valid();
        docs[COORDINATOR]["spec"]["template"]["spec"]["containers"][0]["env"][2]["value"] =
            json!("x");
        docs[WORKER]["spec"]["template"]["spec"]["containers"][0]["env"][1] =
            json!({"name": "DAGU_WORKER_ID", "value": "fixed"});
        let (findings, after) = fixed(&RULE, json!({"ui": {"service": {"port": 9090}}}), &docs);
        assert_eq!(findings.len(), 3, "{findings:#?}");
        assert!(env(&after[UI]).contains(&json!({"name": "DAGU_PORT", "value": "9090"})));
        assert_eq!(env(&after[COORDINATOR]), env(&valid()[COORDINATOR]));
        assert_eq!(env(&after[WORKER]), env(&valid()[WORKER]));
    }

    #[test]
    fn a_missing_advertise_address_with_an_unknown_namespace_is_an_error() {
        use crate::post_render::context::Overrides;
        use crate::post_render::rules::testing::run_with;
        let mut docs = valid();
        docs[COORDINATOR]["spec"]["template"]["spec"]["containers"][0]["env"]
            .as_array_mut()
            .unwrap()
            .pop();
        let (findings, after) = run_with(&RULE, json!({}), &docs, &Overrides::default());
        assert_eq!(findings.len(), 1);
        assert!(
            findings[0].is_error() && findings[0].message.contains("Pass --namespace"),
            "{findings:#?}"
        );
        assert_eq!(after, docs);
        let (findings, after) = fixed(&RULE, json!({}), &docs);
        assert!(!findings[0].is_error());
        assert_eq!(env(&after[COORDINATOR]), env(&valid()[COORDINATOR]));
    }

    #[test]
    fn a_field_ref_with_api_version_is_accepted() {
        let mut docs = valid();
        docs[WORKER]["spec"]["template"]["spec"]["containers"][0]["env"][1]["valueFrom"]
            ["fieldRef"]["apiVersion"] = json!("v1");
        assert!(run(&RULE, json!({}), &docs).0.is_empty());
    }

    #[test]
    fn charts_2x_advertise_the_short_name_and_take_the_port_from_the_container() {
        use crate::post_render::rules::testing::{run_as, valid, COORDINATOR, UI};
        let mut docs = valid();
        docs[COORDINATOR]["spec"]["template"]["spec"]["containers"][0]["env"][2]["value"] =
            json!("dagu-coordinator");
        let values = json!({"ui": {"service": {"port": 9090}}});
        let (findings, _) = run_as(&RULE, "2.0.3", values.clone(), &docs);
        assert!(findings.is_empty(), "{findings:#?}");
        let (findings, _) = run_as(&RULE, "1.0.8", values, &docs);
        let pointers: Vec<usize> = findings.iter().filter_map(|f| f.doc).collect();
        assert_eq!(pointers, vec![COORDINATOR, UI], "{findings:#?}");
    }
}
