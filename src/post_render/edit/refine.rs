//! Replacements narrowed to what differs.

use json_patch::PatchOperation;
use serde_json::Value;

use crate::post_render::lookup::Lookup;
use crate::post_render::rules::helpers::{add, remove, replace, token};

/// A replacement as the smallest operations that make the same change, so that a list with one new item or a
/// mapping with one changed key keeps the text of the rest. Other operations as they are.
pub(super) fn refine(value: &Value, op: &PatchOperation) -> Vec<PatchOperation> {
    let (path, new) = match op {
        PatchOperation::Replace(r) => (&r.path, &r.value),
        // `add` replaces only in a mapping; in a list it inserts.
        PatchOperation::Add(a)
            if a.path
                .parent()
                .and_then(|p| value.at(p.as_str()))
                .is_some_and(Value::is_object) =>
        {
            (&a.path, &a.value)
        }
        _ => return vec![op.clone()],
    };
    let mut out = Vec::new();
    match value.at(path.as_str()) {
        Some(old) if !path.is_root() => differences(path.as_str(), old, new, &mut out),
        _ => out.push(op.clone()),
    }
    out
}

fn differences(path: &str, old: &Value, new: &Value, out: &mut Vec<PatchOperation>) {
    match (old, new) {
        _ if old == new => {}
        (Value::Array(a), Value::Array(b)) => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                differences(&format!("{path}/{i}"), x, y, out);
            }
            out.extend(
                b.iter()
                    .skip(a.len())
                    .map(|y| add(&format!("{path}/-"), y.clone())),
            );
            out.extend(
                (b.len()..a.len())
                    .rev()
                    .map(|i| remove(&format!("{path}/{i}"))),
            );
        }
        (Value::Object(a), Value::Object(b)) => {
            let at = |k: &str| format!("{path}/{}", token(k));
            out.extend(
                a.keys()
                    .filter(|k| !b.contains_key(*k))
                    .map(|k| remove(&at(k))),
            );
            for (k, y) in b {
                match a.get(k) {
                    Some(x) => differences(&at(k), x, y, out),
                    None => out.push(add(&at(k), y.clone())),
                }
            }
        }
        _ => out.push(replace(path, new.clone())),
    }
}
