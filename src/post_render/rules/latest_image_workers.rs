//! Charts before 1.0.10 default to `image.tag: latest`, which today pulls a Dagu (>= v2.9.0) whose
//! `dagu worker` stops with "worker.coordinators is required": those charts do not render that flag, so the
//! workers crash-loop. A warning (the stream is what the chart renders; whether `latest` is new is a fact of
//! the registry, not of the stream): pin the image or use chart >= 1.0.10.

use super::{Finding, Rule};
use crate::post_render::context::Context;
use crate::post_render::manifest::Doc;
use crate::post_render::model::Role;

pub const RULE: Rule = Rule {
    id: "latest-image-workers",
    description: "warns when a pre-1.0.10 chart's workers run image tag latest (Dagu >= 2.9.0 needs --worker.coordinators)",
    check,
};

/// Workers named in the warning; the rest are counted (a release with 2,000 pools gets one line, not 2,000).
const NAMED: usize = 3;

/// One warning for all the workers, about the values (`image.tag`): the profile says the image is `latest`.
fn check(ctx: &Context, _docs: &[Doc]) -> Vec<Finding> {
    let workers: Vec<&str> = ctx
        .components
        .iter()
        .filter(|c| c.role == Role::Worker)
        .map(|c| c.name.as_str())
        .collect();
    if workers.is_empty() {
        return vec![];
    }
    let mut named = workers[..workers.len().min(NAMED)].join(", ");
    if workers.len() > NAMED {
        named.push_str(&format!(" and {} more", workers.len() - NAMED));
    }
    let which = if workers.len() == 1 {
        format!("worker Deployment {named} runs")
    } else {
        format!("{} worker Deployments ({named}) run", workers.len())
    };
    vec![Finding::warning(
        RULE.id,
        None,
        "/image/tag",
        format!(
            "values: {which} image tag latest, which is Dagu >= v2.9.0 today, whose worker stops with \
             \"worker.coordinators is required\"; chart {} does not pass it, so they will crash-loop. Upgrade to \
             chart >= 1.0.10, or pin image.tag to a Dagu below v2.9.0 (pinning v2.9.0 or later makes kubectl-dagu \
             add --worker.coordinators {}:50055)",
            ctx.profile.chart,
            ctx.coordinator_address()
        ),
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::post_render::rules::testing::{run, valid, WORKER};
    use serde_json::json;

    #[test]
    fn the_workers_get_one_warning_and_nothing_changes() {
        let (findings, after) = run(&RULE, json!({}), &valid());
        assert_eq!(findings.len(), 1);
        assert!(!findings[0].is_error() && findings[0].message.contains("crash-loop"));
        assert!(findings[0]
            .message
            .contains("worker Deployment dagu-worker-general runs"));
        assert_eq!(after, valid());
    }

    #[test]
    fn many_workers_are_counted_not_listed() {
        let mut docs = valid();
        for pool in ["a", "b", "c"] {
            let mut worker = docs[WORKER].clone();
            worker["metadata"]["name"] = json!(format!("dagu-worker-{pool}"));
            docs.push(worker);
        }
        let (findings, _) = run(&RULE, json!({}), &docs);
        assert_eq!(findings.len(), 1);
        assert!(
            findings[0].message.contains(
                "4 worker Deployments (dagu-worker-general, dagu-worker-a, dagu-worker-b and 1 more) run"
            ),
            "{}",
            findings[0].message
        );
    }
}
