//! Charts before 1.0.10 default to `image.tag: latest`, which today pulls a Dagu (>= v2.9.0) whose
//! `dagu worker` stops with "worker.coordinators is required": those charts do not render that flag, so the
//! workers crash-loop. A warning (the stream is what the chart renders; whether `latest` is new is a fact of
//! the registry, not of the stream): pin the image or use chart >= 1.0.10.

use super::helpers::{components, describe};
use super::{Finding, Rule};
use crate::post_render::context::Context;
use crate::post_render::manifest::Doc;
use crate::post_render::model::Role;

pub const RULE: Rule = Rule {
    id: "latest-image-workers",
    description: "warns when a pre-1.0.10 chart's workers run image tag latest (Dagu >= 2.9.0 needs --worker.coordinators)",
    check,
};

fn check(ctx: &Context, docs: &[Doc]) -> Vec<Finding> {
    components(ctx, docs)
        .filter(|(c, _)| c.role == Role::Worker)
        .map(|(c, _)| {
            Finding::warning(RULE.id, Some(c.doc), format!("{}/image", c.container_ptr()), format!(
                "{}: image tag latest is Dagu >= v2.9.0 today, whose worker stops with \"worker.coordinators is \
                 required\"; chart {} does not pass it, so this worker will crash-loop. Upgrade to chart >= 1.0.10, \
                 or pin image.tag to a Dagu below v2.9.0 (pinning v2.9.0 or later makes kubectl-dagu add \
                 --worker.coordinators {}:50055)", describe(c), ctx.profile.chart, ctx.coordinator_address()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::post_render::rules::testing::{run, valid};
    use serde_json::json;

    #[test]
    fn each_worker_gets_one_warning_and_nothing_changes() {
        let (findings, after) = run(&RULE, json!({}), &valid());
        assert_eq!(findings.len(), 1);
        assert!(!findings[0].is_error() && findings[0].message.contains("crash-loop"));
        assert_eq!(after, valid());
    }
}
