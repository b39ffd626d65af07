//! Every `volume_mounts` entry has a `name` that matches one of `volumes` and an absolute `mount_path`
//! (executor document, "Volumes"; the API server rejects either at create time). Error.

use serde_json::Value;

use super::{items, required_str, Findings, Path};

pub const ID: &str = "volume_mounts";

pub fn check(config: &Value, out: &mut Findings) {
    let volumes: Vec<&str> = items(config, &Path::root(), "volumes")
        .into_iter()
        .filter_map(|(_, v)| v.get("name").and_then(Value::as_str))
        .collect();
    for (p, m) in items(config, &Path::root(), ID) {
        if required_str(ID, m, &p, "name", out) {
            let name = m["name"].as_str().unwrap_or_default();
            if !volumes.contains(&name) {
                let known = if volumes.is_empty() {
                    "no volumes are defined".to_string()
                } else {
                    format!("volumes: {}", volumes.join(", "))
                };
                out.at(
                    ID,
                    &p.key("name"),
                    format!("{name:?} matches no entry of volumes ({known})"),
                );
            }
        }
        if required_str(ID, m, &p, "mount_path", out) {
            if let Some(path) = m["mount_path"].as_str().filter(|s| !s.starts_with('/')) {
                out.at(
                    ID,
                    &p.key("mount_path"),
                    format!("must be an absolute path, found {path:?}"),
                );
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
        let v = json!({"volumes": [{"name": "scratch"}, {"name": "app-config"}],
            "volume_mounts": [{"name": "scratch", "mount_path": "/tmp/work"},
            {"name": "app-config", "mount_path": "/etc/app", "read_only": true}]});
        assert!(run(super::check, v).is_empty());
    }

    #[test]
    fn invalid_mounts_are_reported() {
        let v = json!({"volumes": [{"name": "a"}, {"name": "b"}],
            "volume_mounts": [{"mount_path": "/x"}, {"name": "a"}, {"name": "b", "mount_path": "rel"}, {"name": "c", "mount_path": "/c"}]});
        assert_eq!(
            run(super::check, v),
            [
                "volume_mounts[0].name: is required and must not be empty",
                "volume_mounts[1].mount_path: is required and must not be empty",
                "volume_mounts[2].mount_path: must be an absolute path, found \"rel\"",
                "volume_mounts[3].name: \"c\" matches no entry of volumes (volumes: a, b)",
            ]
        );
    }
}
