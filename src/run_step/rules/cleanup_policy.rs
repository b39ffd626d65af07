//! `cleanup_policy` is `delete` (default: the Job goes after completion) or `keep` (executor document,
//! "Logging and Cleanup"). Error otherwise.

use serde_json::Value;

use super::{Findings, Path};

pub const ID: &str = "cleanup_policy";

/// Whether the Job is deleted after a normal end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Cleanup {
    #[default]
    Delete,
    Keep,
}

/// The policy of a validated config.
pub fn of(config: &Value) -> Cleanup {
    match config.get(ID).and_then(Value::as_str) {
        Some(p) if p.eq_ignore_ascii_case("keep") => Cleanup::Keep,
        _ => Cleanup::Delete,
    }
}

pub fn check(config: &Value, out: &mut Findings) {
    if let Some(p) = config.get(ID).and_then(Value::as_str) {
        if !p.eq_ignore_ascii_case("delete") && !p.eq_ignore_ascii_case("keep") {
            out.at(
                ID,
                &Path::root().key(ID),
                format!("must be delete or keep, found {p:?}"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::run;
    use super::*;
    use serde_json::json;

    #[test]
    fn delete_and_keep_are_accepted() {
        assert!(run(check, json!({"cleanup_policy": "keep"})).is_empty());
        assert_eq!(of(&json!({"cleanup_policy": "keep"})), Cleanup::Keep);
        assert_eq!(of(&json!({})), Cleanup::Delete);
    }

    #[test]
    fn other_values_are_rejected() {
        assert_eq!(
            run(check, json!({"cleanup_policy": "never"})),
            ["cleanup_policy: must be delete or keep, found \"never\""]
        );
    }
}
