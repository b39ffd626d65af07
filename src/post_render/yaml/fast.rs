//! The fast path of [`super::parse`]: granit-parser's events (the parser under serde-saphyr) built straight
//! into a `serde_json::Value`, about three times faster than serde-saphyr's serde layer. It takes only the
//! documents whose every node it can resolve exactly as serde-saphyr would: untagged, no anchors or aliases,
//! no merge keys, string keys, no duplicates, within the depth and node budget, plain scalars that are plain
//! strings, null, YAML 1.1 booleans or simple decimal integers. Anything else, and every error, returns `None`
//! and the caller asks serde-saphyr, so values and messages stay serde-saphyr's.

use granit_parser::{Event, Parser, ScalarStyle};
use serde_json::{Map, Number, Value};

use super::{MAX_DEPTH, MAX_NODES};

/// The document's value, or `None` when serde-saphyr must decide.
pub fn parse(text: &str) -> Option<Value> {
    let mut builder = Builder {
        events: Parser::new_from_str(text),
        nodes: 0,
        entries: Vec::new(),
        items: Vec::new(),
    };
    let mut root = None;
    loop {
        match builder.next()? {
            Event::StreamStart | Event::DocumentEnd => {}
            Event::DocumentStart(..) if root.is_none() => {
                let first = builder.next()?;
                root = Some(builder.node(first, 0)?);
            }
            Event::StreamEnd => return root,
            _ => return None,
        }
    }
}

struct Builder<'a> {
    events: Parser<'a, granit_parser::StrInput<'a>>,
    nodes: usize,
    /// Shared scratch stacks: a collection's children sit at the top until it ends, then move into it with
    /// exact capacity.
    entries: Vec<(String, Value)>,
    items: Vec<Value>,
}

impl<'a> Builder<'a> {
    /// The next event that is not a comment; `None` on a parse error.
    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            match self.events.next()? {
                Ok((Event::Comment(..), _)) => continue,
                Ok((event, _)) => return Some(event),
                Err(_) => return None,
            }
        }
    }

    fn node(&mut self, event: Event<'a>, depth: usize) -> Option<Value> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return None;
        }
        match event {
            Event::Scalar(text, style, 0, None) => scalar(&text, style),
            Event::SequenceStart(_, 0, None) if depth < MAX_DEPTH => {
                let start = self.items.len();
                loop {
                    match self.next()? {
                        Event::SequenceEnd => break,
                        event => {
                            let item = self.node(event, depth + 1)?;
                            self.items.push(item);
                        }
                    }
                }
                Some(Value::Array(self.items.drain(start..).collect()))
            }
            Event::MappingStart(_, 0, None) if depth < MAX_DEPTH => {
                let start = self.entries.len();
                loop {
                    let key = match self.next()? {
                        Event::MappingEnd => break,
                        Event::Scalar(text, style, 0, None) => key(text.into_owned(), style)?,
                        _ => return None,
                    };
                    let event = self.next()?;
                    let value = self.node(event, depth + 1)?;
                    self.entries.push((key, value));
                }
                let mut map = Map::with_capacity(self.entries.len() - start);
                for (key, value) in self.entries.drain(start..) {
                    if map.insert(key, value).is_some() {
                        return None;
                    }
                }
                Some(Value::Object(map))
            }
            _ => None,
        }
    }
}

/// A mapping key that serde-saphyr reads as this string: quoted, or plain and resolving to a string (not
/// the merge key `<<`).
fn key(text: String, style: ScalarStyle) -> Option<String> {
    match style {
        ScalarStyle::Plain if text == "<<" => None,
        ScalarStyle::Plain => matches!(scalar(&text, style)?, Value::String(_)).then_some(text),
        _ => Some(text),
    }
}

/// An untagged scalar's value, as serde-saphyr's `deserialize_any` resolves it with our options (YAML 1.1
/// booleans, no legacy octal); `None` for numeric-looking plain scalars other than simple decimal integers.
fn scalar(text: &str, style: ScalarStyle) -> Option<Value> {
    if style != ScalarStyle::Plain {
        return Some(Value::String(text.to_string()));
    }
    if matches!(text, "" | "~" | "null" | "Null" | "NULL") {
        return Some(Value::Null);
    }
    if let Some(b) = yaml11_bool(text) {
        return Some(Value::Bool(b));
    }
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    if !unsigned.starts_with(|c: char| c.is_ascii_digit() || c == '.' || c == '_') {
        return Some(Value::String(text.to_string()));
    }
    let digits_only = unsigned.bytes().all(|b| b.is_ascii_digit());
    if !digits_only || (unsigned.starts_with('0') && unsigned != "0") || text.starts_with('+') {
        return None;
    }
    if text.starts_with('-') {
        (unsigned != "0").then_some(())?;
        text.parse::<i64>()
            .ok()
            .map(|n| Value::Number(Number::from(n)))
    } else {
        text.parse::<u64>()
            .ok()
            .map(|n| Value::Number(Number::from(n)))
    }
}

fn yaml11_bool(text: &str) -> Option<bool> {
    let is = |words: [&str; 4]| words.iter().any(|w| text.eq_ignore_ascii_case(w));
    if is(["true", "yes", "y", "on"]) {
        Some(true)
    } else if is(["false", "no", "n", "off"]) {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests;
