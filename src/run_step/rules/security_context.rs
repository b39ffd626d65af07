//! Container `security_context`: `run_as_user` / `run_as_group` >= 0, capabilities are non-empty strings,
//! `seccomp_profile.type` is RuntimeDefault, Unconfined or Localhost and `localhost_profile` is required
//! exactly when the type is Localhost (executor document, "Security Context"). Error.

use serde_json::Value;

use super::{non_negative, Findings, Path};

pub const ID: &str = "security_context";

pub fn check(config: &Value, out: &mut Findings) {
    let Some(sc) = config.get(ID) else { return };
    let p = Path::root().key(ID);
    for field in ["run_as_user", "run_as_group"] {
        non_negative(ID, sc, &p, field, out);
    }
    for list in ["add", "drop"] {
        let lp = p.key("capabilities").key(list);
        let caps = sc
            .get("capabilities")
            .and_then(|c| c.get(list))
            .and_then(Value::as_array);
        for (i, cap) in caps.into_iter().flatten().enumerate() {
            if cap.as_str().is_none_or(|s| s.trim().is_empty()) {
                out.at(
                    ID,
                    &lp.index(i),
                    "must be a non-empty capability name such as NET_ADMIN or ALL",
                );
            }
        }
    }
    seccomp(ID, sc, &p, out);
}

/// The seccomp rules shared with `pod_security_context`.
pub fn seccomp(rule: &'static str, ctx: &Value, path: &Path, out: &mut Findings) {
    let Some(profile) = ctx.get("seccomp_profile") else {
        return;
    };
    let p = path.key("seccomp_profile");
    let kind = profile.get("type").and_then(Value::as_str);
    let local = profile.get("localhost_profile").and_then(Value::as_str);
    match kind {
        Some("Localhost") if local.is_none_or(|s| s.trim().is_empty()) => out.at(
            rule,
            &p.key("localhost_profile"),
            "is required when type is Localhost",
        ),
        Some("Localhost") => {}
        Some("RuntimeDefault" | "Unconfined") if local.is_some() => out.at(
            rule,
            &p.key("localhost_profile"),
            "is only allowed when type is Localhost",
        ),
        Some("RuntimeDefault" | "Unconfined") => {}
        Some(other) => out.at(
            rule,
            &p.key("type"),
            format!("must be RuntimeDefault, Unconfined or Localhost, found {other:?}"),
        ),
        None => out.at(
            rule,
            &p.key("type"),
            "is required (RuntimeDefault, Unconfined or Localhost)",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::run;
    use serde_json::json;

    #[test]
    fn documented_example_is_valid() {
        let v = json!({"security_context": {"run_as_user": 1000, "run_as_group": 1000, "run_as_non_root": true,
            "capabilities": {"drop": ["ALL"]}, "seccomp_profile": {"type": "RuntimeDefault"}}});
        assert!(run(super::check, v).is_empty());
        let v = json!({"security_context": {"seccomp_profile": {"type": "Localhost", "localhost_profile": "p.json"}}});
        assert!(run(super::check, v).is_empty());
    }

    #[test]
    fn invalid_values_are_reported() {
        let v = json!({"security_context": {"run_as_user": -1, "run_as_group": -2,
            "capabilities": {"add": [""]}, "seccomp_profile": {"type": "Localhost"}}});
        assert_eq!(
            run(super::check, v),
            [
                "security_context.run_as_user: must be >= 0, found -1",
                "security_context.run_as_group: must be >= 0, found -2",
                "security_context.capabilities.add[0]: must be a non-empty capability name such as NET_ADMIN or ALL",
                "security_context.seccomp_profile.localhost_profile: is required when type is Localhost",
            ]
        );
        let v = json!({"security_context": {"seccomp_profile": {"type": "Strict"}}});
        assert_eq!(
            run(super::check, v),
            ["security_context.seccomp_profile.type: must be RuntimeDefault, Unconfined or Localhost, found \"Strict\""]
        );
    }
}
