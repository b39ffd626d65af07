//! `affinity` follows the executor's typed subset: node selector operators In/NotIn/Exists/DoesNotExist/Gt/Lt
//! with the right value counts, pod/label selector operators In/NotIn/Exists/DoesNotExist, preferred weights
//! 1-100, a `topology_key` on every pod (anti-)affinity term, non-empty `namespaces` (executor document,
//! "Affinity"). Error.

use serde_json::Value;

use super::{items, Findings, Path};

pub const ID: &str = "affinity";
const REQUIRED: &str = "required_during_scheduling_ignored_during_execution";
const PREFERRED: &str = "preferred_during_scheduling_ignored_during_execution";

pub fn check(config: &Value, out: &mut Findings) {
    let Some(aff) = config.get(ID) else { return };
    let p = Path::root().key(ID);
    if let Some(node) = aff.get("node_affinity") {
        let np = p.key("node_affinity");
        if let Some(req) = node.get(REQUIRED) {
            for (tp, term) in items(req, &np.key(REQUIRED), "node_selector_terms") {
                node_term(term, &tp, out);
            }
        }
        for (pp, pref) in items(node, &np, PREFERRED) {
            weight(pref, &pp, out);
            if let Some(term) = pref.get("preference") {
                node_term(term, &pp.key("preference"), out);
            }
        }
    }
    for kind in ["pod_affinity", "pod_anti_affinity"] {
        let Some(pa) = aff.get(kind) else { continue };
        let kp = p.key(kind);
        for (tp, term) in items(pa, &kp, REQUIRED) {
            pod_term(term, &tp, out);
        }
        for (wp, w) in items(pa, &kp, PREFERRED) {
            weight(w, &wp, out);
            match w.get("pod_affinity_term") {
                Some(term) => pod_term(term, &wp.key("pod_affinity_term"), out),
                None => out.at(ID, &wp.key("pod_affinity_term"), "is required"),
            }
        }
    }
}

fn weight(v: &Value, path: &Path, out: &mut Findings) {
    match v.get("weight").and_then(Value::as_i64) {
        Some(1..=100) => {}
        Some(w) => out.at(
            ID,
            &path.key("weight"),
            format!("must be between 1 and 100, found {w}"),
        ),
        None => out.at(ID, &path.key("weight"), "is required (1-100)"),
    }
}

fn node_term(term: &Value, path: &Path, out: &mut Findings) {
    for (ep, expr) in items(term, path, "match_expressions") {
        requirement(
            expr,
            &ep,
            &["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"],
            out,
        );
    }
}

fn pod_term(term: &Value, path: &Path, out: &mut Findings) {
    if term
        .get("topology_key")
        .and_then(Value::as_str)
        .is_none_or(|s| s.trim().is_empty())
    {
        out.at(
            ID,
            &path.key("topology_key"),
            "is required for every pod affinity term",
        );
    }
    for sel in ["label_selector", "namespace_selector"] {
        if let Some(s) = term.get(sel) {
            for (ep, expr) in items(s, &path.key(sel), "match_expressions") {
                requirement(expr, &ep, &["In", "NotIn", "Exists", "DoesNotExist"], out);
            }
        }
    }
    for (np, ns) in items(term, path, "namespaces") {
        if ns.as_str().is_none_or(|s| s.trim().is_empty()) {
            out.at(ID, &np, "must be a non-empty namespace name");
        }
    }
}

fn requirement(expr: &Value, path: &Path, operators: &[&str], out: &mut Findings) {
    if expr
        .get("key")
        .and_then(Value::as_str)
        .is_none_or(|s| s.is_empty())
    {
        out.at(ID, &path.key("key"), "is required");
    }
    let values = expr
        .get("values")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let vp = path.key("values");
    match expr.get("operator").and_then(Value::as_str) {
        Some(op) if !operators.contains(&op) => out.at(
            ID,
            &path.key("operator"),
            format!("must be one of {}, found {op:?}", operators.join(", ")),
        ),
        Some("In" | "NotIn") if values == 0 => {
            out.at(ID, &vp, "must have at least one value for In and NotIn")
        }
        Some("Exists" | "DoesNotExist") if values > 0 => {
            out.at(ID, &vp, "must be empty for Exists and DoesNotExist")
        }
        Some("Gt" | "Lt") => {
            let vals = expr.get("values").and_then(Value::as_array);
            let one_int = vals.is_some_and(|v| {
                v.len() == 1
                    && v[0]
                        .as_str()
                        .is_some_and(|s| s.trim().parse::<i64>().is_ok())
                    || v.len() == 1 && v[0].is_i64()
            });
            if !one_int {
                out.at(ID, &vp, "must be exactly one integer for Gt and Lt");
            }
        }
        Some(_) => {}
        None => out.at(
            ID,
            &path.key("operator"),
            format!("is required ({})", operators.join(", ")),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::run;
    use serde_json::json;

    #[test]
    fn documented_example_is_valid() {
        let v = json!({"affinity": {
            "node_affinity": {
                "required_during_scheduling_ignored_during_execution": {"node_selector_terms": [
                    {"match_expressions": [{"key": "kubernetes.io/arch", "operator": "In", "values": ["amd64"]},
                                           {"key": "cores", "operator": "Gt", "values": ["4"]}]}]},
                "preferred_during_scheduling_ignored_during_execution": [{"weight": 50, "preference":
                    {"match_expressions": [{"key": "zone", "operator": "Exists"}]}}]},
            "pod_anti_affinity": {"preferred_during_scheduling_ignored_during_execution": [{"weight": 100,
                "pod_affinity_term": {"topology_key": "kubernetes.io/hostname",
                    "label_selector": {"match_labels": {"app": "w"}}, "namespaces": ["a"]}}]}}});
        assert!(run(super::check, v).is_empty());
    }

    #[test]
    fn invalid_affinity_is_reported() {
        let v = json!({"affinity": {
            "node_affinity": {
                "required_during_scheduling_ignored_during_execution": {"node_selector_terms": [
                    {"match_expressions": [{"key": "a", "operator": "In"}, {"key": "b", "operator": "Exists", "values": ["x"]},
                                           {"key": "c", "operator": "Gt", "values": ["x"]}, {"key": "d", "operator": "Near"}]}]},
                "preferred_during_scheduling_ignored_during_execution": [{"weight": 0, "preference": {}}]},
            "pod_affinity": {"required_during_scheduling_ignored_during_execution": [
                {"label_selector": {"match_expressions": [{"key": "k", "operator": "Gt", "values": ["1"]}]}, "namespaces": [""]}]}}});
        let na = "affinity.node_affinity.required_during_scheduling_ignored_during_execution.node_selector_terms[0].match_expressions";
        let pa = "affinity.pod_affinity.required_during_scheduling_ignored_during_execution[0]";
        assert_eq!(
            run(super::check, v),
            [
                format!("{na}[0].values: must have at least one value for In and NotIn"),
                format!("{na}[1].values: must be empty for Exists and DoesNotExist"),
                format!("{na}[2].values: must be exactly one integer for Gt and Lt"),
                format!("{na}[3].operator: must be one of In, NotIn, Exists, DoesNotExist, Gt, Lt, found \"Near\""),
                "affinity.node_affinity.preferred_during_scheduling_ignored_during_execution[0].weight: must be between 1 and 100, found 0".into(),
                format!("{pa}.topology_key: is required for every pod affinity term"),
                format!("{pa}.label_selector.match_expressions[0].operator: must be one of In, NotIn, Exists, DoesNotExist, found \"Gt\""),
                format!("{pa}.namespaces[0]: must be a non-empty namespace name"),
            ]
        );
    }
}
