//! Line arithmetic on a document's text: where lines start and end, indentation, splices.

use super::tree::Node;

/// Each non-empty line of `lines` indented by `col` spaces.
pub(super) fn indent(lines: &str, col: usize) -> String {
    let pad = " ".repeat(col);
    lines
        .split_inclusive('\n')
        .map(|l| {
            if l.trim().is_empty() {
                l.to_string()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect()
}

pub(super) fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// Just past the newline ending the line that holds `at`.
pub(super) fn line_end(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |i| at + i + 1)
}

/// The column of `at`, when only spaces and `- ` indicators precede it on its line.
pub(super) fn column(text: &str, at: usize) -> Option<usize> {
    let prefix = &text[line_start(text, at)..at];
    prefix
        .bytes()
        .all(|b| b == b' ' || b == b'-')
        .then_some(prefix.len())
}

/// Nothing but spaces before `at` on its line.
pub(super) fn whole_line(text: &str, at: usize) -> bool {
    text[line_start(text, at)..at].bytes().all(|b| b == b' ')
}

/// The `-` of a block sequence item.
pub(super) fn dash(text: &str, item: &Node) -> Option<usize> {
    let before = text[..item.start].trim_end_matches([' ', '\n']);
    before.ends_with('-').then(|| before.len() - 1)
}

/// Where the node's own text ends (a block scalar's span can run into the blank lines after it).
pub(super) fn content_end(text: &str, node: &Node) -> usize {
    node.start + text[node.start..node.end].trim_end().len()
}

/// Where an entry's value ends; an empty value (`key:`) ends on its key's line.
pub(super) fn value_end(text: &str, key_start: usize, value: &Node) -> usize {
    if value.start >= value.end {
        key_start
    } else {
        content_end(text, value)
    }
}

pub(super) fn splice(text: &str, start: usize, end: usize, new: &str) -> String {
    [&text[..start], new, &text[end..]].concat()
}

pub(super) fn insert(text: &str, at: usize, lines: &str) -> String {
    let sep = if at == text.len() && !text.is_empty() && !text.ends_with('\n') {
        "\n"
    } else {
        ""
    };
    [&text[..at], sep, lines, &text[at..]].concat()
}

pub(super) fn cut(text: &str, start: usize, end: usize) -> String {
    splice(text, start, end, "")
}
