//! A worker pool with labels runs with exactly one `--worker.labels k=v,...` argument, pairs sorted by key;
//! a pool with `labels: {}` gets none (chart docs, "Worker Labels"; sorting makes the rendering deterministic,
//! which the chart is not). The labels come from `workerPools.<pool>.labels` when the values give them, else
//! from the arguments already rendered. Patched.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::helpers::{components, describe, replace, strip_flag, test, token};
use super::{Finding, Rule};
use crate::post_render::context::Context;
use crate::post_render::lookup::Lookup;
use crate::post_render::manifest::Doc;
use crate::post_render::model::{Component, Role};

pub const RULE: Rule = Rule {
    id: "worker-labels",
    description: "workers get one --worker.labels argument with the pool's labels sorted by key (none for labels: {})",
    check,
};

const FLAG: &str = "--worker.labels";

fn check(ctx: &Context, docs: &[Doc]) -> Vec<Finding> {
    components(ctx, docs)
        .filter(|(c, _)| c.role == Role::Worker && c.pool.is_some())
        .filter_map(|(c, d)| check_worker(ctx, c, d))
        .collect()
}

fn check_worker(ctx: &Context, c: &Component, d: &Value) -> Option<Finding> {
    let pool = c.pool.as_deref()?;
    let lists: Vec<(String, Vec<Value>)> = ["command", "args"]
        .iter()
        .map(|k| format!("{}/{k}", c.container_ptr()))
        .filter_map(|p| Some((p.clone(), d.at(&p)?.as_array()?.clone())))
        .collect();
    let mut existing = BTreeMap::new();
    let mut found = vec![];
    let mut cleaned = Vec::new();
    for (path, list) in &lists {
        let (kept, values) = strip_flag(list, FLAG);
        for v in values {
            existing.extend(parse_pairs(&v));
            found.push(v);
        }
        cleaned.push((path, list, kept));
    }
    if lists
        .iter()
        .flat_map(|(_, l)| l)
        .filter_map(Value::as_str)
        .any(|s| s.contains(' ') && s.contains(FLAG))
    {
        return Some(Finding::error(RULE.id, Some(c.doc), c.container_ptr(), format!(
            "{}: {FLAG} is inside a shell string; kubectl-dagu cannot rewrite it. Render the worker command as a list of arguments", describe(c))));
    }
    let labels_ptr = format!("/workerPools/{}/labels", token(pool));
    let wanted: BTreeMap<String, String> = match ctx.value(&labels_ptr).and_then(Value::as_object) {
        Some(map) => map.iter().map(|(k, v)| (k.clone(), scalar(v))).collect(),
        None => existing,
    };
    let joined = wanted
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    let one_correct = lists
        .iter()
        .flat_map(|(_, l)| l.windows(2))
        .filter(|w| w[0] == FLAG && w[1] == json!(joined))
        .count()
        == 1;
    let ok = if wanted.is_empty() {
        found.is_empty()
    } else {
        found.len() == 1 && one_correct
    };
    if ok {
        return None;
    }
    let Some(target) = lists.iter().rposition(|(_, l)| !l.is_empty()) else {
        return Some(Finding::error(RULE.id, Some(c.doc), c.container_ptr(), format!(
            "{}: pool {pool} needs {FLAG} {joined} but the worker container has no command or args to add it \
             to. Render the worker command (dagu worker --config /etc/dagu/dagu.yaml)", describe(c))));
    };
    let mut ops = vec![];
    for (i, (path, original, mut kept)) in cleaned.into_iter().enumerate() {
        if i == target && !wanted.is_empty() {
            kept.push(json!(FLAG));
            kept.push(json!(joined));
        }
        if &kept != original {
            ops.push(test(path, json!(original)));
            ops.push(replace(path, json!(kept)));
        }
    }
    let message = if wanted.is_empty() {
        format!("{}: pool {pool} has no labels, remove {FLAG}", describe(c))
    } else {
        format!("{}: pool {pool} runs with {FLAG} {joined}", describe(c))
    };
    let path = lists[target].0.clone();
    Some(
        Finding::fix(RULE.id, c.doc, path, message, ops)
            .expected(json!(joined), Some(json!(found))),
    )
}

fn parse_pairs(s: &str) -> Vec<(String, String)> {
    s.split(',')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// Go's `%v` for a label value: strings as-is, other scalars as printed.
fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::post_render::rules::testing::{fixed, run, valid, WORKER};

    fn command(doc: &Value) -> Vec<Value> {
        doc["spec"]["template"]["spec"]["containers"][0]["command"]
            .as_array()
            .unwrap()
            .clone()
    }

    fn with_command(cmd: Value) -> Vec<Value> {
        let mut docs = valid();
        docs[WORKER]["spec"]["template"]["spec"]["containers"][0]["command"] = cmd;
        docs
    }

    #[test]
    fn no_labels_and_sorted_labels_pass() {
        assert!(run(
            &RULE,
            json!({"workerPools": {"general": {"labels": {}}}}),
            &valid()
        )
        .0
        .is_empty());
        let docs = with_command(json!(["dagu", "worker", "--worker.labels", "a=1,b=2"]));
        assert!(run(&RULE, json!({}), &docs).0.is_empty());
    }

    #[test]
    fn labels_from_values_become_one_sorted_argument() {
        let values = json!({"workerPools": {"general": {"labels": {"gpu": true, "cuda": "12.0"}}}});
        let (findings, after) = fixed(&RULE, values, &valid());
        assert_eq!(findings.len(), 1);
        assert_eq!(
            command(&after[WORKER])[4..],
            [json!("--worker.labels"), json!("cuda=12.0,gpu=true")]
        );
    }

    #[test]
    fn unsorted_and_repeated_arguments_are_merged_and_sorted() {
        let docs = with_command(json!([
            "dagu",
            "worker",
            "--worker.labels",
            "z=1,a=2",
            "--worker.labels=m=3",
            "--config",
            "x"
        ]));
        let (_, after) = fixed(&RULE, json!({}), &docs);
        assert_eq!(
            command(&after[WORKER]),
            json!([
                "dagu",
                "worker",
                "--config",
                "x",
                "--worker.labels",
                "a=2,m=3,z=1"
            ])
            .as_array()
            .unwrap()
            .clone()
        );
    }

    #[test]
    fn empty_labels_in_values_remove_the_argument() {
        let docs = with_command(json!(["dagu", "worker", "--worker.labels", "a=1"]));
        let (_, after) = fixed(
            &RULE,
            json!({"workerPools": {"general": {"labels": {}}}}),
            &docs,
        );
        assert_eq!(
            command(&after[WORKER]),
            vec![json!("dagu"), json!("worker")]
        );
    }

    #[test]
    fn a_worker_without_command_cannot_get_labels() {
        let mut docs = valid();
        let container = docs[WORKER]["spec"]["template"]["spec"]["containers"][0]
            .as_object_mut()
            .unwrap();
        container.remove("command");
        let (findings, _) = run(
            &RULE,
            json!({"workerPools": {"general": {"labels": {"a": "1"}}}}),
            &docs,
        );
        assert!(
            findings[0].is_error() && findings[0].message.contains("no command or args"),
            "{findings:#?}"
        );
    }

    #[test]
    fn a_shell_string_is_an_error() {
        let docs = with_command(json!(["dagu worker --worker.labels b=1,a=2"]));
        let (findings, _) = run(&RULE, json!({}), &docs);
        assert!(findings[0].is_error(), "{findings:#?}");
    }
}
