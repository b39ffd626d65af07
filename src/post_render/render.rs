//! Documents back to bytes: an unchanged document is its original chunk; a changed one is its header (helm's
//! `# Source:` line and other leading comments) followed by its body with the fixes applied as text edits
//! ([`edit`]: comments, key order and quoting stay), or, where no text edit gives exactly the fixed object,
//! the re-serialised object, in the chunk's line endings.

use std::borrow::Cow;
use std::collections::BTreeMap;

use json_patch::PatchOperation;

use super::edit;
use super::manifest::Doc;
use super::parallel;
use super::yaml;

/// The bytes to write for `doc`, changed by `fixes` (the operations applied to it, in order).
pub(super) fn document<'a>(doc: &'a Doc, fixes: &[&PatchOperation]) -> Cow<'a, [u8]> {
    let Some(value) = doc.value() else {
        return Cow::Borrowed(doc.chunk.raw);
    };
    let edited = std::str::from_utf8(doc.chunk.body)
        .ok()
        .filter(|body| !body.trim().is_empty() && doc.chunk.output_header() == doc.chunk.header)
        .and_then(|body| edit::edit(body, fixes, value));
    if let Some(body) = edited {
        return Cow::Owned([doc.chunk.header, body.as_bytes()].concat());
    }
    let mut body = yaml::to_string(value);
    if doc.chunk.crlf {
        body = body.replace('\n', "\r\n");
    }
    let header = doc.chunk.output_header();
    let mut out = Vec::with_capacity(header.len() + body.len());
    out.extend_from_slice(header);
    out.extend_from_slice(body.as_bytes());
    Cow::Owned(out)
}

/// Changed documents at least this many per thread before rendering is split across threads.
const DOCS_PER_THREAD: usize = 64;

/// The bytes of every document in `fixes` (document index -> its operations), rendered in parallel on large
/// streams: each text edit re-parses its document, which on 2,000 patched Deployments is most of the run.
pub fn changed(
    docs: &[Doc],
    fixes: &BTreeMap<usize, Vec<&PatchOperation>>,
) -> BTreeMap<usize, Vec<u8>> {
    let mut jobs: Vec<(usize, &[&PatchOperation])> =
        fixes.iter().map(|(&i, ops)| (i, &ops[..])).collect();
    parallel::slices(&mut jobs, DOCS_PER_THREAD, |slice| {
        slice
            .iter()
            .map(|&(i, ops)| (i, document(&docs[i], ops).into_owned()))
            .collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect()
}
