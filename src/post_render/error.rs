//! Input errors (exit 2): the stream or the values could not be read. Invariant violations are not errors here;
//! they are findings (see `rules`), because `--check` and `-o json` must list them all.

use std::fmt;

/// How a message names a document: its 1-based index, kind/name, and where it came from (helm 3's `# Source:`
/// comment or helm 4's `postrenderer.helm.sh/postrender-filename` annotation).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct DocRef {
    pub index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl fmt::Display for DocRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "document {}", self.index)?;
        match (&self.kind, &self.name) {
            (Some(kind), Some(name)) => write!(f, " {kind}/{name}")?,
            (Some(kind), None) => write!(f, " {kind}")?,
            _ => {}
        }
        if let Some(source) = &self.source {
            write!(f, " ({source})")?;
        }
        Ok(())
    }
}

/// Why the input stream (or a values file) could not be used. All of these exit with code 2.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error(
        "the input is empty: no manifests on stdin. A post-renderer must receive helm's rendered stream \
         (helm template ... | kubectl-dagu, or helm --post-renderer kubectl-dagu); an empty stream would make \
         helm install nothing, so kubectl-dagu refuses it"
    )]
    Empty,
    #[error(
        "the input holds only comments, no Kubernetes object. Check that the chart rendered something \
         (helm template shows it); kubectl-dagu refuses to pass on a stream that would install nothing"
    )]
    OnlyComments,
    #[error(
        "line {line}, column {column}: the input is not UTF-8 text (binary data?). Pipe the rendered YAML \
         from helm, not an archive or a compiled file"
    )]
    NotUtf8 { line: usize, column: usize },
    #[error(
        "{doc} starting at line {line} is {size} bytes; the limit is {limit} bytes (Kubernetes itself stores \
         objects of at most about 1.5 MiB). Split the data or load it another way (a volume, an init container)"
    )]
    TooLarge {
        doc: Box<DocRef>,
        line: usize,
        size: usize,
        limit: usize,
    },
    #[error("{doc}{}: {message}. {hint}", position(*.line, *.column))]
    Yaml {
        doc: Box<DocRef>,
        line: Option<u64>,
        column: Option<u64>,
        message: String,
        hint: &'static str,
    },
    #[error("{doc} at line {line}: {message}")]
    Invalid {
        doc: Box<DocRef>,
        line: usize,
        message: String,
    },
    #[error("values: {0}")]
    Values(String),
    #[error("{0}")]
    Resolution(String),
}

fn position(line: Option<u64>, column: Option<u64>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(", line {l}, column {c}"),
        (Some(l), None) => format!(", line {l}"),
        _ => String::new(),
    }
}

/// The line (1-based) and column (1-based, in characters) of byte `offset` in `input`.
pub fn line_column(input: &[u8], offset: usize) -> (usize, usize) {
    let before = &input[..offset.min(input.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_refs_name_index_kind_name_and_source() {
        let doc = DocRef {
            index: 3,
            kind: Some("Deployment".into()),
            name: Some("dagu-ui".into()),
            source: Some("dagu/templates/ui.yaml".into()),
        };
        assert_eq!(
            doc.to_string(),
            "document 3 Deployment/dagu-ui (dagu/templates/ui.yaml)"
        );
        assert_eq!(
            DocRef {
                index: 1,
                ..DocRef::default()
            }
            .to_string(),
            "document 1"
        );
    }

    #[test]
    fn line_column_counts_from_one() {
        assert_eq!(line_column(b"ab\ncd", 0), (1, 1));
        assert_eq!(line_column(b"ab\ncd", 4), (2, 2));
    }
}
