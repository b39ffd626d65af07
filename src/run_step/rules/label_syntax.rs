//! Label and annotation keys and label values use Kubernetes syntax (`[prefix/]name`, name <= 63 characters
//! of alphanumerics, `-`, `_`, `.` with alphanumeric ends; prefix a DNS subdomain <= 253; values likewise,
//! possibly empty): `labels`, `node_selector`, `match_labels` and annotation keys. The API server rejects the
//! Job at create time otherwise (issue 9: validate before anything is created). Error.

use serde_json::Value;

use super::{Findings, Path};
use crate::run_step::diag::Seg;

pub const ID: &str = "label_syntax";

/// Why `key` is not a valid label/annotation key, if it is not.
pub fn key_error(key: &str) -> Option<String> {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(p) = prefix {
        let labels_ok = p.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        });
        if p.is_empty() || p.len() > 253 || !labels_ok {
            return Some(format!(
                "key prefix {p:?} must be a DNS subdomain (lowercase, like example.com)"
            ));
        }
    }
    if name.is_empty() {
        return Some("key name must not be empty".into());
    }
    value_error(name).map(|e| format!("key name {e}"))
}

/// Why `value` is not a valid label value, if it is not.
pub fn value_error(value: &str) -> Option<String> {
    let chars_ok = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    let ends_ok = value.is_empty()
        || (value.starts_with(|c: char| c.is_ascii_alphanumeric())
            && value.ends_with(|c: char| c.is_ascii_alphanumeric()));
    if value.len() > 63 {
        Some(format!("{value:?} is longer than 63 characters"))
    } else if !chars_ok || !ends_ok {
        Some(format!(
            "{value:?} must be alphanumerics, '-', '_' or '.', starting and ending alphanumeric"
        ))
    } else {
        None
    }
}

fn check_map(map: &Value, path: &Path, values: bool, out: &mut Findings) {
    for (k, v) in map.as_object().into_iter().flatten() {
        if let Some(e) = key_error(k) {
            out.at(ID, &path.key(k), e);
        }
        let text = match v {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => continue,
        };
        if values {
            if let Some(e) = value_error(&text) {
                out.at(ID, &path.key(k), format!("label value {e}"));
            }
        }
    }
}

/// Visits every `match_labels` map under `v`.
fn match_labels(v: &Value, path: &Path, out: &mut Findings) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                if k == "match_labels" {
                    check_map(child, &path.key(k), true, out);
                } else {
                    match_labels(child, &path.key(k), out);
                }
            }
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, c)| match_labels(c, &path.index(i), out)),
        _ => {}
    }
}

pub fn check(config: &Value, out: &mut Findings) {
    let root = Path::root();
    for (key, values) in [
        ("labels", true),
        ("node_selector", true),
        ("annotations", false),
    ] {
        if let Some(map) = config.get(key) {
            check_map(map, &root.key(key), values, out);
        }
    }
    if let Some(aff) = config.get("affinity") {
        match_labels(aff, &Path(vec![Seg::Key("affinity".into())]), out);
    }
}

#[cfg(test)]
mod tests {
    use super::super::run;
    use serde_json::json;

    #[test]
    fn valid_keys_and_values() {
        let v = json!({"labels": {"app": "dagu", "app.kubernetes.io/name": "x", "empty": ""},
            "annotations": {"batch.example.com/purpose": "any text: even spaces"},
            "node_selector": {"kubernetes.io/arch": "amd64"}});
        assert!(run(super::check, v).is_empty());
    }

    #[test]
    fn invalid_keys_and_values() {
        let v = json!({"labels": {"bad key": "v", "Example.com/x": "v", "ok": "has space", "long": "a".repeat(64)},
            "annotations": {"-x": "fine value"},
            "affinity": {"pod_affinity": {"required_during_scheduling_ignored_during_execution": [
                {"topology_key": "h", "label_selector": {"match_labels": {"app": "-bad"}}}]}}});
        let e = run(super::check, v);
        assert_eq!(e.len(), 6, "{e:?}");
        assert!(
            e[0].starts_with("labels.bad key: key name \"bad key\" must be"),
            "{e:?}"
        );
        assert!(
            e[1].starts_with("labels.Example.com/x: key prefix \"Example.com\""),
            "{e:?}"
        );
        assert!(
            e[2].starts_with("labels.ok: label value \"has space\""),
            "{e:?}"
        );
        assert!(e[3].starts_with("labels.long: label value"), "{e:?}");
        assert!(e[4].starts_with("annotations.-x: key name"), "{e:?}");
        assert!(
            e[5].contains("label_selector.match_labels.app: label value \"-bad\""),
            "{e:?}"
        );
    }
}
