//! Service → pod and port: the pod a new connection goes to is Ready (phase Running, condition Ready=True), not
//! terminating, matched by the Service's selector, and has the port the Service's `targetPort` names (by number,
//! or by container port name as the chart's UI `targetPort: http` does) — the same pods the endpoints controller
//! would put behind the Service. Among several, the one Ready the longest wins (kubectl's preference: the pod
//! least likely to go away), ties broken by name, so the choice is deterministic.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Pod, ServicePort};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

/// Where a new connection is forwarded: a pod and a port on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub pod: String,
    pub port: u16,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.pod, self.port)
    }
}

/// Ready and not terminating: phase Running, condition Ready=True, no `deletionTimestamp`.
pub fn is_ready(pod: &Pod) -> bool {
    pod.metadata.deletion_timestamp.is_none()
        && pod.status.as_ref().is_some_and(|s| {
            s.phase.as_deref() == Some("Running")
                && s.conditions
                    .iter()
                    .flatten()
                    .any(|c| c.type_ == "Ready" && c.status == "True")
        })
}

/// Whether every `key=value` of the Service's selector is among the pod's labels.
pub fn matches_selector(pod: &Pod, selector: &BTreeMap<String, String>) -> bool {
    let labels = pod.metadata.labels.as_ref();
    selector
        .iter()
        .all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
}

/// The pod port the Service port leads to: `targetPort` as a number, or the container port with that name, or
/// (no `targetPort`) the Service port itself. `None` when a named port is not declared by the pod.
pub fn container_port(pod: &Pod, service_port: &ServicePort) -> Option<u16> {
    let number = match &service_port.target_port {
        Some(IntOrString::Int(n)) => *n,
        Some(IntOrString::String(name)) => match name.parse::<i32>() {
            Ok(n) => n,
            Err(_) => {
                pod.spec
                    .as_ref()?
                    .containers
                    .iter()
                    .flat_map(|c| c.ports.iter().flatten())
                    .find(|p| p.name.as_deref() == Some(name.as_str()))?
                    .container_port
            }
        },
        None => service_port.port,
    };
    u16::try_from(number).ok().filter(|n| *n != 0)
}

/// The pod (and port) new connections go to, or `None` while no pod qualifies.
pub fn choose<'a>(
    pods: impl IntoIterator<Item = &'a Pod>,
    selector: &BTreeMap<String, String>,
    service_port: &ServicePort,
) -> Option<Target> {
    pods.into_iter()
        .filter(|p| is_ready(p) && matches_selector(p, selector))
        .filter_map(|p| {
            let port = container_port(p, service_port)?;
            let name = p.metadata.name.clone()?;
            Some((ready_since(p), name, port))
        })
        .min_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)))
        .map(|(_, pod, port)| Target { pod, port })
}

/// When the pod last became Ready (RFC 3339 sorts in time order); pods without one sort last.
fn ready_since(pod: &Pod) -> (bool, Option<k8s_openapi::jiff::Timestamp>) {
    let time = pod
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|cs| cs.iter().find(|c| c.type_ == "Ready"))
        .and_then(|c| c.last_transition_time.as_ref())
        .map(|t| t.0);
    (time.is_none(), time)
}

/// One line per pod behind the selector saying why it is not used, for the "no Ready pod" error.
pub fn describe_not_ready<'a>(
    pods: impl IntoIterator<Item = &'a Pod>,
    selector: &BTreeMap<String, String>,
    service_port: &ServicePort,
) -> String {
    let mut lines: Vec<String> = pods
        .into_iter()
        .filter(|p| matches_selector(p, selector))
        .map(|p| {
            let name = p.metadata.name.as_deref().unwrap_or_default();
            let phase = p
                .status
                .as_ref()
                .and_then(|s| s.phase.as_deref())
                .unwrap_or("Unknown");
            let why = if p.metadata.deletion_timestamp.is_some() {
                "terminating".to_string()
            } else if !is_ready(p) {
                format!("not Ready (phase {phase})")
            } else if container_port(p, service_port).is_none() {
                format!(
                    "declares no container port named {:?}",
                    port_name(service_port)
                )
            } else {
                "Ready".to_string()
            };
            format!("{name}: {why}")
        })
        .collect();
    lines.sort();
    if lines.is_empty() {
        "no pods match the Service's selector".to_string()
    } else {
        lines.join("; ")
    }
}

fn port_name(service_port: &ServicePort) -> String {
    match &service_port.target_port {
        Some(IntOrString::String(s)) => s.clone(),
        Some(IntOrString::Int(n)) => n.to_string(),
        None => service_port.port.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selector() -> BTreeMap<String, String> {
        BTreeMap::from([("app".to_string(), "ui".to_string())])
    }

    fn http_port() -> ServicePort {
        serde_saphyr::from_str("{port: 80, targetPort: http}").unwrap()
    }

    /// A pod labelled `app: ui` with container port `http: 8080`, Ready since `since` unless `phase`/`ready` say
    /// otherwise; `extra_meta` is spliced into metadata.
    fn pod(name: &str, phase: &str, ready: bool, since: &str, extra_meta: &str) -> Pod {
        serde_saphyr::from_str(&format!(
            "metadata: {{name: {name}, labels: {{app: ui}}{extra_meta}}}\n\
             spec: {{containers: [{{name: c, ports: [{{name: http, containerPort: 8080}}]}}]}}\n\
             status:\n  phase: {phase}\n  conditions: [{{type: Ready, status: '{}', lastTransitionTime: '{since}'}}]\n",
            if ready { "True" } else { "False" }
        ))
        .unwrap()
    }

    #[test]
    fn readiness_needs_running_ready_and_not_terminating() {
        assert!(is_ready(&pod(
            "a",
            "Running",
            true,
            "2024-01-01T00:00:00Z",
            ""
        )));
        assert!(!is_ready(&pod(
            "a",
            "Running",
            false,
            "2024-01-01T00:00:00Z",
            ""
        )));
        assert!(!is_ready(&pod(
            "a",
            "Pending",
            true,
            "2024-01-01T00:00:00Z",
            ""
        )));
        let terminating = ", deletionTimestamp: '2024-01-01T00:01:00Z'";
        assert!(!is_ready(&pod(
            "a",
            "Running",
            true,
            "2024-01-01T00:00:00Z",
            terminating
        )));
    }

    #[test]
    fn the_pod_ready_longest_is_chosen_then_by_name() {
        let pods = [
            pod("young", "Running", true, "2024-01-02T00:00:00Z", ""),
            pod("old-b", "Running", true, "2024-01-01T00:00:00Z", ""),
            pod("old-a", "Running", true, "2024-01-01T00:00:00Z", ""),
            pod(
                "older-not-ready",
                "Running",
                false,
                "2023-01-01T00:00:00Z",
                "",
            ),
        ];
        let chosen = choose(&pods, &selector(), &http_port()).unwrap();
        assert_eq!(
            chosen,
            Target {
                pod: "old-a".into(),
                port: 8080
            }
        );
        assert_eq!(chosen.to_string(), "old-a:8080");
    }

    #[test]
    fn not_ready_terminating_and_unselected_pods_are_skipped() {
        let mut pods = [
            pod("pending", "Pending", false, "2024-01-01T00:00:00Z", ""),
            pod(
                "dying",
                "Running",
                true,
                "2024-01-01T00:00:00Z",
                ", deletionTimestamp: '2024-01-01T00:01:00Z'",
            ),
            pod("other", "Running", true, "2024-01-01T00:00:00Z", ""),
        ];
        pods[2].metadata.labels = Some(BTreeMap::from([("app".into(), "worker".into())]));
        assert_eq!(choose(&pods, &selector(), &http_port()), None);
        let why = describe_not_ready(&pods, &selector(), &http_port());
        assert_eq!(
            why,
            "dying: terminating; pending: not Ready (phase Pending)"
        );
        assert_eq!(
            describe_not_ready(&pods[2..], &selector(), &http_port()),
            "no pods match the Service's selector"
        );
    }

    #[test]
    fn target_port_resolves_by_number_by_name_or_defaults_to_the_service_port() {
        let p = pod("a", "Running", true, "2024-01-01T00:00:00Z", "");
        let by_number: ServicePort =
            serde_saphyr::from_str("{port: 80, targetPort: 9000}").unwrap();
        let numeric_string: ServicePort =
            serde_saphyr::from_str("{port: 80, targetPort: '9001'}").unwrap();
        let unset: ServicePort = serde_saphyr::from_str("{port: 80}").unwrap();
        let unknown: ServicePort =
            serde_saphyr::from_str("{port: 80, targetPort: metrics}").unwrap();
        assert_eq!(container_port(&p, &http_port()), Some(8080));
        assert_eq!(container_port(&p, &by_number), Some(9000));
        assert_eq!(container_port(&p, &numeric_string), Some(9001));
        assert_eq!(container_port(&p, &unset), Some(80));
        assert_eq!(container_port(&p, &unknown), None);
        // A Ready pod that lacks the named port is not chosen, and the error says why.
        assert_eq!(choose([&p], &selector(), &unknown), None);
        let why = describe_not_ready([&p], &selector(), &unknown);
        assert_eq!(why, "a: declares no container port named \"metrics\"");
    }
}
