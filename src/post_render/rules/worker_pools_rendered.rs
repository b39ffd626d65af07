//! Every pool in `workerPools` has its Deployment `<fullname>-worker-<pool>` in the stream (chart docs: "Each
//! entry in workerPools creates one Deployment"); a missing one means the stream lost workers. Error.

use std::collections::HashSet;

use serde_json::Value;

use super::{Finding, Rule};
use crate::post_render::context::Context;
use crate::post_render::manifest::Doc;
use crate::post_render::model::Role;

pub const RULE: Rule = Rule {
    id: "worker-pools-rendered",
    description: "every pool in workerPools has a worker Deployment in the stream",
    check,
};

fn check(ctx: &Context, _docs: &[Doc]) -> Vec<Finding> {
    let Some(pools) = ctx.value("/workerPools").and_then(Value::as_object) else {
        return vec![];
    };
    if ctx.components.is_empty() {
        return vec![];
    }
    // A set, not a scan of the components per pool: thousands of pools made that quadratic.
    let rendered: HashSet<&str> = ctx
        .components
        .iter()
        .filter(|c| c.role == Role::Worker)
        .filter_map(|c| c.pool.as_deref())
        .collect();
    pools
        .iter()
        .filter(|(_, pool)| !pool.is_null())
        .filter(|(name, _)| !rendered.contains(name.as_str()))
        .map(|(name, _)| {
            Finding::error(
                RULE.id,
                None,
                format!("/workerPools/{}", super::helpers::token(name)),
                format!(
                    "values: worker pool {name:?} has no Deployment {}-worker-{name} in the stream. Check the \
                     chart renders every pool, and that kubectl-dagu got the same values as helm",
                    ctx.fullname
                ),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::post_render::rules::testing::{run, valid};
    use serde_json::json;

    #[test]
    fn rendered_pools_pass_and_deleted_pools_are_ignored() {
        let values = json!({"workerPools": {"general": {"replicas": 2}, "old": null}});
        assert!(run(&RULE, values, &valid()).0.is_empty());
    }

    #[test]
    fn a_missing_pool_is_an_error() {
        let (f, _) = run(
            &RULE,
            json!({"workerPools": {"gpu": {"replicas": 1}}}),
            &valid(),
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("no Deployment dagu-worker-gpu"));
    }
}
