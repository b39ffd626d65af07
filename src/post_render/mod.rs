//! Placeholder: being built.

use crate::cli::GlobalArgs;

#[derive(Debug, Clone, Default, clap::Args)]
pub struct Args {}

pub fn run(_args: &Args, _global: &GlobalArgs) -> anyhow::Result<u8> {
    anyhow::bail!("not implemented yet")
}
