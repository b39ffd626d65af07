//! Helm post-renderer: enforce the Dagu chart's invariants on a rendered manifest stream.
//!
//! Data flows one way: stdin bytes → [`document`] (chunks with their exact bytes) → [`manifest`] (objects) →
//! [`context`] (values, release, fullname, namespace, Dagu components) → [`rules`] (findings: errors,
//! warnings, RFC 6902 fixes) → [`patch`] → [`render`] → stdout, written only when everything succeeded.
//! [`process`] is the whole pipeline as a pure function (tests and the fuzz target call it).

mod batched;
pub mod context;
pub mod document;
mod edit;
pub mod error;
pub mod facts;
pub mod lookup;
pub mod manifest;
pub mod model;
mod parallel;
pub mod patch;
mod pipeline;
pub mod profile;
pub mod render;
pub mod report;
pub mod rules;
mod run;
pub mod sink;
pub mod values;
pub mod yaml;

use std::path::PathBuf;

pub use pipeline::{
    process, process_batched, process_docs, process_whole, Error, Options, Outcome,
};

use crate::cli::GlobalArgs;
use crate::exit;
use crate::output;

/// Largest stream read from stdin (a 2,000-document rendering is about 5 MiB).
pub const MAX_STREAM_BYTES: u64 = 256 * 1024 * 1024;

/// Format of what goes to stdout.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// The enforced manifest stream (what helm installs).
    #[default]
    Yaml,
    /// The findings as JSON, including the RFC 6902 operations enforcement applies; no stream.
    Json,
}

const AFTER_HELP: &str = "\
Examples:
  helm install dagu dagu/dagu -f values.yaml --post-renderer kubectl-dagu \\
      --post-renderer-args=-f --post-renderer-args=values.yaml
  helm template dagu dagu/dagu -f values.yaml | kubectl-dagu -f values.yaml --check
  helm template dagu dagu/dagu | kubectl-dagu --diff --namespace dagu
  kubectl-dagu post-render --list-rules

Give kubectl-dagu the same -f/--set values as helm: helm passes no values,
release name or namespace to a post-renderer. Release, namespace and fullname
are inferred as each flag above says; the flags override.

Exit codes: 0 ok (stream written), 1 an invariant is violated (nothing
written) or --check/-o json found something, 2 unreadable input, values or
usage. See docs/post-render.md.";

/// Flags of `kubectl-dagu post-render` (also accepted with no subcommand).
#[derive(Debug, Clone, Default, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Values file given to helm (repeatable, later files win, deep-merged like helm). Example: -f values.yaml
    #[arg(short = 'f', long = "values", value_name = "FILE")]
    pub values: Vec<PathBuf>,
    /// Value given to helm with --set (repeatable, dotted path, applied after -f). Example: --set ui.service.port=9090
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Release name. Default: the app.kubernetes.io/instance label of the Dagu Deployments.
    #[arg(long, value_name = "NAME")]
    pub release: Option<String>,
    /// Release namespace (used in DAGU_COORDINATOR_ADVERTISE). Default: metadata.namespace of the Dagu
    /// Deployments, else the namespace in an existing DAGU_COORDINATOR_ADVERTISE; if none, a missing
    /// advertise address is an error asking for this flag.
    #[arg(
        long = "namespace",
        visible_alias = "release-namespace",
        value_name = "NS"
    )]
    pub namespace: Option<String>,
    /// The chart's <fullname>. Default: fullnameOverride from the values, else the chart's helper on the
    /// release name and nameOverride (default "dagu"), else the Dagu Deployments' names.
    #[arg(long, value_name = "NAME")]
    pub fullname: Option<String>,
    /// Accept a PVC without ReadWriteMany (like persistence.skipValidation=true).
    #[arg(long)]
    pub skip_validation: bool,
    /// Make upgrade-safety findings (version-bearing Deployment selectors) errors instead of warnings.
    #[arg(long)]
    pub strict: bool,
    /// Remove helm.sh/chart and app.kubernetes.io/version from Dagu Deployment selectors and the Services
    /// selecting those pods. For fresh installs: selectors are immutable, so an existing release needs those
    /// Deployments deleted (kubectl delete deployment NAME --cascade=orphan) before it can take the change.
    #[arg(long)]
    pub stable_selectors: bool,
    /// Change nothing, print nothing on stdout; exit 1 listing every finding if anything would change or is
    /// invalid, 0 otherwise.
    #[arg(long, conflicts_with_all = ["diff", "output"])]
    pub check: bool,
    /// Print a unified diff of what enforcement changes instead of the stream.
    #[arg(long, conflicts_with = "output")]
    pub diff: bool,
    /// Output: the enforced stream (yaml) or the findings as data (json; exit 1 if there are any).
    #[arg(short = 'o', long, value_enum, default_value_t = OutputFormat::Yaml)]
    pub output: OutputFormat,
    /// Check the stream as this Dagu chart version (e.g. 2.0.3) instead of the one its helm.sh/chart label names
    /// (or, without a label, the one its shape implies). See --list-rules for which rules each version gets.
    #[arg(long, value_name = "X.Y.Z")]
    pub chart_version: Option<semver::Version>,
    /// Print the rules (id, description, where each applies) in the order they run, and exit.
    #[arg(long)]
    pub list_rules: bool,
    /// Also write the report (findings, warnings, errors) to FILE, in every mode. Useful under Helm 4, which
    /// discards a post-renderer's stderr (as a Helm plugin the report also goes to the terminal).
    #[arg(long, value_name = "FILE", env = "KUBECTL_DAGU_REPORT")]
    pub report: Option<PathBuf>,
}

/// Reads values and stdin, runs the pipeline, writes the result; the report also goes to `--report` and, as a
/// Helm plugin, to the terminal.
pub fn run(args: &Args, _global: &GlobalArgs) -> anyhow::Result<u8> {
    let mut log = sink::Log::default();
    let result = run::execute(args, &mut log);
    if let Err(err) = &result {
        log.error(err);
    }
    let helm_plugin = std::env::var_os("HELM_PLUGIN_NAME").is_some_and(|v| !v.is_empty());
    if let Err(err) = sink::deliver(&log.lines, args.report.as_deref(), helm_plugin) {
        output::warning(&format!("{err:#}"));
    }
    // Printed here (each message of the chain once) rather than by the caller; a closed stdout still goes up.
    match result {
        Err(err) if !output::is_broken_pipe(&err) => {
            output::error(&sink::message(&err));
            Ok(exit::code_of(&err))
        }
        other => other,
    }
}
