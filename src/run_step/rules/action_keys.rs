//! An `action:` step (Dagu 2.x) takes its inputs under `with:` only: next to `action:`, the older execution
//! keys (`command`, `config`, `type`, `script`, `shell`, ...) and `run:` are refused, as Dagu's step
//! normaliser refuses them ("action cannot be used together with ..."). Paths are relative to the step. Error.

use serde_json::Value;

use super::{Findings, Path};

pub const ID: &str = "action_keys";

/// The step keys Dagu refuses next to `action:`, each with how to fix it.
const CONFLICTS: [(&str, &str); 15] = [
    ("command", "move it under `with:` as `with.command`"),
    ("config", "move the settings under `with:`"),
    (
        "type",
        "remove it: the action already names the executor (`type: k8s` is the older form)",
    ),
    ("run", "a step has either `run:` or `action:`, not both"),
    (
        "script",
        "Kubernetes steps run no script; put it in the image",
    ),
    (
        "shell",
        "Kubernetes steps run no shell; use `with.command: sh -c '...'`",
    ),
    ("shell_args", "Kubernetes steps run no shell; remove it"),
    ("shell_packages", "Kubernetes steps run no shell; remove it"),
    ("exec", "use `with.command`"),
    ("call", "remove it: `call:` runs a sub-DAG, not a Job"),
    (
        "params",
        "remove it: step `params:` belong to `call:` steps",
    ),
    ("llm", "remove it"),
    ("messages", "remove it"),
    ("routes", "remove it"),
    ("value", "remove it"),
];

pub fn check(step: &Value, out: &mut Findings) {
    let Some(action) = step.get("action") else {
        return;
    };
    let action = action
        .as_str()
        .map_or_else(|| action.to_string(), |a| a.trim().to_string());
    for (key, fix) in CONFLICTS {
        if step.get(key).is_some() {
            out.at(
                ID,
                &Path::root().key(key),
                format!("cannot be used together with `action: {action}`; {fix}"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::run;
    use serde_json::json;

    #[test]
    fn with_alone_is_valid() {
        let step = json!({"id": "s", "action": "k8s.run", "with": {"image": "a", "command": "true"},
            "depends": ["x"], "output": "OUT", "retry_policy": {"limit": 1}});
        assert!(run(super::check, step).is_empty());
        assert!(run(super::check, json!({"type": "k8s", "command": "x"})).is_empty());
    }

    #[test]
    fn every_older_execution_key_is_named_with_the_action() {
        for key in [
            "command",
            "config",
            "type",
            "script",
            "shell",
            "shell_args",
            "exec",
            "call",
            "params",
            "run",
        ] {
            let mut step = json!({"action": "kubernetes.run", "with": {"image": "a"}});
            step[key] = json!("x");
            let e = run(super::check, step);
            assert_eq!(e.len(), 1, "{key}: {e:?}");
            let want = format!("{key}: cannot be used together with `action: kubernetes.run`; ");
            assert!(e[0].starts_with(&want), "{e:?}");
        }
        let e = run(
            super::check,
            json!({"action": "k8s.run", "command": ["app", "migrate"]}),
        );
        assert_eq!(
            e,
            ["command: cannot be used together with `action: k8s.run`; move it under `with:` as `with.command`"]
        );
    }
}
