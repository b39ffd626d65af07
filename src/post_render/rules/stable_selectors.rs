//! Upgrade safety: a Dagu Deployment's `spec.selector.matchLabels` holds no version-bearing label
//! (`helm.sh/chart`, `app.kubernetes.io/version`). Selectors are immutable, so such a selector makes every
//! `helm upgrade` to another chart version fail with "field is immutable" (the upstream chart 1.0.6 does this
//! for the UI, scheduler and coordinator). A warning by default, an error with `--strict`; with
//! `--stable-selectors` the labels are removed from those selectors and from the Services selecting those pods.

use serde_json::Value;

use super::helpers::{components, describe, remove, test, token};
use super::{Finding, Rule};
use crate::post_render::context::Context;
use crate::post_render::lookup::Lookup;
use crate::post_render::manifest::Doc;

pub const RULE: Rule = Rule {
    id: "stable-selectors",
    description: "Deployment selectors hold no helm.sh/chart or app.kubernetes.io/version (warning; --strict errors; --stable-selectors rewrites)",
    check,
};

const VERSIONED: &[&str] = &["helm.sh/chart", "app.kubernetes.io/version"];
const MATCH_LABELS: &str = "/spec/selector/matchLabels";

fn versioned(selector: Option<&Value>) -> Vec<(&'static str, Value)> {
    let Some(map) = selector.and_then(Value::as_object) else {
        return vec![];
    };
    VERSIONED
        .iter()
        .filter_map(|k| Some((*k, map.get(*k)?.clone())))
        .collect()
}

fn removal(base: &str, labels: &[(&str, Value)]) -> Vec<json_patch::PatchOperation> {
    labels
        .iter()
        .flat_map(|(k, v)| {
            let path = format!("{base}/{}", token(k));
            [test(&path, v.clone()), remove(&path)]
        })
        .collect()
}

fn check(ctx: &Context, docs: &[Doc]) -> Vec<Finding> {
    let mut findings = vec![];
    let mut pod_labels = vec![];
    for (c, d) in components(ctx, docs) {
        pod_labels.extend(
            d.at("/spec/template/metadata/labels")
                .and_then(Value::as_object),
        );
        let labels = versioned(d.at(MATCH_LABELS));
        if labels.is_empty() {
            continue;
        }
        let shown: Vec<String> = labels
            .iter()
            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
            .collect();
        if ctx.stable_selectors {
            findings.push(Finding::fix(
                RULE.id,
                c.doc,
                MATCH_LABELS,
                format!(
                    "{}: selector without {} (--stable-selectors)",
                    describe(c),
                    shown.join(", ")
                ),
                removal(MATCH_LABELS, &labels),
            ));
            continue;
        }
        let message = format!(
            "{}: spec.selector.matchLabels contains {}. A Deployment selector is immutable, so `helm upgrade` \
             to any other chart version fails with \"field is immutable\". Fix the chart to select on \
             app.kubernetes.io/name, app.kubernetes.io/instance and app.kubernetes.io/component only. For a \
             fresh install, --stable-selectors rewrites the selector; an existing release cannot take that \
             change in place: delete these Deployments first (kubectl delete deployment {} --cascade=orphan), \
             then upgrade",
            describe(c),
            shown.join(", "),
            c.name
        );
        findings.push(if ctx.strict {
            Finding::error(RULE.id, Some(c.doc), MATCH_LABELS, message)
        } else {
            Finding::warning(RULE.id, Some(c.doc), MATCH_LABELS, message)
        });
    }
    if ctx.stable_selectors {
        for (i, d) in docs
            .iter()
            .enumerate()
            .filter(|(_, d)| d.kind() == Some("Service"))
        {
            let Some(selector) = d
                .value()
                .and_then(|v| v.at("/spec/selector"))
                .and_then(Value::as_object)
            else {
                continue;
            };
            let selects_dagu = pod_labels
                .iter()
                .any(|pod| selector.iter().all(|(k, v)| pod.get(k) == Some(v)));
            let labels = versioned(Some(&Value::Object(selector.clone())));
            if selects_dagu && !labels.is_empty() {
                let name = d.reference.name.clone().unwrap_or_default();
                findings.push(Finding::fix(
                    RULE.id,
                    i,
                    "/spec/selector",
                    format!("Service {name}: selector without version-bearing labels (--stable-selectors)"),
                    removal("/spec/selector", &labels),
                ));
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::post_render::context::Overrides;
    use crate::post_render::rules::testing::{run, run_with, valid, UI};
    use crate::post_render::rules::Action;
    use serde_json::json;

    fn versioned_docs() -> Vec<Value> {
        let mut docs = valid();
        docs[UI]["spec"]["selector"]["matchLabels"]["helm.sh/chart"] = json!("dagu-1.0.6");
        docs[UI]["spec"]["template"]["metadata"]["labels"]["helm.sh/chart"] = json!("dagu-1.0.6");
        docs.push(json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "dagu-ui-versioned"},
            "spec": {"selector": {"app.kubernetes.io/component": "ui", "helm.sh/chart": "dagu-1.0.6"}}}));
        docs
    }

    #[test]
    fn stable_selectors_pass() {
        assert!(run(&RULE, json!({}), &valid()).0.is_empty());
    }

    #[test]
    fn versioned_selectors_warn_or_fail_with_strict() {
        let (findings, after) = run(&RULE, json!({}), &versioned_docs());
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].action, Action::Warning);
        assert!(
            findings[0].message.contains("field is immutable")
                && findings[0].message.contains("--cascade=orphan")
        );
        assert_eq!(after, versioned_docs());
        let strict = Overrides {
            strict: true,
            namespace: Some("ns".into()),
            ..Overrides::default()
        };
        assert!(run_with(&RULE, json!({}), &versioned_docs(), &strict).0[0].is_error());
    }

    #[test]
    fn stable_selectors_flag_rewrites_deployment_and_service_selectors() {
        let flags = Overrides {
            stable_selectors: true,
            namespace: Some("ns".into()),
            ..Overrides::default()
        };
        let (findings, after) = run_with(&RULE, json!({}), &versioned_docs(), &flags);
        assert_eq!(findings.len(), 2, "{findings:#?}");
        assert!(after[UI]["spec"]["selector"]["matchLabels"]
            .get("helm.sh/chart")
            .is_none());
        assert_eq!(
            after[UI]["spec"]["template"]["metadata"]["labels"]["helm.sh/chart"],
            "dagu-1.0.6"
        );
        assert!(after.last().unwrap()["spec"]["selector"]
            .get("helm.sh/chart")
            .is_none());
        let (again, _) = run_with(&RULE, json!({}), &after, &flags);
        assert!(again.is_empty());
    }
}
