//! The access modes a Bound claim was granted (`status.accessModes`, what the volume really offers, not what
//! the claim asked for) fit the deployment mode: distributed components on several nodes share the volume, so
//! it needs ReadWriteMany; standalone (one `start-all` pod) is fine with ReadWriteOnce (chart docs,
//! "Persistence Rules").

use super::pvc_bound::claims;
use super::{object, Category, Check, Problem, Verdict};
use crate::doctor::release::{Mode, Release};

pub const CHECK: Check = Check {
    id: "pvc-access-modes",
    category: Category::Storage,
    description: "the volume's granted access modes fit the deployment mode",
    hint: "distributed mode needs a ReadWriteMany volume: a StorageClass that offers it (NFS, CephFS, EFS, \
           Azure Files) in persistence.storageClass, and persistence.accessMode: ReadWriteMany; or run \
           deploymentMode: standalone",
    fatal: false,
    retry: false,
    run,
};

fn run(release: &Release) -> Verdict {
    if release.mode == Mode::Standalone {
        return Verdict::Skip("standalone mode: any access mode works".into());
    }
    let mut problems = Vec::new();
    for name in claims(release) {
        let Some(pvc) = release
            .objects
            .pvcs
            .iter()
            .find(|p| p.metadata.name.as_deref() == Some(name.as_str()))
        else {
            continue; // pvc-bound reports it
        };
        let Some(status) = pvc
            .status
            .as_ref()
            .filter(|s| s.phase.as_deref() == Some("Bound"))
        else {
            continue;
        };
        let granted = status.access_modes.clone().unwrap_or_default();
        if !granted.iter().any(|m| m == "ReadWriteMany") {
            problems.push(Problem::error(
                object("PersistentVolumeClaim", &name),
                format!(
                    "was granted {} but distributed mode shares it between pods on any node (needs ReadWriteMany)",
                    if granted.is_empty() { "no access modes".to_string() } else { granted.join(", ") }
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
    fn distributed_needs_granted_read_write_many() {
        assert_eq!(check(&CHECK, &healthy()), Verdict::Pass);
        let mut objects = healthy();
        find(&mut objects, "PersistentVolumeClaim", "dagu-data")["status"]["accessModes"] =
            serde_json::json!(["ReadWriteOnce"]);
        assert!(messages(&check(&CHECK, &objects)).contains("was granted ReadWriteOnce"));
    }

    #[test]
    fn standalone_accepts_read_write_once() {
        let mut objects: Vec<_> = healthy()
            .into_iter()
            .filter(|o| o["kind"] != "Deployment" || o["metadata"]["name"] == "dagu-ui")
            .collect();
        let ui = find(&mut objects, "Deployment", "dagu-ui");
        ui["spec"]["template"]["spec"]["containers"][0]["command"] =
            serde_json::json!(["dagu", "start-all", "--config", "/etc/dagu/dagu.yaml"]);
        find(&mut objects, "PersistentVolumeClaim", "dagu-data")["status"]["accessModes"] =
            serde_json::json!(["ReadWriteOnce"]);
        assert!(matches!(check(&CHECK, &objects), Verdict::Skip(_)));
    }
}
