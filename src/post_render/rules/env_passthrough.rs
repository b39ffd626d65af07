//! The ConfigMap's `dagu.yaml` has top-level `env_passthrough` / `env_passthrough_prefixes` equal to
//! `config.envPassthrough` / `config.envPassthroughPrefixes` (chart docs, "Step Environment Passthrough"; absent
//! when the list is empty). Checked only for the keys the values set. Patched by editing the text, so the rest
//! of `dagu.yaml` keeps its formatting.

use serde_json::{json, Value};

use super::helpers::{replace, test};
use super::{Finding, Rule};
use crate::post_render::context::Context;
use crate::post_render::lookup::Lookup;
use crate::post_render::manifest::Doc;
use crate::post_render::yaml;

pub const RULE: Rule = Rule {
    id: "env-passthrough",
    description: "dagu.yaml's env_passthrough / env_passthrough_prefixes equal config.envPassthrough / config.envPassthroughPrefixes",
    check,
};

pub const DATA_PTR: &str = "/data/dagu.yaml";
const KEYS: &[(&str, &str)] = &[
    ("/config/envPassthrough", "env_passthrough"),
    ("/config/envPassthroughPrefixes", "env_passthrough_prefixes"),
];

fn check(ctx: &Context, docs: &[Doc]) -> Vec<Finding> {
    let name = ctx.config_map_name();
    let Some((i, cm)) = docs
        .iter()
        .enumerate()
        .find(|(_, d)| d.is("ConfigMap", &name))
    else {
        return vec![];
    };
    let Some(mut text) = cm
        .value()
        .and_then(|v| v.at(DATA_PTR))
        .and_then(Value::as_str)
        .map(str::to_string)
    else {
        return vec![];
    };
    let mut findings = vec![];
    for (values_ptr, key) in KEYS {
        let Some(wanted) = ctx.value(values_ptr) else {
            continue;
        };
        let Some(wanted) = wanted.as_array().filter(|a| a.iter().all(Value::is_string)) else {
            findings.push(Finding::error(
                RULE.id,
                None,
                *values_ptr,
                format!(
                    "values: {} must be a list of strings",
                    &values_ptr[1..].replace('/', ".")
                ),
            ));
            continue;
        };
        let parsed = match yaml::parse(&text) {
            Ok(v) => v,
            Err(e) => {
                return vec![Finding::error(RULE.id, Some(i), DATA_PTR, format!(
                    "ConfigMap {name}: dagu.yaml does not parse ({}); fix the chart's config template", e.message))];
            }
        };
        let found = parsed.get(*key).filter(|v| !v.is_null());
        let same = match found {
            None => wanted.is_empty(),
            Some(v) => v.as_array() == Some(wanted),
        };
        if same {
            continue;
        }
        let items: Vec<&str> = wanted.iter().filter_map(Value::as_str).collect();
        let edited = set_top_level_list(&text, key, &items);
        if !edit_is_exact(&parsed, &edited, key, wanted) {
            findings.push(Finding::error(RULE.id, Some(i), DATA_PTR, format!(
                "ConfigMap {name}: dagu.yaml should have {key}: {} but kubectl-dagu cannot edit this dagu.yaml \
                 safely (it is not a plain top-level mapping). Render {key} from the values in the chart's config",
                json!(wanted))).expected(json!(wanted), found.cloned()));
            continue;
        }
        findings.push(
            Finding::fix(
                RULE.id,
                i,
                DATA_PTR,
                format!("ConfigMap {name}: dagu.yaml {key} set to the values' list"),
                vec![
                    test(DATA_PTR, json!(text)),
                    replace(DATA_PTR, json!(edited)),
                ],
            )
            .expected(json!(wanted), found.cloned()),
        );
        text = edited;
    }
    findings
}

/// Whether `edited` parses to `before` with only `key` changed to `wanted` (removed when empty).
fn edit_is_exact(before: &Value, edited: &str, key: &str, wanted: &[Value]) -> bool {
    let (Value::Object(before), Ok(Value::Object(after))) = (before, yaml::parse(edited)) else {
        return false;
    };
    let mut expected = before.clone();
    expected.remove(key);
    if !wanted.is_empty() {
        expected.insert(key.to_string(), Value::Array(wanted.to_vec()));
    }
    let mut after = after;
    after.sort_keys();
    expected.sort_keys();
    after == expected
}

/// Replaces (or removes, when `items` is empty) the top-level block `key:` of a YAML text.
fn set_top_level_list(text: &str, key: &str, items: &[&str]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut skipping = false;
    for line in text.split_inclusive('\n') {
        if skipping && (line.starts_with([' ', '\t', '-']) || line.trim().is_empty()) {
            continue;
        }
        skipping = line
            .strip_prefix(key)
            .is_some_and(|rest| rest.starts_with(':'));
        if !skipping {
            out.push_str(line);
        }
    }
    if !items.is_empty() {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&format!("{key}:\n"));
        for item in items {
            out.push_str(&format!("  - {}\n", json!(item)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::post_render::rules::testing::{errors, fixed, run, valid, CONFIG_MAP};

    fn dagu_yaml(docs: &[Value]) -> Value {
        yaml::parse(docs[CONFIG_MAP]["data"]["dagu.yaml"].as_str().unwrap()).unwrap()
    }

    #[test]
    fn matching_or_unset_values_pass() {
        assert!(run(&RULE, json!({}), &valid()).0.is_empty());
        assert!(
            run(&RULE, json!({"config": {"envPassthrough": []}}), &valid())
                .0
                .is_empty()
        );
    }

    #[test]
    fn lists_are_written_replaced_and_removed() {
        let values = json!({"config": {"envPassthrough": ["HTTP_PROXY", "NO_PROXY"], "envPassthroughPrefixes": ["AWS_"]}});
        let (findings, after) = fixed(&RULE, values, &valid());
        assert_eq!(findings.len(), 2);
        let parsed = dagu_yaml(&after);
        assert_eq!(parsed["env_passthrough"], json!(["HTTP_PROXY", "NO_PROXY"]));
        assert_eq!(parsed["env_passthrough_prefixes"], json!(["AWS_"]));
        assert_eq!(parsed["auth"]["mode"], "builtin");

        let values = json!({"config": {"envPassthrough": ["X"], "envPassthroughPrefixes": []}});
        let (_, again) = fixed(&RULE, values, &after);
        let parsed = dagu_yaml(&again);
        assert_eq!(parsed["env_passthrough"], json!(["X"]));
        assert!(parsed.get("env_passthrough_prefixes").is_none());
    }

    #[test]
    fn non_list_values_are_errors() {
        let (findings, _) = run(
            &RULE,
            json!({"config": {"envPassthrough": "HTTP_PROXY"}}),
            &valid(),
        );
        assert_eq!(errors(&findings).len(), 1);
    }

    #[test]
    fn a_dagu_yaml_that_cannot_be_edited_safely_is_an_error() {
        let mut docs = valid();
        docs[CONFIG_MAP]["data"]["dagu.yaml"] = json!("just text");
        let (findings, after) = run(&RULE, json!({"config": {"envPassthrough": ["A"]}}), &docs);
        assert_eq!(errors(&findings).len(), 1, "{findings:#?}");
        assert_eq!(after, docs);
    }

    #[test]
    fn text_edit_keeps_other_lines() {
        let text = "a: 1\nenv_passthrough:\n  - OLD\n\nenv_passthrough_x: 2\nb: 3";
        assert_eq!(
            set_top_level_list(text, "env_passthrough", &["N"]),
            "a: 1\nenv_passthrough_x: 2\nb: 3\nenv_passthrough:\n  - \"N\"\n"
        );
    }
}
