//! What the objects tell about a refused update, and the body a dry-run update sends.

use serde_json::Value;

use super::{Key, Step};

/// Why an update was refused, when the objects show it, and the step that lets the upgrade through.
pub(super) fn explain(k: &Key, new: &Value, live: Option<&Value>) -> (String, Option<Step>) {
    let Some(live) = live else {
        return (String::new(), None);
    };
    match k.0.as_str() {
        "Deployment" | "StatefulSet" | "DaemonSet" => {
            let (a, b) = (
                live.pointer("/spec/selector"),
                new.pointer("/spec/selector"),
            );
            let why = if a != b {
                format!(
                    " (selector {} -> {})",
                    serde_json::to_string(&a).unwrap_or_default(),
                    serde_json::to_string(&b).unwrap_or_default()
                )
            } else {
                String::new()
            };
            (
                why,
                Some(Step::OrphanDelete {
                    kind: k.0.clone(),
                    name: k.1.clone(),
                }),
            )
        }
        "PersistentVolumeClaim" => {
            let modes = live
                .pointer("/spec/accessModes")
                .map(Value::to_string)
                .unwrap_or_default();
            (
                format!(
                    ". A claim's spec cannot change; deleting it loses the data: keep it with \
                     persistence.existingClaim: {} and persistence.accessMode matching {modes}",
                    k.1
                ),
                None,
            )
        }
        _ => (String::new(), None),
    }
}

/// The object to send in a dry-run update: the new rendering, with what the server set and helm keeps
/// (resourceVersion; a Service's cluster IPs; a claim's bound volume and defaulted class).
pub fn prepare_update(new: &Value, live: &Value) -> Value {
    let mut out = new.clone();
    let copy = |out: &mut Value, pointer: &str| {
        if let Some(v) = live.pointer(pointer) {
            if out.pointer(pointer).is_none() {
                if let Some((parent, key)) = pointer.rsplit_once('/') {
                    if let Some(Value::Object(m)) = out.pointer_mut(parent) {
                        m.insert(key.to_string(), v.clone());
                    }
                }
            }
        }
    };
    copy(&mut out, "/metadata/resourceVersion");
    match new.get("kind").and_then(Value::as_str) {
        Some("Service") => {
            copy(&mut out, "/spec/clusterIP");
            copy(&mut out, "/spec/clusterIPs");
        }
        Some("PersistentVolumeClaim") => {
            copy(&mut out, "/spec/volumeName");
            copy(&mut out, "/spec/storageClassName");
            copy(&mut out, "/spec/volumeMode");
        }
        _ => {}
    }
    out
}
