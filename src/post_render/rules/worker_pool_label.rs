//! Every worker pod template carries the pool label, `daguit.dev/worker-pool: <pool>` (charts from 1.0.9:
//! `dagu.sh/worker-pool`, the profile's `pool_label`) (chart docs, "Worker Labels": the pod metadata always
//! includes it). Patched; pod labels can be added without touching the immutable selector.

use serde_json::json;

use super::helpers::{add, components, describe, replace, test, token};
use super::{Finding, Rule};
use crate::post_render::context::Context;
use crate::post_render::lookup::Lookup;
use crate::post_render::manifest::Doc;
use crate::post_render::model::Role;

pub const RULE: Rule = Rule {
    id: "worker-pool-label",
    description: "every worker pod template has the pool label (daguit.dev/worker-pool; from 1.0.9 dagu.sh/worker-pool)",
    check,
};

const LABELS: &str = "/spec/template/metadata/labels";

fn check(ctx: &Context, docs: &[Doc]) -> Vec<Finding> {
    let pool_label = ctx.profile.generation.pool_label;
    components(ctx, docs)
        .filter(|(c, _)| c.role == Role::Worker)
        .filter_map(|(c, d)| {
            let pool = c.pool.as_deref()?;
            let path = format!("{LABELS}/{}", token(pool_label));
            let found = d.at(&path);
            let labels = d.at(LABELS);
            if labels.is_some_and(|l| !l.is_object()) || d.at("/spec/template/metadata").is_some_and(|m| !m.is_object()) {
                return Some(Finding::error(RULE.id, Some(c.doc), LABELS, format!(
                    "{}: the pod template's metadata/labels is not a mapping; render labels as key: value pairs", describe(c))));
            }
            let ops = match (labels, found) {
                (_, Some(v)) if v == pool => return None,
                (_, Some(v)) => vec![test(&path, v.clone()), replace(&path, json!(pool))],
                (Some(_), None) => vec![add(&path, json!(pool))],
                (None, None) if d.at("/spec/template/metadata").is_some() => {
                    vec![add(LABELS, json!({pool_label: pool}))]
                }
                (None, None) => vec![add(
                    "/spec/template/metadata",
                    json!({"labels": {pool_label: pool}}),
                )],
            };
            Some(
                Finding::fix(
                    RULE.id,
                    c.doc,
                    path,
                    format!("{}: label pods {pool_label}={pool}", describe(c)),
                    ops,
                )
                .expected(json!(pool), found.cloned()),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::post_render::model::POOL_LABEL;
    use crate::post_render::rules::testing::{fixed, run, valid, WORKER};

    #[test]
    fn labelled_pods_pass() {
        assert!(run(&RULE, json!({}), &valid()).0.is_empty());
    }

    #[test]
    fn a_missing_label_is_added_from_the_deployment_name() {
        let mut docs = valid();
        for labels in ["/metadata/labels", "/spec/template/metadata/labels"] {
            docs[WORKER]
                .pointer_mut(labels)
                .unwrap()
                .as_object_mut()
                .unwrap()
                .remove(POOL_LABEL);
        }
        let (findings, after) = fixed(&RULE, json!({}), &docs);
        assert_eq!(findings.len(), 1);
        assert_eq!(
            after[WORKER]["spec"]["template"]["metadata"]["labels"][POOL_LABEL],
            "general"
        );
    }

    #[test]
    fn a_pod_template_without_metadata_gets_it() {
        let mut docs = valid();
        docs[WORKER]["spec"]["template"]
            .as_object_mut()
            .unwrap()
            .remove("metadata");
        let (_, after) = fixed(&RULE, json!({}), &docs);
        assert_eq!(
            after[WORKER]["spec"]["template"]["metadata"],
            json!({"labels": {POOL_LABEL: "general"}})
        );
    }
}
