//! The ordered rule registry. Each rule is a pure function of the context and the documents (as the earlier
//! rules left them) returning findings: an error (never fixed), a warning, or RFC 6902 operations. Rules never
//! apply their operations; the pipeline does, between rules. `--list-rules` prints this table.

mod component_env;
mod component_names;
mod config_mount;
mod dagu_home;
mod data_mount;
mod env_passthrough;
mod extra_env;
pub(crate) mod helpers;
mod insecure_config;
mod pvc_exists;
mod pvc_read_write_many;
mod service_links_disabled;
mod stable_selectors;
mod worker_labels;
mod worker_pool_label;
mod worker_pool_name;
mod worker_pools_rendered;

#[cfg(test)]
pub(crate) mod testing;

use json_patch::PatchOperation;
use serde_json::Value;

use super::context::Context;
use super::manifest::Doc;

/// What a finding asks for.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "lowercase", tag = "action", content = "operations")]
pub enum Action {
    /// An invariant is violated and kubectl-dagu will not guess the fix: exit 1.
    Error,
    /// Worth knowing, not failing (e.g. an insecure setting the chart renders by default).
    Warning,
    /// Enforcement applies these operations to the document.
    Fix(Vec<PatchOperation>),
}

/// One result of one rule.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Finding {
    pub rule: &'static str,
    /// Position of the document in the stream's document list; `None` for findings about the values or about
    /// an object missing from the stream.
    #[serde(skip)]
    pub doc: Option<usize>,
    /// JSON pointer into the document (or into the values, when `doc` is `None`).
    pub pointer: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found: Option<Value>,
    #[serde(flatten)]
    pub action: Action,
    /// A fix worth a warning even when enforcement succeeds (it overrode a value someone set on purpose).
    #[serde(skip)]
    pub notable: bool,
}

impl Finding {
    pub fn error(
        rule: &'static str,
        doc: Option<usize>,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            rule,
            doc,
            pointer: pointer.into(),
            message: message.into(),
            expected: None,
            found: None,
            action: Action::Error,
            notable: false,
        }
    }
    pub fn warning(
        rule: &'static str,
        doc: Option<usize>,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            action: Action::Warning,
            ..Finding::error(rule, doc, pointer, message)
        }
    }
    pub fn fix(
        rule: &'static str,
        doc: usize,
        pointer: impl Into<String>,
        message: impl Into<String>,
        ops: Vec<PatchOperation>,
    ) -> Self {
        Finding {
            action: Action::Fix(ops),
            ..Finding::error(rule, Some(doc), pointer, message)
        }
    }
    pub fn expected(mut self, expected: Value, found: Option<Value>) -> Self {
        self.expected = Some(expected);
        self.found = found;
        self
    }
    pub fn notable(mut self, notable: bool) -> Self {
        self.notable = notable;
        self
    }
    pub fn is_error(&self) -> bool {
        self.action == Action::Error
    }
}

/// A rule: its id (the file name, printed in every message), a one-line description, and its check.
pub struct Rule {
    pub id: &'static str,
    pub description: &'static str,
    pub check: fn(&Context, &[Doc]) -> Vec<Finding>,
}

/// Every rule, in the order they run.
pub const RULES: &[Rule] = &[
    component_names::RULE,
    stable_selectors::RULE,
    pvc_exists::RULE,
    pvc_read_write_many::RULE,
    worker_pool_name::RULE,
    worker_pools_rendered::RULE,
    service_links_disabled::RULE,
    data_mount::RULE,
    config_mount::RULE,
    dagu_home::RULE,
    component_env::RULE,
    extra_env::RULE,
    worker_pool_label::RULE,
    worker_labels::RULE,
    env_passthrough::RULE,
    insecure_config::RULE,
];

/// The table `--list-rules` prints.
pub fn list() -> String {
    let width = RULES.iter().map(|r| r.id.len()).max().unwrap_or(0);
    RULES
        .iter()
        .map(|r| format!("{:width$}  {}\n", r.id, r.description))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_unique_kebab_case_and_match_their_file() {
        let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), RULES.len());
        for rule in RULES {
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
