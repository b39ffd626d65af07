//! Test support for rules: a valid rendering of the Dagu chart as JSON values, and helpers that run one rule,
//! apply its fixes and check that a second run finds nothing to change.

use serde_json::{json, Value};

use super::{Action, Finding, Rule};
use crate::post_render::context::{resolve, Overrides};
use crate::post_render::manifest::parse_stream_keeping;
use crate::post_render::{patch, yaml};

fn deployment(role: &str, name: &str, cmd: &str, env: Value, pool: Option<&str>) -> Value {
    let mut labels = json!({"app.kubernetes.io/name": "dagu", "app.kubernetes.io/instance": "dagu",
        "app.kubernetes.io/component": role});
    if let Some(p) = pool {
        labels["daguit.dev/worker-pool"] = json!(p);
    }
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
      "metadata": {"name": name, "labels": labels},
      "spec": {"selector": {"matchLabels": {"app.kubernetes.io/component": role}},
        "template": {"metadata": {"labels": labels}, "spec": {
          "enableServiceLinks": false,
          "containers": [{"name": role, "image": "ghcr.io/dagucloud/dagu:latest",
            "command": ["dagu", cmd, "--config", "/etc/dagu/dagu.yaml"],
            "env": env,
            "volumeMounts": [{"name": "data", "mountPath": "/data"}, {"name": "config", "mountPath": "/etc/dagu"}]}],
          "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "dagu-data"}},
                      {"name": "config", "configMap": {"name": "dagu-config"}}]}}}})
}

/// A rendering of the chart for release `dagu` in namespace `ns` that satisfies every rule.
pub fn valid() -> Vec<Value> {
    let home = json!({"name": "DAGU_HOME", "value": "/data"});
    vec![
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dagu-config"},
               "data": {"dagu.yaml": "host: \"0.0.0.0\"\nauth:\n  mode: builtin\n"}}),
        json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "dagu-data"},
               "spec": {"accessModes": ["ReadWriteMany"], "resources": {"requests": {"storage": "10Gi"}}}}),
        deployment(
            "coordinator",
            "dagu-coordinator",
            "coordinator",
            json!([home,
            {"name": "DAGU_COORDINATOR_HOST", "value": "0.0.0.0"},
            {"name": "DAGU_COORDINATOR_ADVERTISE", "value": "dagu-coordinator.ns.svc.cluster.local"}]),
            None,
        ),
        deployment(
            "scheduler",
            "dagu-scheduler",
            "scheduler",
            json!([home]),
            None,
        ),
        deployment(
            "ui",
            "dagu-ui",
            "server",
            json!([home, {"name": "DAGU_PORT", "value": "8080"}]),
            None,
        ),
        deployment(
            "worker",
            "dagu-worker-general",
            "worker",
            json!([home,
            {"name": "DAGU_WORKER_ID", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]),
            Some("general"),
        ),
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "dagu-ui"}, "spec": {"ports": [{"port": 8080}]}}),
    ]
}

/// Index in [`valid`] of the worker Deployment, the UI, the coordinator, the ConfigMap, the PVC.
pub const WORKER: usize = 5;
pub const UI: usize = 4;
pub const COORDINATOR: usize = 2;
pub const CONFIG_MAP: usize = 0;
pub const PVC: usize = 1;

fn stream(docs: &[Value]) -> String {
    docs.iter()
        .map(|d| format!("---\n{}", yaml::to_string(d)))
        .collect()
}

/// Runs `rule` on `docs` with `values` (namespace `ns`); returns its findings and the documents after its fixes.
pub fn run(rule: &Rule, values: Value, docs: &[Value]) -> (Vec<Finding>, Vec<Value>) {
    run_with(
        rule,
        values,
        docs,
        &Overrides {
            namespace: Some("ns".into()),
            ..Overrides::default()
        },
    )
}

pub fn run_with(
    rule: &Rule,
    values: Value,
    docs: &[Value],
    flags: &Overrides,
) -> (Vec<Finding>, Vec<Value>) {
    let text = stream(docs);
    let mut parsed =
        parse_stream_keeping(text.as_bytes(), &["Service"]).expect("test stream parses");
    let ctx = resolve(&parsed, values, flags).expect("context resolves");
    let findings = (rule.check)(&ctx, &parsed);
    patch::apply(&mut parsed, &findings).expect("fixes apply");
    let after = parsed
        .iter()
        .zip(docs)
        .map(|(d, original)| d.value().cloned().unwrap_or_else(|| original.clone()))
        .collect();
    (findings, after)
}

/// Like [`run`], checking the stream as chart `version` (its profile decides address forms, claim names...).
pub fn run_as(
    rule: &Rule,
    version: &str,
    values: Value,
    docs: &[Value],
) -> (Vec<Finding>, Vec<Value>) {
    let flags = Overrides {
        chart_version: Some(semver::Version::parse(version).expect("a version")),
        ..Overrides::default()
    };
    run_with(rule, values, docs, &flags)
}

/// Runs the rule, applies its fixes, and asserts a second run has no fix left. Returns (findings, fixed docs).
pub fn fixed(rule: &Rule, values: Value, docs: &[Value]) -> (Vec<Finding>, Vec<Value>) {
    let (findings, after) = run(rule, values.clone(), docs);
    let (again, _) = run(rule, values, &after);
    assert!(
        again.iter().all(|f| !matches!(f.action, Action::Fix(_))),
        "rule {} is not idempotent: {again:#?}",
        rule.id
    );
    (findings, after)
}

pub fn errors(findings: &[Finding]) -> Vec<&Finding> {
    findings.iter().filter(|f| f.is_error()).collect()
}
