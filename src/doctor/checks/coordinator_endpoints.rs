//! The coordinator Service the workers dial (else the release's `coordinator` component Service) has ready
//! endpoints on the port they use: with none (coordinator scaled to 0, not ready, or a Service selector that
//! matches no pod) workers cannot register and no DAG runs. Retried by `--wait`.

use k8s_openapi::api::core::v1::Service;

use super::coordinator_service::{service_ports, targets};
use super::{object, Category, Check, Problem, Verdict};
use crate::doctor::release::Release;

pub const CHECK: Check = Check {
    id: "coordinator-endpoints",
    category: Category::Coordinator,
    description: "the coordinator Service has ready endpoints",
    hint: "kubectl get endpoints NAME: scale the coordinator up, fix its readiness, or make the Service's \
           selector match the coordinator pods' labels",
    fatal: false,
    retry: true,
    run,
};

fn run(release: &Release) -> Verdict {
    let mut wanted: Vec<(&Service, i32)> = Vec::new();
    for w in release.of_role("worker") {
        for t in targets(release, w).and_then(Result::ok).unwrap_or_default() {
            if let Some(s) = t.service {
                wanted.push((s, t.port));
            }
        }
    }
    if wanted.is_empty() {
        let labelled = release.objects.services.iter().find(|s| {
            let l = s.metadata.labels.clone().unwrap_or_default();
            l.get("app.kubernetes.io/component").map(String::as_str) == Some("coordinator")
                && l.get("app.kubernetes.io/instance") == Some(&release.name)
        });
        match labelled {
            Some(s) => wanted.extend(service_ports(s).into_iter().map(|p| (s, p))),
            None => {
                return Verdict::Skip("no coordinator Service (standalone, or no workers)".into())
            }
        }
    }
    wanted.sort_by_key(|(s, p)| (s.metadata.name.clone(), *p));
    wanted.dedup_by_key(|(s, p)| (s.metadata.name.clone(), *p));
    let mut problems = Vec::new();
    for (service, port) in wanted {
        let name = service.metadata.name.clone().unwrap_or_default();
        let ready = ready_addresses(release, service, port);
        if ready == 0 {
            problems.push(Problem::error(
                object("Service", &name),
                format!("has no ready endpoint for port {port}"),
            ));
        }
    }
    Verdict::from(problems)
}

/// Ready addresses of the Service's Endpoints serving the Service port `port` (by its name, else any).
fn ready_addresses(release: &Release, service: &Service, port: i32) -> usize {
    let name = service.metadata.name.as_deref();
    let port_name = service
        .spec
        .as_ref()
        .and_then(|s| s.ports.as_ref())
        .and_then(|ps| ps.iter().find(|p| p.port == port))
        .and_then(|p| p.name.clone());
    let Some(endpoints) = release
        .objects
        .endpoints
        .iter()
        .find(|e| e.metadata.name.as_deref() == name)
    else {
        return 0;
    };
    endpoints
        .subsets
        .iter()
        .flatten()
        .filter(|s| {
            s.ports
                .iter()
                .flatten()
                .any(|p| port_name.is_none() || p.name == port_name)
        })
        .map(|s| s.addresses.as_ref().map_or(0, Vec::len))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::checks::testing::{find, healthy, messages, run as check};
    use serde_json::json;

    #[test]
    fn no_ready_address_fails() {
        assert_eq!(check(&CHECK, &healthy()), Verdict::Pass);
        let mut objects = healthy();
        find(&mut objects, "Endpoints", "dagu-coordinator")["subsets"] = json!([{"notReadyAddresses": [{"ip": "10.244.0.9"}], "ports": [{"name": "grpc", "port": 50055}]}]);
        let found = messages(&check(&CHECK, &objects));
        assert!(
            found.contains("Service/dagu-coordinator: has no ready endpoint for port 50055"),
            "{found}"
        );
    }
}
