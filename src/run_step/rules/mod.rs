//! Validation rules of the executor document, one file per rule family, named after the rule id errors print
//! (`[security_context] steps[migrate].config.security_context.run_as_user: must be >= 0, found -1`).
//!
//! Each rule is a pure function over the effective (merged) config; paths are relative to the config block and
//! are prefixed later with the layer the value came from. Unknown fields and wrong types are caught earlier
//! by `schema`, so rules read values with `as_*` and skip what has the wrong type.

use serde_json::Value;

use super::diag::{Findings, Path};

pub mod action_keys;
pub mod affinity;
pub mod cleanup_policy;
pub mod command_shape;
pub mod env;
pub mod env_from;
pub mod image_pull_policy;
pub mod image_required;
pub mod job_lifecycle;
pub mod label_syntax;
pub mod pod_failure_policy;
pub mod pod_security_context;
pub mod resources;
pub mod security_context;
pub mod tolerations;
pub mod volume_mounts;
pub mod volumes;

/// A rule over the effective config block.
pub struct Rule {
    pub id: &'static str,
    pub check: fn(&Value, &mut Findings),
}

/// Every config rule, in the order their findings are printed.
pub const RULES: &[Rule] = &[
    Rule {
        id: image_required::ID,
        check: image_required::check,
    },
    Rule {
        id: image_pull_policy::ID,
        check: image_pull_policy::check,
    },
    Rule {
        id: cleanup_policy::ID,
        check: cleanup_policy::check,
    },
    Rule {
        id: job_lifecycle::ID,
        check: job_lifecycle::check,
    },
    Rule {
        id: env::ID,
        check: env::check,
    },
    Rule {
        id: env_from::ID,
        check: env_from::check,
    },
    Rule {
        id: resources::ID,
        check: resources::check,
    },
    Rule {
        id: tolerations::ID,
        check: tolerations::check,
    },
    Rule {
        id: security_context::ID,
        check: security_context::check,
    },
    Rule {
        id: pod_security_context::ID,
        check: pod_security_context::check,
    },
    Rule {
        id: affinity::ID,
        check: affinity::check,
    },
    Rule {
        id: pod_failure_policy::ID,
        check: pod_failure_policy::check,
    },
    Rule {
        id: volumes::ID,
        check: volumes::check,
    },
    Rule {
        id: volume_mounts::ID,
        check: volume_mounts::check,
    },
    Rule {
        id: label_syntax::ID,
        check: label_syntax::check,
    },
];

/// Runs every config rule.
pub fn check_config(config: &Value) -> Findings {
    let mut out = Findings::default();
    for rule in RULES {
        (rule.check)(config, &mut out);
    }
    out
}

/// The items of the list at `key` of `v`, with their paths.
pub(crate) fn items<'a>(v: &'a Value, path: &Path, key: &str) -> Vec<(Path, &'a Value)> {
    let p = path.key(key);
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().enumerate().map(|(i, x)| (p.index(i), x)).collect())
        .unwrap_or_default()
}

/// Reports `key` of `v` when it is a negative integer.
pub(crate) fn non_negative(
    rule: &'static str,
    v: &Value,
    path: &Path,
    key: &str,
    out: &mut Findings,
) {
    if let Some(n) = v.get(key).and_then(Value::as_i64) {
        if n < 0 {
            out.at(rule, &path.key(key), format!("must be >= 0, found {n}"));
        }
    }
}

/// Whether `key` of `v` holds a non-empty scalar (the schema lets numbers and booleans stand for strings);
/// reports "required" otherwise.
pub(crate) fn required_str(
    rule: &'static str,
    v: &Value,
    path: &Path,
    key: &str,
    out: &mut Findings,
) -> bool {
    let ok = match v.get(key) {
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Number(_) | Value::Bool(_)) => true,
        _ => false,
    };
    if !ok {
        out.at(rule, &path.key(key), "is required and must not be empty");
    }
    ok
}

/// Which of `keys` are set in `v`.
pub(crate) fn present<'a>(v: &Value, keys: &[&'a str]) -> Vec<&'a str> {
    keys.iter()
        .copied()
        .filter(|k| v.get(*k).is_some_and(|x| !x.is_null()))
        .collect()
}

/// The one key of `sources` that `v` sets (non-null). None set reports `none`; several report the keys found.
pub(crate) fn one_source<'a>(
    rule: &'static str,
    v: &Value,
    path: &Path,
    sources: &[&'a str],
    none: &str,
    out: &mut Findings,
) -> Option<&'a str> {
    match present(v, sources)[..] {
        [source] => Some(source),
        [] => {
            out.at(rule, path, none);
            None
        }
        ref many => {
            let found = many.join(" and ");
            out.at(
                rule,
                path,
                format!("must define exactly one source, found {found}"),
            );
            None
        }
    }
}

#[cfg(test)]
pub(crate) fn run(check: fn(&Value, &mut Findings), v: Value) -> Vec<String> {
    let mut out = Findings::default();
    check(&v, &mut out);
    out.items
        .iter()
        .map(|f| format!("{}: {}", f.path, f.message))
        .collect()
}
