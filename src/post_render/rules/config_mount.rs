//! Every Dagu Deployment mounts the ConfigMap `<fullname>-config` at `/etc/dagu`, and that ConfigMap is in the
//! stream (chart docs, "Pod Configuration"; the commands read `/etc/dagu/dagu.yaml`). A missing volume or
//! mount is patched; a missing ConfigMap or a conflicting mount is an error.

use super::helpers::{components, ensure_mount};
use super::{Finding, Rule};
use crate::post_render::context::Context;
use crate::post_render::manifest::Doc;

pub const RULE: Rule = Rule {
    id: "config-mount",
    description: "the ConfigMap <fullname>-config is rendered and mounted at /etc/dagu in every Dagu container",
    check,
};

fn check(ctx: &Context, docs: &[Doc]) -> Vec<Finding> {
    let name = ctx.config_map_name();
    let mut findings = vec![];
    if !ctx.components.is_empty() && !docs.iter().any(|d| d.is("ConfigMap", &name)) {
        findings.push(Finding::error(
            RULE.id,
            None,
            "",
            format!(
                "the stream has Dagu Deployments but no ConfigMap {name}; they read /etc/dagu/dagu.yaml from \
                 it. Render the chart's ConfigMap or add it to the stream"
            ),
        ));
    }
    findings.extend(components(ctx, docs).flat_map(|(c, d)| {
        ensure_mount(
            RULE.id,
            c,
            d,
            ("configMap", "name", &name),
            "config",
            "/etc/dagu",
        )
    }));
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::post_render::rules::testing::{fixed, run, valid, CONFIG_MAP, COORDINATOR};
    use serde_json::json;

    #[test]
    fn mounted_passes() {
        assert!(run(&RULE, json!({}), &valid()).0.is_empty());
    }

    #[test]
    fn missing_mount_is_added_without_duplicating_the_volume() {
        let mut docs = valid();
        docs[COORDINATOR]["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
            .as_array_mut()
            .unwrap()
            .remove(1);
        let (findings, after) = fixed(&RULE, json!({}), &docs);
        assert_eq!(findings.len(), 1);
        assert_eq!(after, valid());
    }

    #[test]
    fn a_missing_config_map_is_an_error() {
        let mut docs = valid();
        docs.remove(CONFIG_MAP);
        let (findings, _) = run(&RULE, json!({}), &docs);
        assert!(findings[0].is_error() && findings[0].message.contains("no ConfigMap dagu-config"));
    }
}
