//! What upgrade-check shows and asks: the plan as text, and the confirmation before `--apply`.

use std::io::Write as _;

use super::plan::Plan;
use crate::exit;

/// The text report: each item, then the steps.
pub fn render(plan: &Plan, release: &str, ns: &str, new: usize, live: usize) -> String {
    let mut s = format!(
        "upgrade-check: release {release:?} in namespace {ns:?}: {new} objects in the new rendering, {live} live\n"
    );
    if plan.items.is_empty() {
        s.push_str("safe: the API server accepts every change and nothing is deleted\n");
        return s;
    }
    s.push_str(match (plan.safe(), plan.resolvable()) {
        (true, _) => "safe; the upgrade also does this:\n",
        (false, true) => "blocked until the steps below run:\n",
        (false, false) => "blocked:\n",
    });
    for i in &plan.items {
        let mark = match (i.resolved, i.id) {
            (false, _) => "needs a change",
            (true, "object-deleted") => "by design",
            (true, _) => "fixed by a step",
        };
        s.push_str(&format!(
            "  [{}] {} ({mark}): {}\n",
            i.id, i.object, i.message
        ));
    }
    if !plan.steps.is_empty() {
        s.push_str("\nrun before helm upgrade (or pass --apply):\n");
        for step in &plan.steps {
            s.push_str(&format!("  {}\n", step.command(ns)));
        }
        s.push_str("after the upgrade is Ready, delete the orphaned old ReplicaSets of those Deployments\n");
    }
    s
}

/// Asks on the terminal (stdin carries the rendering); no terminal means no consent: pass --yes.
pub fn confirm(steps: usize) -> anyhow::Result<bool> {
    let mut tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|e| {
            exit::with_code(
                exit::USAGE,
                anyhow::anyhow!("--apply needs a terminal to confirm ({e}); pass --yes"),
            )
        })?;
    write!(tty, "run these {steps} steps now? [y/N] ")?;
    let mut answer = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(&mut tty), &mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}
