//! Every Dagu Deployment mounts the shared PVC `<fullname>-data` at `/data` in its dagu container (chart docs,
//! "Pod Configuration"; `DAGU_HOME=/data`). A missing volume or mount is patched; `/data` taken by another
//! volume, or a volume named `data` pointing elsewhere, is an error.

use super::helpers::{components, ensure_mount};
use super::{Finding, Rule};
use crate::post_render::context::Context;
use crate::post_render::manifest::Doc;
use crate::post_render::model::Role;

pub const RULE: Rule = Rule {
    id: "data-mount",
    description: "every Dagu container mounts the PVC <fullname>-data (2.x: or persistence.existingClaim) at /data; from 1.0.10 workers excepted",
    check,
};

fn check(ctx: &Context, docs: &[Doc]) -> Vec<Finding> {
    let pvc = ctx.pvc_name();
    let workers_share = ctx.profile.generation.workers_share_pvc;
    components(ctx, docs)
        // Shared-nothing workers (charts from 1.0.10) keep /data on their own emptyDir.
        .filter(|(c, _)| workers_share || c.role != Role::Worker)
        .flat_map(|(c, d)| {
            ensure_mount(
                RULE.id,
                c,
                d,
                ("persistentVolumeClaim", "claimName", &pvc),
                "data",
                "/data",
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::post_render::rules::testing::{errors, fixed, run, valid, UI, WORKER};
    use serde_json::json;

    #[test]
    fn mounted_passes() {
        assert!(run(&RULE, json!({}), &valid()).0.is_empty());
    }

    #[test]
    fn missing_volume_and_mount_are_added() {
        let mut docs = valid();
        let spec = &mut docs[WORKER]["spec"]["template"]["spec"];
        spec["volumes"].as_array_mut().unwrap().remove(0);
        spec["containers"][0]["volumeMounts"]
            .as_array_mut()
            .unwrap()
            .remove(0);
        let (findings, after) = fixed(&RULE, json!({}), &docs);
        assert_eq!(findings.len(), 2);
        let spec = &after[WORKER]["spec"]["template"]["spec"];
        assert!(spec["volumes"].as_array().unwrap().contains(
            &json!({"name": "data", "persistentVolumeClaim": {"claimName": "dagu-data"}})
        ));
        assert!(spec["containers"][0]["volumeMounts"]
            .as_array()
            .unwrap()
            .contains(&json!({"name": "data", "mountPath": "/data"})));
    }

    #[test]
    fn conflicts_are_errors() {
        let mut docs = valid();
        docs[UI]["spec"]["template"]["spec"]["volumes"][0] =
            json!({"name": "data", "emptyDir": {}});
        docs[WORKER]["spec"]["template"]["spec"]["containers"][0]["volumeMounts"][0]["name"] =
            json!("config");
        let (findings, _) = run(&RULE, json!({}), &docs);
        assert_eq!(errors(&findings).len(), 2, "{findings:#?}");
    }
}
