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
    use crate::post_render::rules::testing::{run, run_as, valid, PVC};
    use serde_json::json;

    #[test]
    fn nothing_without_the_value() {
        assert!(run(&RULE, json!({}), &valid()).0.is_empty());
    }

    #[test]
    fn a_rendered_pvc_beside_an_existing_claim_is_an_error_and_rwx_is_a_warning() {
        let values = json!({"persistence": {"existingClaim": "shared"}});
        let (findings, _) = run_as(&RULE, "2.0.3", values.clone(), &valid());
        assert_eq!(findings.len(), 2, "{findings:#?}");
        assert!(findings[0].is_error() && findings[0].doc == Some(PVC));
        assert!(!findings[1].is_error() && findings[1].message.contains("ReadWriteMany"));
        let mut without = valid();
        without.remove(PVC);
        let (findings, _) = run_as(&RULE, "2.0.3", values.clone(), &without);
        assert_eq!(findings.len(), 1);
        // 1.x has no existingClaim: the value means nothing there.
        assert!(run_as(&RULE, "1.0.11", values, &valid()).0.is_empty());
    }
}
