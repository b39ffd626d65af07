//! Charts 2.x with `persistence.existingClaim`: the chart renders no PersistentVolumeClaim and its Deployments
//! mount that claim (data-mount checks the mounts against it). A PVC `<fullname>-data` rendered anyway is an
//! error (it would be created and never used); in distributed mode the claim's access modes are not in the
//! stream, so a warning says to make sure it is ReadWriteMany.

use super::{Finding, Rule};
use crate::post_render::context::Context;
use crate::post_render::manifest::Doc;
use crate::post_render::profile::Mode;

pub const RULE: Rule = Rule {
    id: "existing-claim",
    description: "with persistence.existingClaim no PVC is rendered (and distributed mode needs the claim RWX)",
    check,
};

fn check(ctx: &Context, docs: &[Doc]) -> Vec<Finding> {
    let Some(claim) = ctx.existing_claim() else {
        return vec![];
    };
    let own = format!("{}-data", ctx.fullname);
    let mut findings: Vec<Finding> = docs
        .iter()
        .enumerate()
        .filter(|(_, d)| d.is("PersistentVolumeClaim", &own))
        .map(|(i, _)| Finding::error(RULE.id, Some(i), "", format!(
            "PersistentVolumeClaim {own} is rendered although persistence.existingClaim={claim}: the Deployments \
             mount {claim}, so this claim would be created and never used. Remove it from the stream, or unset \
             persistence.existingClaim")))
        .collect();
    if ctx.profile.mode == Mode::Distributed {
        findings.push(Finding::warning(RULE.id, None, "/persistence/existingClaim", format!(
            "values: the coordinator, scheduler and UI share the existing claim {claim}, usually from different \
             nodes; kubectl-dagu cannot see its access modes. Make sure it is ReadWriteMany")));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::post_render::rules::testing::{run, valid};
    use serde_json::json;

    #[test]
    fn nothing_without_the_value() {
        assert!(run(&RULE, json!({}), &valid()).0.is_empty());
    }
}
