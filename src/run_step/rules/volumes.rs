//! Every `volumes` entry has a unique `name` and exactly one source (empty_dir, host_path, config_map, secret,
//! persistent_volume_claim) with the source's required field (executor document, "Volumes"). Error.

use serde_json::Value;

use super::{items, one_source, required_str, Findings, Path};

pub const ID: &str = "volumes";
const SOURCES: [&str; 5] = [
    "empty_dir",
    "host_path",
    "config_map",
    "secret",
    "persistent_volume_claim",
];

pub fn check(config: &Value, out: &mut Findings) {
    let mut seen = std::collections::BTreeSet::new();
    for (p, vol) in items(config, &Path::root(), ID) {
        if required_str(ID, vol, &p, "name", out) && !seen.insert(vol["name"].to_string()) {
            out.at(
                ID,
                &p.key("name"),
                format!("duplicate volume name {}", vol["name"]),
            );
        }
        let none = format!("must define one source: {}", SOURCES.join(", "));
        if let Some(source) = one_source(ID, vol, &p, &SOURCES, &none, out) {
            let required = match source {
                "host_path" => Some("path"),
                "config_map" => Some("name"),
                "secret" => Some("secret_name"),
                "persistent_volume_claim" => Some("claim_name"),
                _ => None,
            };
            if let Some(field) = required {
                required_str(ID, &vol[source], &p.key(source), field, out);
            }
            if let Some(size) = vol[source].get("size_limit").and_then(|s| {
                s.as_str()
                    .map(str::to_string)
                    .or(s.as_number().map(|n| n.to_string()))
            }) {
                if let Err(e) = super::resources::check_quantity(&size) {
                    out.at(ID, &p.key(source).key("size_limit"), e);
                }
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
        let v = json!({"volumes": [{"name": "scratch", "empty_dir": {"medium": "Memory", "size_limit": "256Mi"}},
            {"name": "app-config", "config_map": {"name": "my-config"}},
            {"name": "data", "persistent_volume_claim": {"claim_name": "shared-data"}},
            {"name": "s", "secret": {"secret_name": "x"}}, {"name": "h", "host_path": {"path": "/tmp"}}]});
        assert!(run(super::check, v).is_empty());
    }

    #[test]
    fn invalid_volumes_are_reported() {
        let v = json!({"volumes": [{"name": "a"}, {"name": "b", "empty_dir": {}, "secret": {"secret_name": "s"}},
            {"secret": {}}, {"name": "d", "empty_dir": {"size_limit": "-1Gi"}}, {"name": "a", "empty_dir": {}}]});
        assert_eq!(
            run(super::check, v),
            [
                "volumes[0]: must define one source: empty_dir, host_path, config_map, secret, persistent_volume_claim",
                "volumes[1]: must define exactly one source, found empty_dir and secret",
                "volumes[2].name: is required and must not be empty",
                "volumes[2].secret.secret_name: is required and must not be empty",
                "volumes[3].empty_dir.size_limit: must not be negative, found \"-1Gi\"",
                "volumes[4].name: duplicate volume name \"a\"",
            ]
        );
    }
}
