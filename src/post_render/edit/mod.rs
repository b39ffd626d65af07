//! Applies a changed document's RFC 6902 operations to its *text*, so that it differs from the input only
//! where a patch applies: comments, key order and the quoting of untouched scalars stay.
//!
//! Each operation becomes the smallest text edit [`tree`] can place: a scalar replaced in place, an entry or a
//! sequence item inserted as new lines at its siblings' indentation, an entry's lines rewritten. Where the
//! text gives no safe place (flow collections, an empty collection, the first key of a `- ` item), the edit
//! moves up to the nearest parent that has one and rewrites that. New text is written by [`yaml::to_string`],
//! the serializer changed documents always used (helm's list indentation, YAML 1.1-ambiguous strings
//! quoted). The result is re-parsed and must equal the patched value; anything else answers `None`, and the
//! caller re-serialises the document as before.

mod refine;
#[cfg(test)]
mod tests;
mod text;
mod tree;

use json_patch::PatchOperation;
use serde_json::{json, Value};

use super::lookup::Lookup;
use super::rules::helpers::token;
use super::yaml;
use refine::refine;
use text::*;
use tree::{Node, Shape};

/// `body` (one document's YAML, no `---` line) after `ops`, as text edits; `None` when the edits would not
/// give exactly `expected` (then re-serialise).
pub fn edit(body: &str, ops: &[&PatchOperation], expected: &Value) -> Option<String> {
    let crlf = body.contains("\r\n");
    let mut text = if crlf {
        body.replace("\r\n", "\n")
    } else {
        body.to_string()
    };
    let mut value = yaml::parse(&text).ok()?;
    for &op in ops {
        for op in &refine(&value, op) {
            text = apply(&text, &mut value, op)?;
        }
    }
    if yaml::parse(&text).ok()? != *expected {
        return None;
    }
    Some(if crlf {
        text.replace('\n', "\r\n")
    } else {
        text
    })
}

/// One operation on `text` and on `value`, its parsed form: the new text.
fn apply(text: &str, value: &mut Value, op: &PatchOperation) -> Option<String> {
    json_patch::patch(value, std::slice::from_ref(op)).ok()?;
    let (path, kind) = match op {
        PatchOperation::Test(_) => return Some(text.to_string()),
        PatchOperation::Add(a) => (&a.path, Kind::Add),
        PatchOperation::Replace(r) => (&r.path, Kind::Replace),
        PatchOperation::Remove(r) => (&r.path, Kind::Remove),
        _ => return None,
    };
    let tokens: Vec<String> = path.tokens().map(|t| t.decoded().into_owned()).collect();
    change(text, &tree::parse(text)?, value, &tokens, kind)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Add,
    Replace,
    Remove,
}

/// One operation at `tokens` as a text edit; `after` is the whole document once it is applied.
fn change(text: &str, root: &Node, after: &Value, tokens: &[String], kind: Kind) -> Option<String> {
    let (key, parent_tokens) = tokens.split_last()?;
    let parent = walk(root, parent_tokens)?;
    let existed = parent.child(key).is_some();
    // The value the operation leaves at `tokens` (none after a removal or an append with `-`).
    let new = after.at(&pointer(tokens));
    let edit = match (kind, &parent.shape) {
        (Kind::Replace, _) => replace(text, parent, key, new?),
        (Kind::Add, Shape::Map { .. }) if existed => replace(text, parent, key, new?),
        (
            Kind::Add,
            Shape::Map {
                flow: false,
                entries,
            },
        ) if !entries.is_empty() => {
            let col = column(text, entries[0].key_start)?;
            let at = line_end(text, content_end(text, &entries.last()?.value));
            Some(insert(
                text,
                at,
                &indent(&yaml::to_string(&json!({ key: new? })), col),
            ))
        }
        (Kind::Add, Shape::Seq { flow: false, items }) if !items.is_empty() => {
            let added = new.or_else(|| {
                // `-` appends: the new item is the last one.
                after.at(&pointer(parent_tokens))?.as_array()?.last()
            })?;
            let col = column(text, dash(text, &items[0])?)?;
            let lines = indent(&yaml::to_string(&json!([added])), col);
            match key.parse::<usize>().ok().filter(|&i| i < items.len()) {
                Some(i) => {
                    let d = dash(text, &items[i])?;
                    whole_line(text, d).then(|| insert(text, line_start(text, d), &lines))
                }
                None => Some(insert(
                    text,
                    line_end(text, content_end(text, items.last()?)),
                    &lines,
                )),
            }
        }
        (
            Kind::Remove,
            Shape::Map {
                flow: false,
                entries,
            },
        ) if entries.len() > 1 => {
            let entry = entries.iter().find(|e| e.key == *key)?;
            whole_line(text, entry.key_start).then(|| {
                let end = line_end(text, value_end(text, entry.key_start, &entry.value));
                cut(text, line_start(text, entry.key_start), end)
            })
        }
        (Kind::Remove, Shape::Seq { flow: false, items }) if items.len() > 1 => {
            let item = parent.child(key)?;
            let d = dash(text, item)?;
            whole_line(text, d).then(|| {
                cut(
                    text,
                    line_start(text, d),
                    line_end(text, content_end(text, item)),
                )
            })
        }
        _ => None,
    };
    // No place for this edit here: rewrite the parent as a whole.
    edit.or_else(|| change(text, root, after, parent_tokens, Kind::Replace))
}

/// The child `key` of `parent` becomes `new`: in place for a one-line scalar, else its entry's or item's
/// lines are rewritten. `None` when `parent` is a flow collection and the new text is not flow-safe.
fn replace(text: &str, parent: &Node, key: &str, new: &Value) -> Option<String> {
    let node = parent.child(key)?;
    if let (Shape::Scalar { block: false }, Some(scalar)) = (&node.shape, one_line(new)) {
        let flow_safe = !scalar.contains([',', '[', ']', '{', '}']);
        if node.start < node.end && (flow_safe || !parent.is_flow()) {
            return Some(splice(text, node.start, node.end, &scalar));
        }
    }
    match &parent.shape {
        Shape::Map {
            flow: false,
            entries,
        } => {
            let entry = entries.iter().find(|e| e.key == key)?;
            let end = line_end(text, value_end(text, entry.key_start, &entry.value));
            let col = column(text, entry.key_start)?;
            let lines = indent(&yaml::to_string(&json!({ key: new })), col);
            Some(splice(
                text,
                entry.key_start,
                end,
                lines.trim_start_matches(' '),
            ))
        }
        Shape::Seq { flow: false, .. } => {
            let d = dash(text, node)?;
            let end = line_end(text, content_end(text, node));
            let lines = indent(&yaml::to_string(&json!([new])), column(text, d)?);
            Some(splice(text, d, end, lines.trim_start_matches(' ')))
        }
        _ => None,
    }
}

fn walk<'a>(root: &'a Node, tokens: &[String]) -> Option<&'a Node> {
    tokens.iter().try_fold(root, |node, t| node.child(t))
}

fn pointer(tokens: &[String]) -> String {
    tokens.iter().map(|t| format!("/{}", token(t))).collect()
}

/// A scalar's YAML text when it fits on one line (no block scalar, no collection).
fn one_line(value: &Value) -> Option<String> {
    if value.is_object() || value.is_array() {
        return None;
    }
    let text = yaml::to_string(value);
    let text = text.strip_suffix('\n')?;
    (!text.contains('\n') && !text.starts_with(['|', '>'])).then(|| text.to_string())
}
