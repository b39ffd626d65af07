//! Which API resource each object of a rendering is. The kinds the Dagu charts render are known without a
//! request; any other apiVersion and kind is looked up by discovery, and one the server does not serve is an
//! answer in itself: `helm upgrade` would stop at it with "no matches for kind".

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, PersistentVolumeClaim, Service, ServiceAccount};
use k8s_openapi::api::networking::v1::Ingress;
use kube::api::{ApiResource, GroupVersionKind};
use kube::discovery::{self, Scope};
use kube::Client;
use serde_json::Value;

/// The kinds the Dagu charts render, listed by the release label to find the live objects (each needs
/// `list` in docs/rbac/upgrade-check.yaml).
pub fn known() -> Vec<ApiResource> {
    vec![
        ApiResource::erase::<Deployment>(&()),
        ApiResource::erase::<Service>(&()),
        ApiResource::erase::<PersistentVolumeClaim>(&()),
        ApiResource::erase::<ConfigMap>(&()),
        ApiResource::erase::<ServiceAccount>(&()),
        ApiResource::erase::<Ingress>(&()),
    ]
}

/// What the server serves for one apiVersion and kind.
#[derive(Debug, Clone)]
pub enum Resource {
    Namespaced(ApiResource),
    /// Served, but not namespaced: outside what a release in one namespace is checked for.
    Cluster,
    /// Not served (the server's reason).
    NotServed(String),
}

/// `(apiVersion, kind)` of an object.
pub fn type_of(v: &Value) -> Option<(String, String)> {
    Some((
        v.get("apiVersion")?.as_str()?.to_string(),
        v.get("kind")?.as_str()?.to_string(),
    ))
}

/// The resource of every type in `objects`, by discovery for the types [`known`] does not hold.
pub async fn resolve(
    client: &Client,
    objects: &[Value],
) -> Result<BTreeMap<(String, String), Resource>, kube::Error> {
    let known = known();
    let mut out = BTreeMap::new();
    for t in objects.iter().filter_map(type_of) {
        if out.contains_key(&t) {
            continue;
        }
        let resource = match known
            .iter()
            .find(|ar| (&ar.api_version, &ar.kind) == (&t.0, &t.1))
        {
            Some(ar) => Resource::Namespaced(ar.clone()),
            None => discover(client, &t.0, &t.1).await?,
        };
        out.insert(t, resource);
    }
    Ok(out)
}

async fn discover(client: &Client, api_version: &str, kind: &str) -> Result<Resource, kube::Error> {
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let gvk = GroupVersionKind::gvk(group, version, kind);
    match discovery::pinned_kind(client, &gvk).await {
        Ok((ar, caps)) if caps.scope == Scope::Namespaced => Ok(Resource::Namespaced(ar)),
        Ok(_) => Ok(Resource::Cluster),
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(Resource::NotServed(format!(
            "the server does not serve {api_version}"
        ))),
        Err(kube::Error::Discovery(e)) => Ok(Resource::NotServed(e.to_string())),
        Err(e) => Err(e),
    }
}
