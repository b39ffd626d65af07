//! Release → Service: the component's Service is the one labelled with the release and component (as every
//! chart template labels it), else the one the fullname rule names; when neither exists the error lists the
//! Dagu Services that do exist. Pure functions over objects in memory; the async edge lists the Services.

use k8s_openapi::api::core::v1::{Service, ServicePort};

/// Label the chart puts on every object with the Helm release name.
pub const INSTANCE_LABEL: &str = "app.kubernetes.io/instance";
/// Label the chart puts on each component's Deployment, pods and Service.
pub const COMPONENT_LABEL: &str = "app.kubernetes.io/component";

/// A Dagu component that has a Service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Component {
    /// The web UI and API (`dagu server`), Service port `ui.service.port` (8080).
    Ui,
    /// The gRPC coordinator, Service port 50055.
    Coordinator,
    /// The scheduler's health endpoint, Service port 8090.
    Scheduler,
}

impl Component {
    pub const ALL: [Component; 3] = [Component::Ui, Component::Coordinator, Component::Scheduler];

    pub fn as_str(self) -> &'static str {
        match self {
            Component::Ui => "ui",
            Component::Coordinator => "coordinator",
            Component::Scheduler => "scheduler",
        }
    }
}

/// Why no Service (or no port on it) could be chosen; the message says what to try.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TargetError {
    #[error(
        "no Service for release {release:?} component {component} in namespace {namespace:?}: looked for labels \
         {INSTANCE_LABEL}={release},{COMPONENT_LABEL}={component} and for the name {expected:?}; {seen}. \
         Pass the release name, -n NAMESPACE, or --name-override/--fullname-override as installed"
    )]
    ServiceNotFound {
        release: String,
        component: &'static str,
        namespace: String,
        expected: String,
        seen: String,
    },
    #[error("Service {service:?} has no port {wanted} (its ports: {available}); fix --port LOCAL:REMOTE")]
    NoSuchPort {
        service: String,
        wanted: u16,
        available: String,
    },
    #[error("Service {service:?} has no ports")]
    NoPorts { service: String },
    #[error("Service {service:?} has no pod selector, so no pod backs it; port-forward needs a selector")]
    NoSelector { service: String },
}

/// The name the chart gives a component's Service: `<fullname>-<component>`.
pub fn service_name(fullname: &str, component: Component) -> String {
    format!("{fullname}-{}", component.as_str())
}

/// Picks the component's Service: labelled with the release and component (ties broken by the expected name,
/// then by name), else the one named `<fullname>-<component>`.
pub fn choose_service<'a>(
    services: &'a [Service],
    namespace: &str,
    release: &str,
    component: Component,
    fullname: &str,
) -> Result<&'a Service, TargetError> {
    let expected = service_name(fullname, component);
    let mut labelled: Vec<&Service> = services
        .iter()
        .filter(|s| {
            label(s, INSTANCE_LABEL) == Some(release)
                && label(s, COMPONENT_LABEL) == Some(component.as_str())
        })
        .collect();
    labelled.sort_by_key(|s| (name(s) != expected, name(s).to_string()));
    if let Some(svc) = labelled.first() {
        return Ok(svc);
    }
    services
        .iter()
        .find(|s| name(s) == expected)
        .ok_or_else(|| TargetError::ServiceNotFound {
            release: release.to_string(),
            component: component.as_str(),
            namespace: namespace.to_string(),
            expected,
            seen: describe_dagu_services(services),
        })
}

/// "Dagu services visible: a (release r, component ui), ..." — Services labelled with a Dagu component, or named
/// like one, so a wrong release name or override can be corrected from the error alone.
pub fn describe_dagu_services(services: &[Service]) -> String {
    let mut seen: Vec<String> = services
        .iter()
        .filter(|s| {
            label(s, COMPONENT_LABEL)
                .is_some_and(|c| Component::ALL.iter().any(|k| k.as_str() == c))
                || Component::ALL
                    .iter()
                    .any(|k| name(s).ends_with(&format!("-{}", k.as_str())))
        })
        .map(
            |s| match (label(s, INSTANCE_LABEL), label(s, COMPONENT_LABEL)) {
                (Some(r), Some(c)) => format!("{} (release {r}, component {c})", name(s)),
                _ => name(s).to_string(),
            },
        )
        .collect();
    seen.sort();
    if seen.is_empty() {
        format!(
            "no Dagu services are visible there ({} Services in total)",
            services.len()
        )
    } else {
        format!("Dagu services visible there: {}", seen.join(", "))
    }
}

/// The Service port to forward: the one whose `port` is `wanted`, else the first (the chart renders one).
pub fn service_port(service: &Service, wanted: Option<u16>) -> Result<&ServicePort, TargetError> {
    let ports = service
        .spec
        .as_ref()
        .and_then(|s| s.ports.as_deref())
        .unwrap_or_default();
    match wanted {
        None => ports.first().ok_or_else(|| TargetError::NoPorts {
            service: name(service).to_string(),
        }),
        Some(wanted) => ports
            .iter()
            .find(|p| i32::from(wanted) == p.port)
            .ok_or_else(|| TargetError::NoSuchPort {
                service: name(service).to_string(),
                wanted,
                available: ports
                    .iter()
                    .map(|p| p.port.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
    }
}

/// The Service's pod selector as `k=v,...` (sorted, as a BTreeMap is); an empty selector is an error.
pub fn selector(
    service: &Service,
) -> Result<&std::collections::BTreeMap<String, String>, TargetError> {
    service
        .spec
        .as_ref()
        .and_then(|s| s.selector.as_ref())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| TargetError::NoSelector {
            service: name(service).to_string(),
        })
}

fn label<'a>(service: &'a Service, key: &str) -> Option<&'a str> {
    service
        .metadata
        .labels
        .as_ref()?
        .get(key)
        .map(String::as_str)
}

fn name(service: &Service) -> &str {
    service.metadata.name.as_deref().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svc(yaml: &str) -> Service {
        serde_saphyr::from_str(yaml).unwrap()
    }

    fn chart_ui_service(name: &str, release: &str) -> Service {
        svc(&format!(
            "metadata:\n  name: {name}\n  labels:\n    {INSTANCE_LABEL}: {release}\n    {COMPONENT_LABEL}: ui\n\
             spec:\n  selector: {{{INSTANCE_LABEL}: {release}, {COMPONENT_LABEL}: ui}}\n\
             \x20 ports: [{{name: http, port: 8080, targetPort: http}}]\n"
        ))
    }

    #[test]
    fn service_is_chosen_by_release_and_component_labels_first() {
        let services = [
            chart_ui_service("renamed-ui", "prod"),
            chart_ui_service("other-dagu-ui", "other"),
            svc("metadata: {name: prod-dagu-ui}\nspec: {selector: {a: b}}"),
        ];
        let chosen = choose_service(&services, "ns", "prod", Component::Ui, "prod-dagu").unwrap();
        assert_eq!(chosen.metadata.name.as_deref(), Some("renamed-ui"));
    }

    #[test]
    fn service_falls_back_to_the_chart_name() {
        let services = [
            svc("metadata: {name: prod-dagu-ui}\nspec: {selector: {a: b}}"),
            chart_ui_service("x", "y"),
        ];
        let chosen = choose_service(&services, "ns", "prod", Component::Ui, "prod-dagu").unwrap();
        assert_eq!(chosen.metadata.name.as_deref(), Some("prod-dagu-ui"));
        // The component matters: a UI Service is not the scheduler's.
        assert!(
            choose_service(&services, "ns", "prod", Component::Scheduler, "prod-dagu").is_err()
        );
    }

    #[test]
    fn not_found_lists_the_dagu_services_in_the_namespace() {
        let services = [
            chart_ui_service("dagu-ui", "dagu"),
            svc("metadata: {name: team-dagu-scheduler}"),
            svc("metadata: {name: postgres}"),
        ];
        let err =
            choose_service(&services, "apps", "prod", Component::Ui, "prod-dagu").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("\"prod-dagu-ui\""), "{msg}");
        assert!(msg.contains("namespace \"apps\""), "{msg}");
        assert!(
            msg.contains("Dagu services visible there: dagu-ui (release dagu, component ui), team-dagu-scheduler"),
            "{msg}"
        );
        assert!(!msg.contains("postgres"), "{msg}");
        let none =
            choose_service(&services[2..], "apps", "prod", Component::Ui, "prod-dagu").unwrap_err();
        assert!(none
            .to_string()
            .contains("no Dagu services are visible there (1 Services in total)"));
    }

    #[test]
    fn service_port_is_the_first_or_the_requested_one() {
        let s = svc(
            "metadata: {name: s}\nspec:\n  ports: [{port: 8080, targetPort: http}, {port: 9090}]",
        );
        assert_eq!(service_port(&s, None).unwrap().port, 8080);
        assert_eq!(service_port(&s, Some(9090)).unwrap().port, 9090);
        let err = service_port(&s, Some(80)).unwrap_err().to_string();
        assert!(err.contains("no port 80 (its ports: 8080, 9090)"), "{err}");
        let empty = svc("metadata: {name: e}\nspec: {}");
        assert_eq!(
            service_port(&empty, None).unwrap_err(),
            TargetError::NoPorts {
                service: "e".into()
            }
        );
    }

    #[test]
    fn a_service_without_selector_is_refused() {
        assert!(selector(&svc("metadata: {name: s}\nspec: {selector: {}}")).is_err());
        assert_eq!(selector(&chart_ui_service("a", "r")).unwrap().len(), 2);
    }
}
