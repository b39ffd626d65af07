//! Every `env_from` entry defines exactly one of `config_map_ref` / `secret_ref`, with a `name` (executor
//! document, "Environment"). Error.

use serde_json::Value;

use super::{items, present, required_str, Findings, Path};

pub const ID: &str = "env_from";

pub fn check(config: &Value, out: &mut Findings) {
    for (p, entry) in items(config, &Path::root(), "env_from") {
        match present(entry, &["config_map_ref", "secret_ref"])[..] {
            [source] => {
                required_str(ID, &entry[source], &p.key(source), "name", out);
            }
            [] => out.at(ID, &p, "must define one of config_map_ref or secret_ref"),
            _ => out.at(
                ID,
                &p,
                "must define only one of config_map_ref or secret_ref, found both",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::run;
    use serde_json::json;

    #[test]
    fn one_named_source_is_valid() {
        let v = json!({"env_from": [{"config_map_ref": {"name": "c"}, "prefix": "APP_"}, {"secret_ref": {"name": "s"}}]});
        assert!(run(super::check, v).is_empty());
    }

    #[test]
    fn none_both_or_nameless_are_rejected() {
        let v = json!({"env_from": [{"prefix": "X"}, {"config_map_ref": {"name": "c"}, "secret_ref": {"name": "s"}},
            {"secret_ref": {}}]});
        assert_eq!(
            run(super::check, v),
            [
                "env_from[0]: must define one of config_map_ref or secret_ref",
                "env_from[1]: must define only one of config_map_ref or secret_ref, found both",
                "env_from[2].secret_ref.name: is required and must not be empty",
            ]
        );
    }
}
