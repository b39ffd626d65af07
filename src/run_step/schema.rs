//! The shape of the Kubernetes config block (`kubernetes:`, base.yaml `kubernetes:`, a step's `config:`):
//! exactly the fields the executor document lists, nothing more ("If a field is not listed on this page,
//! assume it is not currently supported"). One table (`fields.rs`) drives three things: unknown-field errors with a
//! "did you mean" hint, type errors, and the snake_case → camelCase conversion into k8s-openapi types.

use serde_json::{Map, Value};

use super::diag::{kind, suggest, to_camel, Findings, Path};

/// The rule id printed for unknown fields and wrong types.
pub const RULE: &str = "schema";

/// What a config value must look like.
#[derive(Debug)]
pub enum Shape {
    /// A string; numbers and booleans are accepted and become strings (as Go's YAML decoder does).
    Str,
    /// An integer.
    Int,
    Bool,
    /// A Kubernetes quantity (`100m`, `128Mi`, `1`): a string or a number; syntax is checked by the resources rule.
    Quantity,
    List(&'static Shape),
    /// A map with known fields.
    Map(&'static [Field]),
    /// A map of user-chosen keys (labels, node_selector, match_labels, resource names).
    Dict(&'static Shape),
}

/// A known field: its YAML name, its Kubernetes name when that is not the camelCase of the YAML name.
#[derive(Debug)]
pub struct Field {
    pub name: &'static str,
    pub k8s: Option<&'static str>,
    pub shape: Shape,
}

pub use super::fields::*;
use Shape::{Bool, Dict, Int, List, Map as M, Quantity, Str};

/// Reports unknown fields (with a hint) and wrong types in `value`. `null` means "not set" anywhere.
pub fn check(value: &Value, shape: &Shape, path: &Path, out: &mut Findings) {
    match (shape, value) {
        (_, Value::Null) => {}
        (Str, Value::String(_) | Value::Number(_) | Value::Bool(_)) => {}
        (Int, Value::Number(n)) if n.is_i64() => {}
        (Bool, Value::Bool(_)) => {}
        (Quantity, Value::String(_) | Value::Number(_)) => {}
        (List(item), Value::Array(items)) => {
            for (i, v) in items.iter().enumerate() {
                check(v, item, &path.index(i), out);
            }
        }
        (Dict(item), Value::Object(map)) => {
            for (k, v) in map {
                check(v, item, &path.key(k), out);
            }
        }
        (M(fields), Value::Object(map)) => {
            for (k, v) in map {
                match fields.iter().find(|f| f.name == k) {
                    Some(field) => check(v, &field.shape, &path.key(k), out),
                    None => {
                        let names = fields.iter().map(|f| f.name);
                        let hint = match suggest(k, names) {
                            Some(s) => format!("; did you mean `{s}`?"),
                            None => format!(
                                "; known fields: {}",
                                fields.iter().map(|f| f.name).collect::<Vec<_>>().join(", ")
                            ),
                        };
                        out.at(RULE, &path.key(k), format!("unknown field{hint}"));
                    }
                }
            }
        }
        (shape, v) => out.at(
            RULE,
            path,
            format!("must be {}, found {}", describe(shape), kind(v)),
        ),
    }
}

fn describe(shape: &Shape) -> &'static str {
    match shape {
        Str => "a string",
        Int => "an integer",
        Bool => "true or false",
        Quantity => "a quantity such as 100m or 128Mi",
        List(_) => "a list",
        M(_) | Dict(_) => "a map",
    }
}

/// Converts a checked snake_case value into the camelCase JSON of the matching Kubernetes type.
/// `null` entries are dropped; scalars expected as strings become strings.
pub fn to_k8s(value: &Value, shape: &Shape) -> Value {
    match (shape, value) {
        (Str | Quantity, Value::Number(n)) => Value::String(n.to_string()),
        (Str, Value::Bool(b)) => Value::String(b.to_string()),
        (List(item), Value::Array(items)) => {
            Value::Array(items.iter().map(|v| to_k8s(v, item)).collect())
        }
        (Dict(item), Value::Object(map)) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), to_k8s(v, item)))
                .collect(),
        ),
        (M(fields), Value::Object(map)) => {
            let mut out = Map::new();
            for (k, v) in map.iter().filter(|(_, v)| !v.is_null()) {
                if let Some(field) = fields.iter().find(|f| f.name == k) {
                    let name = field.k8s.map_or_else(|| to_camel(k), str::to_string);
                    out.insert(name, to_k8s(v, &field.shape));
                }
            }
            Value::Object(out)
        }
        (_, v) => v.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn errors(v: Value) -> Vec<String> {
        let mut out = Findings::default();
        check(&v, &CONFIG, &Path::root(), &mut out);
        out.items
            .iter()
            .map(|f| format!("{}: {}", f.path, f.message))
            .collect()
    }

    #[test]
    fn every_documented_field_is_accepted() {
        let v = json!({"image": "a", "security_context": {"run_as_user": 1, "capabilities": {"drop": ["ALL"]}},
            "affinity": {"pod_anti_affinity": {"preferred_during_scheduling_ignored_during_execution":
                [{"weight": 100, "pod_affinity_term": {"topology_key": "h", "label_selector": {"match_labels": {"app": "x"}}}}]}},
            "resources": {"requests": {"cpu": "100m", "memory": 1}}, "labels": {"any/key": "v"}});
        assert_eq!(errors(v), Vec::<String>::new());
    }

    #[test]
    fn unknown_fields_get_a_hint_and_all_are_reported() {
        let v = json!({"imag": "a", "security_context": {"runAsUser": 1}, "raw_pod_spec": {}});
        let e = errors(v);
        assert_eq!(e.len(), 3, "{e:?}");
        assert!(
            e[0].starts_with("imag: unknown field; did you mean `image`?"),
            "{e:?}"
        );
        assert!(e.contains(
            &"security_context.runAsUser: unknown field; did you mean `run_as_user`?".into()
        ));
        assert!(
            e[2].starts_with("raw_pod_spec: unknown field; known fields: image,"),
            "{e:?}"
        );
    }

    #[test]
    fn wrong_types_say_what_was_expected() {
        let e = errors(json!({"backoff_limit": "3", "env": {"A": 1}, "labels": {"a": "b"}}));
        assert_eq!(
            e,
            [
                "backoff_limit: must be an integer, found \"3\"",
                "env: must be a list, found a map"
            ]
        );
    }

    #[test]
    fn conversion_renames_fields_and_keeps_user_keys() {
        let v = json!({"active_deadline": 5, "labels": {"my_label": 1},
            "affinity": {"pod_affinity": {"required_during_scheduling_ignored_during_execution":
                [{"topology_key": "h", "label_selector": {"match_labels": {"snake_key": "v"}}}]}}});
        let k = to_k8s(&v, &CONFIG);
        assert_eq!(k["activeDeadlineSeconds"], 5);
        assert_eq!(k["labels"]["my_label"], "1");
        let term =
            &k["affinity"]["podAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][0];
        assert_eq!(term["topologyKey"], "h");
        assert_eq!(term["labelSelector"]["matchLabels"]["snake_key"], "v");
    }
}
