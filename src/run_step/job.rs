//! Effective step config → `batch/v1` Job: one container named `step`, `restartPolicy: Never`,
//! `backoffLimit` 0 unless set, a `generateName` from the step name, the config's labels and annotations on
//! both Job and Pod plus our identifying labels. Sub-blocks that mirror Kubernetes types one to one (env,
//! affinity, security contexts, volumes, ...) are converted by the schema table (snake_case → camelCase) and
//! decoded into k8s-openapi types, so a field the table knows cannot be mapped wrongly by hand.

use anyhow::{Context as _, Result};
use k8s_openapi::api::batch::v1::Job;
use serde_json::{json, Map, Value};

use super::plan::Plan;
use super::rules::image_pull_policy;
use super::schema::{self, CONFIG};

/// The container's name inside the Pod.
pub const CONTAINER: &str = "step";
/// Label keys we set on the Job and its Pods.
pub const MANAGED_BY: &str = "app.kubernetes.io/managed-by";
pub const DAG_LABEL: &str = "kubectl-dagu/dag";
pub const STEP_LABEL: &str = "kubectl-dagu/step";
/// A label unique to one run-step invocation: cleanup finds the Job and Pods by it even when the create
/// response was lost (an interrupt or a timeout while the request was in flight).
pub const RUN_LABEL: &str = "kubectl-dagu/run";
/// Longest Job name whose Pods' `job-name` label still fits 63 characters; the API server appends 5.
const MAX_GENERATE_NAME: usize = 58;

/// Builds the Job; `run_id` labels it for cleanup (`None` in `--dry-run`, which only prints).
pub fn build(plan: &Plan, namespace: &str, run_id: Option<&str>) -> Result<Job> {
    let k = schema::to_k8s(&plan.config, &CONFIG);
    let get = |key: &str| k.get(key).cloned();

    let mut labels = get("labels")
        .and_then(|v| v.as_object().cloned())
        .unwrap_or_default();
    labels.insert(MANAGED_BY.into(), "kubectl-dagu".into());
    labels.insert(DAG_LABEL.into(), label_value(&plan.dag).into());
    labels.insert(STEP_LABEL.into(), label_value(&plan.step).into());
    if let Some(id) = run_id {
        labels.insert(RUN_LABEL.into(), id.into());
    }
    let annotations = get("annotations");

    let mut container = Map::new();
    container.insert("name".into(), CONTAINER.into());
    container.insert("image".into(), get("image").unwrap_or_default());
    if let Some(argv) = &plan.argv {
        container.insert("command".into(), json!(argv));
    }
    if let Some(policy) = plan.config.get("image_pull_policy").and_then(Value::as_str) {
        container.insert(
            "imagePullPolicy".into(),
            image_pull_policy::normalize(policy)
                .unwrap_or(policy)
                .into(),
        );
    }
    copy(
        &k,
        &mut container,
        &[
            ("working_dir", "workingDir"),
            ("env", "env"),
            ("env_from", "envFrom"),
            ("resources", "resources"),
            ("security_context", "securityContext"),
            ("volume_mounts", "volumeMounts"),
        ],
    );

    let mut pod = Map::new();
    pod.insert("restartPolicy".into(), "Never".into());
    copy(
        &k,
        &mut pod,
        &[
            ("service_account", "serviceAccountName"),
            ("priority_class_name", "priorityClassName"),
            (
                "termination_grace_period_seconds",
                "terminationGracePeriodSeconds",
            ),
            ("node_selector", "nodeSelector"),
            ("tolerations", "tolerations"),
            ("affinity", "affinity"),
            ("pod_security_context", "securityContext"),
            ("volumes", "volumes"),
        ],
    );
    if let Some(Value::Array(secrets)) = get("imagePullSecrets") {
        pod.insert(
            "imagePullSecrets".into(),
            secrets.iter().map(|s| json!({ "name": s })).collect(),
        );
    }
    pod.insert("containers".into(), json!([container]));

    let mut spec = Map::new();
    spec.insert(
        "backoffLimit".into(),
        get("backoffLimit").unwrap_or(json!(0)),
    );
    copy(
        &k,
        &mut spec,
        &[
            ("active_deadline", "activeDeadlineSeconds"),
            ("ttl_after_finished", "ttlSecondsAfterFinished"),
        ],
    );
    if let Some(mut pfp) = get("podFailurePolicy") {
        default_condition_status(&mut pfp);
        spec.insert("podFailurePolicy".into(), pfp);
    }
    let mut pod_meta = json!({ "labels": labels });
    if let Some(a) = &annotations {
        pod_meta["annotations"] = a.clone();
    }
    spec.insert(
        "template".into(),
        json!({ "metadata": pod_meta, "spec": pod }),
    );

    let mut meta = json!({ "generateName": generate_name(&plan.step), "namespace": namespace, "labels": labels });
    if let Some(a) = annotations {
        meta["annotations"] = a;
    }
    let job = json!({ "apiVersion": "batch/v1", "kind": "Job", "metadata": meta, "spec": spec });
    serde_json::from_value(job).context("failed to build the Job from the step config")
}

/// Copies converted fields (`k8s` holds camelCase keys; pairs are (yaml name, Kubernetes name)).
fn copy(k: &Value, into: &mut Map<String, Value>, fields: &[(&str, &str)]) {
    for (yaml, k8s) in fields {
        let from = schema_name(yaml);
        if let Some(v) = k.get(&from) {
            into.insert((*k8s).to_string(), v.clone());
        }
    }
}

/// The key `schema::to_k8s` gave a top-level field.
fn schema_name(yaml: &str) -> String {
    let schema::Shape::Map(fields) = &CONFIG else {
        unreachable!("CONFIG is a map")
    };
    let field = fields.iter().find(|f| f.name == yaml);
    field
        .and_then(|f| f.k8s)
        .map_or_else(|| super::diag::to_camel(yaml), str::to_string)
}

/// Kubernetes defaults an omitted pattern status to True; k8s-openapi needs it spelled out.
fn default_condition_status(pfp: &mut Value) {
    for rule in pfp
        .get_mut("rules")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        for cond in rule
            .get_mut("onPodConditions")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            if let Some(obj) = cond.as_object_mut() {
                obj.entry("status").or_insert_with(|| "True".into());
            }
        }
    }
}

/// A DNS-1123 label prefix from a step name, ending in `-`, short enough for the 5-character suffix.
pub fn generate_name(step: &str) -> String {
    let mut s = String::new();
    for c in step.chars().map(|c| c.to_ascii_lowercase()) {
        let c = if c.is_ascii_alphanumeric() { c } else { '-' };
        if !(c == '-' && (s.is_empty() || s.ends_with('-'))) {
            s.push(c);
        }
    }
    s.truncate(MAX_GENERATE_NAME - 1);
    let s = s.trim_end_matches('-');
    let s = if s.is_empty() { "step" } else { s };
    format!("{s}-")
}

/// A valid label value (<= 63 characters of `[A-Za-z0-9-_.]`, alphanumeric at both ends).
pub fn label_value(text: &str) -> String {
    let s: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(63)
        .collect();
    s.trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generate_names_are_dns_labels_with_room_for_the_suffix() {
        assert_eq!(generate_name("migrate"), "migrate-");
        assert_eq!(generate_name("Load Data_v2!"), "load-data-v2-");
        assert_eq!(generate_name("--"), "step-");
        let long = generate_name(&"x".repeat(100));
        assert_eq!(long.len(), MAX_GENERATE_NAME);
        assert!(long.len() + 5 <= 63);
    }

    #[test]
    fn label_values_are_valid() {
        assert_eq!(label_value("nightly etl/v2"), "nightly-etl-v2");
        assert_eq!(label_value("_x_"), "x");
        assert_eq!(label_value(&"a".repeat(70)).len(), 63);
    }
}
