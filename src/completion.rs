//! `kubectl-dagu completion SHELL`: completion scripts generated from the clap definition.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;

#[derive(Debug, Clone, clap::Args)]
#[command(
    after_help = "Examples:\n  source <(kubectl-dagu completion bash)\n  kubectl-dagu completion zsh > \"${fpath[1]}/_kubectl-dagu\"\n  kubectl-dagu completion fish > ~/.config/fish/completions/kubectl-dagu.fish"
)]
pub struct Args {
    /// The shell to generate completions for.
    pub shell: Shell,
}

/// Writes the completion script for `args.shell` to `out`.
pub fn write(args: &Args, out: &mut dyn std::io::Write) {
    let mut cmd = Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "kubectl-dagu", out);
}
