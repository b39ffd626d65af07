//! `${NAME}` expansion in a step's command and config: `-p NAME=VALUE` first, then the DAG's `params`, then
//! the DAG's `env`, then the process environment. A name found nowhere is an error naming it: an empty string
//! substituted silently would run a different command than the one written.
//!
//! Dagu 2.x's scoped references too: `${params.NAME}` (`-p`, then `params`), `${env.NAME}` (as `${NAME}`: Dagu
//! exports params into the env scope), `${consts.NAME}` (the DAG's `consts`). References to what only a run
//! knows (`${steps.ID.outputs.NAME}`, `${context.run.id}`, `${foreach...}`, `${inputs...}`, `${outputs...}`)
//! are errors unless `-p` gives them by their whole name (`-p steps.build.outputs.tag=v1`); other dotted forms
//! stay as written, as Dagu leaves them.
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
    pub dag_consts: BTreeMap<String, String>,
    /// `None`: read the real process environment. Tests pass a fixed map.
    pub process_env: Option<BTreeMap<String, String>>,
}

/// A `${...}` that resolves nowhere: what the braces hold, and how to give it a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved {
    pub reference: String,
    pub hint: String,
}

/// Scopes whose values exist only in a run of the whole DAG.
const RUNTIME_SCOPES: &[&str] = &["steps", "context", "foreach", "inputs", "outputs"];

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

    /// The value of the reference `expr` (inside `${}`); `Ok(None)`: not a reference, left as written.
    fn lookup(&self, expr: &str) -> Result<Option<String>, Unresolved> {
        let missing = |hint: String| Unresolved {
            reference: expr.to_string(),
            hint,
        };
        if expr == "params" && self.raw(expr).is_none() {
            return Ok(None); // Dagu's aggregate `${params}` (JSON of every param): left as written
        }
        if is_name(expr) {
            let hint = format!("pass -p {expr}=VALUE or define it in params/env");
            return self.raw(expr).map(Some).ok_or_else(|| missing(hint));
        }
        if !is_reference(expr) {
            return Ok(None);
        }
        if let Some(v) = self.cli.get(expr) {
            return Ok(Some(v.clone()));
        }
        let segments: Vec<&str> = expr.split('.').collect();
        let found = match segments.as_slice() {
            ["params", name] => self.cli.get(*name).or_else(|| self.dag_params.get(*name)).cloned(),
            ["env", name] => self.raw(name),
            ["consts", name] => self.dag_consts.get(*name).cloned(),
            [scope, ..] if RUNTIME_SCOPES.contains(scope) => {
                return Err(missing(format!(
                    "it is known only in a run of the whole DAG, and run-step runs one step alone: pass \
                     -p {expr}=VALUE"
                )))
            }
            _ => return Ok(None),
        };
        let hint = match segments[0] {
            "params" => format!("pass -p {}=VALUE or define it in params", segments[1]),
            "env" => format!("define {} in env or export it", segments[1]),
            _ => format!("define {} in consts", segments[1]),
        };
        found.map(Some).ok_or_else(|| missing(hint))
    }

    /// Expands every `${NAME}` (and scoped reference) in `text`; `Err` for the first that resolves nowhere.
    pub fn expand(&self, text: &str) -> Result<String, Unresolved> {
        self.expand_depth(text, 0)
    }

    fn expand_depth(&self, text: &str, depth: usize) -> Result<String, Unresolved> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                return Ok(out);
            };
            match self.lookup(after[..end].trim())? {
                None => out.push_str(&rest[start..start + 2 + end + 1]),
                Some(value) if depth < MAX_DEPTH && value.contains("${") => {
                    out.push_str(&self.expand_depth(&value, depth + 1)?)
                }
                Some(value) => out.push_str(&value),
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
        unresolved: &mut Vec<(super::diag::Path, Unresolved)>,
    ) {
        match value {
            Value::String(s) => match self.expand(s) {
                Ok(new) => *s = new,
                Err(u) => unresolved.push((path.clone(), u)),
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

/// `a.b.c`: dotted names, as Dagu's scoped references are written.
fn is_reference(s: &str) -> bool {
    s.contains('.') && s.split('.').all(is_name)
}

/// Parses `-p NAME=VALUE` (or `-p steps.ID.outputs.NAME=VALUE`, a value a run would have given).
pub fn parse_cli(arg: &str) -> Result<(String, String), String> {
    match arg.split_once('=') {
        Some((k, v)) if is_name(k) || is_reference(k) => Ok((k.to_string(), v.to_string())),
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
mod tests;
