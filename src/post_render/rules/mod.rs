//! The ordered rule registry. Each rule is a pure function of the context and the documents (as the earlier
//! rules left them) returning findings: an error (never fixed), a warning, or RFC 6902 operations. Rules never
//! apply their operations; the pipeline does, between rules. `--list-rules` prints this table.

mod component_env;
mod component_names;
mod config_mount;
mod dagu_home;
mod data_mount;
mod env_passthrough;
mod existing_claim;
mod extra_env;
mod finding;
pub(crate) mod helpers;
mod insecure_config;
mod latest_image_workers;
mod pvc_exists;
mod pvc_read_write_many;
mod service_links_disabled;
mod stable_selectors;
mod standalone_single_replica;
mod worker_coordinators;
mod worker_labels;
mod worker_pool_dns_name;
mod worker_pool_label;
mod worker_pool_name;
mod worker_pools_rendered;

#[cfg(test)]
pub(crate) mod testing;

pub use finding::{Action, Finding};

use super::context::Context;
use super::manifest::Doc;
use super::profile::{self, Mode, Profile};

/// A rule: its id (the file name, printed in every message), a one-line description, and its check.
pub struct Rule {
    pub id: &'static str,
    pub description: &'static str,
    pub check: fn(&Context, &[Doc]) -> Vec<Finding>,
}

/// Where a rule holds: chart versions (a `semver::VersionReq`), deployment modes, and the Dagu version
/// (`*`, `latest`, or a `VersionReq` on a pinned tag). A rule runs when any of its scopes matches the profile.
#[derive(Debug, Clone, Copy)]
pub struct Scope {
    pub charts: &'static str,
    pub modes: &'static [Mode],
    pub dagu: &'static str,
}

impl Scope {
    pub fn matches(&self, p: &Profile) -> bool {
        profile::req(self.charts).matches(&p.chart)
            && self.modes.contains(&p.mode)
            && p.dagu.matches(self.dagu)
    }
    fn describe(&self) -> String {
        let modes = if self.modes.len() == 2 {
            "all modes".to_string()
        } else {
            self.modes
                .iter()
                .map(|m| m.as_str())
                .collect::<Vec<_>>()
                .join(",")
        };
        let mut out = format!("charts {}, {modes}", self.charts);
        if self.dagu != "*" {
            out.push_str(&format!(", Dagu {}", self.dagu));
        }
        out
    }
}

/// A registry row: the rule and where it applies.
pub struct Entry {
    pub rule: Rule,
    pub applies: &'static [Scope],
}

impl Entry {
    pub fn applies_to(&self, p: &Profile) -> bool {
        self.applies.iter().any(|s| s.matches(p))
    }
}

const ALL: &[Mode] = &[Mode::Standalone, Mode::Distributed];
const DISTRIBUTED: &[Mode] = &[Mode::Distributed];
const fn scope(charts: &'static str, modes: &'static [Mode]) -> Scope {
    Scope {
        charts,
        modes,
        dagu: "*",
    }
}
const EVERYWHERE: &[Scope] = &[scope("*", ALL)];
const fn row(rule: Rule, applies: &'static [Scope]) -> Entry {
    Entry { rule, applies }
}

/// Every rule, in the order they run, with where it applies.
pub const RULES: &[Entry] = &[
    row(component_names::RULE, EVERYWHERE),
    row(stable_selectors::RULE, EVERYWHERE),
    row(pvc_exists::RULE, EVERYWHERE),
    row(existing_claim::RULE, &[scope(">=2.0.0", ALL)]),
    row(
        pvc_read_write_many::RULE,
        &[scope("<2.0.0", ALL), scope(">=2.0.0", DISTRIBUTED)],
    ),
    row(
        standalone_single_replica::RULE,
        &[scope(">=2.0.0", &[Mode::Standalone])],
    ),
    row(worker_pool_name::RULE, &[scope("<2.0.0", ALL)]),
    row(worker_pool_dns_name::RULE, &[scope(">=2.0.0", DISTRIBUTED)]),
    row(worker_pools_rendered::RULE, &[scope("*", DISTRIBUTED)]),
    row(service_links_disabled::RULE, EVERYWHERE),
    row(data_mount::RULE, EVERYWHERE),
    row(config_mount::RULE, EVERYWHERE),
    row(dagu_home::RULE, EVERYWHERE),
    row(component_env::RULE, EVERYWHERE),
    row(extra_env::RULE, EVERYWHERE),
    row(worker_pool_label::RULE, &[scope("*", DISTRIBUTED)]),
    row(worker_labels::RULE, &[scope("*", DISTRIBUTED)]),
    row(
        worker_coordinators::RULE,
        &[
            scope(">=1.0.10", DISTRIBUTED),
            Scope {
                charts: "<1.0.10",
                modes: DISTRIBUTED,
                dagu: ">=2.9.0",
            },
        ],
    ),
    row(
        latest_image_workers::RULE,
        &[Scope {
            charts: "<1.0.10",
            modes: DISTRIBUTED,
            dagu: "latest",
        }],
    ),
    row(env_passthrough::RULE, EVERYWHERE),
    row(insecure_config::RULE, EVERYWHERE),
];

/// The rules that run for `profile`, in order.
pub fn for_profile(profile: &Profile) -> impl Iterator<Item = &'static Rule> + '_ {
    RULES
        .iter()
        .filter(|e| e.applies_to(profile))
        .map(|e| &e.rule)
}

/// Puts findings in their reported order: by rule (the table's order), then by document position (findings
/// on no document first), otherwise as the rule gave them. Both pipelines end with it, so a stream checked in
/// batches reports exactly as one checked whole.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by_cached_key(|f| {
        let rule = RULES.iter().position(|e| e.rule.id == f.rule);
        (rule, f.doc.map_or(0, |d| d + 1))
    });
}

/// The table `--list-rules` prints: id, description, and where each rule applies.
pub fn list() -> String {
    let width = RULES.iter().map(|r| r.rule.id.len()).max().unwrap_or(0);
    RULES
        .iter()
        .map(|r| {
            let applies: Vec<String> = r.applies.iter().map(Scope::describe).collect();
            format!(
                "{:width$}  {}\n{:width$}  applies to: {}\n",
                r.rule.id,
                r.rule.description,
                "",
                applies.join("; ")
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_unique_kebab_case_and_match_their_file() {
        let mut ids: Vec<&str> = RULES.iter().map(|r| r.rule.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), RULES.len());
        for entry in RULES {
            let rule = &entry.rule;
            for scope in entry.applies {
                profile::req(scope.charts);
                assert!(
                    scope.dagu == "*"
                        || scope.dagu == "latest"
                        || semver::VersionReq::parse(scope.dagu).is_ok()
                );
            }
            assert!(rule.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'));
            let file = format!(
                "{}/src/post_render/rules/{}.rs",
                env!("CARGO_MANIFEST_DIR"),
                rule.id.replace('-', "_")
            );
            assert!(std::path::Path::new(&file).exists(), "{file}");
        }
        assert!(list().contains("pvc-read-write-many"));
    }
}
