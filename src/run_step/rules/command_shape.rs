//! A Kubernetes step runs a single command: `script:`, a step-level `shell:` and multi-command `command:`
//! lists are rejected (executor document, "Command Behavior"). A string command is split into argv as a shell
//! would split words, without running a shell; a list is argv; no command keeps the image's entrypoint.
//! Paths here are relative to the step, not to its config block. Error.

use serde_json::Value;

use super::{Findings, Path};

pub const ID: &str = "command_shape";

/// The container's command, when the step sets one.
pub fn argv(step: &Value) -> Result<Option<Vec<String>>, String> {
    match step.get("command") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => shell_words::split(s)
            .map(Some)
            .map_err(|e| format!("cannot be split into words ({e}); check its quotes")),
        Some(Value::Array(items)) => {
            let words: Option<Vec<String>> = items.iter().map(scalar).collect();
            let words = words.ok_or("must be a list of strings (argv)")?;
            if words
                .first()
                .is_some_and(|w| w.split_whitespace().count() > 1)
            {
                return Err(format!(
                    "looks like a list of commands ({:?} is a whole command line); a Kubernetes step runs one \
                     command: write it as a string, or as argv like [python3, -c, 'print(1)']",
                    words[0]
                ));
            }
            Ok(Some(words))
        }
        Some(other) => Err(format!(
            "must be a string or a list of strings, found {}",
            super::super::diag::kind(other)
        )),
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub fn check(step: &Value, out: &mut Findings) {
    let root = Path::root();
    if step.get("script").is_some_and(|s| !s.is_null()) {
        out.at(ID, &root.key("script"), "is not supported by Kubernetes steps; put the script in the image, or use command: [sh, -c, '...']");
    }
    if step.get("shell").is_some_and(|s| !s.is_null()) {
        out.at(ID, &root.key("shell"), "is not supported by Kubernetes steps: no shell runs the command; use command: [sh, -c, '...']");
    }
    if let Err(e) = argv(step) {
        out.at(ID, &root.key("command"), e);
    }
}

#[cfg(test)]
mod tests {
    use super::super::run;
    use super::*;
    use serde_json::json;

    #[test]
    fn argv_splitting() {
        let cases = [
            (
                json!({"command": "echo \"hello from kubernetes\""}),
                Some(vec!["echo", "hello from kubernetes"]),
            ),
            (
                json!({"command": "sh -c 'echo $HOME; exit 3'"}),
                Some(vec!["sh", "-c", "echo $HOME; exit 3"]),
            ),
            (json!({"command": "a\\ b c"}), Some(vec!["a b", "c"])),
            (
                json!({"command": ["python3", "-c", "print(\"hello\")"]}),
                Some(vec!["python3", "-c", "print(\"hello\")"]),
            ),
            (
                json!({"command": ["app", "report", "--date", 5]}),
                Some(vec!["app", "report", "--date", "5"]),
            ),
            (json!({}), None),
        ];
        for (step, want) in cases {
            let want = want.map(|w| w.into_iter().map(String::from).collect::<Vec<_>>());
            assert_eq!(argv(&step).unwrap(), want, "{step}");
        }
        assert!(argv(&json!({"command": "echo 'unterminated"})).is_err());
    }

    #[test]
    fn single_command_steps_are_valid() {
        assert!(run(check, json!({"command": "echo hello"})).is_empty());
        assert!(run(check, json!({"command": ["echo", "hello"]})).is_empty());
    }

    #[test]
    fn script_shell_and_command_lists_are_rejected() {
        let e = run(
            check,
            json!({"script": "echo hi", "shell": "bash", "command": ["echo one", "echo two"]}),
        );
        assert_eq!(e.len(), 3, "{e:?}");
        assert!(e[0].starts_with("script: is not supported"));
        assert!(e[1].starts_with("shell: is not supported"));
        assert!(
            e[2].starts_with("command: looks like a list of commands (\"echo one\""),
            "{e:?}"
        );
    }
}
