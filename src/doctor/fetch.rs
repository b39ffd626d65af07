//! The async edge: list the release's objects (by `app.kubernetes.io/instance=<release>`; Services,
//! Endpoints, PVCs and NetworkPolicies of the whole namespace), and the previous log of each failing container.
//! Every API error is a cluster error (exit 3), forbidden ones naming the Role in docs/rbac/doctor.yaml.

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{ConfigMap, Endpoints, PersistentVolumeClaim, Pod, Service};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use kube::api::{ListParams, LogParams};
use kube::{Api, Client};

use super::release::{Objects, INSTANCE_LABEL};
use crate::exit;

/// Lines of a failing container's previous log kept as its last words.
const LAST_LOG_LINES: i64 = 5;

async fn list<K>(
    client: &Client,
    ns: &str,
    params: &ListParams,
    what: &str,
) -> anyhow::Result<Vec<K>>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
    K::DynamicType: Default,
{
    Api::<K>::namespaced(client.clone(), ns)
        .list(params)
        .await
        .map(|l| l.items)
        .map_err(|e| cluster_error("docs/rbac/doctor.yaml", e, &format!("list {what}"), ns))
}

/// Everything the checks read.
pub async fn objects(client: &Client, ns: &str, release: &str) -> anyhow::Result<Objects> {
    let labelled = ListParams::default().labels(&format!("{INSTANCE_LABEL}={release}"));
    let all = ListParams::default();
    let (deployments, replica_sets, pods, config_maps, pvcs, services, endpoints, network_policies) =
        tokio::try_join!(
            list::<Deployment>(client, ns, &labelled, "deployments"),
            list::<ReplicaSet>(client, ns, &labelled, "replicasets"),
            list::<Pod>(client, ns, &labelled, "pods"),
            list::<ConfigMap>(client, ns, &labelled, "configmaps"),
            list::<PersistentVolumeClaim>(client, ns, &all, "persistentvolumeclaims"),
            list::<Service>(client, ns, &all, "services"),
            list::<Endpoints>(client, ns, &all, "endpoints"),
            list::<NetworkPolicy>(client, ns, &all, "networkpolicies"),
        )?;
    let mut objects = Objects {
        deployments,
        replica_sets,
        pods,
        config_maps,
        pvcs,
        services,
        endpoints,
        network_policies,
        ..Objects::default()
    };
    let pods_api = Api::<Pod>::namespaced(client.clone(), ns);
    for (pod, container, previous) in restarted_without_message(&objects.pods) {
        let params = LogParams {
            container: Some(container.clone()),
            previous,
            tail_lines: Some(LAST_LOG_LINES),
            ..LogParams::default()
        };
        // Last words are a courtesy: a log that cannot be read (rotated, forbidden) leaves the status alone.
        // A container replaced between the list and this read has no such log any more: the kubelet then
        // answers 200 with this sentence instead of the log.
        match pods_api.logs(&pod, &params).await {
            Ok(log) if !log.starts_with("unable to retrieve container logs") => {
                objects.previous_logs.insert((pod, container), log);
            }
            _ => {}
        }
    }
    Ok(objects)
}

/// (pod, container, whether its last run is the `previous` log) of containers that terminated without a
/// termination message: a container that is terminated now has its last run as the current log.
fn restarted_without_message(pods: &[Pod]) -> Vec<(String, String, bool)> {
    pods.iter()
        .flat_map(|p| {
            let name = p.metadata.name.clone().unwrap_or_default();
            let statuses = p
                .status
                .as_ref()
                .and_then(|s| s.container_statuses.clone())
                .unwrap_or_default();
            statuses.into_iter().filter_map(move |s| {
                let now = s.state.as_ref().and_then(|st| st.terminated.as_ref());
                let (last, previous) = match now {
                    Some(t) => (t, false),
                    None => (s.last_state.as_ref()?.terminated.as_ref()?, true),
                };
                last.message
                    .as_deref()
                    .is_none_or(|m| m.trim().is_empty())
                    .then(|| (name.clone(), s.name.clone(), previous))
            })
        })
        .collect()
}

/// A failed API call: exit 3, naming the least-privilege `role` file on 403.
pub fn cluster_error(role: &str, err: kube::Error, what: &str, namespace: &str) -> anyhow::Error {
    let hint = match &err {
        kube::Error::Api(status) if status.code == 403 => {
            format!(" (forbidden: see the Role in {role})")
        }
        _ => String::new(),
    };
    let message = format!("failed to {what} in namespace {namespace:?}{hint}");
    let err = match err {
        kube::Error::Api(status) => anyhow::anyhow!("{} (HTTP {})", status.message, status.code),
        other => anyhow::Error::new(other),
    };
    exit::with_code(exit::CLUSTER, err.context(message))
}
