//! What one document says about the context and the profile, read once, when it is parsed. Resolving the
//! context needs only these ([`crate::post_render::context::resolve_facts`]), so the large-stream path can
//! drop each worker's value as soon as it is checked and still resolve exactly as the whole stream would.

use serde_json::Value;

use super::lookup::Lookup;
use super::manifest::Doc;
use super::model::{self, Role};
use super::profile::{self, GENERATIONS};

const ADVERTISE: &str = "DAGU_COORDINATOR_ADVERTISE";

/// The facts of one document with a value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocFacts {
    pub profile: profile::Facts,
    /// A Dagu component (recognised with the chart name): its role and dagu container.
    pub component: Option<(Role, usize)>,
    /// A worker's pod label under each pool-label key some chart generation uses.
    pub pools: Vec<(&'static str, String)>,
    /// A component's `app.kubernetes.io/instance` label.
    pub instance: Option<String>,
    /// A coordinator's `DAGU_COORDINATOR_ADVERTISE` values.
    pub advertise: Vec<String>,
}

impl DocFacts {
    /// The pool a worker's pods are labelled with under `key`.
    pub fn pool(&self, key: &str) -> Option<&str> {
        self.pools
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// The facts of `doc`, when it has a value; `chart_name` is `nameOverride` or `dagu`.
pub fn of(doc: &Doc, chart_name: &str) -> Option<DocFacts> {
    let value = doc.value()?;
    let mut facts = DocFacts {
        profile: profile::Facts::of(value),
        ..DocFacts::default()
    };
    if doc.kind() != Some("Deployment") {
        return Some(facts);
    }
    let Some((role, container)) = model::recognise(value, chart_name) else {
        return Some(facts);
    };
    facts.component = Some((role, container));
    facts.instance = model::instance_label(value).map(str::to_string);
    if role == Role::Worker {
        for key in GENERATIONS.iter().map(|g| g.pool_label) {
            if facts.pool(key).is_none() {
                if let Some(pool) = model::pod_label(value, key) {
                    facts.pools.push((key, pool.to_string()));
                }
            }
        }
    }
    if role == Role::Coordinator {
        facts.advertise = value
            .at(&format!("/spec/template/spec/containers/{container}/env"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|e| e.field("name").and_then(Value::as_str) == Some(ADVERTISE))
            .filter_map(|e| e.field("value")?.as_str())
            .map(str::to_string)
            .collect();
    }
    Some(facts)
}
