//! Warns (never fails) when `dagu.yaml` turns security off: `auth.mode: none` (anyone reaching the UI Service
//! controls every DAG) or `peer.insecure: true` (plaintext, unauthenticated gRPC between workers and the
//! coordinator; the chart renders it by default). See the chart docs, "Dagu Configuration Written By The Chart".

use serde_json::Value;

use super::{Finding, Rule};
use crate::post_render::context::Context;
use crate::post_render::lookup::Lookup;
use crate::post_render::manifest::Doc;
use crate::post_render::yaml;

pub const RULE: Rule = Rule {
    id: "insecure-config",
    description: "warns when dagu.yaml sets auth.mode: none or peer.insecure: true",
    check,
};

fn check(ctx: &Context, docs: &[Doc]) -> Vec<Finding> {
    let name = ctx.config_map_name();
    let Some((i, text)) = docs.iter().enumerate().find_map(|(i, d)| {
        let text = d
            .is("ConfigMap", &name)
            .then(|| d.value()?.at(super::env_passthrough::DATA_PTR)?.as_str())??;
        Some((i, text))
    }) else {
        return vec![];
    };
    let Ok(config) = yaml::parse(text) else {
        return vec![];
    };
    let mut findings = vec![];
    if config.at("/auth/mode").and_then(Value::as_str) == Some("none") {
        findings.push(Finding::warning(RULE.id, Some(i), "/data/dagu.yaml", format!(
            "ConfigMap {name}: auth.mode is none: anyone who can reach the UI Service can run, edit and delete \
             every DAG. Use auth.mode=builtin (the default) unless the UI is behind an authenticating proxy")));
    }
    if config.at("/peer/insecure") == Some(&Value::Bool(true)) {
        findings.push(Finding::warning(RULE.id, Some(i), "/data/dagu.yaml", format!(
            "ConfigMap {name}: peer.insecure is true (the chart's default): workers and the coordinator talk \
             gRPC without TLS or authentication, so any pod that can reach the coordinator Service on port \
             50055 can pose as a worker and receive DAG steps and their secrets. Restrict it with a \
             NetworkPolicy, or configure peer TLS in dagu.yaml")));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::post_render::rules::testing::{run, valid, CONFIG_MAP};
    use serde_json::json;

    #[test]
    fn secure_config_is_quiet() {
        assert!(run(&RULE, json!({}), &valid()).0.is_empty());
    }

    #[test]
    fn auth_none_and_insecure_peers_are_warnings() {
        let mut docs = valid();
        docs[CONFIG_MAP]["data"]["dagu.yaml"] =
            json!("auth:\n  mode: none\npeer:\n  insecure: true\n");
        let (findings, after) = run(&RULE, json!({}), &docs);
        assert_eq!(findings.len(), 2);
        assert!(findings
            .iter()
            .all(|f| f.action == crate::post_render::rules::Action::Warning));
        assert_eq!(after, docs);
    }
}
