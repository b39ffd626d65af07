//! A live release as objects in memory: what the async edge fetched (by the release's labels, as port-forward
//! finds its Service), and what follows from it once: the Dagu components (by the same recogniser post-render
//! uses), the deployment mode, and the post-render pipeline's findings on the live objects. Checks only read it.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{ConfigMap, Endpoints, PersistentVolumeClaim, Pod, Service};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use serde_json::Value;

use crate::post_render::{self, model, profile, rules::Finding};

/// Label the chart puts on every object with the Helm release name.
pub const INSTANCE_LABEL: &str = "app.kubernetes.io/instance";

/// What the API server returned for one release in one namespace.
#[derive(Debug, Clone, Default)]
pub struct Objects {
    pub deployments: Vec<Deployment>,
    /// The release's ReplicaSets (by label): one no Deployment owns was left by an orphan delete.
    pub replica_sets: Vec<ReplicaSet>,
    pub pods: Vec<Pod>,
    pub config_maps: Vec<ConfigMap>,
    /// Every PVC of the namespace: a Deployment may mount an `existingClaim` without the release's labels.
    pub pvcs: Vec<PersistentVolumeClaim>,
    /// Every Service and Endpoints of the namespace: `--worker.coordinators` may name any of them.
    pub services: Vec<Service>,
    pub endpoints: Vec<Endpoints>,
    pub network_policies: Vec<NetworkPolicy>,
    /// The last lines of a failing container's previous log, by (pod, container): its last words when it
    /// wrote no termination message.
    pub previous_logs: BTreeMap<(String, String), String>,
}

pub use crate::post_render::profile::Mode;

/// One Dagu Deployment and the container that runs dagu.
#[derive(Debug, Clone)]
pub struct Component {
    pub name: String,
    /// `coordinator`, `scheduler`, `ui`, `worker` or `start-all`.
    pub role: &'static str,
    pub deployment: Deployment,
    pub container: usize,
}

impl Component {
    pub fn argv(&self) -> Vec<String> {
        let c = self.dagu_container();
        let mut argv: Vec<String> = c.command.clone().unwrap_or_default();
        argv.extend(c.args.clone().unwrap_or_default());
        argv.iter()
            .flat_map(|a| a.split_whitespace().map(str::to_string).collect::<Vec<_>>())
            .collect()
    }
    pub fn dagu_container(&self) -> &k8s_openapi::api::core::v1::Container {
        &self.pod_spec().containers[self.container]
    }
    pub fn pod_spec(&self) -> &k8s_openapi::api::core::v1::PodSpec {
        self.deployment
            .spec
            .as_ref()
            .and_then(|s| s.template.spec.as_ref())
            .expect("recognised components have a pod spec")
    }
    pub fn pod_labels(&self) -> BTreeMap<String, String> {
        self.deployment
            .spec
            .as_ref()
            .and_then(|s| s.template.metadata.as_ref())
            .and_then(|m| m.labels.clone())
            .unwrap_or_default()
    }
    /// The value of `--flag VALUE` or `--flag=VALUE` in the dagu container's argv.
    pub fn flag(&self, flag: &str) -> Option<String> {
        let argv = self.argv();
        let prefix = format!("{flag}=");
        argv.iter().enumerate().find_map(|(i, a)| {
            if a == flag {
                argv.get(i + 1).cloned()
            } else {
                a.strip_prefix(&prefix).map(str::to_string)
            }
        })
    }
    /// Pods of this component: the Deployment's selector matches their labels.
    pub fn pods<'a>(&self, pods: &'a [Pod]) -> Vec<&'a Pod> {
        let selector = self
            .deployment
            .spec
            .as_ref()
            .and_then(|s| s.selector.match_labels.clone())
            .unwrap_or_default();
        pods.iter()
            .filter(|p| {
                let labels = p.metadata.labels.clone().unwrap_or_default();
                !selector.is_empty() && selector.iter().all(|(k, v)| labels.get(k) == Some(v))
            })
            .collect()
    }
}

/// The release as the checks see it.
#[derive(Debug, Clone)]
pub struct Release {
    pub name: String,
    pub namespace: String,
    pub objects: Objects,
    pub components: Vec<Component>,
    /// The deployment mode of the chosen profile.
    pub mode: Mode,
    /// The Dagu version of the chosen profile (the Dagu containers' image tag).
    pub dagu: profile::Dagu,
    /// The post-render profile chosen from the live labels and images, and why (`chart 2.0.3 ...: label ...`).
    pub profile: String,
    /// The post-render rules' findings on the live objects, each with the object it is about
    /// (`Deployment/dagu-ui`); `Err` when the pipeline refused them as input.
    pub post_render: Result<Vec<(Option<String>, Finding)>, String>,
}

impl Release {
    pub fn new(name: &str, namespace: &str, objects: Objects) -> Release {
        let mut components = Vec::new();
        for d in &objects.deployments {
            let Ok(value) = serde_json::to_value(d) else {
                continue;
            };
            let Some((role, container)) = model::recognise(&value, "dagu") else {
                continue;
            };
            let start_all = recognise_start_all(&value).is_some();
            components.push(Component {
                name: d.metadata.name.clone().unwrap_or_default(),
                role: if start_all {
                    "start-all"
                } else {
                    role.as_str()
                },
                deployment: d.clone(),
                container,
            });
        }
        components.sort_by(|a, b| a.name.cmp(&b.name));
        let values: Vec<Value> = objects
            .deployments
            .iter()
            .filter_map(|d| serde_json::to_value(d).ok())
            .collect();
        let choice = profile::choose(&values, None);
        let mode = choice.profile.mode;
        let dagu = choice.profile.dagu.clone();
        let profile = format!("{} ({})", choice.profile.describe(), choice.reason);
        let post_render = run_post_render(&objects);
        Release {
            name: name.to_string(),
            namespace: namespace.to_string(),
            objects,
            components,
            mode,
            dagu,
            profile,
            post_render,
        }
    }

    pub fn of_role<'a>(&'a self, role: &'a str) -> impl Iterator<Item = &'a Component> + 'a {
        self.components.iter().filter(move |c| c.role == role)
    }
}

/// The index of a container running `dagu start-all` (standalone mode).
fn recognise_start_all(deployment: &Value) -> Option<usize> {
    let containers = deployment
        .pointer("/spec/template/spec/containers")?
        .as_array()?;
    containers.iter().position(|c| {
        let words: Vec<&str> = ["command", "args"]
            .iter()
            .filter_map(|k| c.get(*k).and_then(Value::as_array))
            .flatten()
            .filter_map(Value::as_str)
            .flat_map(str::split_whitespace)
            .collect();
        words
            .windows(2)
            .any(|w| w[0].rsplit('/').next() == Some("dagu") && w[1] == "start-all")
    })
}

/// Server-set fields that are not the release's intent; dropped before the rules see an object.
const SERVER_FIELDS: &[&str] = &[
    "/metadata/managedFields",
    "/metadata/resourceVersion",
    "/metadata/uid",
    "/metadata/creationTimestamp",
    "/metadata/generation",
    "/metadata/selfLink",
    "/status",
];

/// The live objects as the manifest stream post-render reads: the rules themselves, unchanged, decide drift.
pub fn live_stream(objects: &Objects) -> String {
    let mut values: Vec<Value> = Vec::new();
    let labelled_pvcs = objects.pvcs.iter().filter(|p| {
        p.metadata
            .labels
            .as_ref()
            .is_some_and(|l| l.contains_key(INSTANCE_LABEL))
    });
    values.extend(
        objects
            .config_maps
            .iter()
            .filter_map(|o| serde_json::to_value(o).ok()),
    );
    values.extend(labelled_pvcs.filter_map(|o| serde_json::to_value(o).ok()));
    values.extend(
        objects
            .deployments
            .iter()
            .filter_map(|o| serde_json::to_value(o).ok()),
    );
    let mut out = String::new();
    for mut v in values {
        for pointer in SERVER_FIELDS {
            if let Some((parent, key)) = pointer.rsplit_once('/') {
                if let Some(Value::Object(m)) = v.pointer_mut(parent) {
                    m.remove(key);
                }
            }
        }
        out.push_str("---\n");
        out.push_str(&serde_json::to_string(&v).unwrap_or_default());
        out.push('\n');
    }
    out
}

fn run_post_render(objects: &Objects) -> Result<Vec<(Option<String>, Finding)>, String> {
    if objects.deployments.is_empty() {
        return Ok(Vec::new());
    }
    let stream = live_stream(objects);
    let outcome = post_render::process(stream.as_bytes(), &post_render::Options::default())
        .map_err(|e| e.to_string())?;
    let name_of = |i: usize| {
        let o = outcome.docs.get(i)?.object.as_ref()?;
        Some(format!("{}/{}", o.kind, o.name.as_deref()?))
    };
    Ok(outcome
        .findings
        .iter()
        .map(|f| (f.doc.and_then(name_of), f.clone()))
        .collect())
}
