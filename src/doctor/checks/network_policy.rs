//! No NetworkPolicy of the namespace denies worker pods egress to the coordinator, or the coordinator ingress
//! from workers, on its gRPC port 50055: a policy that isolates one side without admitting the other makes
//! workers log `dial ... operation not permitted` (or time out) and never register.

use std::net::IpAddr;

use super::{object, Category, Check, Problem, Verdict};
use crate::doctor::netpol::{allowed, Direction, Peer, Port};
use crate::doctor::release::Release;

pub const CHECK: Check = Check {
    id: "network-policy",
    category: Category::Coordinator,
    description: "no NetworkPolicy blocks workers from the coordinator's port 50055",
    hint: "add a NetworkPolicy rule admitting TCP 50055 from the worker pods to the coordinator pods (egress \
           for workers, ingress for the coordinator), or narrow the policy named here",
    fatal: false,
    retry: false,
    run,
};

/// The coordinator's gRPC port.
pub const COORDINATOR_PORT: i32 = 50055;

fn run(release: &Release) -> Verdict {
    let policies = &release.objects.network_policies;
    let Some(coordinator) = release.of_role("coordinator").next() else {
        return Verdict::Skip("no coordinator Deployment".into());
    };
    if policies.is_empty() {
        return Verdict::Pass;
    }
    let coord_labels = coordinator.pod_labels();
    let coord_ips = pod_ips(release, coordinator);
    let port_name = coordinator
        .dagu_container()
        .ports
        .iter()
        .flatten()
        .find(|p| p.container_port == COORDINATOR_PORT)
        .and_then(|p| p.name.clone());
    let port = Port {
        number: COORDINATOR_PORT,
        name: port_name.as_deref(),
    };
    let mut problems = Vec::new();
    for worker in release.of_role("worker") {
        let labels = worker.pod_labels();
        let ips = pod_ips(release, worker);
        let to_coordinator = Peer {
            labels: &coord_labels,
            ips: &coord_ips,
        };
        if let Err(names) = allowed(policies, &labels, Direction::Egress, &to_coordinator, &port) {
            problems.push(Problem::error(
                object("Deployment", &worker.name),
                format!(
                    "egress to the coordinator on {COORDINATOR_PORT} is denied: NetworkPolicy {} isolates these \
                     pods and admits no such traffic",
                    names.join(", ")
                ),
            ));
        }
        let from_worker = Peer {
            labels: &labels,
            ips: &ips,
        };
        if let Err(names) = allowed(
            policies,
            &coord_labels,
            Direction::Ingress,
            &from_worker,
            &port,
        ) {
            problems.push(Problem::error(
                object("Deployment", &coordinator.name),
                format!(
                    "ingress on {COORDINATOR_PORT} from {} is denied: NetworkPolicy {} isolates the coordinator \
                     and admits no such traffic",
                    worker.name,
                    names.join(", ")
                ),
            ));
        }
    }
    Verdict::from(problems)
}

fn pod_ips(release: &Release, c: &crate::doctor::release::Component) -> Vec<IpAddr> {
    c.pods(&release.objects.pods)
        .iter()
        .filter_map(|p| p.status.as_ref()?.pod_ip.as_deref()?.parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::checks::testing::{healthy, messages, run as check};
    use serde_json::json;

    #[test]
    fn a_policy_blocking_50055_is_named() {
        assert_eq!(check(&CHECK, &healthy()), Verdict::Pass);
        let mut objects = healthy();
        objects.push(
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "deny-coordinator", "namespace": "ns"},
            "spec": {"podSelector": {"matchLabels": {"app.kubernetes.io/component": "coordinator"}},
                     "policyTypes": ["Ingress"],
                     "ingress": [{"ports": [{"port": 8090}]}]}}),
        );
        let found = messages(&check(&CHECK, &objects));
        assert!(
            found.contains(
                "Deployment/dagu-coordinator: ingress on 50055 from dagu-worker-general is \
                                denied: NetworkPolicy deny-coordinator"
            ),
            "{found}"
        );
    }
}
