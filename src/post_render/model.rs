//! What the stream means for Dagu: which Deployments are Dagu components (and which container runs dagu), the
//! worker pool of each worker, and the release, namespace and fullname the chart rendered for.

use serde_json::Value;

use super::facts::DocFacts;
use super::manifest::Doc;
use crate::post_render::lookup::Lookup;

/// Label the 1.0.0-1.0.8 charts put on worker pods (later ones: `dagu.sh/worker-pool`; see the profile).
pub const POOL_LABEL: &str = "daguit.dev/worker-pool";
const COMPONENT_LABEL: &str = "app.kubernetes.io/component";
const INSTANCE_LABEL: &str = "app.kubernetes.io/instance";
const NAME_LABEL: &str = "app.kubernetes.io/name";

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Coordinator,
    Scheduler,
    Ui,
    Worker,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Coordinator => "coordinator",
            Role::Scheduler => "scheduler",
            Role::Ui => "ui",
            Role::Worker => "worker",
        }
    }

    /// The `dagu <subcommand>` each component runs (the UI runs `dagu server`).
    fn from_subcommand(s: &str) -> Option<Role> {
        match s {
            "coordinator" => Some(Role::Coordinator),
            "scheduler" => Some(Role::Scheduler),
            // `start-all` is the 2.x standalone UI Deployment (server, scheduler and coordinator in one).
            "server" | "start-all" => Some(Role::Ui),
            "worker" => Some(Role::Worker),
            _ => None,
        }
    }

    fn from_label(s: &str) -> Option<Role> {
        match s {
            "ui" | "server" => Some(Role::Ui),
            other => Role::from_subcommand(other),
        }
    }
}

/// A Dagu Deployment found in the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    /// Position in the document list.
    pub doc: usize,
    pub role: Role,
    /// Index of the container that runs dagu in `spec.template.spec.containers`.
    pub container: usize,
    /// Worker pool name (workers only), from the pod label or the `<fullname>-worker-<pool>` name.
    pub pool: Option<String>,
    pub name: String,
}

impl Component {
    /// A worker without the pool label takes its pool from its name, `<fullname>-worker-<pool>`.
    pub fn pool_from_name(&mut self, fullname: &str) {
        if self.role == Role::Worker && self.pool.is_none() {
            let rest = self.name.strip_prefix(fullname);
            self.pool = rest
                .and_then(|r| r.strip_prefix("-worker-"))
                .map(str::to_string);
        }
    }
    /// JSON pointer of the dagu container.
    pub fn container_ptr(&self) -> String {
        format!("/spec/template/spec/containers/{}", self.container)
    }
}

/// Finds the Dagu role of a Deployment value and the index of its dagu container: first by the container
/// command (`dagu <subcommand>`, in `command` or `args`), else by the `app.kubernetes.io/component` label when
/// `app.kubernetes.io/name` is the chart name (so another chart's "worker" is not mistaken for Dagu's).
pub fn recognise(deployment: &Value, chart_name: &str) -> Option<(Role, usize)> {
    let containers = deployment
        .at("/spec/template/spec/containers")?
        .as_array()?;
    for (i, c) in containers.iter().enumerate().filter(|(_, c)| c.is_object()) {
        let argv: Vec<&str> = ["command", "args"]
            .iter()
            .filter_map(|k| c.field(k).and_then(Value::as_array))
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let mut words = argv.iter().flat_map(|a| a.split_whitespace());
        let program = words.next().unwrap_or_default();
        if program.rsplit('/').next() == Some("dagu") {
            if let Some(role) = words.next().and_then(Role::from_subcommand) {
                return Some((role, i));
            }
        }
    }
    let label = |key: &str| {
        ["/metadata/labels", "/spec/template/metadata/labels"]
            .iter()
            .find_map(|p| deployment.at(p)?.field(key)?.as_str())
    };
    let role = label(COMPONENT_LABEL).and_then(Role::from_label)?;
    if label(NAME_LABEL) != Some(chart_name) {
        return None;
    }
    let by_name = containers.iter().position(|c| {
        let name = c.field("name").and_then(Value::as_str);
        name == Some(role.as_str()) || name == Some("dagu")
    });
    let index = by_name.unwrap_or(0);
    containers.get(index)?.is_object().then_some((role, index))
}

/// A label of the pod template (falling back to the Deployment's own labels).
pub fn pod_label<'v>(deployment: &'v Value, key: &str) -> Option<&'v str> {
    ["/spec/template/metadata/labels", "/metadata/labels"]
        .iter()
        .find_map(|p| deployment.at(p)?.field(key)?.as_str())
}

/// The release name from a Dagu object's `app.kubernetes.io/instance` label.
pub fn instance_label(value: &Value) -> Option<&str> {
    value
        .at("/metadata/labels")?
        .field(INSTANCE_LABEL)?
        .as_str()
}

/// The chart's `<fullname>` helper: `fullnameOverride`, else the release name when it contains the name
/// (`nameOverride` or `dagu`), else `<release>-<name>`; truncated to 63 characters without a trailing `-`.
pub fn helm_fullname(release: &str, name: &str, fullname_override: Option<&str>) -> String {
    let full = match fullname_override.filter(|f| !f.is_empty()) {
        Some(f) => f.to_string(),
        None if release.contains(name) => release.to_string(),
        None => format!("{release}-{name}"),
    };
    let truncated: String = full.chars().take(63).collect();
    truncated.trim_end_matches('-').to_string()
}

/// The fullname a component's own name implies (`dagu-ui` → `dagu`), when it follows the chart's scheme.
pub fn fullname_from_name(role: Role, name: &str, pool: Option<&str>) -> Option<String> {
    let suffix = match (role, pool) {
        (Role::Worker, Some(pool)) => format!("-worker-{pool}"),
        (Role::Worker, None) => return name.rsplit_once("-worker-").map(|(f, _)| f.to_string()),
        (role, _) => format!("-{}", role.as_str()),
    };
    name.strip_suffix(&suffix)
        .filter(|f| !f.is_empty())
        .map(str::to_string)
}

/// The components of the stream from each document's facts, without pools resolved from names (that needs
/// the fullname).
pub fn components_from_facts(
    docs: &[Doc],
    facts: &[Option<DocFacts>],
    pool_label: &str,
) -> Vec<Component> {
    docs.iter()
        .zip(facts)
        .enumerate()
        .filter_map(|(i, (d, f))| component_of(i, d, f.as_ref()?, pool_label))
        .collect()
}

/// The component the document at position `i` is, from its facts (pool from the label only); `None` when it
/// is no Dagu Deployment.
pub fn component_of(i: usize, doc: &Doc, facts: &DocFacts, pool_label: &str) -> Option<Component> {
    if doc.kind() != Some("Deployment") {
        return None;
    }
    let (role, container) = facts.component?;
    Some(Component {
        doc: i,
        role,
        container,
        pool: facts.pool(pool_label).map(str::to_string),
        name: doc.reference.name.clone().unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployment(command: Value, labels: Value) -> Value {
        json!({"metadata": {"labels": labels}, "spec": {"template": {"spec": {"containers": [
            {"name": "sidecar", "command": ["sh"]},
            {"name": "main", "command": command}
        ]}}}})
    }

    #[test]
    fn recognises_components_by_command() {
        let d = deployment(
            json!(["/usr/local/bin/dagu", "server", "--config", "x"]),
            json!({}),
        );
        assert_eq!(recognise(&d, "dagu"), Some((Role::Ui, 1)));
        let d = deployment(json!(["dagu worker --config x"]), json!({}));
        assert_eq!(recognise(&d, "dagu"), Some((Role::Worker, 1)));
        let d = deployment(json!(["daguX", "worker"]), json!({}));
        assert_eq!(recognise(&d, "dagu"), None);
    }

    #[test]
    fn recognises_components_by_label_only_for_the_dagu_chart() {
        let labels =
            json!({"app.kubernetes.io/component": "worker", "app.kubernetes.io/name": "dagu"});
        let mut d = deployment(json!(["run"]), labels);
        d["spec"]["template"]["spec"]["containers"][1]["name"] = json!("worker");
        assert_eq!(recognise(&d, "dagu"), Some((Role::Worker, 1)));
        assert_eq!(recognise(&d, "other"), None);
        let d = deployment(
            json!(["run"]),
            json!({"app.kubernetes.io/component": "worker"}),
        );
        assert_eq!(recognise(&d, "dagu"), None);
    }

    #[test]
    fn fullname_follows_the_chart_helper() {
        assert_eq!(helm_fullname("dagu", "dagu", None), "dagu");
        assert_eq!(helm_fullname("prod", "dagu", None), "prod-dagu");
        assert_eq!(helm_fullname("my-dagu-1", "dagu", None), "my-dagu-1");
        assert_eq!(helm_fullname("prod", "wf", Some("x")), "x");
        assert_eq!(helm_fullname(&"a".repeat(62), "dagu", None), "a".repeat(62));
        assert_eq!(helm_fullname(&"a".repeat(70), "dagu", None).len(), 63);
    }

    #[test]
    fn fullname_from_component_names() {
        assert_eq!(
            fullname_from_name(Role::Ui, "prod-dagu-ui", None).as_deref(),
            Some("prod-dagu")
        );
        assert_eq!(
            fullname_from_name(Role::Worker, "d-worker-gpu", Some("gpu")).as_deref(),
            Some("d")
        );
        assert_eq!(fullname_from_name(Role::Scheduler, "x", None), None);
    }
}
