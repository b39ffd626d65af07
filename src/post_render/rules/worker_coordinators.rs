//! A worker running a Dagu that needs it (v2.9.0 removed shared-volume workers: `dagu worker` stops with
//! "worker.coordinators is required") dials the coordinator Service on 50055 with exactly one
//! `--worker.coordinators <address>:50055`, the address in the form its chart generation writes: 1.0.10-1.0.11
//! `<fullname>-coordinator.<namespace>.svc.cluster.local`, 2.x `<fullname>-coordinator`. The registry runs it on
//! charts from 1.0.10 and on older charts whose image pins Dagu >= 2.9.0. Patched.

use serde_json::{json, Value};

use super::helpers::{components, describe, replace, strip_flag, test};
use super::{Finding, Rule};
use crate::post_render::context::Context;
use crate::post_render::lookup::Lookup;
use crate::post_render::manifest::Doc;
use crate::post_render::model::{Component, Role};

pub const RULE: Rule = Rule {
    id: "worker-coordinators",
    description: "workers run one --worker.coordinators <fullname>-coordinator[.<ns>.svc.cluster.local]:50055",
    check,
};

const FLAG: &str = "--worker.coordinators";

fn check(ctx: &Context, docs: &[Doc]) -> Vec<Finding> {
    components(ctx, docs)
        .filter(|(c, _)| c.role == Role::Worker)
        .filter_map(|(c, d)| check_worker(ctx, c, d))
        .collect()
}

fn check_worker(ctx: &Context, c: &Component, d: &Value) -> Option<Finding> {
    let wanted = format!("{}:50055", ctx.coordinator_address());
    let lists: Vec<(String, Vec<Value>)> = ["command", "args"]
        .iter()
        .map(|k| format!("{}/{k}", c.container_ptr()))
        .filter_map(|p| Some((p.clone(), d.at(&p)?.as_array()?.clone())))
        .collect();
    let words = || lists.iter().flat_map(|(_, l)| l).filter_map(Value::as_str);
    if words().any(|s| s.contains(' ') && s.contains(FLAG)) {
        return Some(Finding::error(RULE.id, Some(c.doc), c.container_ptr(), format!(
            "{}: {FLAG} is inside a shell string; kubectl-dagu cannot rewrite it. Render the worker command as a \
             list of arguments", describe(c))));
    }
    let mut found = vec![];
    let mut cleaned = vec![];
    for (_, list) in &lists {
        let (kept, values) = strip_flag(list, FLAG);
        found.extend(values);
        cleaned.push(kept);
    }
    if found.len() == 1 && found[0] == wanted {
        return None;
    }
    if ctx.address_needs_namespace() {
        return Some(Finding::error(RULE.id, Some(c.doc), c.container_ptr(), format!(
            "{}: needs {FLAG} {}-coordinator.<namespace>.svc.cluster.local:50055 but the release namespace is \
             unknown. Pass --namespace (the namespace given to helm)", describe(c), ctx.fullname))
            .expected(json!(wanted), Some(json!(found))));
    }
    let Some(target) = lists.iter().rposition(|(_, l)| !l.is_empty()) else {
        return Some(Finding::error(RULE.id, Some(c.doc), c.container_ptr(), format!(
            "{}: the worker container has no command or args to add {FLAG} {wanted} to. Render the worker \
             command (dagu worker --config /etc/dagu/dagu.yaml)", describe(c))));
    };
    let mut ops = vec![];
    for (i, ((path, original), mut kept)) in lists.iter().zip(cleaned).enumerate() {
        if i == target {
            let at = kept
                .iter()
                .position(|v| v == "--config")
                .map_or(kept.len(), |p| (p + 2).min(kept.len()));
            kept.splice(at..at, [json!(FLAG), json!(wanted)]);
        }
        if &kept != original {
            ops.push(test(path, json!(original)));
            ops.push(replace(path, json!(kept)));
        }
    }
    let message = format!(
        "{}: the worker dials the coordinator with {FLAG} {wanted} (Dagu from v2.9.0 requires it)",
        describe(c)
    );
    Some(
        Finding::fix(RULE.id, c.doc, lists[target].0.clone(), message, ops)
            .expected(json!(wanted), Some(json!(found)))
            .notable(!found.is_empty()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::post_render::rules::testing::{fixed, run, valid, WORKER};

    fn command(doc: &Value) -> Value {
        doc["spec"]["template"]["spec"]["containers"][0]["command"].clone()
    }

    #[test]
    fn a_missing_address_is_added_after_the_config_in_the_fqdn_form_of_1x() {
        let (findings, after) = fixed(&RULE, json!({}), &valid());
        assert_eq!(findings.len(), 1);
        assert_eq!(
            command(&after[WORKER]),
            json!([
                "dagu",
                "worker",
                "--config",
                "/etc/dagu/dagu.yaml",
                FLAG,
                "dagu-coordinator.ns.svc.cluster.local:50055"
            ])
        );
    }

    #[test]
    fn a_wrong_or_repeated_address_is_replaced_once() {
        let mut docs = valid();
        docs[WORKER]["spec"]["template"]["spec"]["containers"][0]["command"] =
            json!(["dagu", "worker", FLAG, "x:1", "--worker.coordinators=y:2"]);
        let (findings, after) = fixed(&RULE, json!({}), &docs);
        assert!(findings[0].notable);
        assert_eq!(
            command(&after[WORKER]),
            json!([
                "dagu",
                "worker",
                FLAG,
                "dagu-coordinator.ns.svc.cluster.local:50055"
            ])
        );
        let (again, _) = run(&RULE, json!({}), &after);
        assert!(again.is_empty());
    }
}
