//! Test support for checks: a healthy distributed release (the post-render rules' valid rendering, plus what
//! the cluster adds: statuses, pods, Services, Endpoints), and a way to break it and run one check.

use serde_json::{json, Value};

use super::{Check, Verdict};
use crate::doctor::release::{Objects, Release};
use crate::post_render::rules::testing::valid;

/// The live objects of release `dagu` in namespace `ns`, every check passing.
pub fn healthy() -> Vec<Value> {
    let mut out = Vec::new();
    for mut doc in valid() {
        doc["metadata"]["namespace"] = json!("ns");
        // A pinned Dagu >= 2.9 (shared-nothing workers dial the coordinator), as the stand-in image is tagged.
        if let Some(c) = doc.pointer_mut("/spec/template/spec/containers/0") {
            c["image"] = json!("ghcr.io/dagucloud/dagu:2.11.1");
        }
        match doc["kind"].as_str() {
            Some("Deployment") => {
                let labels = doc["spec"]["template"]["metadata"]["labels"].clone();
                let container = doc["spec"]["template"]["spec"]["containers"][0].clone();
                if labels["app.kubernetes.io/component"] == "worker" {
                    let cmd = doc["spec"]["template"]["spec"]["containers"][0]["command"]
                        .as_array_mut()
                        .unwrap();
                    cmd.push(json!("--worker.coordinators"));
                    cmd.push(json!("dagu-coordinator.ns.svc.cluster.local:50055"));
                }
                if labels["app.kubernetes.io/component"] == "coordinator" {
                    doc["spec"]["template"]["spec"]["containers"][0]["ports"] =
                        json!([{"name": "grpc", "containerPort": 50055}]);
                }
                doc["spec"]["replicas"] = json!(1);
                doc["status"] = json!({"replicas": 1, "readyReplicas": 1, "availableReplicas": 1,
                    "updatedReplicas": 1, "conditions": [{"type": "Available", "status": "True"}]});
                let name = doc["metadata"]["name"].as_str().unwrap().to_string();
                out.push(json!({"apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": format!("{name}-abc12"), "namespace": "ns", "labels": labels},
                    "spec": {"containers": [{"name": container["name"], "image": container["image"]}]},
                    "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
                        "containerStatuses": [{"name": container["name"], "ready": true, "restartCount": 0,
                            "image": container["image"], "imageID": "", "state": {"running": {}}}]}}));
            }
            Some("PersistentVolumeClaim") => {
                doc["metadata"]["labels"] = json!({"app.kubernetes.io/instance": "dagu"});
                doc["status"] = json!({"phase": "Bound", "accessModes": ["ReadWriteMany"]});
            }
            Some("ConfigMap") => {
                doc["metadata"]["labels"] = json!({"app.kubernetes.io/instance": "dagu"});
            }
            _ => {}
        }
        out.push(doc);
    }
    out.push(json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "dagu-coordinator", "namespace": "ns"},
        "spec": {"selector": {"app.kubernetes.io/component": "coordinator"},
                 "ports": [{"name": "grpc", "port": 50055, "targetPort": 50055}]}}));
    out.push(json!({"apiVersion": "v1", "kind": "Endpoints",
        "metadata": {"name": "dagu-coordinator", "namespace": "ns"},
        "subsets": [{"addresses": [{"ip": "10.244.0.9"}], "ports": [{"name": "grpc", "port": 50055}]}]}));
    out
}

/// The object of `kind` named `name` in `objects`, to change it.
pub fn find<'a>(objects: &'a mut [Value], kind: &str, name: &str) -> &'a mut Value {
    objects
        .iter_mut()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind}/{name} in the fixture"))
}

/// Sorts values into [`Objects`] by kind (Services other than the UI Service of `valid()` included).
pub fn objects(values: &[Value]) -> Objects {
    let mut o = Objects::default();
    for v in values.iter().cloned() {
        let kind = v["kind"].as_str().unwrap_or_default().to_string();
        fn parse<T: serde::de::DeserializeOwned>(v: Value) -> T {
            let kind = v["kind"].clone();
            serde_json::from_value(v).unwrap_or_else(|e| panic!("fixture {kind}: {e}"))
        }
        match kind.as_str() {
            "Deployment" => o.deployments.push(parse(v)),
            "ReplicaSet" => o.replica_sets.push(parse(v)),
            "Pod" => o.pods.push(parse(v)),
            "ConfigMap" => o.config_maps.push(parse(v)),
            "PersistentVolumeClaim" => o.pvcs.push(parse(v)),
            "Service" => o.services.push(parse(v)),
            "Endpoints" => o.endpoints.push(parse(v)),
            "NetworkPolicy" => o.network_policies.push(parse(v)),
            other => panic!("fixture kind {other} not handled"),
        }
    }
    o
}

/// Runs `check` on the release made of `values`.
pub fn run(check: &Check, values: &[Value]) -> Verdict {
    (check.run)(&Release::new("dagu", "ns", objects(values)))
}

/// The messages of a verdict's problems, for assertions.
pub fn messages(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Problems(p) => p
            .iter()
            .map(|p| {
                format!(
                    "{:?} {}: {}",
                    p.severity,
                    p.object.clone().unwrap_or_default(),
                    p.message
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
        other => format!("{other:?}"),
    }
}
