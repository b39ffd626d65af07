//! Every Dagu Deployment wants at least one replica and has all of them available: a coordinator scaled to 0
//! leaves every worker without a coordinator, a UI with none serves nothing. Retried by `--wait`.

use super::{object, Category, Check, Problem, Verdict};
use crate::doctor::release::Release;

pub const CHECK: Check = Check {
    id: "components-available",
    category: Category::Components,
    description: "every component has its replicas available",
    hint: "kubectl describe deployment NAME and its pods: scaled to 0 (kubectl scale deployment NAME \
           --replicas=1 or helm upgrade with the chart's replicas), unschedulable, or failing readiness probes",
    fatal: false,
    retry: true,
    run,
};

fn run(release: &Release) -> Verdict {
    let mut problems = Vec::new();
    for c in &release.components {
        let wanted = c
            .deployment
            .spec
            .as_ref()
            .and_then(|s| s.replicas)
            .unwrap_or(1);
        let status = c.deployment.status.clone().unwrap_or_default();
        let available = status.available_replicas.unwrap_or(0);
        let obj = object("Deployment", &c.name);
        if wanted == 0 {
            problems.push(Problem::error(
                obj,
                format!("{} is scaled to 0 replicas", c.role),
            ));
        } else if available < wanted {
            let why = status
                .conditions
                .unwrap_or_default()
                .into_iter()
                .filter(|k| k.status != "True")
                .filter_map(|k| k.message.map(|m| format!("{}: {m}", k.type_)))
                .collect::<Vec<_>>();
            let why = if why.is_empty() {
                String::new()
            } else {
                format!(" ({})", why.join("; "))
            };
            problems.push(Problem::error(
                obj,
                format!("{available} of {wanted} replicas available{why}"),
            ));
        }
    }
    Verdict::from(problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::checks::testing::{find, healthy, messages, run as check};
    use serde_json::json;

    #[test]
    fn scaled_to_zero_and_unavailable_fail() {
        assert_eq!(check(&CHECK, &healthy()), Verdict::Pass);
        let mut objects = healthy();
        find(&mut objects, "Deployment", "dagu-coordinator")["spec"]["replicas"] = json!(0);
        let ui = find(&mut objects, "Deployment", "dagu-ui");
        ui["status"] = json!({"availableReplicas": 0, "conditions": [{"type": "Available", "status": "False",
            "message": "Deployment does not have minimum availability."}]});
        let found = messages(&check(&CHECK, &objects));
        assert!(
            found.contains("Deployment/dagu-coordinator: coordinator is scaled to 0"),
            "{found}"
        );
        assert!(
            found.contains("0 of 1 replicas available (Available: Deployment does not"),
            "{found}"
        );
    }
}
