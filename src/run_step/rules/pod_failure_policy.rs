//! `pod_failure_policy`: at most 20 rules, each with exactly one of `on_exit_codes` / `on_pod_conditions`,
//! action FailJob/Ignore/Count (FailIndex rejected: the Job is not indexed), exit-code operator In/NotIn with
//! 1-255 unique values and no 0 under In, at most 20 condition patterns with a `type` and a status of
//! True/False/Unknown (executor document, "Job Lifecycle"). Error.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{items, present, Findings, Path};

pub const ID: &str = "pod_failure_policy";
const MAX_RULES: usize = 20;
const MAX_PATTERNS: usize = 20;
const MAX_VALUES: usize = 255;

pub fn check(config: &Value, out: &mut Findings) {
    let Some(pfp) = config.get(ID) else { return };
    let p = Path::root().key(ID);
    let rules = items(pfp, &p, "rules");
    if rules.len() > MAX_RULES {
        out.at(
            ID,
            &p.key("rules"),
            format!(
                "may contain at most {MAX_RULES} rules, found {}",
                rules.len()
            ),
        );
    }
    for (rp, rule) in rules {
        match rule.get("action").and_then(Value::as_str) {
            Some("FailJob" | "Ignore" | "Count") => {}
            Some("FailIndex") => out.at(
                ID,
                &rp.key("action"),
                "FailIndex is not supported: run-step creates non-indexed Jobs; use FailJob",
            ),
            Some(a) => out.at(
                ID,
                &rp.key("action"),
                format!("must be FailJob, Ignore or Count, found {a:?}"),
            ),
            None => out.at(
                ID,
                &rp.key("action"),
                "is required (FailJob, Ignore or Count)",
            ),
        }
        match present(rule, &["on_exit_codes", "on_pod_conditions"])[..] {
            ["on_exit_codes"] => exit_codes(&rule["on_exit_codes"], &rp.key("on_exit_codes"), out),
            ["on_pod_conditions"] => conditions(rule, &rp, out),
            [] => out.at(
                ID,
                &rp,
                "must define one of on_exit_codes or on_pod_conditions",
            ),
            _ => out.at(
                ID,
                &rp,
                "must define only one of on_exit_codes or on_pod_conditions, found both",
            ),
        }
    }
}

fn exit_codes(codes: &Value, p: &Path, out: &mut Findings) {
    let op = codes.get("operator").and_then(Value::as_str);
    match op {
        Some("In" | "NotIn") => {}
        Some(o) => out.at(
            ID,
            &p.key("operator"),
            format!("must be In or NotIn, found {o:?}"),
        ),
        None => out.at(ID, &p.key("operator"), "is required (In or NotIn)"),
    }
    let values: Vec<i64> = codes
        .get("values")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_i64)
        .collect();
    let vp = p.key("values");
    if values.is_empty() || values.len() > MAX_VALUES {
        out.at(
            ID,
            &vp,
            format!(
                "must contain 1 to {MAX_VALUES} exit codes, found {}",
                values.len()
            ),
        );
    }
    let unique: BTreeSet<i64> = values.iter().copied().collect();
    if unique.len() != values.len() {
        out.at(ID, &vp, "must not repeat an exit code");
    }
    if op == Some("In") && unique.contains(&0) {
        out.at(
            ID,
            &vp,
            "must not contain 0 with operator In (0 is success)",
        );
    }
}

fn conditions(rule: &Value, rp: &Path, out: &mut Findings) {
    let patterns = items(rule, rp, "on_pod_conditions");
    if patterns.len() > MAX_PATTERNS {
        out.at(
            ID,
            &rp.key("on_pod_conditions"),
            format!(
                "may contain at most {MAX_PATTERNS} patterns, found {}",
                patterns.len()
            ),
        );
    }
    for (cp, cond) in patterns {
        if cond
            .get("type")
            .and_then(Value::as_str)
            .is_none_or(|s| s.trim().is_empty())
        {
            out.at(ID, &cp.key("type"), "is required (e.g. DisruptionTarget)");
        }
        if let Some(s) = cond.get("status").and_then(Value::as_str) {
            if !["True", "False", "Unknown"].contains(&s) {
                out.at(
                    ID,
                    &cp.key("status"),
                    format!("must be True, False or Unknown, found {s:?}"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::run;
    use serde_json::json;

    #[test]
    fn documented_example_is_valid() {
        let v = json!({"pod_failure_policy": {"rules": [
            {"action": "FailJob", "on_exit_codes": {"operator": "In", "values": [42]}},
            {"action": "Ignore", "on_pod_conditions": [{"type": "DisruptionTarget"}]},
            {"action": "Count", "on_exit_codes": {"container_name": "step", "operator": "NotIn", "values": [0, 1]}}]}});
        assert!(run(super::check, v).is_empty());
    }

    #[test]
    fn invalid_rules_are_reported() {
        let v = json!({"pod_failure_policy": {"rules": [
            {"action": "FailIndex", "on_exit_codes": {"operator": "In", "values": [0, 3, 3]}},
            {"action": "Retry", "on_exit_codes": {"operator": "Is", "values": []}, "on_pod_conditions": []},
            {"action": "Ignore"},
            {"action": "Ignore", "on_pod_conditions": [{"status": "Maybe"}]}]}});
        let r = "pod_failure_policy.rules";
        assert_eq!(
            run(super::check, v),
            [
                format!("{r}[0].action: FailIndex is not supported: run-step creates non-indexed Jobs; use FailJob"),
                format!("{r}[0].on_exit_codes.values: must not repeat an exit code"),
                format!("{r}[0].on_exit_codes.values: must not contain 0 with operator In (0 is success)"),
                format!("{r}[1].action: must be FailJob, Ignore or Count, found \"Retry\""),
                format!("{r}[1]: must define only one of on_exit_codes or on_pod_conditions, found both"),
                format!("{r}[2]: must define one of on_exit_codes or on_pod_conditions"),
                format!("{r}[3].on_pod_conditions[0].type: is required (e.g. DisruptionTarget)"),
                format!("{r}[3].on_pod_conditions[0].status: must be True, False or Unknown, found \"Maybe\""),
            ]
        );
    }

    #[test]
    fn limits_on_counts() {
        let rules: Vec<_> = (1..=21)
            .map(|i| json!({"action": "Count", "on_exit_codes": {"operator": "In", "values": [i]}}))
            .collect();
        let e = run(
            super::check,
            json!({"pod_failure_policy": {"rules": rules}}),
        );
        assert_eq!(
            e,
            ["pod_failure_policy.rules: may contain at most 20 rules, found 21"]
        );
        let values: Vec<i64> = (1..=256).collect();
        let e = run(
            super::check,
            json!({"pod_failure_policy": {"rules": [{"action": "Count", "on_exit_codes": {"operator": "NotIn", "values": values}}]}}),
        );
        assert_eq!(e, ["pod_failure_policy.rules[0].on_exit_codes.values: must contain 1 to 255 exit codes, found 256"]);
    }
}
