//! Documents back to bytes: an unchanged document is its original chunk; a changed one is its header (helm's
//! `# Source:` line and other leading comments) followed by the re-serialised object, in the chunk's line
//! endings.

use std::borrow::Cow;

use super::manifest::Doc;
use super::yaml;

/// The bytes to write for `doc`.
pub fn document<'a>(doc: &'a Doc, changed: bool) -> Cow<'a, [u8]> {
    let Some(value) = doc.value().filter(|_| changed) else {
        return Cow::Borrowed(doc.chunk.raw);
    };
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
