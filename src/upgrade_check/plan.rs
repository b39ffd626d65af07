//! The upgrade plan as a pure function: the new rendering, the live objects of the release and what the API
//! server answered to a dry-run of each update decide what the upgrade would break and the steps that make
//! it go through. The server's refusals are the evidence; the comparisons here only explain them and find
//! what a dry-run cannot see (deletions, the values traps).

mod explain;

use std::collections::BTreeMap;

use serde_json::Value;

use explain::explain;
pub use explain::prepare_update;

/// `Kind/name`.
pub type Key = (String, String);

pub fn key(v: &Value) -> Option<Key> {
    Some((
        v.get("kind")?.as_str()?.to_string(),
        v.pointer("/metadata/name")?.as_str()?.to_string(),
    ))
}

fn show(k: &Key) -> String {
    format!("{}/{}", k.0, k.1)
}

/// The API server's answer to a dry-run create or update of one object of the new rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DryRun {
    Accepted,
    /// HTTP 422 and the server's message (`spec.selector: Invalid value: ...: field is immutable`).
    Invalid(String),
    /// Another refusal (code, message).
    Refused(u16, String),
    /// The server does not serve the object's apiVersion and kind (why).
    NotServed(String),
    /// Not sent (why).
    NotChecked(String),
}

/// A step to run before `helm upgrade`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum Step {
    /// Delete the Deployment but keep its pods (`--cascade=orphan`): they serve until the new ReplicaSet's pods
    /// are Ready, then the old ReplicaSet can go.
    OrphanDelete { kind: String, name: String },
}

impl Step {
    pub fn command(&self, namespace: &str) -> String {
        match self {
            Step::OrphanDelete { kind, name } => {
                format!(
                    "kubectl delete {} {name} -n {namespace} --cascade=orphan",
                    kind.to_lowercase()
                )
            }
        }
    }
}

/// Something the upgrade would do or fail at.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Item {
    /// `immutable-field`, `invalid`, `object-deleted`, `deployment-mode`, `pvc-replaced`, `values-trap`,
    /// `refused`, `kind-not-served`, `not-checked`.
    pub id: &'static str,
    pub object: String,
    pub message: String,
    /// Does not block the upgrade once the plan's steps ran (a step resolves it, or it is by design).
    pub resolved: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Plan {
    pub items: Vec<Item>,
    pub steps: Vec<Step>,
}

impl Plan {
    /// Safe as is: no step to run, nothing that needs a change (only deletions that are by design).
    pub fn safe(&self) -> bool {
        self.steps.is_empty() && self.resolvable()
    }
    /// Every item is resolved by the steps.
    pub fn resolvable(&self) -> bool {
        self.items.iter().all(|i| i.resolved)
    }
}

/// Components the standalone mode drops (the chart renders them only in distributed mode).
const DISTRIBUTED_ONLY: &[&str] = &["coordinator", "scheduler", "worker"];

fn component(v: &Value) -> Option<&str> {
    v.pointer("/metadata/labels/app.kubernetes.io~1component")?
        .as_str()
}

fn runs_start_all(v: &Value) -> bool {
    let c = v
        .pointer("/spec/template/spec/containers")
        .and_then(Value::as_array);
    c.into_iter().flatten().any(|c| {
        ["command", "args"]
            .iter()
            .filter_map(|k| c.get(*k)?.as_array())
            .flatten()
            .any(|a| a == "start-all")
    })
}

fn chart_major(objects: &[Value]) -> Option<u64> {
    objects.iter().find_map(|o| {
        let chart = o.pointer("/metadata/labels/helm.sh~1chart")?.as_str()?;
        chart.strip_prefix("dagu-")?.split('.').next()?.parse().ok()
    })
}

/// The plan for upgrading `live` (the release's objects now) to `new` (the rendering), given the dry-run
/// answer for each new object and the values the rendering used (if given).
pub fn plan(
    new: &[Value],
    live: &[Value],
    dry_runs: &BTreeMap<Key, DryRun>,
    values: Option<&Value>,
) -> Plan {
    let mut plan = Plan::default();
    let live_by_key: BTreeMap<Key, &Value> =
        live.iter().filter_map(|v| Some((key(v)?, v))).collect();
    let new_keys: Vec<Key> = new.iter().filter_map(key).collect();

    for obj in new {
        let Some(k) = key(obj) else { continue };
        let answer = dry_runs.get(&k).cloned().unwrap_or(DryRun::Accepted);
        let existing = live_by_key.get(&k);
        match answer {
            DryRun::Accepted => {}
            DryRun::Invalid(message) if existing.is_none() => plan.items.push(Item {
                id: "invalid",
                object: show(&k),
                message: format!("the API server refuses to create it: {message}"),
                resolved: false,
            }),
            DryRun::Invalid(message) => {
                let (why, step) = explain(&k, obj, existing.copied());
                let resolved = step.is_some();
                plan.items.push(Item {
                    id: if k.0 == "PersistentVolumeClaim" {
                        "pvc-replaced"
                    } else {
                        "immutable-field"
                    },
                    object: show(&k),
                    message: format!("the API server refuses the update: {message}{why}"),
                    resolved,
                });
                plan.steps.extend(step);
            }
            DryRun::NotServed(why) => plan.items.push(Item {
                id: "kind-not-served",
                object: show(&k),
                message: format!(
                    "{why}: helm upgrade stops at it (no matches for kind); render it for an apiVersion this \
                     cluster serves (kubectl api-resources) or upgrade the cluster first"
                ),
                resolved: false,
            }),
            DryRun::NotChecked(why) => plan.items.push(Item {
                id: "not-checked",
                object: show(&k),
                message: why,
                resolved: true,
            }),
            DryRun::Refused(code, message) => plan.items.push(Item {
                id: "refused",
                object: show(&k),
                message: format!("the API server refuses it (HTTP {code}): {message}"),
                resolved: false,
            }),
        }
    }

    let new_standalone = new.iter().any(runs_start_all);
    for (k, obj) in &live_by_key {
        if new_keys.contains(k) || k.0 == "Pod" {
            continue;
        }
        let role = component(obj).unwrap_or_default();
        let (id, message) = if k.0 == "Deployment"
            && new_standalone
            && DISTRIBUTED_ONLY.contains(&role)
        {
            (
                "deployment-mode",
                format!(
                    "the upgrade deletes the {role} (the new rendering is deploymentMode: standalone, the chart's \
                     2.x default); keep it with deploymentMode: distributed (and persistence.accessMode: \
                     ReadWriteMany)"
                ),
            )
        } else if k.0 == "PersistentVolumeClaim" {
            (
                "pvc-replaced",
                "the upgrade deletes this claim and the data on it (unless helm.sh/resource-policy: keep); keep it \
                 with persistence.existingClaim set to its name"
                    .to_string(),
            )
        } else {
            // A Service or ConfigMap the new chart no longer renders goes by design; a Deployment may be a
            // component the values dropped.
            let by_design = k.0 != "Deployment";
            let message = if by_design {
                "the upgrade deletes it: the new chart does not render it (nothing to do)"
            } else {
                "the upgrade deletes it (it is not in the new rendering): check the values that rendered it"
            };
            plan.items.push(Item {
                id: "object-deleted",
                object: show(k),
                message: message.into(),
                resolved: by_design,
            });
            continue;
        };
        plan.items.push(Item {
            id,
            object: show(k),
            message,
            resolved: false,
        });
    }

    if chart_major(new).is_some_and(|m| m >= 2) {
        if let Some(v) = values.and_then(|v| v.pointer("/persistence/skipValidation")) {
            plan.items.push(Item {
                id: "values-trap",
                object: "values".into(),
                message: format!(
                    "persistence.skipValidation ({v}) is gone in chart 2.x and its values schema rejects it: remove \
                     it (standalone accepts ReadWriteOnce; distributed needs ReadWriteMany)"
                ),
                resolved: false,
            });
        }
    }
    plan
}
