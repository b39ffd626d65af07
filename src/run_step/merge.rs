//! Layering of Kubernetes config blocks: base.yaml `kubernetes` → DAG `kubernetes` → step `with`/`config`.
//!
//! The executor document's merge rules, on generic values: scalars replace, maps merge by key (the upper
//! layer wins), lists replace wholesale, and an empty map or list at a key of a layer clears what was
//! inherited there. A DAG-level `kubernetes: {}` clears everything inherited from base.yaml (Dagu's
//! `TestKubernetesEmptyRootClearsBaseConfig`); an empty step block sets nothing. `null` (a key with no value)
//! means "not set" and changes nothing. After merging, [`prune`] drops the empty maps and lists left by
//! clearing, so `affinity: {}` ends as no affinity at all; list items are values, not layers, and are kept
//! exactly as written (`empty_dir: {}` asks for an emptyDir).

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

/// Merges base, DAG and step blocks. An empty DAG block (`kubernetes: {}`) clears everything base.yaml set;
/// an empty step block (`config: {}`) sets nothing.
pub fn layers(base: &Value, dag: &Value, step: &Value) -> Value {
    let mut out = Value::Object(Default::default());
    apply(&mut out, base, false);
    apply(&mut out, dag, true);
    apply(&mut out, step, false);
    prune(&mut out);
    out
}

fn apply(out: &mut Value, layer: &Value, empty_clears: bool) {
    match (out, layer) {
        (out, Value::Object(l)) if l.is_empty() && empty_clears => *out = layer.clone(),
        (Value::Object(o), Value::Object(l)) => {
            for (k, v) in l {
                match o.get_mut(k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        o.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        _ => {}
    }
}

/// Removes `null`s and map entries whose value is an empty map or list, recursively through maps. Lists are
/// not entered: an item is the user's value as written (`{name: scratch, empty_dir: {}}`), and an empty or
/// malformed item is an error for the rules to report, not something to hide.
pub fn prune(value: &mut Value) {
    if let Value::Object(map) = value {
        for v in map.values_mut() {
            prune(v);
        }
        map.retain(|_, v| !is_empty(v));
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
                Value::Null,
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
                Value::Null,
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
                Value::Null,
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
                Value::Null,
                json!({}),
                json!({"image": "a"}),
            ),
            (
                "dag-level kubernetes: {} clears everything base.yaml set",
                json!({"namespace": "base-ns", "labels": {"team": "platform"}}),
                json!({}),
                json!({"image": "alpine:3.20"}),
                json!({"image": "alpine:3.20"}),
            ),
            (
                "dag-level kubernetes: null keeps base.yaml",
                json!({"namespace": "base-ns"}),
                Value::Null,
                json!({"image": "i"}),
                json!({"namespace": "base-ns", "image": "i"}),
            ),
            (
                "empty_dir: {} inside a list item is kept",
                json!({}),
                Value::Null,
                json!({"volumes": [{"name": "scratch", "empty_dir": {}}]}),
                json!({"volumes": [{"name": "scratch", "empty_dir": {}}]}),
            ),
            (
                "empty_dir with medium is kept",
                json!({}),
                json!({"volumes": [{"name": "scratch", "empty_dir": {"medium": "Memory"}}]}),
                json!({}),
                json!({"volumes": [{"name": "scratch", "empty_dir": {"medium": "Memory"}}]}),
            ),
            (
                "a volume with a second, empty source keeps both (the volumes rule refuses it)",
                json!({}),
                Value::Null,
                json!({"volumes": [{"name": "v", "empty_dir": {}, "secret": {"secret_name": "s"}}]}),
                json!({"volumes": [{"name": "v", "empty_dir": {}, "secret": {"secret_name": "s"}}]}),
            ),
            (
                "list items replacing inherited ones are kept whole",
                json!({"volumes": [{"name": "old", "empty_dir": {"medium": "Memory"}}]}),
                Value::Null,
                json!({"volumes": [{"name": "new", "empty_dir": {}}]}),
                json!({"volumes": [{"name": "new", "empty_dir": {}}]}),
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
            assert_eq!(layers(&base, &dag, &step), want, "case: {case}");
        }
    }
}
