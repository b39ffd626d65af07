//! A Dagu DAG file as generic YAML values: the root `kubernetes:` block, `params`, `env` and the steps.
//!
//! The DAG is read into untyped values so every later stage can name the exact field it complains about.
//! Only the Kubernetes config block is strict (see `schema`); other Dagu step keys (`output`, `preconditions`,
//! `retry_policy`, ...) belong to Dagu and are accepted as they are.

use anyhow::{bail, Context as _, Result};
use serde_json::Value;

/// The step types that run as a Kubernetes Job (the executor document's `type:` form).
pub const K8S_TYPES: [&str; 2] = ["k8s", "kubernetes"];
/// The actions that run as a Kubernetes Job (Dagu 2.x: `action: k8s.run`, settings and command under `with:`).
pub const K8S_ACTIONS: [&str; 2] = ["k8s.run", "kubernetes.run"];

/// A parsed DAG file.
#[derive(Debug, Clone)]
pub struct Dag {
    /// `name:` when set, else the file name without extension (what Dagu uses).
    pub name: String,
    pub root: Value,
    pub steps: Vec<Step>,
}

/// One entry of `steps:`.
#[derive(Debug, Clone)]
pub struct Step {
    pub index: usize,
    pub id: Option<String>,
    pub name: Option<String>,
    /// The step's map (a bare string step is `{command: STRING}`).
    pub value: Value,
}

impl Step {
    /// How paths and messages refer to the step: its id, else its name, else its position.
    pub fn label(&self) -> String {
        self.id
            .clone()
            .or_else(|| self.name.clone())
            .unwrap_or_else(|| format!("#{}", self.index))
    }

    /// `type:` of the step, when set.
    pub fn kind(&self) -> Option<&str> {
        self.value.get("type").and_then(Value::as_str)
    }

    /// Whether the step uses the `action:` form (set to anything: a non-string is not a Kubernetes action).
    pub fn is_action(&self) -> bool {
        is_action(&self.value)
    }

    /// `action:` of the step, trimmed, when it is a string.
    pub fn action(&self) -> Option<&str> {
        self.value
            .get("action")
            .and_then(Value::as_str)
            .map(str::trim)
    }

    pub fn is_k8s(&self) -> bool {
        if self.is_action() {
            self.action().is_some_and(|a| K8S_ACTIONS.contains(&a))
        } else {
            self.kind().is_some_and(|k| K8S_TYPES.contains(&k))
        }
    }

    /// How the step names its executor, with the key the file used: `action "k8s.run"`, `type "k8s"`.
    pub fn executor(&self) -> String {
        match (self.is_action(), self.action(), self.kind()) {
            (true, Some(a), _) => format!("action {a:?}"),
            (true, None, _) => format!("action {}", self.value["action"]),
            (false, _, Some(k)) => format!("type {k:?}"),
            (false, _, None) => "type \"command\" (the default)".into(),
        }
    }

    /// The key holding the step's executor settings and its value. `action:` steps: `with:` without its
    /// `command` (which is the step's command, not a setting). `type:` steps: `with:` (current Dagu) or
    /// `config:` (its older, deprecated name); a step that sets both is an error naming both keys.
    pub fn config(&self) -> Result<(&'static str, Option<Value>), String> {
        if self.is_action() {
            let mut with = self.value.get("with").cloned();
            if let Some(Value::Object(map)) = &mut with {
                map.remove("command");
            }
            return Ok(("with", with));
        }
        match (self.value.get("with"), self.value.get("config")) {
            (Some(_), Some(_)) => Err(format!(
                "{} sets both `with:` and `config:`; keep one (`config:` is the older name of `with:`)",
                self.prefix()
            )),
            (Some(with), None) => Ok(("with", Some(with.clone()))),
            (None, config) => Ok(("config", config.cloned())),
        }
    }

    /// Display prefix for paths inside this step, e.g. `steps[migrate]`.
    pub fn prefix(&self) -> String {
        format!("steps[{}]", self.label())
    }
}

/// Parses DAG YAML (the first document when the file holds several). `stem` is the fallback DAG name.
pub fn parse(text: &str, stem: &str) -> Result<Dag> {
    let docs: Vec<Value> =
        serde_saphyr::from_multiple(text).context("the DAG file is not valid YAML")?;
    let root = docs.into_iter().next().unwrap_or(Value::Null);
    if !root.is_object() {
        bail!("the DAG file must be a YAML map with a `steps:` list");
    }
    let name = root
        .get("name")
        .and_then(Value::as_str)
        .map_or_else(|| stem.to_string(), str::to_string);
    let steps = match root.get("steps") {
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| step(i, v, None))
            .collect(),
        Some(Value::Object(map)) => map
            .iter()
            .enumerate()
            .map(|(i, (k, v))| step(i, v, Some(k)))
            .collect(),
        _ => bail!("the DAG file has no `steps:` list"),
    };
    Ok(Dag { name, root, steps })
}

/// Whether a step map uses the `action:` form.
pub fn is_action(step: &Value) -> bool {
    step.get("action").is_some()
}

fn step(index: usize, value: &Value, key: Option<&String>) -> Step {
    let value = match value {
        Value::String(s) => serde_json::json!({ "command": s }),
        other => other.clone(),
    };
    let text = |k: &str| value.get(k).and_then(Value::as_str).map(str::to_string);
    Step {
        index,
        id: text("id"),
        name: text("name").or_else(|| key.cloned()),
        value,
    }
}

impl Dag {
    /// The step whose `id` is `wanted`, else whose `name` is; the error lists the available steps.
    pub fn find(&self, wanted: &str) -> Result<&Step, String> {
        self.steps
            .iter()
            .find(|s| s.id.as_deref() == Some(wanted))
            .or_else(|| {
                self.steps
                    .iter()
                    .find(|s| s.name.as_deref() == Some(wanted))
            })
            .ok_or_else(|| {
                let list: Vec<String> = self.steps.iter().map(describe).collect();
                format!(
                    "no step {wanted:?} in DAG {}; available steps:\n  {}",
                    self.name,
                    list.join("\n  ")
                )
            })
    }

    /// The DAG-level `kubernetes:` block.
    pub fn kubernetes(&self) -> Option<&Value> {
        self.root.get("kubernetes")
    }
}

/// One line per step for listings: `id (name) [type: k8s]` or `[action: k8s.run]`, the key the file used.
pub fn describe(step: &Step) -> String {
    let mut s = step.label();
    if let (Some(_), Some(name)) = (&step.id, &step.name) {
        s.push_str(&format!(" ({name})"));
    }
    s.push_str(&format!(" [{}]", kind_column(step)));
    s
}

/// `type: k8s`, `type: command` (the default) or `action: k8s.run`.
pub fn kind_column(step: &Step) -> String {
    if step.is_action() {
        let action = step
            .action()
            .map_or_else(|| step.value["action"].to_string(), str::to_string);
        format!("action: {action}")
    } else {
        format!("type: {}", step.kind().unwrap_or("command"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAG: &str = "
steps:
  - id: a
    name: first
    type: k8s
    config: {image: alpine:3.20}
  - name: b
    command: echo b
  - echo shorthand
  - id: e
    action: kubernetes.run
    with: {image: alpine:3.20, command: echo e}
  - id: f
    action: docker.run
";

    #[test]
    fn steps_are_found_by_id_then_name() {
        let dag = parse(DAG, "etl").unwrap();
        assert_eq!(dag.name, "etl");
        assert_eq!(dag.find("a").unwrap().index, 0);
        assert_eq!(dag.find("first").unwrap().index, 0);
        assert_eq!(dag.find("b").unwrap().index, 1);
        assert!(dag.find("a").unwrap().is_k8s());
        assert_eq!(dag.steps[2].value["command"], "echo shorthand");
    }

    #[test]
    fn action_steps_are_kubernetes_by_their_action_and_keep_command_out_of_the_settings() {
        let dag = parse(DAG, "etl").unwrap();
        let (e, f) = (dag.find("e").unwrap(), dag.find("f").unwrap());
        assert!(e.is_k8s() && !f.is_k8s());
        assert_eq!(e.executor(), "action \"kubernetes.run\"");
        assert_eq!(
            dag.find("b").unwrap().executor(),
            "type \"command\" (the default)"
        );
        let (key, with) = e.config().unwrap();
        assert_eq!(
            (key, with),
            ("with", Some(serde_json::json!({"image": "alpine:3.20"})))
        );
        // an action step is not a Kubernetes step because of a `type:` it also sets
        let both = parse("steps:\n  - {id: s, action: docker.run, type: k8s}\n", "x").unwrap();
        assert!(!both.steps[0].is_k8s());
    }

    #[test]
    fn unknown_step_lists_the_available_ones() {
        let err = parse(DAG, "etl").unwrap().find("zzz").unwrap_err();
        assert!(err.contains("a (first) [type: k8s]"), "{err}");
        assert!(err.contains("b [type: command]"), "{err}");
        assert!(err.contains("e [action: kubernetes.run]"), "{err}");
    }

    #[test]
    fn non_map_files_are_rejected() {
        assert!(parse("- a\n- b\n", "x").is_err());
        assert!(parse("name: x\n", "x").is_err());
        assert!(parse("steps: [\n", "x").is_err());
    }
}
