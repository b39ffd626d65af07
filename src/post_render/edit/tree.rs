//! Where each node of one YAML document sits in its text: byte ranges from granit-parser's events (the parser
//! behind serde-saphyr), arranged as the document's tree. Only what the editor needs: collections know their
//! style and children, mapping entries their key and where it starts. Anchors, aliases and tags make the
//! tree `None`: a text edit cannot know what else an alias shares.

use granit_parser::{Event, Parser, ScalarStyle, Span, StructureStyle};

/// One node and the bytes it spans (`start..end`; an empty scalar may span nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub start: usize,
    pub end: usize,
    pub shape: Shape,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// `block` for `|` and `>` scalars, which own the lines below their indicator.
    Scalar {
        block: bool,
    },
    Seq {
        flow: bool,
        items: Vec<Node>,
    },
    Map {
        flow: bool,
        entries: Vec<Entry>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: String,
    pub key_start: usize,
    pub value: Node,
}

impl Node {
    /// The child a JSON Pointer token names.
    pub fn child(&self, token: &str) -> Option<&Node> {
        match &self.shape {
            Shape::Map { entries, .. } => entries.iter().find(|e| e.key == token).map(|e| &e.value),
            Shape::Seq { items, .. } => items.get(token.parse::<usize>().ok()?),
            Shape::Scalar { .. } => None,
        }
    }
    pub fn is_flow(&self) -> bool {
        matches!(
            self.shape,
            Shape::Seq { flow: true, .. } | Shape::Map { flow: true, .. }
        )
    }
}

/// The tree of the single document in `text`, or `None` when it cannot be edited as text.
pub fn parse(text: &str) -> Option<Node> {
    let mut events = Parser::new_from_str(text).filter_map(|e| match e {
        Ok((Event::Comment(..), _)) => None,
        other => Some(other),
    });
    loop {
        match events.next()?.ok()? {
            (Event::StreamStart | Event::DocumentStart(..), _) => continue,
            (event, span) => return node(event, span, &mut events),
        }
    }
}

type Events<'a> = dyn Iterator<Item = Result<(Event<'a>, Span), granit_parser::ScanError>> + 'a;

fn node<'a>(event: Event<'a>, span: Span, events: &mut Events<'a>) -> Option<Node> {
    let start = span.start.byte_offset()?;
    match event {
        Event::Scalar(_, style, 0, None) => Some(Node {
            start,
            end: span.end.byte_offset()?,
            shape: Shape::Scalar {
                block: matches!(style, ScalarStyle::Literal | ScalarStyle::Folded),
            },
        }),
        Event::SequenceStart(style, 0, None) => {
            let flow = style == StructureStyle::Flow;
            let mut items = Vec::new();
            loop {
                let (event, span) = events.next()?.ok()?;
                if let Event::SequenceEnd = event {
                    let end = close(flow, &span, items.last().map(|n: &Node| n.end), start)?;
                    return Some(Node {
                        start,
                        end,
                        shape: Shape::Seq { flow, items },
                    });
                }
                items.push(node(event, span, events)?);
            }
        }
        Event::MappingStart(style, 0, None) => {
            let flow = style == StructureStyle::Flow;
            let mut entries = Vec::new();
            loop {
                let (event, span) = events.next()?.ok()?;
                let key = match event {
                    Event::MappingEnd => {
                        let last = entries.last().map(|e: &Entry| e.value.end);
                        let end = close(flow, &span, last, start)?;
                        return Some(Node {
                            start,
                            end,
                            shape: Shape::Map { flow, entries },
                        });
                    }
                    Event::Scalar(key, _, 0, None) => key.into_owned(),
                    _ => return None,
                };
                let key_start = span.start.byte_offset()?;
                let (event, span) = events.next()?.ok()?;
                let value = node(event, span, events)?;
                entries.push(Entry {
                    key,
                    key_start,
                    value,
                });
            }
        }
        _ => None,
    }
}

/// A flow collection ends after its bracket; a block one where its last child ends.
fn close(flow: bool, end_event: &Span, last_child: Option<usize>, start: usize) -> Option<usize> {
    if flow {
        end_event.end.byte_offset()
    } else {
        Some(last_child.unwrap_or(start))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text<'a>(src: &'a str, n: &Node) -> &'a str {
        &src[n.start..n.end]
    }

    #[test]
    fn nodes_span_their_text() {
        let src = "a: 1 # one\nb:\n  - x\n  - {c: \"d\"}\nlit: |\n  l1\n  l2\nf: [1, 2]\n";
        let root = parse(src).unwrap();
        assert_eq!(text(src, root.child("a").unwrap()), "1");
        let b = root.child("b").unwrap();
        assert!(!b.is_flow());
        assert_eq!(text(src, b.child("0").unwrap()), "x");
        let item = b.child("1").unwrap();
        assert_eq!(text(src, item), "{c: \"d\"}");
        assert_eq!(text(src, item.child("c").unwrap()), "\"d\"");
        assert!(text(src, b).starts_with("- x") && text(src, b).ends_with('}'));
        let lit = root.child("lit").unwrap();
        assert_eq!(lit.shape, Shape::Scalar { block: true });
        assert!(text(src, lit).contains("l2"));
        assert_eq!(text(src, root.child("f").unwrap()), "[1, 2]");
        let Shape::Map { entries, .. } = &root.shape else {
            panic!()
        };
        assert_eq!(&src[entries[1].key_start..entries[1].key_start + 2], "b:");
    }

    #[test]
    fn anchors_aliases_and_tags_are_not_edited_as_text() {
        assert!(parse("a: &x 1\nb: *x\n").is_none());
        assert!(parse("a: !!str 1\n").is_none());
        assert!(parse("a: [1\n").is_none());
        assert!(parse("a: 1\n").is_some());
    }
}
