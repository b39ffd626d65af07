//! Fields an older API server silently drops: `pod_failure_policy` before Kubernetes 1.26 (beta, on by
//! default from 1.26) and `ttl_after_finished` before 1.21 (alpha there, off by default). A dropped failure
//! policy changes what the Job does, so run-step warns before creating it, or refuses with `--strict`
//! (issue 9, item 7).

use serde_json::Value;

/// (config field, first minor of Kubernetes 1.x that honours it by default)
const FIELDS: [(&str, u32); 2] = [("pod_failure_policy", 26), ("ttl_after_finished", 21)];

/// The server's 1.x minor version from its `/version` (`"20"`, `"26+"`); `None` when it is not 1.x.
pub fn minor(major: &str, minor: &str) -> Option<u32> {
    (major.trim() == "1").then_some(())?;
    minor.trim().trim_end_matches('+').parse().ok()
}

/// One message per set field the server would drop.
pub fn dropped(config: &Value, server_minor: u32) -> Vec<String> {
    FIELDS
        .iter()
        .filter(|(field, since)| config.get(*field).is_some() && server_minor < *since)
        .map(|(field, since)| {
            format!("the API server is Kubernetes 1.{server_minor}: it silently drops `{field}` (honoured from 1.{since}); the Job would run without it")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn versions_parse() {
        assert_eq!(minor("1", "20"), Some(20));
        assert_eq!(minor("1", "26+"), Some(26));
        assert_eq!(minor("2", "0"), None);
    }

    #[test]
    fn fields_older_servers_drop_are_reported() {
        let config = json!({"pod_failure_policy": {"rules": []}, "ttl_after_finished": 60});
        let on_120 = dropped(&config, 20);
        assert_eq!(on_120.len(), 2);
        assert!(
            on_120[0].contains("`pod_failure_policy` (honoured from 1.26)"),
            "{on_120:?}"
        );
        assert_eq!(dropped(&config, 21).len(), 1);
        assert!(dropped(&config, 26).is_empty());
        assert!(dropped(&json!({"image": "x"}), 20).is_empty());
    }
}
