//! Helm post-renderer: enforce the Dagu chart's invariants on a rendered manifest stream.
//!
//! Data flows one way: stdin bytes → [`document`] (chunks with their exact bytes) → [`manifest`] (objects) →
//! [`context`] (values, release, fullname, namespace, Dagu components) → [`rules`] (findings: errors,
//! warnings, RFC 6902 fixes) → [`patch`] → [`render`] → stdout, written only when everything succeeded.
//! [`process`] is the whole pipeline as a pure function (tests and the fuzz target call it).

pub mod context;
pub mod document;
pub mod error;
pub mod manifest;
pub mod model;
pub mod patch;
mod pipeline;
pub mod profile;
pub mod render;
pub mod report;
pub mod rules;
pub mod sink;
pub mod values;
pub mod yaml;

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;

use anyhow::Context as _;
use serde_json::{Map, Value};

pub use pipeline::{process, Error, Options, Outcome};

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
    /// Print the rules (id and description) in the order they run, and exit.
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
    let result = execute(args, &mut log);
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

fn execute(args: &Args, log: &mut sink::Log) -> anyhow::Result<u8> {
    if args.list_rules {
        print!("{}", rules::list());
        return Ok(exit::SUCCESS);
    }
    let options = Options {
        values: load_values(args).map_err(|e| exit::with_code(exit::USAGE, e))?,
        overrides: context::Overrides {
            release: args.release.clone(),
            namespace: args.namespace.clone(),
            fullname: args.fullname.clone(),
            skip_validation: args.skip_validation,
            strict: args.strict,
            stable_selectors: args.stable_selectors,
        },
    };
    let input = read_stdin().map_err(|e| exit::with_code(exit::USAGE, e))?;
    let outcome = match process(&input, &options) {
        Ok(outcome) => outcome,
        Err(Error::Input(e)) => return Err(exit::with_code(exit::USAGE, e)),
        Err(e @ Error::Patch(_)) => return Err(exit::with_code(exit::FAILURE, e)),
    };
    for warning in outcome.warnings() {
        log.warning(&report::line(warning, &outcome.docs));
    }
    let mut stdout = std::io::stdout().lock();
    if args.check {
        let mut any = false;
        for f in outcome
            .findings
            .iter()
            .filter(|f| report::counts_for_check(f))
        {
            any = true;
            log.line(&report::line(f, &outcome.docs));
        }
        if !any {
            log.line("ok: every invariant holds, nothing to change");
        }
        return Ok(if any { exit::FAILURE } else { exit::SUCCESS });
    }
    if args.output == OutputFormat::Json {
        let json = report::json(&outcome);
        writeln!(stdout, "{}", serde_json::to_string_pretty(&json)?)?;
        let any = outcome.findings.iter().any(report::counts_for_check);
        return Ok(if any { exit::FAILURE } else { exit::SUCCESS });
    }
    if outcome.has_errors() {
        let lines: Vec<String> = outcome
            .errors()
            .map(|f| report::line(f, &outcome.docs))
            .collect();
        let n = lines.len();
        return Err(exit::with_code(
            exit::FAILURE,
            anyhow::anyhow!(
                "{n} invariant{} violated, nothing written:\n  {}",
                if n == 1 { "" } else { "s" },
                lines.join("\n  ")
            ),
        ));
    }
    for fix in outcome.fixes() {
        let line = report::line(fix, &outcome.docs);
        if fix.notable {
            log.warning(&line);
        } else {
            tracing::info!("{line}");
            log.lines.push(format!("fixed: {line}"));
        }
    }
    if args.diff {
        stdout.write_all(report::diff(&outcome).as_bytes())?;
    } else {
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, &mut stdout);
        outcome.write_stream(&mut buffered)?;
        buffered.flush()?;
    }
    stdout.flush()?;
    Ok(exit::SUCCESS)
}

/// `-f` files merged in order, then `--set` assignments, like helm.
fn load_values(args: &Args) -> anyhow::Result<Value> {
    let mut merged = Value::Object(Map::new());
    for path in &args.values {
        let text = std::fs::read(path).with_context(|| {
            format!(
                "cannot read values file {} (the same -f files given to helm)",
                path.display()
            )
        })?;
        values::merge(
            &mut merged,
            values::parse_file(&path.display().to_string(), &text)?,
        );
    }
    for set in &args.set {
        values::apply_set(&mut merged, set)?;
    }
    Ok(merged)
}

fn read_stdin() -> anyhow::Result<Vec<u8>> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        anyhow::bail!(
            "kubectl-dagu post-render reads rendered manifests on stdin; pipe them in \
             (helm template dagu dagu/dagu | kubectl-dagu) or use helm --post-renderer kubectl-dagu"
        );
    }
    let mut input = Vec::new();
    stdin
        .lock()
        .take(MAX_STREAM_BYTES + 1)
        .read_to_end(&mut input)
        .context("cannot read stdin")?;
    if input.len() as u64 > MAX_STREAM_BYTES {
        anyhow::bail!("the input is larger than {MAX_STREAM_BYTES} bytes; a Helm release cannot be that large");
    }
    Ok(input)
}
