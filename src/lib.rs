//! kubectl-dagu: run Dagu on Kubernetes.
//!
//! - [`post_render`]: Helm post-renderer; stdin → documents → rules → findings/patches → stdout.
//! - [`run_step`]: one DAG step as a Kubernetes Job (pure merge/validate/build, then create/watch/log/clean up).
//! - [`port_forward`]: release → Service → Ready pod → port, re-resolved per connection.
//! - [`doctor`]: a live release → ordered checks (registry with ids and hints) → text/json report.
//! - [`kube_client`]: the one place a kubeconfig becomes a client. [`exit`]: exit codes.

pub mod cli;
pub mod completion;
pub mod doctor;
pub mod exit;
pub mod kube_client;
pub mod output;
pub mod port_forward;
pub mod post_render;
pub mod run_step;
pub mod upgrade_check;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};

/// Kubernetes API version this build's types target (the k8s-openapi feature).
pub const K8S_API_VERSION: &str = "1.33";

/// Parses the command line, runs the subcommand and maps the outcome to an exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() {
                exit::USAGE
            } else {
                exit::SUCCESS
            });
        }
    };
    output::init_logging(cli.global.verbose);
    let outcome = match cli.command {
        None => post_render::run(&cli.post_render, &cli.global),
        Some(Command::PostRender(args)) => post_render::run(&args, &cli.global),
        Some(Command::PortForward(args)) => port_forward::run(&args, &cli.global),
        Some(Command::RunStep(args)) => run_step::run(&args, &cli.global),
        Some(Command::Doctor(args)) => doctor::run(&args, &cli.global),
        Some(Command::UpgradeCheck(args)) => upgrade_check::run(&args, &cli.global),
        Some(Command::Completion(args)) => {
            completion::write(&args, &mut std::io::stdout());
            Ok(exit::SUCCESS)
        }
        Some(Command::Complete(args)) => {
            print!("{}", completion::complete(&args.words));
            Ok(exit::SUCCESS)
        }
        Some(Command::Version) => {
            println!("kubectl-dagu {}", env!("CARGO_PKG_VERSION"));
            println!("git commit: {}", env!("KUBECTL_DAGU_GIT_COMMIT"));
            println!(
                "kubernetes API: {K8S_API_VERSION} (k8s-openapi {})",
                env!("KUBECTL_DAGU_K8S_OPENAPI")
            );
            Ok(exit::SUCCESS)
        }
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(err) if output::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            output::error(&output::chain(&err));
            ExitCode::from(exit::code_of(&err))
        }
    }
}
