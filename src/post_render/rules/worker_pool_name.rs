//! Worker pool names match `^[a-z][a-z0-9-]*$` and each pool has one Deployment (chart docs, "Worker Pools":
//! the template fails on other names; the name becomes part of Deployment names and labels). Error.

use std::collections::BTreeMap;

use serde_json::Value;

use super::helpers::{components, describe};
use super::{Finding, Rule};
use crate::post_render::context::Context;
use crate::post_render::manifest::Doc;
use crate::post_render::model::Role;

pub const RULE: Rule = Rule {
    id: "worker-pool-name",
    description:
        "worker pool names match ^[a-z][a-z0-9-]*$ and each pool has exactly one Deployment",
    check,
};

/// `^[a-z][a-z0-9-]*$`
pub fn valid_pool_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

const HOW: &str =
    "Rename the pool in workerPools: valid names are like general, gpu-workers, us-east-1";

fn check(ctx: &Context, docs: &[Doc]) -> Vec<Finding> {
    check_with(
        RULE.id,
        ctx,
        docs,
        valid_pool_name,
        "does not match ^[a-z][a-z0-9-]*$",
    )
}

/// The check itself, for a pool-name rule (`valid`, and what an invalid name fails, for messages).
pub(super) fn check_with(
    id: &'static str,
    ctx: &Context,
    docs: &[Doc],
    valid: fn(&str) -> bool,
    fails: &str,
) -> Vec<Finding> {
    let mut findings = vec![];
    if let Some(pools) = ctx.value("/workerPools").and_then(Value::as_object) {
        for name in pools.keys().filter(|n| !valid(n)) {
            findings.push(Finding::error(
                id,
                None,
                format!("/workerPools/{}", super::helpers::token(name)),
                format!("values: worker pool name {name:?} {fails}. {HOW}"),
            ));
        }
    }
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for (c, _) in components(ctx, docs).filter(|(c, _)| c.role == Role::Worker) {
        match c.pool.as_deref() {
            None => findings.push(Finding::error(
                id,
                Some(c.doc),
                "/spec/template/metadata/labels",
                format!(
                    "{} runs a Dagu worker but its pool is unknown: no {} label and the name does \
                     not follow {}-worker-<pool>. Add the label (or check --fullname / the values)",
                    describe(c),
                    ctx.profile.generation.pool_label,
                    ctx.fullname
                ),
            )),
            Some(pool) if !valid(pool) => findings.push(Finding::error(
                id,
                Some(c.doc),
                "/metadata/name",
                format!("{}: worker pool name {pool:?} {fails}. {HOW}", describe(c)),
            )),
            Some(pool) => {
                if let Some(other) = seen.insert(pool, &c.name) {
                    findings.push(Finding::error(
                        id,
                        Some(c.doc),
                        "/metadata/name",
                        format!(
                            "{} and Deployment {other} both run worker pool {pool:?}; each pool is one \
                             Deployment. Remove or rename one",
                            describe(c)
                        ),
                    ));
                }
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::post_render::model::POOL_LABEL;
    use crate::post_render::rules::testing::{run, valid, WORKER};
    use serde_json::json;

    #[test]
    fn the_documented_examples() {
        for ok in ["general", "gpu-workers", "us-east-1"] {
            assert!(valid_pool_name(ok), "{ok}");
        }
        for bad in ["GPU", "1-workers", "my_pool", ""] {
            assert!(!valid_pool_name(bad), "{bad}");
        }
    }

    #[test]
    fn valid_pools_pass() {
        assert!(
            run(&RULE, json!({"workerPools": {"general": {}}}), &valid())
                .0
                .is_empty()
        );
    }

    #[test]
    fn bad_names_in_values_and_stream_and_duplicates_are_errors() {
        let mut docs = valid();
        docs[WORKER]["spec"]["template"]["metadata"]["labels"][POOL_LABEL] = json!("my_pool");
        let (f, _) = run(&RULE, json!({"workerPools": {"GPU": {}}}), &docs);
        assert_eq!(f.len(), 2, "{f:#?}");
        assert!(f[0].message.contains("\"GPU\"") && f[1].message.contains("\"my_pool\""));

        let mut docs = valid();
        let mut twin = docs[WORKER].clone();
        twin["metadata"]["name"] = json!("dagu-worker-general-2");
        docs.push(twin);
        let (f, _) = run(&RULE, json!({}), &docs);
        assert!(
            f[0].message.contains("both run worker pool \"general\""),
            "{f:#?}"
        );
    }

    #[test]
    fn a_worker_with_no_pool_is_an_error() {
        let mut docs = valid();
        docs[WORKER]["metadata"]["name"] = json!("workers");
        for labels in ["/metadata/labels", "/spec/template/metadata/labels"] {
            docs[WORKER]
                .pointer_mut(labels)
                .unwrap()
                .as_object_mut()
                .unwrap()
                .remove(POOL_LABEL);
        }
        let (f, _) = run(&RULE, json!({}), &docs);
        assert!(f[0].message.contains("pool is unknown"), "{f:#?}");
    }
}
