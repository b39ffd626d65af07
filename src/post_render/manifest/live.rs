//! Documents built from objects (a live release) instead of read from a stream.

use serde_json::Value;

use super::{document, Doc, DocRef, Object};
use crate::post_render::lookup::Lookup;

/// Documents for objects that come from somewhere other than a stream (live objects of a release), so that
/// [`crate::post_render::process_docs`] and [`crate::post_render::profile::choose_docs`] can run on them. Each
/// keeps its whole value (whatever its kind); `index` is its 1-based position, `source` where it came from. There
/// are no original bytes: such documents are for checking, not for writing back.
pub fn docs_from_values(objects: Vec<Value>, source: &str) -> Vec<Doc<'static>> {
    objects
        .into_iter()
        .enumerate()
        .map(|(i, value)| {
            let text = |p: &str| value.at(p).and_then(Value::as_str).map(str::to_string);
            let (kind, name) = (text("/kind"), text("/metadata/name"));
            Doc {
                chunk: document::Chunk::empty(),
                reference: DocRef {
                    index: i + 1,
                    kind: kind.clone(),
                    name: name.clone(),
                    source: Some(source.into()),
                },
                object: Some(Object {
                    api_version: text("/apiVersion").unwrap_or_default(),
                    kind: kind.unwrap_or_default(),
                    name,
                    namespace: text("/metadata/namespace"),
                    value: Some(value),
                }),
            }
        })
        .collect()
}
