//! TODO
pub fn execute(_args: &super::Args, _plan: &super::plan::Plan, _ns: &str) -> anyhow::Result<u8> {
    anyhow::bail!("todo")
}
