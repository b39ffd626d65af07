//! Layering of Kubernetes config blocks: base.yaml `kubernetes` → DAG `kubernetes` → step `config`.
//!
//! The executor document's merge rules, on generic values: scalars replace, maps merge by key (the upper
//! layer wins), lists replace wholesale, and an empty map or list clears what was inherited. `null` (a key
//! with no value) means "not set" and changes nothing. After merging, [`prune`] drops the empty maps and lists
//! left by clearing, so `affinity: {}` ends as no affinity at all.

use serde_json::Value;

/// Merges `upper` onto `lower` in place.
pub fn merge(lower: &mut Value, upper: &Value) {
    match (lower, upper) {
        (_, Value::Null) => {}
        (Value::Object(l), Value::Object(u)) if !u.is_empty() => {
            for (k, v) in u {
                match l.get_mut(k) {
                    Some(existing) => merge(existing, v),
                    None if v.is_null() => {}
                    None => {
                        l.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (l, u) => *l = u.clone(),
    }
}

/// Merges the layers lowest first. A whole layer that is empty (`config: {}`) sets nothing: clearing
/// applies to the fields inside a block, not to the block itself.
pub fn layers<'a>(layers: impl IntoIterator<Item = &'a Value>) -> Value {
    let mut out = Value::Object(Default::default());
    for layer in layers {
        if let (Value::Object(o), Value::Object(l)) = (&mut out, layer) {
            for (k, v) in l {
                match o.get_mut(k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        o.insert(k.clone(), v.clone());
                    }
                }
            }
        }
    }
    prune(&mut out);
    out
}

/// Removes `null`s and map entries whose value is an empty map or list, recursively (list items are kept:
/// an empty item is an error for the rules to report, not something to hide).
pub fn prune(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for v in map.values_mut() {
                prune(v);
            }
            map.retain(|_, v| !is_empty(v));
        }
        Value::Array(items) => items.iter_mut().for_each(prune),
        _ => {}
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// (case, base, dag, step, effective)
    fn table() -> Vec<(&'static str, Value, Value, Value, Value)> {
        vec![
            (
                "scalar replaces",
                json!({"namespace": "a"}),
                json!({"namespace": "b"}),
                json!({}),
                json!({"namespace": "b"}),
            ),
            (
                "step wins over dag and base",
                json!({"image": "a"}),
                json!({"image": "b"}),
                json!({"image": "c"}),
                json!({"image": "c"}),
            ),
            (
                "lower layer kept when upper silent",
                json!({"service_account": "sa"}),
                json!({}),
                json!({"image": "i"}),
                json!({"service_account": "sa", "image": "i"}),
            ),
            (
                "maps merge by key",
                json!({"resources": {"requests": {"cpu": "100m", "memory": "1Gi"}}}),
                json!({"resources": {"limits": {"cpu": "1"}}}),
                json!({"resources": {"requests": {"memory": "2Gi"}}}),
                json!({"resources": {"requests": {"cpu": "100m", "memory": "2Gi"}, "limits": {"cpu": "1"}}}),
            ),
            (
                "lists replace wholesale",
                json!({}),
                json!({"image_pull_secrets": ["a", "b"]}),
                json!({"image_pull_secrets": ["c"]}),
                json!({"image_pull_secrets": ["c"]}),
            ),
            (
                "empty list clears",
                json!({"tolerations": [{"key": "k"}]}),
                json!({}),
                json!({"tolerations": []}),
                json!({}),
            ),
            (
                "empty map clears affinity",
                json!({"affinity": {"node_affinity": {"x": 1}}}),
                json!({"affinity": {"pod_affinity": {"y": 2}}}),
                json!({"affinity": {}}),
                json!({}),
            ),
            (
                "empty map clears only the required node affinity",
                json!({}),
                json!({"affinity": {"node_affinity": {"required_during_scheduling_ignored_during_execution": {"node_selector_terms": [1]},
                    "preferred_during_scheduling_ignored_during_execution": [2]}}}),
                json!({"affinity": {"node_affinity": {"required_during_scheduling_ignored_during_execution": {}}}}),
                json!({"affinity": {"node_affinity": {"preferred_during_scheduling_ignored_during_execution": [2]}}}),
            ),
            (
                "pod_failure_policy {} clears",
                json!({"pod_failure_policy": {"rules": [1]}}),
                json!({}),
                json!({"pod_failure_policy": {}}),
                json!({}),
            ),
            (
                "pod_failure_policy rules [] clears",
                json!({}),
                json!({"pod_failure_policy": {"rules": [1]}}),
                json!({"pod_failure_policy": {"rules": []}}),
                json!({}),
            ),
            (
                "null changes nothing",
                json!({"labels": {"a": "1"}}),
                json!({"labels": null}),
                json!({"labels": {"b": null}}),
                json!({"labels": {"a": "1"}}),
            ),
            (
                "map replaces scalar",
                json!({"labels": "x"}),
                json!({"labels": {"a": "1"}}),
                json!({}),
                json!({"labels": {"a": "1"}}),
            ),
            (
                "an empty step config changes nothing",
                json!({"image": "a"}),
                json!({}),
                json!({}),
                json!({"image": "a"}),
            ),
            (
                "a later layer can set again what an earlier one cleared",
                json!({"labels": {"a": "1"}}),
                json!({"labels": {}}),
                json!({"labels": {"b": "2"}}),
                json!({"labels": {"b": "2"}}),
            ),
        ]
    }

    #[test]
    fn merge_semantics_table() {
        for (case, base, dag, step, want) in table() {
            assert_eq!(layers([&base, &dag, &step]), want, "case: {case}");
        }
    }
}
