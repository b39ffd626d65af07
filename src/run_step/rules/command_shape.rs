//! A Kubernetes step runs a single command: `script:`, a step-level `shell:` and multi-command `command:`
//! lists are rejected (executor document, "Command Behavior"). A string command is split into argv as a shell
//! would split words, without running a shell; no command keeps the image's entrypoint. `type:` steps (the
//! executor document): a list is argv. `action:` steps (Dagu 2.x, `with.command`): a list is several commands,
//! so only a one-item list is accepted, and a multi-line string is a script (both as Dagu reads them).
//! Paths here are relative to the step, not to its config block. Error.

use serde_json::Value;

use super::super::dag::is_action;
use super::super::diag::kind;
use super::{Findings, Path};

pub const ID: &str = "command_shape";

/// Where the step's command is: `with.command` for `action:` steps, else `command`.
pub fn path(step: &Value) -> Path {
    if is_action(step) {
        Path::root().key("with").key("command")
    } else {
        Path::root().key("command")
    }
}

/// The container's command, when the step sets one.
pub fn argv(step: &Value) -> Result<Option<Vec<String>>, String> {
    if is_action(step) {
        return action_argv(step.get("with").and_then(|w| w.get("command")));
    }
    match step.get("command") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => split(s).map(Some),
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
            kind(other)
        )),
    }
}

/// `with.command` read as Dagu reads a step command: a string is one command (several lines: a script), a
/// list is one command per non-empty item.
fn action_argv(command: Option<&Value>) -> Result<Option<Vec<String>>, String> {
    let items = match command {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) => return one_command(s).map(Some),
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(format!(
                "must be a string (one command line), found {}",
                kind(other)
            ))
        }
    };
    let mut commands = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let line = match item {
            // `- echo a: b` is YAML for a one-key map; Dagu reads it back as the line it was meant to be.
            Value::Object(m) if m.len() == 1 => m
                .iter()
                .next()
                .and_then(|(k, v)| scalar(v).map(|v| format!("{k}: {v}"))),
            other => scalar(other),
        }
        .ok_or_else(|| {
            format!(
                "item {i} must be a string (a command line), found {}",
                kind(item)
            )
        })?;
        if !line.trim().is_empty() {
            commands.push(line.trim().to_string());
        }
    }
    match &commands[..] {
        [] => Err("is an empty list; remove it to run the image's own entrypoint".into()),
        [one] => split(one).map(Some),
        [first, ..] => Err(format!(
            "is a list of {} commands (in Dagu each item of a command list is a separate command); a \
             Kubernetes step runs one command: write it as one string, e.g. `command: {first}`, or join them \
             with `command: sh -c '...'`",
            commands.len()
        )),
    }
}

fn one_command(raw: &str) -> Result<Vec<String>, String> {
    if raw.trim().is_empty() {
        return Err("is empty; remove it to run the image's own entrypoint".into());
    }
    if raw.contains('\n') {
        return Err("is a multi-line string, which Dagu runs as a script; Kubernetes steps do not support \
                    scripts: put the script in the image, or use one line such as `sh -c '...'` (a `|` block \
                    keeps its final newline: write a plain string or use `>-`)"
            .into());
    }
    split(raw.trim())
}

fn split(line: &str) -> Result<Vec<String>, String> {
    shell_words::split(line)
        .map_err(|e| format!("cannot be split into words ({e}); check its quotes"))
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
    if let Err(e) = argv(step) {
        out.at(ID, &path(step), e);
    }
    if is_action(step) {
        return; // script: and shell: next to action: are `action_keys` errors
    }
    let root = Path::root();
    if step.get("script").is_some_and(|s| !s.is_null()) {
        out.at(ID, &root.key("script"), "is not supported by Kubernetes steps; put the script in the image, or use command: [sh, -c, '...']");
    }
    if step.get("shell").is_some_and(|s| !s.is_null()) {
        out.at(ID, &root.key("shell"), "is not supported by Kubernetes steps: no shell runs the command; use command: [sh, -c, '...']");
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
        assert!(
            e[0].starts_with("command: looks like a list of commands (\"echo one\""),
            "{e:?}"
        );
        assert!(e[1].starts_with("script: is not supported"));
        assert!(e[2].starts_with("shell: is not supported"));
    }

    fn with_command(command: Value) -> Value {
        json!({"action": "k8s.run", "with": {"image": "a", "command": command}})
    }

    #[test]
    fn with_command_is_one_command_line() {
        let words = |w: &[&str]| Some(w.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        let cases = [
            (json!("app migrate"), words(&["app", "migrate"])),
            (
                json!("python3 -c 'print(\"hello\")'"),
                words(&["python3", "-c", "print(\"hello\")"]),
            ),
            (json!(["app migrate"]), words(&["app", "migrate"])),
            (json!(["", "app migrate", " "]), words(&["app", "migrate"])),
            (json!([{"echo a": "b"}]), words(&["echo", "a:", "b"])),
            (json!(null), None),
        ];
        for (command, want) in cases {
            assert_eq!(
                argv(&with_command(command.clone())).unwrap(),
                want,
                "{command}"
            );
        }
        assert_eq!(argv(&json!({"action": "k8s.run"})).unwrap(), None);
        assert_eq!(path(&with_command(json!("x"))).to_string(), "with.command");
    }

    #[test]
    fn with_command_lists_scripts_and_empty_commands_are_rejected() {
        let cases = [
            (
                json!(["echo one", "echo two"]),
                "with.command: is a list of 2 commands",
            ),
            (
                json!(["python3", "-c", "print(1)"]),
                "with.command: is a list of 3 commands",
            ),
            (
                json!("echo one\necho two\n"),
                "with.command: is a multi-line string, which Dagu runs as a script",
            ),
            (
                json!("app migrate\n"),
                "with.command: is a multi-line string",
            ),
            (json!(""), "with.command: is empty"),
            (json!([]), "with.command: is an empty list"),
            (
                json!({"a": 1}),
                "with.command: must be a string (one command line), found a map",
            ),
            (json!([["a"]]), "with.command: item 0 must be a string"),
        ];
        for (command, want) in cases {
            let e = run(check, with_command(command.clone()));
            assert_eq!(e.len(), 1, "{command}: {e:?}");
            assert!(e[0].starts_with(want), "{command}: {e:?}");
        }
    }

    #[test]
    fn legacy_type_steps_keep_argv_lists() {
        let step = json!({"type": "k8s", "command": ["app", "migrate"]});
        assert_eq!(
            argv(&step).unwrap(),
            Some(vec!["app".to_string(), "migrate".into()])
        );
        assert_eq!(path(&step).to_string(), "command");
    }
}
