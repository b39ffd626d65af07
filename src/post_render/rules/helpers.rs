//! Small building blocks shared by rules: RFC 6902 operations, pointer escaping, and the env editor that
//! computes a sequence of operations against a scratch copy so that later operations see earlier ones.

use json_patch::PatchOperation;
use serde_json::{json, Value};

use crate::post_render::context::Context;
use crate::post_render::lookup::Lookup;
use crate::post_render::manifest::Doc;
use crate::post_render::model::Component;

fn op(op: &str, path: &str, value: Option<Value>) -> PatchOperation {
    let mut v = json!({"op": op, "path": path});
    if let Some(value) = value {
        v["value"] = value;
    }
    serde_json::from_value(v).expect("a well-formed RFC 6902 operation")
}
pub fn add(path: &str, value: Value) -> PatchOperation {
    op("add", path, Some(value))
}
pub fn replace(path: &str, value: Value) -> PatchOperation {
    op("replace", path, Some(value))
}
pub fn remove(path: &str) -> PatchOperation {
    op("remove", path, None)
}
pub fn test(path: &str, value: Value) -> PatchOperation {
    op("test", path, Some(value))
}

/// Escapes one JSON pointer token (`daguit.dev/worker-pool` → `daguit.dev~1worker-pool`).
pub fn token(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// Each Dagu component with its document value.
pub fn components<'c, 'd>(
    ctx: &'c Context,
    docs: &'d [Doc],
) -> impl Iterator<Item = (&'c Component, &'d Value)> {
    ctx.components
        .iter()
        .filter_map(move |c| Some((c, docs[c.doc].value()?)))
}

/// A command/args list without any `FLAG X` / `FLAG=X`, and the X values found (a `FLAG` at the end gives "").
pub fn strip_flag(list: &[Value], flag: &str) -> (Vec<Value>, Vec<String>) {
    let with_value = format!("{flag}=");
    let (mut kept, mut values) = (vec![], vec![]);
    let mut items = list.iter();
    while let Some(item) = items.next() {
        let s = item.as_str().unwrap_or_default();
        if s == flag {
            values.push(
                items
                    .next()
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
            );
        } else if let Some(v) = s.strip_prefix(&with_value) {
            values.push(v.to_string());
        } else {
            kept.push(item.clone());
        }
    }
    (kept, values)
}

/// The name a finding uses for a component: `Deployment dagu-ui`.
pub fn describe(c: &Component) -> String {
    format!("Deployment {}", c.name)
}

/// The env list of one container, edited in memory while operations are recorded.
pub struct EnvEditor {
    path: String,
    env: Option<Vec<Value>>,
}

/// What [`EnvEditor::ensure`] changed.
pub struct EnvChange {
    pub ops: Vec<PatchOperation>,
    pub found: Option<Value>,
    /// The entry existed with another value (and was replaced), as opposed to missing or duplicated.
    pub replaced: bool,
}

impl EnvEditor {
    pub fn new(deployment: &Value, container_ptr: &str) -> Self {
        let path = format!("{container_ptr}/env");
        let env = deployment.at(&path).and_then(Value::as_array).cloned();
        EnvEditor { path, env }
    }

    /// Makes `desired` the one and only entry named like it. Returns the operations, or `None` if it already is.
    pub fn ensure(&mut self, desired: &Value) -> Option<EnvChange> {
        let name = desired["name"].as_str().unwrap_or_default();
        let Some(env) = self.env.as_mut() else {
            self.env = Some(vec![desired.clone()]);
            return Some(EnvChange {
                ops: vec![add(&self.path, json!([desired]))],
                found: None,
                replaced: false,
            });
        };
        let same: Vec<usize> = (0..env.len())
            .filter(|&i| env[i].field("name").and_then(Value::as_str) == Some(name))
            .collect();
        let Some((&first, rest)) = same.split_first() else {
            env.push(desired.clone());
            return Some(EnvChange {
                ops: vec![add(&format!("{}/-", self.path), desired.clone())],
                found: None,
                replaced: false,
            });
        };
        let found = env[first].clone();
        let equal = env_equal(&found, desired);
        if equal && rest.is_empty() {
            return None;
        }
        let mut ops = Vec::new();
        if !equal {
            let at = format!("{}/{first}", self.path);
            ops.push(test(&at, found.clone()));
            ops.push(replace(&at, desired.clone()));
            env[first] = desired.clone();
        }
        for &i in rest.iter().rev() {
            let at = format!("{}/{i}", self.path);
            ops.push(test(&at, env[i].clone()));
            ops.push(remove(&at));
            env.remove(i);
        }
        Some(EnvChange {
            ops,
            found: Some(found),
            replaced: !equal,
        })
    }
}

/// Two env entries mean the same: equal, or the same `fieldRef.fieldPath` (the API server adds `apiVersion`).
fn env_equal(found: &Value, desired: &Value) -> bool {
    if found == desired {
        return true;
    }
    let field_path = |v: &Value| v.at("/valueFrom/fieldRef/fieldPath").cloned();
    desired.field("value").is_none()
        && found.field("value").is_none()
        && field_path(desired).is_some()
        && field_path(found) == field_path(desired)
        && found["valueFrom"].as_object().map(|m| m.len()) == Some(1)
}

/// Shared by `data-mount` and `config-mount`: the pod has a volume of `source` kind referencing `target`, and
/// the dagu container mounts it at `mount_path`. Missing pieces are added; conflicting ones are errors.
pub fn ensure_mount(
    rule: &'static str,
    c: &Component,
    deployment: &Value,
    source: (&str, &str, &str),
    default_volume: &str,
    mount_path: &str,
) -> Vec<super::Finding> {
    use super::Finding;
    let (kind, field, target) = source;
    let volumes_ptr = "/spec/template/spec/volumes";
    let volumes = deployment.at(volumes_ptr).and_then(Value::as_array);
    let refers =
        |v: &Value| v.at(&format!("/{kind}/{field}")).and_then(Value::as_str) == Some(target);
    let mut findings = Vec::new();
    let volume_name = match volumes.and_then(|vs| vs.iter().find(|v| refers(v))) {
        Some(v) => v["name"].as_str().unwrap_or_default().to_string(),
        None => {
            let taken = volumes.and_then(|vs| {
                vs.iter()
                    .position(|v| v.field("name").and_then(Value::as_str) == Some(default_volume))
            });
            if let Some(i) = taken {
                return vec![Finding::error(
                    rule,
                    Some(c.doc),
                    format!("{volumes_ptr}/{i}"),
                    format!(
                        "{}: volume {default_volume:?} does not refer to {kind} {target}; Dagu needs {target} \
                         mounted at {mount_path}. Point the volume at {target} (or rename it)",
                        describe(c)
                    ),
                )
                .expected(json!({field: target}), volumes.map(|vs| vs[i].clone()))];
            }
            let volume = json!({"name": default_volume, kind: {field: target}});
            let ops = match volumes {
                Some(_) => vec![add(&format!("{volumes_ptr}/-"), volume.clone())],
                None => vec![add(volumes_ptr, json!([volume.clone()]))],
            };
            findings.push(
                Finding::fix(
                    rule,
                    c.doc,
                    volumes_ptr,
                    format!(
                        "{}: add volume {default_volume} ({kind} {target})",
                        describe(c)
                    ),
                    ops,
                )
                .expected(volume, None),
            );
            default_volume.to_string()
        }
    };
    let mounts_ptr = format!("{}/volumeMounts", c.container_ptr());
    let mounts = deployment.at(&mounts_ptr).and_then(Value::as_array);
    let at_path = mounts.and_then(|ms| {
        ms.iter()
            .position(|m| m.field("mountPath").and_then(Value::as_str) == Some(mount_path))
    });
    let wanted = json!({"name": volume_name, "mountPath": mount_path});
    match at_path {
        Some(i) if mounts.unwrap()[i]["name"].as_str() == Some(&volume_name) => {}
        Some(i) => findings.push(
            Finding::error(
                rule,
                Some(c.doc),
                format!("{mounts_ptr}/{i}"),
                format!(
                    "{}: {mount_path} mounts another volume; Dagu needs {kind} {target} there. Mount \
                     volume {volume_name} at {mount_path}",
                    describe(c)
                ),
            )
            .expected(wanted, Some(mounts.unwrap()[i].clone())),
        ),
        None => {
            let ops = match mounts {
                Some(_) => vec![add(&format!("{mounts_ptr}/-"), wanted.clone())],
                None => vec![add(&mounts_ptr, json!([wanted.clone()]))],
            };
            findings.push(
                Finding::fix(rule, c.doc, mounts_ptr, format!("{}: mount {volume_name} at {mount_path}", describe(c)), ops)
                    .expected(wanted, None),
            );
        }
    }
    findings
}
