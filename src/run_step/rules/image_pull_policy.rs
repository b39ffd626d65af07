//! `image_pull_policy` is Always, IfNotPresent or Never, matched case-insensitively (executor document:
//! "image_pull_policy is case-insensitive"); [`normalize`] gives the Kubernetes spelling. Error otherwise;
//! `fallback` (a Docker step policy since Dagu 2.x) gets its own message: Kubernetes has no equivalent.

use serde_json::Value;

use super::{Findings, Path};

pub const ID: &str = "image_pull_policy";
const POLICIES: [&str; 3] = ["Always", "IfNotPresent", "Never"];

/// The Kubernetes spelling of a policy written in any case.
pub fn normalize(policy: &str) -> Option<&'static str> {
    POLICIES
        .into_iter()
        .find(|p| p.eq_ignore_ascii_case(policy.trim()))
}

pub fn check(config: &Value, out: &mut Findings) {
    if let Some(p) = config.get(ID).and_then(Value::as_str) {
        if p.trim().eq_ignore_ascii_case("fallback") {
            out.at(
                ID,
                &Path::root().key(ID),
                "`fallback` is a Docker step policy and is not supported by Kubernetes steps: Kubernetes has no \
                 policy that tries the registry first and uses a local image only when the pull fails; use \
                 Always, IfNotPresent or Never",
            );
        } else if normalize(p).is_none() {
            out.at(
                ID,
                &Path::root().key(ID),
                format!("must be Always, IfNotPresent or Never, found {p:?}"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::run;
    use serde_json::json;

    #[test]
    fn any_case_is_accepted() {
        assert!(run(super::check, json!({"image_pull_policy": "ifnotpresent"})).is_empty());
        assert_eq!(super::normalize("NEVER"), Some("Never"));
    }

    #[test]
    fn fallback_is_rejected_by_name() {
        let e = run(super::check, json!({"image_pull_policy": "Fallback"}));
        assert_eq!(e.len(), 1);
        assert!(
            e[0].starts_with(
                "image_pull_policy: `fallback` is a Docker step policy and is not supported"
            ),
            "{e:?}"
        );
    }

    #[test]
    fn unknown_policy_is_rejected() {
        assert_eq!(
            run(super::check, json!({"image_pull_policy": "Sometimes"})),
            ["image_pull_policy: must be Always, IfNotPresent or Never, found \"Sometimes\""]
        );
    }
}
