//! Every `env` entry has a unique `name`; `value` and `value_from` are mutually exclusive; `value_from` has exactly
//! one source (secret_key_ref, config_map_key_ref, field_ref) with its required fields (executor document,
//! "Environment"). Error.

use serde_json::Value;

use super::{items, one_source, required_str, Findings, Path};

pub const ID: &str = "env";
const SOURCES: [&str; 3] = ["secret_key_ref", "config_map_key_ref", "field_ref"];

pub fn check(config: &Value, out: &mut Findings) {
    let mut seen = std::collections::BTreeSet::new();
    for (p, entry) in items(config, &Path::root(), "env") {
        if required_str(ID, entry, &p, "name", out) && !seen.insert(entry["name"].to_string()) {
            out.at(
                ID,
                &p.key("name"),
                format!("duplicate variable {}", entry["name"]),
            );
        }
        let Some(from) = entry.get("value_from").filter(|v| !v.is_null()) else {
            continue;
        };
        if entry.get("value").is_some_and(|v| !v.is_null()) {
            out.at(
                ID,
                &p,
                "value and value_from are mutually exclusive; keep one",
            );
        }
        let fp = p.key("value_from");
        let none = "must define one source: secret_key_ref, config_map_key_ref or field_ref";
        if let Some(source) = one_source(ID, from, &fp, &SOURCES, none, out) {
            let sp = fp.key(source);
            let src = &from[source];
            if source == "field_ref" {
                required_str(ID, src, &sp, "field_path", out);
            } else {
                required_str(ID, src, &sp, "name", out);
                required_str(ID, src, &sp, "key", out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::run;
    use serde_json::json;

    #[test]
    fn documented_entries_are_valid() {
        let v = json!({"env": [{"name": "A", "value": "1"},
            {"name": "P", "value_from": {"field_ref": {"field_path": "metadata.name"}}},
            {"name": "S", "value_from": {"secret_key_ref": {"name": "s", "key": "k"}}}]});
        assert!(run(super::check, v).is_empty());
    }

    #[test]
    fn invalid_entries_are_reported_with_their_index() {
        let v = json!({"env": [{"value": "1"},
            {"name": "B", "value": "x", "value_from": {"field_ref": {"field_path": "a"}}},
            {"name": "C", "value_from": {}},
            {"name": "D", "value_from": {"field_ref": {"field_path": "a"}, "secret_key_ref": {"name": "s", "key": "k"}}},
            {"name": "E", "value_from": {"config_map_key_ref": {"name": "c"}}}, {"name": "B", "value": "again"}]});
        assert_eq!(
            run(super::check, v),
            [
                "env[0].name: is required and must not be empty",
                "env[1]: value and value_from are mutually exclusive; keep one",
                "env[2].value_from: must define one source: secret_key_ref, config_map_key_ref or field_ref",
                "env[3].value_from: must define exactly one source, found secret_key_ref and field_ref",
                "env[4].value_from.config_map_key_ref.key: is required and must not be empty",
                "env[5].name: duplicate variable \"B\"",
            ]
        );
    }
}
