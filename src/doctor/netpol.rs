//! NetworkPolicy semantics as the API documents them, over objects in memory: which policies isolate a pod
//! for a direction, and whether any of their rules admits a given peer on a given port. A `namespaceSelector`
//! is taken to match (the namespace's labels need a cluster-scoped read; the doctor stays namespaced), so the
//! answer errs towards "allowed": a reported denial is a real one.

use std::collections::BTreeMap;
use std::net::IpAddr;

use k8s_openapi::api::networking::v1::{
    IPBlock, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

pub type Labels = BTreeMap<String, String>;

/// One rule of a policy: its peers (`from`/`to`) and ports, each absent meaning "all".
type Rule<'p> = (
    Option<&'p Vec<NetworkPolicyPeer>>,
    Option<&'p Vec<NetworkPolicyPort>>,
);

/// Traffic direction, seen from the pod a policy selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Ingress,
    Egress,
}

/// The other end of a connection: its pod labels and IPs.
pub struct Peer<'a> {
    pub labels: &'a Labels,
    pub ips: &'a [IpAddr],
}

/// The destination port: number, and the container port's name (policies may name it).
pub struct Port<'a> {
    pub number: i32,
    pub name: Option<&'a str>,
}

/// Whether `selector` selects `labels` (matchLabels and matchExpressions; an empty selector selects all).
pub fn selects(selector: &LabelSelector, labels: &Labels) -> bool {
    let by_label = selector
        .match_labels
        .iter()
        .flatten()
        .all(|(k, v)| labels.get(k) == Some(v));
    let by_expr = selector.match_expressions.iter().flatten().all(|e| {
        let values = e.values.clone().unwrap_or_default();
        let value = labels.get(&e.key);
        match e.operator.as_str() {
            "In" => value.is_some_and(|v| values.contains(v)),
            "NotIn" => value.is_none_or(|v| !values.contains(v)),
            "Exists" => value.is_some(),
            "DoesNotExist" => value.is_none(),
            _ => false,
        }
    });
    by_label && by_expr
}

/// The policies that isolate a pod with `labels` for `direction`.
pub fn isolating<'a>(
    policies: &'a [NetworkPolicy],
    labels: &Labels,
    direction: Direction,
) -> Vec<&'a NetworkPolicy> {
    policies
        .iter()
        .filter(|p| {
            let Some(spec) = &p.spec else { return false };
            let types = spec.policy_types.clone().unwrap_or_else(|| {
                let mut t = vec!["Ingress".to_string()];
                if spec.egress.is_some() {
                    t.push("Egress".into());
                }
                t
            });
            let wanted = match direction {
                Direction::Ingress => "Ingress",
                Direction::Egress => "Egress",
            };
            types.iter().any(|t| t == wanted)
                && spec
                    .pod_selector
                    .as_ref()
                    .is_none_or(|s| selects(s, labels))
        })
        .collect()
}

/// `Ok` when traffic in `direction` between a pod with `labels` and `peer` on `port` is admitted; else the
/// names of the policies that isolate the pod without admitting it.
pub fn allowed(
    policies: &[NetworkPolicy],
    labels: &Labels,
    direction: Direction,
    peer: &Peer,
    port: &Port,
) -> Result<(), Vec<String>> {
    let isolating = isolating(policies, labels, direction);
    if isolating.is_empty() {
        return Ok(());
    }
    let admits = |p: &NetworkPolicy| {
        let spec = p.spec.as_ref().expect("isolating policies have a spec");
        let rules: Vec<Rule> = match direction {
            Direction::Ingress => spec
                .ingress
                .iter()
                .flatten()
                .map(|r| (r.from.as_ref(), r.ports.as_ref()))
                .collect(),
            Direction::Egress => spec
                .egress
                .iter()
                .flatten()
                .map(|r| (r.to.as_ref(), r.ports.as_ref()))
                .collect(),
        };
        rules.iter().any(|(peers, ports)| {
            let port_ok =
                ports.is_none_or(|ps| ps.is_empty() || ps.iter().any(|p| port_matches(p, port)));
            let peer_ok =
                peers.is_none_or(|ps| ps.is_empty() || ps.iter().any(|p| peer_matches(p, peer)));
            port_ok && peer_ok
        })
    };
    if isolating.iter().any(|p| admits(p)) {
        Ok(())
    } else {
        Err(isolating
            .iter()
            .filter_map(|p| p.metadata.name.clone())
            .collect())
    }
}

fn port_matches(p: &NetworkPolicyPort, port: &Port) -> bool {
    if p.protocol.as_deref().is_some_and(|proto| proto != "TCP") {
        return false;
    }
    match &p.port {
        None => true,
        Some(IntOrString::Int(n)) => {
            *n == port.number
                || p.end_port
                    .is_some_and(|end| *n <= port.number && port.number <= end)
        }
        Some(IntOrString::String(name)) => {
            port.name == Some(name.as_str()) || name.parse::<i32>().ok() == Some(port.number)
        }
    }
}

fn peer_matches(p: &NetworkPolicyPeer, peer: &Peer) -> bool {
    if let Some(block) = &p.ip_block {
        return peer.ips.iter().any(|ip| in_block(block, *ip));
    }
    match (&p.pod_selector, &p.namespace_selector) {
        (Some(pods), _) => selects(pods, peer.labels),
        (None, Some(_)) => true,
        (None, None) => false,
    }
}

fn in_block(block: &IPBlock, ip: IpAddr) -> bool {
    in_cidr(&block.cidr, ip) && !block.except.iter().flatten().any(|e| in_cidr(e, ip))
}

/// Whether `ip` lies in `cidr` (`10.0.0.0/8`, `fd00::/8`); a malformed CIDR contains nothing.
pub fn in_cidr(cidr: &str, ip: IpAddr) -> bool {
    let Some((net, bits)) = cidr.split_once('/') else {
        return false;
    };
    let (Ok(net), Ok(bits)) = (net.parse::<IpAddr>(), bits.parse::<u32>()) else {
        return false;
    };
    let (net, ip, width) = match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(i)) => (u128::from(u32::from(n)), u128::from(u32::from(i)), 32),
        (IpAddr::V6(n), IpAddr::V6(i)) => (u128::from(n), u128::from(i), 128),
        _ => return false,
    };
    if bits > width {
        return false;
    }
    let shift = width - bits;
    shift >= 128 || (net >> shift) == (ip >> shift)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn policy(spec: serde_json::Value) -> NetworkPolicy {
        serde_json::from_value(json!({"metadata": {"name": "p"}, "spec": spec})).unwrap()
    }

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn deny_all_egress_denies_and_a_rule_for_the_port_admits() {
        let worker = labels(&[("component", "worker")]);
        let coord = labels(&[("component", "coordinator")]);
        let ips = ["10.244.0.9".parse().unwrap()];
        let peer = Peer {
            labels: &coord,
            ips: &ips,
        };
        let port = Port {
            number: 50055,
            name: Some("grpc"),
        };
        let deny = policy(json!({"podSelector": {}, "policyTypes": ["Egress"]}));
        assert_eq!(
            allowed(
                std::slice::from_ref(&deny),
                &worker,
                Direction::Egress,
                &peer,
                &port
            ),
            Err(vec!["p".into()])
        );
        assert_eq!(
            allowed(
                std::slice::from_ref(&deny),
                &worker,
                Direction::Ingress,
                &peer,
                &port
            ),
            Ok(())
        );
        let by_name = policy(
            json!({"podSelector": {"matchLabels": {"component": "worker"}},
            "egress": [{"to": [{"podSelector": {"matchLabels": {"component": "coordinator"}}}],
                        "ports": [{"port": "grpc"}]}]}),
        );
        assert_eq!(
            allowed(
                &[deny.clone(), by_name],
                &worker,
                Direction::Egress,
                &peer,
                &port
            ),
            Ok(())
        );
        let other_port = policy(
            json!({"podSelector": {}, "egress": [{"ports": [{"port": 53, "protocol": "UDP"}]}]}),
        );
        assert!(allowed(&[other_port], &worker, Direction::Egress, &peer, &port).is_err());
        let block = policy(
            json!({"podSelector": {}, "egress": [{"to": [{"ipBlock": {"cidr": "10.244.0.0/24"}}]}]}),
        );
        assert_eq!(
            allowed(&[block], &worker, Direction::Egress, &peer, &port),
            Ok(())
        );
    }

    #[test]
    fn selectors_and_cidrs() {
        let sel: LabelSelector = serde_json::from_value(json!({"matchExpressions": [
            {"key": "a", "operator": "In", "values": ["1", "2"]}, {"key": "b", "operator": "DoesNotExist"}]}))
        .unwrap();
        assert!(selects(&sel, &labels(&[("a", "2")])));
        assert!(!selects(&sel, &labels(&[("a", "2"), ("b", "x")])));
        assert!(in_cidr("0.0.0.0/0", "1.2.3.4".parse().unwrap()));
        assert!(!in_cidr("10.0.0.0/8", "11.0.0.1".parse().unwrap()));
        assert!(in_cidr("fd00::/8", "fd12::1".parse().unwrap()));
    }
}
