//! Chart values the way helm combines them: `-f` files deep-merged in order (later wins, `null` deletes a key),
//! then `--set` assignments (dotted paths, helm's scalar typing, `{a,b}` lists).

use serde_json::{Map, Value};

use super::error::InputError;
use super::yaml;

/// Merges `overlay` into `base` like helm: mappings merge key by key, anything else replaces, `null` deletes.
pub fn merge(base: &mut Value, overlay: Value) {
    match (base, overlay) {
        (Value::Object(base), Value::Object(overlay)) => {
            for (key, value) in overlay {
                if value.is_null() {
                    base.remove(&key);
                } else if let Some(existing) = base.get_mut(&key) {
                    merge(existing, value);
                } else {
                    base.insert(key, value);
                }
            }
        }
        (base, overlay) => *base = overlay,
    }
}

/// Parses the text of one values file (`name` is used in messages). An empty file is an empty mapping.
pub fn parse_file(name: &str, text: &[u8]) -> Result<Value, InputError> {
    let text = std::str::from_utf8(text)
        .map_err(|_| InputError::Values(format!("{name}: not UTF-8 text")))?;
    if text
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Ok(Value::Object(Map::new()));
    }
    match yaml::parse(text) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(Value::Null) => Ok(Value::Object(Map::new())),
        Ok(_) => Err(InputError::Values(format!(
            "{name}: a values file must be a mapping at the top level"
        ))),
        Err(e) => Err(InputError::Values(format!(
            "{name}{}: {}",
            e.line.map(|l| format!(", line {l}")).unwrap_or_default(),
            e.message
        ))),
    }
}

/// Applies one `--set` argument (`a.b=c`, several separated by commas) to `values`.
pub fn apply_set(values: &mut Value, arg: &str) -> Result<(), InputError> {
    for assignment in split_top_level(arg, ',') {
        let (path, raw) = assignment.split_once('=').ok_or_else(|| {
            InputError::Values(format!(
                "--set {assignment:?}: expected key=value (for example --set ui.service.port=9090)"
            ))
        })?;
        let keys = split_path(path);
        if keys.iter().any(|k| k.is_empty() || k.contains('[')) {
            return Err(InputError::Values(format!(
                "--set {assignment:?}: the key must be a dotted path of names (list indexes are not \
                 supported; use a values file with -f)"
            )));
        }
        let mut overlay = typed(raw);
        for key in keys.iter().rev() {
            let mut map = Map::new();
            map.insert(key.clone(), overlay);
            overlay = Value::Object(map);
        }
        merge_set(values, overlay);
    }
    Ok(())
}

/// Like [`merge`], but `--set a=null` sets null (helm then drops the key when it merges with chart defaults).
fn merge_set(base: &mut Value, overlay: Value) {
    match (base, overlay) {
        (Value::Object(base), Value::Object(overlay)) => {
            for (key, value) in overlay {
                match base.get_mut(&key) {
                    Some(existing) if existing.is_object() && value.is_object() => {
                        merge_set(existing, value)
                    }
                    _ => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, overlay) => *base = overlay,
    }
}

/// Helm's `--set` typing: true/false/null, integers without a leading zero, `{a,b}` lists; the rest strings.
fn typed(raw: &str) -> Value {
    if let Some(inner) = raw.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
        if inner.is_empty() {
            return Value::Array(vec![]);
        }
        return Value::Array(
            split_top_level(inner, ',')
                .iter()
                .map(|s| typed(s))
                .collect(),
        );
    }
    match raw {
        "true" => return Value::Bool(true),
        "false" => return Value::Bool(false),
        "null" => return Value::Null,
        "0" => return Value::from(0),
        _ => {}
    }
    let digits = raw.strip_prefix('-').unwrap_or(raw);
    if !digits.starts_with('0') {
        if let Ok(n) = raw.parse::<i64>() {
            return Value::from(n);
        }
    }
    Value::String(unescape(raw))
}

/// Splits on `sep` outside `{...}` and not escaped with a backslash.
fn split_top_level(s: &str, sep: char) -> Vec<String> {
    let (mut parts, mut current, mut depth, mut escaped) =
        (Vec::new(), String::new(), 0usize, false);
    for c in s.chars() {
        match c {
            _ if escaped => {
                current.push('\\');
                current.push(c);
                escaped = false;
                continue;
            }
            '\\' => escaped = true,
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            _ if c == sep && depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        if !escaped {
            current.push(c);
        }
    }
    parts.push(current);
    parts
}

/// Splits a dotted key path; `\.` keeps a literal dot (`--set 'a\.b=c'`).
fn split_path(path: &str) -> Vec<String> {
    split_top_level(path, '.')
        .iter()
        .map(|k| unescape(k))
        .collect()
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn files_merge_deeply_later_wins_and_null_deletes() {
        let mut v = json!({"workerPools": {"general": {"replicas": 2, "labels": {}}}, "extraEnv": [{"name": "A"}]});
        merge(
            &mut v,
            json!({"workerPools": {"general": null, "gpu": {"labels": {"gpu": "true"}}}, "extraEnv": []}),
        );
        assert_eq!(
            v,
            json!({"workerPools": {"gpu": {"labels": {"gpu": "true"}}}, "extraEnv": []})
        );
    }

    #[test]
    fn set_types_scalars_like_helm() {
        let mut v = json!({});
        apply_set(
            &mut v,
            "ui.service.port=9090,a.b=true,a.c=007,a.d=1.5,a.e=null",
        )
        .unwrap();
        apply_set(&mut v, "config.envPassthrough={HTTP_PROXY,NO_PROXY}").unwrap();
        apply_set(&mut v, r"workerPools.gpu.labels.nvidia\.com/gpu=yes").unwrap();
        assert_eq!(
            v,
            json!({
                "ui": {"service": {"port": 9090}},
                "a": {"b": true, "c": "007", "d": "1.5", "e": null},
                "config": {"envPassthrough": ["HTTP_PROXY", "NO_PROXY"]},
                "workerPools": {"gpu": {"labels": {"nvidia.com/gpu": "yes"}}}
            })
        );
    }

    #[test]
    fn bad_set_arguments_are_errors() {
        let mut v = json!({});
        assert!(apply_set(&mut v, "novalue").is_err());
        assert!(apply_set(&mut v, "a..b=1").is_err());
        assert!(apply_set(&mut v, "extraEnv[0].name=A").is_err());
    }

    #[test]
    fn files_must_be_mappings() {
        assert_eq!(parse_file("v.yaml", b"# nothing\n").unwrap(), json!({}));
        assert!(parse_file("v.yaml", b"- a\n").is_err());
        assert!(parse_file("v.yaml", b"a: [\n")
            .unwrap_err()
            .to_string()
            .contains("v.yaml, line"));
    }
}
