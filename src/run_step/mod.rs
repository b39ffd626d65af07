//! `kubectl dagu run-step DAG STEP`: run one step of a Dagu DAG as a Kubernetes Job, the way Dagu's
//! Kubernetes executor would, stream its logs and exit with its exit code.
//!
//! Pure core (no I/O): [`dag`] → [`plan`] (schema, [`merge`], [`params`], [`rules`]) → [`job`]. Edges:
//! [`run`] creates and watches, [`logs`] streams, [`outcome`] decides, [`cleanup`] deletes.

pub mod bases;
pub mod cleanup;
pub mod compat;
pub mod dag;
pub mod diag;
pub mod fields;
pub mod job;
pub mod list;
pub mod logs;
pub mod merge;
pub mod outcome;
pub mod params;
pub mod plan;
pub mod rules;
pub mod run;
pub mod schema;
pub mod status;
pub mod watch;
pub mod workspace;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;

use crate::cli::GlobalArgs;
use crate::exit;
use crate::kube_client::KubeArgs;

const AFTER_HELP: &str = "\
Examples:
  kubectl dagu run-step etl.yaml migrate                       run step `migrate` (matched by id, then name)
  kubectl dagu run-step etl.yaml report -p DATE=2026-03-31     expand ${DATE} in the step's command/config
  kubectl dagu run-step etl.yaml report --dry-run -o json      print the Job, touch no cluster
  kubectl dagu run-step etl.yaml migrate --timeout 10m -n batch
  kubectl dagu run-step --list etl.yaml                        list the steps and the images they would run

Steps: `action: k8s.run` / `action: kubernetes.run` with settings and `command` under `with:` (Dagu 2.x),
or the older `type: k8s` / `type: kubernetes` with `config:` and a step-level `command`.

Config layers: base.yaml `kubernetes:` → the workspace's base.yaml (a DAG labelled workspace=NAME:
DAGS_DIR/workspaces/NAME/base.yaml) → DAG `kubernetes:` → the step's `with:` (see docs/run-step.md).
`-v` logs which base files were merged, in order.

Exit codes: the step container's exit code; 1 the Job failed without one (DeadlineExceeded,
BackoffLimitExceeded, image pull error, missing Secret/ConfigMap, unschedulable); 2 invalid DAG or config;
3 cluster/API error; 124 --timeout; 130 SIGINT; 143 SIGTERM (the Job and its pods are deleted first).";

/// Output format of `--dry-run`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    #[default]
    Yaml,
    Json,
}

#[derive(Debug, Clone, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// The Dagu DAG file
    #[arg(value_name = "DAG_FILE")]
    pub dag_file: PathBuf,
    /// The step to run: its `id`, else its `name`
    #[arg(value_name = "STEP", required_unless_present = "list")]
    pub step: Option<String>,
    /// List the DAG's steps (Kubernetes steps with the image they would run) instead of running one
    #[arg(long, conflicts_with_all = ["dry_run", "output"])]
    pub list: bool,
    /// base.yaml whose `kubernetes:` block is the lowest config layer [default: $DAGU_BASE_CONFIG, else
    /// paths.base_config of the Dagu config, else $DAGU_HOME/base.yaml, if it exists]
    #[arg(long, value_name = "FILE")]
    pub base: Option<PathBuf>,
    /// Dagu's DAGs directory, for workspace base configs (DIR/workspaces/NAME/base.yaml) [default:
    /// $DAGU_DAGS_DIR, else paths.dags_dir of the Dagu config, else $DAGU_HOME/dags]
    #[arg(long, value_name = "DIR")]
    pub dags_dir: Option<PathBuf>,
    /// Dagu's config file, read for paths.dags_dir and paths.base_config [default: $DAGU_HOME/config.yaml
    /// if it exists]
    #[arg(long, value_name = "FILE")]
    pub dagu_config: Option<PathBuf>,
    /// Set parameter NAME for ${NAME} and ${params.NAME} in the step's command and config (repeatable;
    /// wins over params/env), or a value only a DAG run has: -p steps.ID.outputs.NAME=VALUE
    #[arg(short = 'p', long = "param", value_name = "NAME=VALUE", value_parser = params::parse_cli)]
    pub params: Vec<(String, String)>,
    /// Print the Job that would be created and exit; needs no cluster
    #[arg(long)]
    pub dry_run: bool,
    /// Output format of --dry-run
    #[arg(
        short = 'o',
        long,
        value_enum,
        value_name = "FORMAT",
        requires = "dry_run"
    )]
    pub output: Option<Format>,
    /// Give up after DURATION (e.g. 90s, 10m, 1h30m): delete the Job and its pods, exit 124
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,
    /// How long a pod may stay Unschedulable before run-step gives up (a cluster autoscaler may add a node)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "60s")]
    pub schedule_timeout: Duration,
    /// Refuse to run when the API server would silently drop a configured field (pod_failure_policy before
    /// Kubernetes 1.26, ttl_after_finished before 1.21) instead of warning
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub kube: Box<KubeArgs>,
}

pub fn run(args: &Args, global: &GlobalArgs) -> anyhow::Result<u8> {
    let _ = global;
    let dag_text = std::fs::read_to_string(&args.dag_file)
        .with_context(|| format!("failed to read DAG file {}", args.dag_file.display()))
        .map_err(|e| exit::with_code(exit::USAGE, e))?;
    let stem = args
        .dag_file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    // A DAG that does not parse has no workspace; plan() reports the parse error itself.
    let dag_root = dag::parse(&dag_text, &stem).map_or(serde_json::Value::Null, |d| d.root);
    let sources = bases::Sources::from_env(
        args.base.clone(),
        args.dags_dir.clone(),
        args.dagu_config.clone(),
    );
    let bases = bases::load(&sources, &dag_root).map_err(|e| exit::with_code(exit::USAGE, e))?;
    let inputs = plan::Inputs {
        dag_text: &dag_text,
        dag_stem: &stem,
        bases,
        step: args.step.as_deref().unwrap_or_default(),
        cli_params: args.params.iter().cloned().collect::<BTreeMap<_, _>>(),
        process_env: None,
        keep_unresolved: false,
    };
    if args.list {
        let table = list::list(&inputs).map_err(|e| exit::with_code(exit::USAGE, e))?;
        use std::io::Write as _;
        std::io::stdout().write_all(table.as_bytes())?;
        return Ok(exit::SUCCESS);
    }
    let plan = plan::plan(&inputs).map_err(|e| exit::with_code(exit::USAGE, e))?;
    let namespace = args
        .kube
        .namespace
        .clone()
        .or_else(|| {
            plan.config
                .get("namespace")
                .and_then(|v| v.as_str())
                .map(str::to_string)
        })
        .unwrap_or_else(|| "default".into());
    if args.dry_run {
        let job =
            job::build(&plan, &namespace, None).map_err(|e| exit::with_code(exit::USAGE, e))?;
        let text = match args.output.unwrap_or_default() {
            Format::Yaml => {
                serde_saphyr::to_string(&job).context("failed to render the Job as YAML")?
            }
            Format::Json => serde_json::to_string_pretty(&job)? + "\n",
        };
        use std::io::Write as _;
        std::io::stdout().write_all(text.as_bytes())?;
        return Ok(exit::SUCCESS);
    }
    run::execute(args, &plan, &namespace)
}

/// `90`, `90s`, `10m`, `1h30m`, `500ms`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let err = || format!("invalid duration {text:?}: use e.g. 90s, 10m, 1h30m");
    let t = text.trim();
    if let Ok(secs) = t.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    let mut total = Duration::ZERO;
    let mut rest = t;
    while !rest.is_empty() {
        let n_len = rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(err)?;
        let n: u64 = rest[..n_len].parse().map_err(|_| err())?;
        rest = &rest[n_len..];
        let u_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        total += match &rest[..u_len] {
            "ms" => Duration::from_millis(n),
            "s" => Duration::from_secs(n),
            "m" => Duration::from_secs(n * 60),
            "h" => Duration::from_secs(n * 3600),
            _ => return Err(err()),
        };
        rest = &rest[u_len..];
    }
    if t.is_empty() {
        Err(err())
    } else {
        Ok(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert!(parse_duration("").is_err());
        assert!(parse_duration("5x").is_err());
        assert!(parse_duration("m").is_err());
    }
}
