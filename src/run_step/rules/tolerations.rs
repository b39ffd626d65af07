//! `tolerations` map to Kubernetes tolerations: `operator` Exists or Equal, `Exists` takes no value, `effect`
//! NoSchedule/PreferNoSchedule/NoExecute, `toleration_seconds` only with NoExecute. The executor document
//! lists tolerations without detail, so this mirrors what the API server would reject at create time. Error.

use serde_json::Value;

use super::{items, Findings, Path};

pub const ID: &str = "tolerations";

pub fn check(config: &Value, out: &mut Findings) {
    for (p, t) in items(config, &Path::root(), "tolerations") {
        let op = t.get("operator").and_then(Value::as_str).unwrap_or("Equal");
        let effect = t.get("effect").and_then(Value::as_str);
        match op {
            "Equal" if t.get("key").is_none() => {
                out.at(ID, &p.key("key"), "is required unless operator is Exists")
            }
            "Exists" if t.get("value").is_some_and(|v| v.as_str() != Some("")) => {
                out.at(ID, &p.key("value"), "must be empty when operator is Exists")
            }
            "Equal" | "Exists" => {}
            other => out.at(
                ID,
                &p.key("operator"),
                format!("must be Exists or Equal, found {other:?}"),
            ),
        }
        if let Some(e) =
            effect.filter(|e| !["NoSchedule", "PreferNoSchedule", "NoExecute", ""].contains(e))
        {
            out.at(
                ID,
                &p.key("effect"),
                format!("must be NoSchedule, PreferNoSchedule or NoExecute, found {e:?}"),
            );
        }
        if t.get("toleration_seconds").is_some() && effect != Some("NoExecute") {
            out.at(
                ID,
                &p.key("toleration_seconds"),
                "is only allowed with effect NoExecute",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::run;
    use serde_json::json;

    #[test]
    fn valid_tolerations() {
        let v = json!({"tolerations": [{"key": "gpu", "operator": "Exists", "effect": "NoSchedule"},
            {"key": "k", "value": "v", "effect": "NoExecute", "toleration_seconds": 30}]});
        assert!(run(super::check, v).is_empty());
    }

    #[test]
    fn invalid_tolerations() {
        let v = json!({"tolerations": [{"operator": "Is"}, {"key": "k", "operator": "Exists", "value": "v"},
            {"key": "k", "effect": "Never"}, {"key": "k", "toleration_seconds": 1}]});
        assert_eq!(
            run(super::check, v),
            [
                "tolerations[0].operator: must be Exists or Equal, found \"Is\"",
                "tolerations[1].value: must be empty when operator is Exists",
                "tolerations[2].effect: must be NoSchedule, PreferNoSchedule or NoExecute, found \"Never\"",
                "tolerations[3].toleration_seconds: is only allowed with effect NoExecute",
            ]
        );
    }
}
