//! No ReplicaSet of the release runs without a Deployment owning it. `upgrade-check --apply` deletes
//! Deployments with `--cascade=orphan` so their pods keep serving; the re-created Deployment adopts the old
//! ReplicaSet only when its selector still matches the old pods, so after a 1.x -> 2.x upgrade the old
//! workers (pool label renamed) keep running the old Dagu beside the new ones until someone deletes them.
//! A warning: they do no harm once gone, and nothing deletes them by waiting.

use super::{object, Category, Check, Problem, Verdict};
use crate::doctor::release::Release;

pub const CHECK: Check = Check {
    id: "orphaned-replicasets",
    category: Category::Components,
    description: "every ReplicaSet of the release is owned by a Deployment",
    hint: "once the release's Deployments are available, delete the ReplicaSet named (its pods go with it): \
           kubectl delete replicaset NAME -n NAMESPACE",
    fatal: false,
    retry: false,
    run,
};

fn run(release: &Release) -> Verdict {
    let problems = release
        .objects
        .replica_sets
        .iter()
        .filter(|rs| {
            let owners = rs.metadata.owner_references.as_deref().unwrap_or_default();
            !owners.iter().any(|o| o.controller == Some(true))
        })
        .map(|rs| {
            let name = rs.metadata.name.clone().unwrap_or_default();
            let pods = rs.status.as_ref().map_or(0, |s| s.replicas);
            Problem::warning(
                object("ReplicaSet", &name),
                format!(
                    "no Deployment owns it and it runs {pods} pod(s) (left by an orphan delete whose \
                     Deployment did not adopt it): kubectl delete replicaset {name} -n {}",
                    release.namespace
                ),
            )
        })
        .collect();
    Verdict::from(problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::checks::testing::{healthy, messages, run as check};
    use serde_json::json;

    fn replica_set(name: &str, owned: bool) -> serde_json::Value {
        let owners = if owned {
            json!([{"apiVersion": "apps/v1", "kind": "Deployment", "name": "dagu-ui", "uid": "u1",
                    "controller": true}])
        } else {
            json!([])
        };
        json!({"apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": name, "namespace": "ns", "ownerReferences": owners,
                         "labels": {"app.kubernetes.io/instance": "dagu"}},
            "spec": {"selector": {"matchLabels": {"a": "b"}}},
            "status": {"replicas": 2}})
    }

    #[test]
    fn owned_replica_sets_pass_and_an_orphan_is_a_warning_with_the_delete_command() {
        let mut objects = healthy();
        objects.push(replica_set("dagu-ui-5d8f", true));
        assert_eq!(check(&CHECK, &objects), Verdict::Pass);
        objects.push(replica_set("dagu-worker-general-7c9b", false));
        let verdict = check(&CHECK, &objects);
        assert_eq!(verdict.worst(), Some(super::super::Severity::Warning));
        let text = messages(&verdict);
        assert!(
            text.contains("ReplicaSet/dagu-worker-general-7c9b"),
            "{text}"
        );
        assert!(text.contains("runs 2 pod(s)"), "{text}");
        assert!(
            text.contains("kubectl delete replicaset dagu-worker-general-7c9b -n ns"),
            "{text}"
        );
        assert!(!text.contains("dagu-ui-5d8f"), "{text}");
    }
}
