//! Every Dagu Deployment sets `enableServiceLinks: false` (chart docs, "Pod Configuration"): otherwise
//! Kubernetes injects `DAGU_*`-like Service variables (e.g. `DAGU_SCHEDULER_PORT=tcp://...`) that override
//! Dagu's config. Patched.

use serde_json::{json, Value};

use super::helpers::{add, components, describe, replace, test};
use super::{Finding, Rule};
use crate::post_render::context::Context;
use crate::post_render::lookup::Lookup;
use crate::post_render::manifest::Doc;

pub const RULE: Rule = Rule {
    id: "service-links-disabled",
    description: "every Dagu Deployment's pod sets enableServiceLinks: false",
    check,
};

const PTR: &str = "/spec/template/spec/enableServiceLinks";

fn check(ctx: &Context, docs: &[Doc]) -> Vec<Finding> {
    components(ctx, docs)
        .filter_map(|(c, d)| {
            let found = d.at(PTR);
            let ops = match found {
                Some(Value::Bool(false)) => return None,
                None => vec![add(PTR, json!(false))],
                Some(other) => vec![test(PTR, other.clone()), replace(PTR, json!(false))],
            };
            Some(
                Finding::fix(
                    RULE.id,
                    c.doc,
                    PTR,
                    format!("{}: set enableServiceLinks: false", describe(c)),
                    ops,
                )
                .expected(json!(false), found.cloned()),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::post_render::rules::testing::{fixed, run, valid, UI, WORKER};

    #[test]
    fn disabled_passes() {
        assert!(run(&RULE, json!({}), &valid()).0.is_empty());
    }

    #[test]
    fn missing_or_true_is_patched_to_false() {
        let mut docs = valid();
        docs[UI]["spec"]["template"]["spec"]
            .as_object_mut()
            .unwrap()
            .remove("enableServiceLinks");
        docs[WORKER]["spec"]["template"]["spec"]["enableServiceLinks"] = json!(true);
        let (findings, after) = fixed(&RULE, json!({}), &docs);
        assert_eq!(findings.len(), 2);
        assert_eq!(after, valid());
    }
}
