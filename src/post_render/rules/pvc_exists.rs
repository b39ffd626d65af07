//! A Dagu release has its shared PersistentVolumeClaim `<fullname>-data` and `persistence.enabled` is not
//! false (chart docs, "Persistence Rules": the PVC template fails otherwise); every component keeps its state
//! there. A missing PVC is an error: kubectl-dagu does not invent storage.

use serde_json::Value;

use super::{Finding, Rule};
use crate::post_render::context::Context;
use crate::post_render::manifest::Doc;

pub const RULE: Rule = Rule {
    id: "pvc-exists",
    description:
        "the PersistentVolumeClaim <fullname>-data is rendered and persistence.enabled is true",
    check,
};

fn check(ctx: &Context, docs: &[Doc]) -> Vec<Finding> {
    if ctx.components.is_empty() {
        return vec![];
    }
    let mut findings = vec![];
    if ctx.value("/persistence/enabled") == Some(&Value::Bool(false)) {
        findings.push(Finding::error(
            RULE.id,
            None,
            "/persistence/enabled",
            "values: persistence.enabled is false, but every Dagu component keeps its state on the shared \
             PVC (the chart refuses this too). Set persistence.enabled=true",
        ));
    }
    let name = ctx.pvc_name();
    // persistence.existingClaim (2.x): the claim is made outside the release; existing-claim checks the rest.
    if ctx.existing_claim().is_none() && !docs.iter().any(|d| d.is("PersistentVolumeClaim", &name))
    {
        findings.push(Finding::error(
            RULE.id,
            None,
            "",
            format!(
                "the stream has Dagu Deployments but no PersistentVolumeClaim {name}; they all mount it at \
                 /data. Render the chart's PVC (persistence.enabled=true) or add the claim to the stream"
            ),
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::post_render::rules::testing::{run, valid, PVC};
    use serde_json::json;

    #[test]
    fn present_pvc_passes() {
        assert!(run(&RULE, json!({}), &valid()).0.is_empty());
    }

    #[test]
    fn missing_pvc_or_disabled_persistence_is_an_error() {
        let mut docs = valid();
        docs.remove(PVC);
        let (findings, _) = run(&RULE, json!({"persistence": {"enabled": false}}), &docs);
        assert_eq!(findings.len(), 2);
        assert!(findings.iter().all(Finding::is_error));
        assert!(findings[1]
            .message
            .contains("no PersistentVolumeClaim dagu-data"));
    }

    #[test]
    fn streams_without_dagu_are_not_checked() {
        let docs = vec![valid()[PVC].clone()];
        assert!(run(&RULE, json!({}), &docs).0.is_empty());
    }
}
