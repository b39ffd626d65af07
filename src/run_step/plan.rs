//! From file contents to a validated, effective step config: the pure core of run-step.
//!
//! DAG → step → layers (base.yaml `kubernetes` — the global file, then the DAG's workspace file, combined as
//! plain maps —, DAG `kubernetes`, step `with`/`config`) each checked against the schema → merged → `${NAME}`
//! expanded → rules. Every problem is collected, each with the path of the layer
//! that set the offending value, so one run reports everything.

use std::collections::BTreeMap;

use serde_json::Value;

use super::dag::{self, Dag, Step};
use super::diag::{Finding, Findings, Path};
use super::params::{parse_pairs, Params};
use super::rules::{self, action_keys, cleanup_policy::Cleanup, command_shape};
use super::{merge, schema, workspace};

/// What the caller read from disk and the command line.
#[derive(Debug, Default, Clone)]
pub struct Inputs<'a> {
    pub dag_text: &'a str,
    /// The DAG file name without extension: the DAG's name unless it sets `name:`.
    pub dag_stem: &'a str,
    /// The base files, lowest first (global base.yaml, then the workspace's): (how to name it in messages,
    /// its text).
    pub bases: Vec<(String, String)>,
    pub step: &'a str,
    pub cli_params: BTreeMap<String, String>,
    /// `None`: the real process environment.
    pub process_env: Option<BTreeMap<String, String>>,
    /// Leave unresolved `${NAME}`s as written instead of reporting them (`--list` shows what it can).
    pub keep_unresolved: bool,
}

/// A validated step, ready to become a Job.
#[derive(Debug, Clone)]
pub struct Plan {
    pub dag: String,
    pub step: String,
    /// The effective config block (snake_case, merged, expanded, validated).
    pub config: Value,
    pub argv: Option<Vec<String>>,
    pub cleanup: Cleanup,
}

/// Why there is no plan; every variant is a usage error (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("failed to read {what}: {message}")]
    Input { what: String, message: String },
    #[error("{0}")]
    UnknownStep(String),
    #[error("step {step} has {executor}; run-step runs only Kubernetes steps: `action: k8s.run` or `action: kubernetes.run` (or the older `type: k8s` / `type: kubernetes`)")]
    NotKubernetes { step: String, executor: String },
    #[error("invalid config for step {step} ({} error{}):\n  {}", .errors.len(), if .errors.len() == 1 { "" } else { "s" }, .errors.join("\n  "))]
    Invalid { step: String, errors: Vec<String> },
}

/// One config layer and how its paths are printed.
struct Layer<'a> {
    prefix: String,
    value: &'a Value,
}

pub fn plan(inputs: &Inputs) -> Result<Plan, PlanError> {
    let dag = dag::parse(inputs.dag_text, inputs.dag_stem).map_err(|e| PlanError::Input {
        what: "the DAG file".into(),
        message: format!("{e:#}"),
    })?;
    let step = dag.find(inputs.step).map_err(PlanError::UnknownStep)?;
    if !step.is_k8s() {
        return Err(PlanError::NotKubernetes {
            step: step.label(),
            executor: step.executor(),
        });
    }
    let mut base_roots = Vec::new();
    for (name, text) in &inputs.bases {
        let root: Value = serde_saphyr::from_str(text).map_err(|e| PlanError::Input {
            what: name.clone(),
            message: e.to_string(),
        })?;
        base_roots.push((name, root));
    }
    let merged_base = base_roots.iter().fold(Value::Null, |acc, (_, root)| {
        workspace::merge_bases(&acc, root)
    });
    let null = Value::Null;
    let kubernetes = |root: &Value| root.get("kubernetes").cloned().unwrap_or(Value::Null);
    let (key, step_config) = step.config().map_err(|e| PlanError::Invalid {
        step: step.label(),
        errors: vec![format!("[config_key] {e}")],
    })?;
    let step_config = step_config.unwrap_or(Value::Null);
    let base_blocks: Vec<(String, Value)> = base_roots
        .iter()
        .rev()
        .map(|(n, root)| (format!("{n}: kubernetes"), kubernetes(root)))
        .collect();
    // Upper layer first: that is the order in which a path is attributed to a layer.
    let mut layers = vec![
        Layer {
            prefix: format!("{}.{key}", step.prefix()),
            value: &step_config,
        },
        Layer {
            prefix: "kubernetes".into(),
            value: dag.kubernetes().unwrap_or(&null),
        },
    ];
    layers.extend(base_blocks.iter().map(|(prefix, value)| Layer {
        prefix: prefix.clone(),
        value,
    }));
    let mut errors = Vec::new();
    for layer in &layers {
        let mut found = Findings::default();
        schema::check(layer.value, &schema::CONFIG, &Path::root(), &mut found);
        errors.extend(found.items.iter().map(|f| render(&layer.prefix, f)));
    }
    let mut step_found = Findings::default();
    action_keys::check(&step.value, &mut step_found);
    command_shape::check(&step.value, &mut step_found);
    errors.extend(step_found.items.iter().map(|f| render(&step.prefix(), f)));
    if !errors.is_empty() {
        return Err(PlanError::Invalid {
            step: step.label(),
            errors,
        });
    }

    let mut config = merge::layers(
        &kubernetes(&merged_base),
        dag.kubernetes().unwrap_or(&null),
        &step_config,
    );
    let params = params(&dag, inputs);
    let mut unresolved = Vec::new();
    params.expand_value(&mut config, &Path::root(), &mut unresolved);
    for (path, u) in unresolved.into_iter().filter(|_| !inputs.keep_unresolved) {
        errors.push(format!(
            "{}: ${{{}}} is not set; {}",
            locate(&layers, &path),
            u.reference,
            u.hint
        ));
    }
    let mut argv = command_shape::argv(&step.value).unwrap_or_default();
    for (i, word) in argv.iter_mut().flatten().enumerate() {
        match params.expand(word) {
            Ok(w) => *word = w,
            Err(_) if inputs.keep_unresolved => {}
            Err(u) => errors.push(format!(
                "{}.{}: ${{{}}} is not set (word {i}); {}",
                step.prefix(),
                command_shape::path(&step.value),
                u.reference,
                u.hint
            )),
        }
    }
    let found = rules::check_config(&config);
    errors.extend(
        found
            .items
            .iter()
            .map(|f| format!("[{}] {}: {}", f.rule, locate(&layers, &f.path), f.message)),
    );
    if !errors.is_empty() {
        return Err(PlanError::Invalid {
            step: step.label(),
            errors,
        });
    }
    Ok(Plan {
        dag: dag.name.clone(),
        step: step_name(step),
        cleanup: rules::cleanup_policy::of(&config),
        config,
        argv,
    })
}

fn step_name(step: &Step) -> String {
    step.id
        .clone()
        .or_else(|| step.name.clone())
        .unwrap_or_else(|| format!("step-{}", step.index))
}

fn params(dag: &Dag, inputs: &Inputs) -> Params {
    Params {
        cli: inputs.cli_params.clone(),
        dag_params: dag.root.get("params").map(parse_pairs).unwrap_or_default(),
        dag_env: dag.root.get("env").map(parse_pairs).unwrap_or_default(),
        dag_consts: dag.root.get("consts").map(parse_pairs).unwrap_or_default(),
        process_env: inputs.process_env.clone(),
    }
}

fn render(prefix: &str, f: &Finding) -> String {
    match f.path.0.is_empty() {
        true => format!("[{}] {prefix}: {}", f.rule, f.message),
        false => format!("[{}] {prefix}.{}: {}", f.rule, f.path, f.message),
    }
}

/// The full path of a config path: prefixed by the uppermost layer that holds the longest part of it.
fn locate(layers: &[Layer], path: &Path) -> String {
    for len in (1..=path.0.len()).rev() {
        let part = path.prefix(len);
        if let Some(layer) = layers.iter().find(|l| part.lookup(l.value).is_some()) {
            return format!("{}.{path}", layer.prefix);
        }
    }
    format!("{}.{path}", layers[0].prefix)
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_2x;
