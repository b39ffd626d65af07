//! The dagu container of every Dagu Deployment has `DAGU_HOME=/data`, once (chart docs, "Pod Configuration";
//! the shared PVC is at `/data` and Dagu derives its paths from it). Patched.

use serde_json::json;

use super::helpers::{components, describe, EnvEditor};
use super::{Finding, Rule};
use crate::post_render::context::Context;
use crate::post_render::manifest::Doc;

pub const RULE: Rule = Rule {
    id: "dagu-home",
    description: "every Dagu container has DAGU_HOME=/data exactly once",
    check,
};

fn check(ctx: &Context, docs: &[Doc]) -> Vec<Finding> {
    let desired = json!({"name": "DAGU_HOME", "value": "/data"});
    components(ctx, docs)
        .filter_map(|(c, d)| {
            let change = EnvEditor::new(d, &c.container_ptr()).ensure(&desired)?;
            Some(
                Finding::fix(
                    RULE.id,
                    c.doc,
                    format!("{}/env", c.container_ptr()),
                    format!("{}: set DAGU_HOME=/data", describe(c)),
                    change.ops,
                )
                .expected(desired.clone(), change.found),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::post_render::rules::testing::{fixed, run, valid, COORDINATOR, UI, WORKER};

    #[test]
    fn set_passes() {
        assert!(run(&RULE, json!({}), &valid()).0.is_empty());
    }

    #[test]
    fn missing_wrong_and_duplicated_values_are_fixed() {
        let mut docs = valid();
        let env = |d: &mut serde_json::Value| {
            d["spec"]["template"]["spec"]["containers"][0]["env"].clone()
        };
        docs[UI]["spec"]["template"]["spec"]["containers"][0]["env"][0]["value"] =
            json!("/home/dagu");
        docs[WORKER]["spec"]["template"]["spec"]["containers"][0]["env"]
            .as_array_mut()
            .unwrap()
            .remove(0);
        docs[COORDINATOR]["spec"]["template"]["spec"]["containers"][0]["env"]
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "DAGU_HOME", "value": "/tmp"}));
        let (findings, mut after) = fixed(&RULE, json!({}), &docs);
        assert_eq!(findings.len(), 3);
        assert_eq!(after[UI], valid()[UI]);
        assert_eq!(after[COORDINATOR], valid()[COORDINATOR]);
        assert!(env(&mut after[WORKER])
            .as_array()
            .unwrap()
            .contains(&desired()));
    }

    fn desired() -> serde_json::Value {
        json!({"name": "DAGU_HOME", "value": "/data"})
    }
}
