//! Workspace base configs (Dagu since May 2026): a DAG labelled `workspace=<name>` also inherits
//! `<dags_dir>/workspaces/<name>/base.yaml`, between the global base.yaml and the DAG.
//!
//! Pure: which workspace a DAG names ([`name`]) and how the two base files combine ([`merge_bases`]). Finding
//! and reading the files is `bases.rs`.

use serde_json::{Map, Value};

/// The directory below the DAGs directory that holds one folder per workspace.
pub const DIR: &str = "workspaces";
/// The file inside a workspace folder.
pub const FILE: &str = "base.yaml";
/// Names Dagu reserves (matched case-insensitively).
const RESERVED: [&str; 3] = ["all", "default", "global"];

/// Whether `name` may name a workspace: `^[A-Za-z0-9_-]+$` and not reserved.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !RESERVED.iter().any(|r| r.eq_ignore_ascii_case(name))
}

/// The workspace the DAG's `labels:` (else its older `tags:`) name with a `workspace` label (key matched
/// case-insensitively). An invalid name, or two different names, mean no workspace at all, silently, as
/// Dagu does; `labels:` without a workspace label falls through to `tags:`.
pub fn name(dag_root: &Value) -> Option<String> {
    for key in ["labels", "tags"] {
        let mut found: Option<String> = None;
        for (k, v) in entries(dag_root.get(key).unwrap_or(&Value::Null)) {
            if !k.trim().eq_ignore_ascii_case("workspace") {
                continue;
            }
            let v = v.trim().to_string();
            if !valid_name(&v) {
                return None;
            }
            match &found {
                Some(f) if !f.eq_ignore_ascii_case(&v) => return None,
                Some(_) => {}
                None => found = Some(v),
            }
        }
        if found.is_some() {
            return found;
        }
    }
    None
}

/// Label entries as (key, value): a map, a list of `key=value` strings or one-key maps, or one string of
/// `key=value` words separated by spaces (when it has no comma) or by commas.
fn entries(labels: &Value) -> Vec<(String, String)> {
    let pair = |s: &str| {
        let (k, v) = s.split_once('=').unwrap_or((s, ""));
        (k.trim().to_string(), v.trim().to_string())
    };
    let scalar = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    match labels {
        Value::Object(m) => m.iter().map(|(k, v)| (k.clone(), scalar(v))).collect(),
        Value::Array(items) => items
            .iter()
            .flat_map(|item| match item {
                Value::String(s) => vec![pair(s)],
                Value::Object(m) => m.iter().map(|(k, v)| (k.clone(), scalar(v))).collect(),
                _ => vec![],
            })
            .collect(),
        Value::String(s) => {
            let spaced = s.contains('=') && s.contains(' ') && !s.contains(',');
            let parts: Vec<&str> = if spaced {
                s.split_whitespace().collect()
            } else {
                s.split(',').collect()
            };
            parts
                .into_iter()
                .filter(|p| !p.trim().is_empty())
                .map(pair)
                .collect()
        }
        _ => vec![],
    }
}

/// The workspace base file over the global one, as plain maps: maps merge by key, scalars and lists replace,
/// an empty map changes nothing (it does not clear), and `env` lists concatenate, global entries first.
/// `null` means "not set", as everywhere in run-step.
pub fn merge_bases(global: &Value, workspace: &Value) -> Value {
    let mut out = global.clone();
    merge_plain(&mut out, workspace);
    out
}

fn merge_plain(lower: &mut Value, upper: &Value) {
    match (lower, upper) {
        (_, Value::Null) => {}
        (Value::Object(l), Value::Object(u)) => {
            for (k, v) in u {
                match l.get_mut(k) {
                    Some(existing) if k == "env" => concat_env(existing, v),
                    Some(existing) => merge_plain(existing, v),
                    None => {
                        l.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (l, u) => *l = u.clone(),
    }
}

/// `env` of both files, global first. A map form (`{A: 1}`) counts as its one-key entries in order.
fn concat_env(lower: &mut Value, upper: &Value) {
    let list = |v: &Value| match v {
        Value::Array(a) => a.clone(),
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| Value::Object(Map::from_iter([(k.clone(), v.clone())])))
            .collect(),
        Value::Null => vec![],
        other => vec![other.clone()],
    };
    if upper.is_null() {
        return;
    }
    let mut all = list(lower);
    all.extend(list(upper));
    *lower = Value::Array(all);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_workspace_label_names_the_workspace() {
        let cases = [
            (json!({"labels": {"workspace": "ops"}}), Some("ops")),
            (json!({"labels": ["team=a", "Workspace=ops"]}), Some("ops")),
            (json!({"labels": "team=a workspace=ops"}), Some("ops")),
            (json!({"labels": "team=a,workspace=ops"}), Some("ops")),
            (json!({"labels": [{"WORKSPACE": "ops_2"}]}), Some("ops_2")),
            (json!({"tags": ["workspace=old"]}), Some("old")),
            (
                json!({"labels": {"team": "a"}, "tags": "workspace=old"}),
                Some("old"),
            ),
            (
                json!({"labels": {"workspace": "ops"}, "tags": "workspace=old"}),
                Some("ops"),
            ),
            (
                json!({"labels": ["workspace=ops", "workspace=OPS"]}),
                Some("ops"),
            ),
            (json!({"labels": ["workspace=ops", "workspace=dev"]}), None),
            (
                json!({"labels": {"workspace": "a/b"}, "tags": "workspace=old"}),
                None,
            ),
            (json!({"labels": {"workspace": "default"}}), None),
            (json!({"labels": {"workspace": "Global"}}), None),
            (json!({"labels": {"workspace": ""}}), None),
            (json!({"name": "no labels"}), None),
        ];
        for (root, want) in cases {
            assert_eq!(name(&root).as_deref(), want, "{root}");
        }
    }

    #[test]
    fn base_files_merge_as_plain_maps() {
        let global = json!({"env": ["A=1"], "kubernetes": {"namespace": "g", "labels": {"team": "p"},
            "image_pull_secrets": ["a", "b"], "affinity": {"node_affinity": {"x": 1}},
            "env": [{"name": "G", "value": "1"}]}});
        let ws = json!({"env": {"B": 2}, "kubernetes": {"namespace": "w", "labels": {"app": "x"},
            "image_pull_secrets": ["c"], "affinity": {}, "tolerations": [],
            "env": [{"name": "W", "value": "2"}]}});
        assert_eq!(
            merge_bases(&global, &ws),
            json!({"env": ["A=1", {"B": 2}], "kubernetes": {"namespace": "w",
                "labels": {"team": "p", "app": "x"}, "image_pull_secrets": ["c"],
                "affinity": {"node_affinity": {"x": 1}}, "tolerations": [],
                "env": [{"name": "G", "value": "1"}, {"name": "W", "value": "2"}]}})
        );
        assert_eq!(
            merge_bases(
                &json!({"kubernetes": {"namespace": "g"}}),
                &json!({"kubernetes": null})
            ),
            json!({"kubernetes": {"namespace": "g"}})
        );
        assert_eq!(
            merge_bases(&Value::Null, &json!({"kubernetes": {"a": 1}})),
            json!({"kubernetes": {"a": 1}})
        );
    }

    #[test]
    fn names() {
        assert!(valid_name("ops-1_A"));
        assert!(!valid_name("all") && !valid_name("a b") && !valid_name("ä"));
    }
}
