//! Pod `pod_security_context`: `run_as_user`, `run_as_group`, `fs_group` and every `supplemental_groups`
//! entry >= 0, `fs_group_change_policy` Always or OnRootMismatch, sysctls with non-empty name and value,
//! seccomp as for `security_context` (executor document, "Pod Security Context"). Error.

use serde_json::Value;

use super::{items, non_negative, required_str, security_context::seccomp, Findings, Path};

pub const ID: &str = "pod_security_context";

pub fn check(config: &Value, out: &mut Findings) {
    let Some(psc) = config.get(ID) else { return };
    let p = Path::root().key(ID);
    for field in ["run_as_user", "run_as_group", "fs_group"] {
        non_negative(ID, psc, &p, field, out);
    }
    let groups = psc.get("supplemental_groups").and_then(Value::as_array);
    for (i, g) in groups.into_iter().flatten().enumerate() {
        if let Some(n) = g.as_i64().filter(|n| *n < 0) {
            out.at(
                ID,
                &p.key("supplemental_groups").index(i),
                format!("must be >= 0, found {n}"),
            );
        }
    }
    if let Some(policy) = psc.get("fs_group_change_policy").and_then(Value::as_str) {
        if !["Always", "OnRootMismatch"].contains(&policy) {
            out.at(
                ID,
                &p.key("fs_group_change_policy"),
                format!("must be Always or OnRootMismatch, found {policy:?}"),
            );
        }
    }
    for (sp, sysctl) in items(psc, &p, "sysctls") {
        required_str(ID, sysctl, &sp, "name", out);
        required_str(ID, sysctl, &sp, "value", out);
    }
    seccomp(ID, psc, &p, out);
}

#[cfg(test)]
mod tests {
    use super::super::run;
    use serde_json::json;

    #[test]
    fn documented_example_is_valid() {
        let v = json!({"pod_security_context": {"run_as_user": 1000, "fs_group": 2000,
            "fs_group_change_policy": "OnRootMismatch", "supplemental_groups": [3000, 4000],
            "sysctls": [{"name": "net.ipv4.ip_unprivileged_port_start", "value": "0"}],
            "seccomp_profile": {"type": "RuntimeDefault"}}});
        assert!(run(super::check, v).is_empty());
    }

    #[test]
    fn invalid_values_are_reported() {
        let v = json!({"pod_security_context": {"fs_group": -1, "supplemental_groups": [1, -5],
            "fs_group_change_policy": "Sometimes", "sysctls": [{"name": "a"}],
            "seccomp_profile": {"type": "Unconfined", "localhost_profile": "x"}}});
        assert_eq!(
            run(super::check, v),
            [
                "pod_security_context.fs_group: must be >= 0, found -1",
                "pod_security_context.supplemental_groups[1]: must be >= 0, found -5",
                "pod_security_context.fs_group_change_policy: must be Always or OnRootMismatch, found \"Sometimes\"",
                "pod_security_context.sysctls[0].value: is required and must not be empty",
                "pod_security_context.seccomp_profile.localhost_profile: is only allowed when type is Localhost",
            ]
        );
    }
}
