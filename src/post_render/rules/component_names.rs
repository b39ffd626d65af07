//! The coordinator, scheduler and UI Deployments are named `<fullname>-<component>` (chart docs, "Rendered
//! Objects"); a mismatch means the fullname was resolved wrongly, and every name-based rule would be wrong: error.

use super::helpers::{components, describe};
use super::{Finding, Rule};
use crate::post_render::context::Context;
use crate::post_render::manifest::Doc;
use crate::post_render::model::Role;

pub const RULE: Rule = Rule {
    id: "component-names",
    description: "coordinator, scheduler and UI Deployments are named <fullname>-<component>",
    check,
};

fn check(ctx: &Context, docs: &[Doc]) -> Vec<Finding> {
    components(ctx, docs)
        .filter(|(c, _)| c.role != Role::Worker)
        .filter_map(|(c, _)| {
            let want = format!("{}-{}", ctx.fullname, c.role.as_str());
            (c.name != want).then(|| {
                Finding::error(
                    RULE.id,
                    Some(c.doc),
                    "/metadata/name",
                    format!(
                        "{} runs the Dagu {} but the resolved fullname is {:?} (from {}), so it should be \
                         named {want}. Give kubectl-dagu the same values as helm (-f, --set for \
                         nameOverride/fullnameOverride) or pass --fullname / --release",
                        describe(c),
                        c.role.as_str(),
                        ctx.fullname,
                        ctx.fullname_from
                    ),
                )
                .expected(want.into(), Some(c.name.clone().into()))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::post_render::rules::testing::{errors, run, valid, UI};
    use serde_json::json;

    #[test]
    fn valid_names_pass() {
        assert!(run(&RULE, json!({}), &valid()).0.is_empty());
    }

    #[test]
    fn a_fullname_mismatch_is_an_error() {
        let (findings, _) = run(&RULE, json!({"fullnameOverride": "other"}), &valid());
        assert_eq!(errors(&findings).len(), 3);
        let mut docs = valid();
        docs[UI]["metadata"]["name"] = json!("dagu-web");
        let (findings, _) = run(&RULE, json!({}), &docs);
        assert_eq!(findings.len(), 1);
        assert!(findings[0].message.contains("should be named dagu-ui"));
    }
}
