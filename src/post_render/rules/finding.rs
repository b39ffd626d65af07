//! What rules return: findings (an error, a warning, or RFC 6902 operations that fix the document).

use json_patch::PatchOperation;
use serde_json::Value;

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
