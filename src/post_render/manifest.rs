//! Chunks → Kubernetes objects: every non-empty chunk must parse as one mapping with `apiVersion` and `kind`.
//! Only the kinds rules read keep their parsed value in memory; the others are checked and then passed on as
//! their original bytes, which keeps memory near the input size on large streams.

use serde_json::Value;

use super::document::{self, Chunk};
use super::error::{line_column, DocRef, InputError};
use super::parallel;
use super::yaml;
use crate::post_render::lookup::Lookup;

/// The annotation Helm 4 puts on every document it post-renders; it must come back unchanged.
pub const HELM4_FILENAME_ANNOTATION: &str = "postrenderer.helm.sh/postrender-filename";

/// Kinds whose apiVersion we check strictly, because rules read them.
const KNOWN_KINDS: &[(&str, &str)] = &[
    ("Deployment", "apps/v1"),
    ("ConfigMap", "v1"),
    ("PersistentVolumeClaim", "v1"),
    ("Service", "v1"),
];
/// Kinds whose parsed value is always kept; others only when asked (`--stable-selectors` reads Services).
const KEPT_KINDS: &[&str] = &["Deployment", "ConfigMap", "PersistentVolumeClaim"];

/// One chunk of the stream, with its object when it has one.
#[derive(Debug, Clone)]
pub struct Doc<'a> {
    pub chunk: Chunk<'a>,
    pub reference: DocRef,
    pub object: Option<Object>,
}

/// The identity of a Kubernetes object and, for kinds rules read, its full value.
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    pub api_version: String,
    pub kind: String,
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub value: Option<Value>,
}

impl Doc<'_> {
    pub fn kind(&self) -> Option<&str> {
        self.object.as_ref().map(|o| o.kind.as_str())
    }
    pub fn value(&self) -> Option<&Value> {
        self.object.as_ref().and_then(|o| o.value.as_ref())
    }
    pub fn value_mut(&mut self) -> Option<&mut Value> {
        self.object.as_mut().and_then(|o| o.value.as_mut())
    }
    /// Whether this is the object `kind`/`name`.
    pub fn is(&self, kind: &str, name: &str) -> bool {
        self.object
            .as_ref()
            .is_some_and(|o| o.kind == kind && o.name.as_deref() == Some(name))
    }
}

/// Splits and parses the whole stream. Fails on the first unusable document.
pub fn parse_stream(input: &[u8]) -> Result<Vec<Doc<'_>>, InputError> {
    parse_stream_keeping(input, &[])
}

/// Like [`parse_stream`], also keeping the values of `extra_kinds`.
pub fn parse_stream_keeping<'a>(
    input: &'a [u8],
    extra_kinds: &[&str],
) -> Result<Vec<Doc<'a>>, InputError> {
    let mut docs = split(input)?;
    parse_where(&mut docs, extra_kinds, |_| true)?;
    Ok(docs)
}

/// The stream's chunks as documents, none parsed yet (each non-empty one numbered). Fails on a stream that is
/// not UTF-8, empty, or only comments.
pub fn split(input: &[u8]) -> Result<Vec<Doc<'_>>, InputError> {
    if let Err(err) = std::str::from_utf8(input) {
        let (line, column) = line_column(input, err.valid_up_to());
        return Err(InputError::NotUtf8 { line, column });
    }
    if input.iter().all(u8::is_ascii_whitespace) {
        return Err(InputError::Empty);
    }
    let mut docs = Vec::new();
    let mut index = 0;
    for chunk in document::split(input) {
        let reference = if chunk.is_empty() {
            DocRef::default()
        } else {
            index += 1;
            DocRef {
                index,
                source: chunk.source().map(str::to_string),
                ..DocRef::default()
            }
        };
        docs.push(Doc {
            chunk,
            reference,
            object: None,
        });
    }
    if index == 0 {
        return Err(InputError::OnlyComments);
    }
    Ok(docs)
}

/// Documents at least this many per thread before parsing is split across threads (threads cost more than
/// they save on small streams).
const DOCS_PER_THREAD: usize = 256;

/// Parses every non-empty chunk whose position `pick` accepts, in parallel slices on large streams; the first
/// error in stream order wins.
pub fn parse_where(
    docs: &mut [Doc],
    extra_kinds: &[&str],
    pick: impl Fn(usize) -> bool + Sync,
) -> Result<(), InputError> {
    let mut jobs: Vec<(usize, &mut Doc)> = docs
        .iter_mut()
        .enumerate()
        .filter(|(i, d)| !d.chunk.is_empty() && pick(*i))
        .collect();
    parallel::slices(
        &mut jobs,
        DOCS_PER_THREAD,
        |slice| -> Result<(), InputError> {
            slice
                .iter_mut()
                .try_for_each(|(_, doc)| parse_doc(doc, extra_kinds))
        },
    )
    .into_iter()
    .collect()
}

/// Parses one non-empty chunk into its object (and fills in its reference's kind, name and source).
pub fn parse_doc(doc: &mut Doc, extra_kinds: &[&str]) -> Result<(), InputError> {
    doc.object = Some(parse_object(&doc.chunk, &mut doc.reference, extra_kinds)?);
    Ok(())
}

fn parse_object(
    chunk: &Chunk,
    reference: &mut DocRef,
    extra_kinds: &[&str],
) -> Result<Object, InputError> {
    let line = chunk.body_line;
    if chunk.body.len() > yaml::MAX_DOCUMENT_BYTES {
        return Err(InputError::TooLarge {
            doc: Box::new(reference.clone()),
            line,
            size: chunk.body.len(),
            limit: yaml::MAX_DOCUMENT_BYTES,
        });
    }
    let text = std::str::from_utf8(chunk.body).expect("the whole input was checked to be UTF-8");
    let value = yaml::parse(text).map_err(|e| InputError::Yaml {
        doc: Box::new(reference.clone()),
        line: e.line.map(|l| l + line as u64 - 1),
        column: e.column,
        message: e.message,
        hint: "Fix the template that rendered it (helm template shows the text; check indentation, quoting \
               and tabs)",
    })?;
    let invalid = |reference: &DocRef, message: String| InputError::Invalid {
        doc: Box::new(reference.clone()),
        line,
        message,
    };
    let Value::Object(map) = &value else {
        return Err(invalid(
            reference,
            format!(
                "the document is {}, not a mapping; every document of a manifest stream must be one \
                 Kubernetes object (apiVersion, kind, metadata)",
                describe(&value)
            ),
        ));
    };
    let field = |name: &str| map.get(name).and_then(Value::as_str).map(str::to_string);
    let metadata = map.get("metadata");
    reference.kind = field("kind");
    reference.name = metadata
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .map(str::to_string);
    if let Some(file) = metadata
        .and_then(|m| {
            m.at(&format!(
                "/annotations/{}",
                HELM4_FILENAME_ANNOTATION.replace('/', "~1")
            ))
        })
        .and_then(Value::as_str)
    {
        reference.source.get_or_insert_with(|| file.to_string());
    }
    let (Some(api_version), Some(kind)) = (field("apiVersion"), field("kind")) else {
        return Err(invalid(
            reference,
            "the object has no string `apiVersion` and `kind`; every Kubernetes object needs both (fix the \
             template, or remove the document if it is not meant for the cluster)"
                .into(),
        ));
    };
    if metadata.is_some_and(|m| !m.is_object()) {
        return Err(invalid(reference, "`metadata` must be a mapping".into()));
    }
    if kind.ends_with("List") && map.contains_key("items") {
        return Err(invalid(
            reference,
            format!(
                "kind: {kind} wraps several objects; helm renders one object per document and kubectl-dagu \
                 checks each Dagu object on its own. Render each item as its own document (`---`)"
            ),
        ));
    }
    check_api_version(&api_version, &kind).map_err(|m| invalid(reference, m))?;
    let keep = KEPT_KINDS.contains(&kind.as_str()) || extra_kinds.contains(&kind.as_str());
    Ok(Object {
        namespace: metadata
            .and_then(|m| m.get("namespace"))
            .and_then(Value::as_str)
            .map(str::to_string),
        name: reference.name.clone(),
        api_version,
        kind,
        value: keep.then_some(value),
    })
}

/// `group/version` or `version`; for the kinds rules read, exactly the version Kubernetes serves.
fn check_api_version(api_version: &str, kind: &str) -> Result<(), String> {
    let parts: Vec<&str> = api_version.split('/').collect();
    let well_formed = parts.len() <= 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        });
    if !well_formed {
        return Err(format!(
            "apiVersion {api_version:?} is not of the form `group/version` or `version`"
        ));
    }
    match KNOWN_KINDS.iter().find(|(k, _)| *k == kind) {
        Some((_, want)) if *want != api_version => Err(format!(
            "{kind} with apiVersion {api_version} is not served by Kubernetes; kubectl-dagu checks {kind} \
             objects of apiVersion {want}. Render apiVersion: {want}"
        )),
        _ => Ok(()),
    }
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a sequence",
        Value::Object(_) => "a mapping",
    }
}

mod live;
#[cfg(test)]
mod tests;

pub use live::docs_from_values;
