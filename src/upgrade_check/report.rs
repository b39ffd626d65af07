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

/// The plan as one JSON document: the text report's facts, each step with the command it runs.
pub fn json(plan: &Plan, release: &str, ns: &str, new: usize, live: usize) -> String {
    let steps: Vec<_> = plan
        .steps
        .iter()
        .map(|s| {
            let mut v = serde_json::to_value(s).expect("a step serialises");
            v["command"] = s.command(ns).into();
            v
        })
        .collect();
    let doc = serde_json::json!({
        "release": release, "namespace": ns, "objects": {"new": new, "live": live},
        "safe": plan.safe(), "resolvable": plan.resolvable(),
        "items": plan.items, "steps": steps,
    });
    serde_json::to_string_pretty(&doc).expect("a plan serialises") + "\n"
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

#[cfg(test)]
mod tests {
    use super::super::plan::{Item, Step};
    use super::*;

    #[test]
    fn json_holds_the_verdict_items_and_runnable_commands() {
        let plan = Plan {
            items: vec![Item {
                id: "immutable-field",
                object: "Deployment/dagu-worker-gpu".into(),
                message: "spec.selector is immutable".into(),
                resolved: true,
            }],
            steps: vec![Step::OrphanDelete {
                kind: "Deployment".into(),
                name: "dagu-worker-gpu".into(),
            }],
        };
        let v: serde_json::Value =
            serde_json::from_str(&json(&plan, "dagu", "team", 7, 6)).unwrap();
        assert_eq!(v["safe"], false);
        assert_eq!(v["resolvable"], true);
        assert_eq!(v["objects"]["live"], 6);
        assert_eq!(v["items"][0]["id"], "immutable-field");
        assert_eq!(v["steps"][0]["action"], "orphan-delete");
        assert_eq!(
            v["steps"][0]["command"],
            "kubectl delete deployment dagu-worker-gpu -n team --cascade=orphan"
        );
        let empty: serde_json::Value =
            serde_json::from_str(&json(&Plan::default(), "dagu", "team", 1, 1)).unwrap();
        assert_eq!(
            (empty["safe"].clone(), empty["steps"].clone()),
            (true.into(), serde_json::json!([]))
        );
    }
}
