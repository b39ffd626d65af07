//! Every PersistentVolumeClaim a Dagu component mounts exists and is `Bound`: a Pending claim keeps every pod
//! that mounts it from starting. Retried by `--wait` (a provisioner may still be binding it).

use std::collections::BTreeSet;

use super::{object, Category, Check, Problem, Verdict};
use crate::doctor::release::Release;

pub const CHECK: Check = Check {
    id: "pvc-bound",
    category: Category::Storage,
    description: "the PersistentVolumeClaims the components mount are Bound",
    hint: "kubectl describe pvc NAME shows why it is Pending: no StorageClass (set persistence.storageClass), \
           no PersistentVolume of that size and access mode, or a provisioner error",
    fatal: false,
    retry: true,
    run,
};

/// Claim names mounted by any Dagu component.
pub fn claims(release: &Release) -> BTreeSet<String> {
    release
        .components
        .iter()
        .flat_map(|c| c.pod_spec().volumes.clone().unwrap_or_default())
        .filter_map(|v| v.persistent_volume_claim.map(|p| p.claim_name))
        .collect()
}

fn run(release: &Release) -> Verdict {
    let claims = claims(release);
    if claims.is_empty() {
        return Verdict::Skip("no component mounts a PersistentVolumeClaim".into());
    }
    let mut problems = Vec::new();
    for name in claims {
        let pvc = release
            .objects
            .pvcs
            .iter()
            .find(|p| p.metadata.name.as_deref() == Some(name.as_str()));
        let Some(pvc) = pvc else {
            problems.push(Problem::error(
                object("PersistentVolumeClaim", &name),
                "does not exist, but the components mount it",
            ));
            continue;
        };
        let phase = pvc.status.as_ref().and_then(|s| s.phase.clone());
        if phase.as_deref() != Some("Bound") {
            problems.push(Problem::error(
                object("PersistentVolumeClaim", &name),
                format!(
                    "is {}, not Bound",
                    phase.as_deref().unwrap_or("without a phase")
                ),
            ));
        }
    }
    Verdict::from(problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::checks::testing::{find, healthy, messages, run as check};

    #[test]
    fn pending_or_missing_claims_fail() {
        assert_eq!(check(&CHECK, &healthy()), Verdict::Pass);
        let mut objects = healthy();
        find(&mut objects, "PersistentVolumeClaim", "dagu-data")["status"] =
            serde_json::json!({"phase": "Pending"});
        assert!(messages(&check(&CHECK, &objects)).contains("is Pending, not Bound"));
        let gone: Vec<_> = healthy()
            .into_iter()
            .filter(|o| o["kind"] != "PersistentVolumeClaim")
            .collect();
        assert!(messages(&check(&CHECK, &gone)).contains("does not exist"));
    }
}
