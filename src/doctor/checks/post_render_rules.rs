//! The post-render rules hold on the live objects: the same pipeline `helm --post-renderer kubectl-dagu` runs,
//! on the release's Deployments, ConfigMap and PVC as the API server returns them. A fix the rules would apply
//! means someone changed the object since (`kubectl edit`); an error is an invariant the release never had.
//! Each problem names its rule id. Warnings stay warnings; `insecure-config` is reported by its own check.

use super::{Category, Check, Problem, Verdict};
use crate::doctor::release::Release;
use crate::post_render::rules::{Action, Finding};

pub const CHECK: Check = Check {
    id: "post-render-rules",
    category: Category::Invariants,
    description: "the chart's invariants hold on the live objects (post-render rules)",
    hint:
        "re-apply the release through the post-renderer: helm upgrade RELEASE CHART --reuse-values \
           --post-renderer kubectl-dagu (or undo the manual edit); the rule id is explained in \
           kubectl-dagu post-render --list-rules",
    fatal: false,
    retry: false,
    run,
};

/// The rule whose findings `insecure-config` reports instead.
pub const INSECURE_RULE: &str = "insecure-config";

fn run(release: &Release) -> Verdict {
    let findings = match &release.post_render {
        Ok(f) => f,
        Err(e) => {
            return Verdict::from(vec![Problem::error(
                None,
                format!("the rules could not read the live objects: {e}"),
            )])
        }
    };
    Verdict::from(
        findings
            .iter()
            .filter(|(_, f)| f.rule != INSECURE_RULE)
            .map(|(object, f)| problem(object.clone(), f))
            .collect(),
    )
}

/// `[rule] drift: /pointer: message`: a fix is drift from what the rules would have rendered.
fn problem(object: Option<String>, f: &Finding) -> Problem {
    let drift = if matches!(f.action, Action::Fix(_)) {
        "drift: "
    } else {
        ""
    };
    let pointer = if f.pointer.is_empty() {
        String::new()
    } else {
        format!("{}: ", f.pointer)
    };
    let message = format!("[{}] {drift}{pointer}{}", f.rule, f.message);
    match f.action {
        Action::Warning => Problem::warning(object, message),
        _ => Problem::error(object, message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::checks::testing::{find, healthy, messages, run as check};

    #[test]
    fn healthy_release_has_no_drift() {
        assert_eq!(
            check(&CHECK, &healthy()),
            Verdict::Pass,
            "{}",
            messages(&check(&CHECK, &healthy()))
        );
    }

    #[test]
    fn a_removed_invariant_is_drift_with_its_rule_id() {
        let mut objects = healthy();
        let ui = find(&mut objects, "Deployment", "dagu-ui");
        ui["spec"]["template"]["spec"]
            .as_object_mut()
            .unwrap()
            .remove("enableServiceLinks");
        let found = messages(&check(&CHECK, &objects));
        assert!(found.contains("[service-links-disabled] drift"), "{found}");
    }
}
