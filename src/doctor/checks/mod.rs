//! The ordered check registry, in the shape of `linkerd check`: categories run in order, each check has a
//! stable id (its file name), a description, a hint naming the fix, whether it is fatal (later checks are
//! skipped when it fails) and whether `--wait` retries it (it can still become true: pods starting). Every
//! message a user can see about a check comes from its row here or from its one file.

mod components_available;
mod coordinator_endpoints;
mod coordinator_service;
mod insecure_config;
mod network_policy;
mod orphaned_replicasets;
mod pods_not_crash_looping;
mod post_render_rules;
mod pvc_access_modes;
mod pvc_bound;
mod release_found;
mod same_image;

use super::release::Release;

/// Groups of checks, printed in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    Release,
    Invariants,
    Storage,
    Components,
    Coordinator,
    Versions,
}

impl Category {
    pub fn title(self) -> &'static str {
        match self {
            Category::Release => "release",
            Category::Invariants => "chart invariants (post-render rules on the live objects)",
            Category::Storage => "storage",
            Category::Components => "components",
            Category::Coordinator => "coordinator connectivity",
            Category::Versions => "versions and security",
        }
    }
}

/// One thing wrong, as a check reports it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub severity: Severity,
    /// The object it is about (`Deployment/dagu-coordinator`), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Problem {
    pub fn error(object: Option<String>, message: impl Into<String>) -> Problem {
        Problem {
            severity: Severity::Error,
            object,
            message: message.into(),
        }
    }
    pub fn warning(object: Option<String>, message: impl Into<String>) -> Problem {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(object, message)
        }
    }
}

/// What one check found: nothing wrong, not applicable (and why), or problems.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Skip(String),
    Problems(Vec<Problem>),
}

impl Verdict {
    /// `Pass` when there are no problems.
    pub fn from(problems: Vec<Problem>) -> Verdict {
        if problems.is_empty() {
            Verdict::Pass
        } else {
            Verdict::Problems(problems)
        }
    }
    pub fn worst(&self) -> Option<Severity> {
        match self {
            Verdict::Problems(p) => p.iter().map(|p| p.severity).max(),
            _ => None,
        }
    }
}

/// A check: its registry row.
pub struct Check {
    pub id: &'static str,
    pub category: Category,
    pub description: &'static str,
    /// How to fix a failure; printed under it and carried in `-o json`.
    pub hint: &'static str,
    /// A failure skips every later check (nothing to check without it).
    pub fatal: bool,
    /// `--wait` re-runs it until the deadline: it can still become true without anyone acting.
    pub retry: bool,
    pub run: fn(&Release) -> Verdict,
}

/// Every check, in the order they run.
pub const CHECKS: &[Check] = &[
    release_found::CHECK,
    post_render_rules::CHECK,
    pvc_bound::CHECK,
    pvc_access_modes::CHECK,
    components_available::CHECK,
    pods_not_crash_looping::CHECK,
    orphaned_replicasets::CHECK,
    coordinator_service::CHECK,
    coordinator_endpoints::CHECK,
    network_policy::CHECK,
    same_image::CHECK,
    insecure_config::CHECK,
];

/// `Deployment/NAME`, the way problems name objects.
pub fn object(kind: &str, name: &str) -> Option<String> {
    Some(format!("{kind}/{name}"))
}

#[cfg(test)]
pub(crate) mod testing;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_ids_are_unique_kebab_case_match_their_file_and_have_hints() {
        let mut ids: Vec<&str> = CHECKS.iter().map(|c| c.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), CHECKS.len());
        for check in CHECKS {
            assert!(check
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit()));
            let file = format!(
                "{}/src/doctor/checks/{}.rs",
                env!("CARGO_MANIFEST_DIR"),
                check.id.replace('-', "_")
            );
            assert!(std::path::Path::new(&file).exists(), "{file}");
            assert!(!check.hint.is_empty() && !check.description.is_empty());
        }
        let mut last = Category::Release as u8;
        for check in CHECKS {
            assert!(
                check.category as u8 >= last,
                "{} out of category order",
                check.id
            );
            last = check.category as u8;
        }
    }

    #[test]
    fn every_check_id_is_documented() {
        let doc = std::fs::read_to_string(format!("{}/docs/doctor.md", env!("CARGO_MANIFEST_DIR")))
            .expect("docs/doctor.md");
        for check in CHECKS {
            assert!(
                doc.contains(&format!("`{}`", check.id)),
                "docs/doctor.md lacks `{}`",
                check.id
            );
        }
    }
}
