//! Command-line interface: clap definitions only, no I/O. Each subcommand's flags live beside its code.

use clap::{Parser, Subcommand};

use crate::{doctor, port_forward, post_render, run_step, upgrade_check};

const AFTER_HELP: &str = "\
Uses:
  helm install dagu dagu/dagu --post-renderer kubectl-dagu      enforce the Dagu chart's invariants
  kubectl dagu port-forward dagu -n dagu                         open the Dagu UI, surviving pod restarts
  kubectl dagu run-step etl.yaml migrate                         run one DAG step as a Kubernetes Job
  kubectl dagu doctor dagu -n dagu                               check a running release, with a hint per failure
  helm template dagu dagu/dagu -n dagu | kubectl dagu upgrade-check dagu -n dagu
                                                                 what helm upgrade would break, and the steps first

With no subcommand, kubectl-dagu is the Helm post-renderer: it reads rendered manifests on stdin and writes
them on stdout (see `kubectl-dagu post-render --help`).

Exit codes: 0 ok, 1 invariant violated or Job failed, 2 usage or invalid input, 3 cluster/API error,
124 timeout, 130 SIGINT, 143 SIGTERM; run-step otherwise exits with the step container's exit code.";

/// kubectl-dagu: run Dagu on Kubernetes with its invariants enforced.
#[derive(Debug, Parser)]
#[command(
    name = "kubectl-dagu",
    bin_name = "kubectl-dagu",
    version,
    about,
    after_help = AFTER_HELP,
    args_conflicts_with_subcommands = true,
    disable_help_subcommand = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Post-render flags, used when no subcommand is given.
    #[command(flatten)]
    pub post_render: post_render::Args,
}

/// Flags every subcommand accepts.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct GlobalArgs {
    /// More logs on stderr (-v info, -vv debug, -vvv trace). Data always goes to stdout.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Enforce the Dagu chart's invariants on a rendered manifest stream (Helm post-renderer).
    #[command(name = "post-render")]
    PostRender(post_render::Args),
    /// Forward a local port to a release's Dagu UI (or another component), surviving pod replacement.
    #[command(name = "port-forward")]
    PortForward(port_forward::Args),
    /// Run one step of a Dagu DAG file as a Kubernetes Job, stream its logs, exit with its exit code.
    #[command(name = "run-step")]
    RunStep(run_step::Args),
    /// Check a running release: chart invariants, storage, components, coordinator connectivity, versions.
    Doctor(doctor::Args),
    /// Compare a new rendering (stdin) with the live release: what helm upgrade would break, and the steps first.
    #[command(name = "upgrade-check")]
    UpgradeCheck(upgrade_check::Args),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completion(crate::completion::Args),
    /// Print the version, git commit and the Kubernetes API version this build targets.
    #[command(after_help = "Example:\n  kubectl dagu version")]
    Version,
    /// kubectl's plugin completion protocol (used by scripts/kubectl_complete-dagu).
    #[command(name = "__complete", hide = true)]
    Complete(crate::completion::CompleteArgs),
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
