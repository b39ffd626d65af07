//! The chart's fullname rule (the `fullname` helper in `charts/dagu/templates/_helpers.tpl`): what the release's
//! objects are named, so the Service can be found by name when its labels do not identify it.

/// The chart's name, used when `nameOverride` is not set.
pub const CHART_NAME: &str = "dagu";
/// Helm truncates names to a DNS label.
const MAX_NAME: usize = 63;

/// The chart's `fullname`: `fullnameOverride`; else with name = `nameOverride` or `dagu`, the release name when it
/// already contains the name, else `<release>-<name>`; truncated to 63 characters without a trailing `-`.
/// Empty overrides count as unset, as with Helm's `default`.
pub fn fullname(
    release: &str,
    name_override: Option<&str>,
    fullname_override: Option<&str>,
) -> String {
    let full = match fullname_override.filter(|s| !s.is_empty()) {
        Some(full) => full.to_string(),
        None => {
            let name = name_override
                .filter(|s| !s.is_empty())
                .unwrap_or(CHART_NAME);
            if release.contains(name) {
                release.to_string()
            } else {
                format!("{release}-{name}")
            }
        }
    };
    helm_trunc(&full)
}

/// `trunc 63 | trimSuffix "-"`.
fn helm_trunc(name: &str) -> String {
    let truncated: String = name.chars().take(MAX_NAME).collect();
    truncated
        .strip_suffix('-')
        .unwrap_or(&truncated)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fullname_follows_the_chart_helper() {
        let long = "r".repeat(70);
        let cases: &[(&str, Option<&str>, Option<&str>, &str)] = &[
            ("dagu", None, None, "dagu"),
            ("prod", None, None, "prod-dagu"),
            ("my-dagu-prod", None, None, "my-dagu-prod"),
            ("prod", Some("wf"), None, "prod-wf"),
            ("wf-prod", Some("wf"), None, "wf-prod"),
            ("dagu", Some("wf"), None, "dagu-wf"),
            ("prod", Some(""), None, "prod-dagu"),
            ("prod", Some("wf"), Some("ops"), "ops"),
            ("prod", None, Some(""), "prod-dagu"),
            ("prod", None, Some("x-"), "x"),
            (&long, None, None, &long[..63]),
        ];
        for (release, name, full, want) in cases {
            assert_eq!(
                fullname(release, *name, *full),
                *want,
                "release {release} name {name:?} full {full:?}"
            );
        }
        // trunc 63 can leave a trailing '-', which trimSuffix removes.
        let release = format!("{}-x", "a".repeat(62));
        assert_eq!(fullname(&release, Some("x"), None), "a".repeat(62));
    }
}
