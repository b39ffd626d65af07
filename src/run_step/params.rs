//! `${NAME}` expansion in a step's command and config: `-p NAME=VALUE` first, then the DAG's `params`, then
//! the DAG's `env`, then the process environment. A name found nowhere is an error naming it: an empty string
//! substituted silently would run a different command than the one written.
//!
//! Only the braced form is expanded; `$NAME` is left as written (no shell runs in the container to expand it,
//! so it reaches the program literally, as with Kubernetes' own `command`).

use std::collections::BTreeMap;

use serde_json::Value;

/// Parameter sources in precedence order.
#[derive(Debug, Default, Clone)]
pub struct Params {
    pub cli: BTreeMap<String, String>,
    pub dag_params: BTreeMap<String, String>,
    pub dag_env: BTreeMap<String, String>,
    /// `None`: read the real process environment. Tests pass a fixed map.
    pub process_env: Option<BTreeMap<String, String>>,
}

/// Limit on `${A}` → `${B}` → ... chains inside DAG params/env values (a cycle would otherwise never end).
const MAX_DEPTH: usize = 8;

impl Params {
    fn raw(&self, name: &str) -> Option<String> {
        self.cli
            .get(name)
            .or_else(|| self.dag_params.get(name))
            .or_else(|| self.dag_env.get(name))
            .cloned()
            .or_else(|| match &self.process_env {
                Some(env) => env.get(name).cloned(),
                None => std::env::var(name).ok(),
            })
    }

    /// Expands every `${NAME}` in `text`; `Err(name)` for the first name that resolves nowhere.
    pub fn expand(&self, text: &str) -> Result<String, String> {
        self.expand_depth(text, 0)
    }

    fn expand_depth(&self, text: &str, depth: usize) -> Result<String, String> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                return Ok(out);
            };
            let name = &after[..end];
            if !is_name(name) {
                out.push_str(&rest[start..start + 2 + end + 1]);
            } else {
                let value = self.raw(name).ok_or_else(|| name.to_string())?;
                if depth < MAX_DEPTH && value.contains("${") {
                    out.push_str(&self.expand_depth(&value, depth + 1)?);
                } else {
                    out.push_str(&value);
                }
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// Expands every string inside `value`; returns the unresolved names with the path of the string.
    pub fn expand_value(
        &self,
        value: &mut Value,
        path: &super::diag::Path,
        unresolved: &mut Vec<(super::diag::Path, String)>,
    ) {
        match value {
            Value::String(s) => match self.expand(s) {
                Ok(new) => *s = new,
                Err(name) => unresolved.push((path.clone(), name)),
            },
            Value::Array(items) => {
                for (i, v) in items.iter_mut().enumerate() {
                    self.expand_value(v, &path.index(i), unresolved);
                }
            }
            Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    self.expand_value(v, &path.key(k), unresolved);
                }
            }
            _ => {}
        }
    }
}

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Parses `-p NAME=VALUE`.
pub fn parse_cli(arg: &str) -> Result<(String, String), String> {
    match arg.split_once('=') {
        Some((k, v)) if is_name(k) => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("expected NAME=VALUE, found {arg:?}")),
    }
}

/// Reads Dagu's `params:` / `env:` shapes: `"A=1 B=2"`, `[A=1, B=2]`, `[{A: 1}, {B: 2}]`, `{A: 1, B: 2}`,
/// and `[{name: A, default: 1}]`. Positional entries (no `=`) have no name and are skipped.
pub fn parse_pairs(value: &Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    match value {
        Value::String(s) => {
            for word in shell_words::split(s).unwrap_or_default() {
                if let Some((k, v)) = word.split_once('=') {
                    out.insert(k.to_string(), v.to_string());
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::String(s) => {
                        if let Some((k, v)) = s.split_once('=') {
                            out.insert(k.trim().to_string(), unquote(v.trim()));
                        }
                    }
                    Value::Object(map) if map.contains_key("name") => {
                        if let Some(name) = map.get("name").and_then(Value::as_str) {
                            let v = map.get("default").or_else(|| map.get("value"));
                            out.insert(name.to_string(), v.map(scalar).unwrap_or_default());
                        }
                    }
                    Value::Object(_) => out.extend(parse_pairs(item)),
                    _ => {}
                }
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                out.insert(k.clone(), scalar(v));
            }
        }
        _ => {}
    }
    out
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn unquote(s: &str) -> String {
    let t = s.strip_prefix('"').and_then(|t| t.strip_suffix('"'));
    t.unwrap_or(s).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params() -> Params {
        Params {
            cli: [("DATE".into(), "2026-01-01".into())].into(),
            dag_params: [("DATE".into(), "x".into()), ("REGION".into(), "eu".into())].into(),
            dag_env: [("HOME_DIR".into(), "/h/${REGION}".into())].into(),
            process_env: Some([("USER".into(), "me".into()), ("DATE".into(), "y".into())].into()),
        }
    }

    #[test]
    fn precedence_is_cli_then_params_then_env_then_process() {
        let p = params();
        assert_eq!(
            p.expand("--date ${DATE} ${REGION} ${USER}").unwrap(),
            "--date 2026-01-01 eu me"
        );
        assert_eq!(p.expand("${HOME_DIR}/x").unwrap(), "/h/eu/x");
    }

    #[test]
    fn unresolved_names_are_errors_and_other_dollars_stay() {
        let p = params();
        assert_eq!(p.expand("${NOPE}"), Err("NOPE".into()));
        assert_eq!(p.expand("$HOME ${1x} ${").unwrap(), "$HOME ${1x} ${");
    }

    #[test]
    fn dagu_param_shapes() {
        let want: BTreeMap<String, String> =
            [("A".into(), "1".into()), ("B".into(), "two words".into())].into();
        assert_eq!(parse_pairs(&json!("A=1 B=\"two words\" positional")), want);
        assert_eq!(parse_pairs(&json!(["A=1", "B=\"two words\""])), want);
        assert_eq!(parse_pairs(&json!([{"A": 1}, {"B": "two words"}])), want);
        assert_eq!(parse_pairs(&json!({"A": 1, "B": "two words"})), want);
        assert_eq!(
            parse_pairs(
                &json!([{"name": "A", "default": 1}, {"name": "B", "default": "two words"}])
            ),
            want
        );
    }

    #[test]
    fn cli_params_need_a_name() {
        assert_eq!(parse_cli("A=b=c").unwrap(), ("A".into(), "b=c".into()));
        assert!(parse_cli("=x").is_err());
        assert!(parse_cli("novalue").is_err());
    }
}
