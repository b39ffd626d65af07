//! JSON pointer lookups without allocating. `serde_json::Value::pointer` builds two `String`s per token and
//! hashes every key with SipHash; rules look up a dozen pointers in each of thousands of Deployments, and
//! Kubernetes mappings are small, so a linear scan over a handful of keys is cheaper than hashing. Same
//! answers as `Value::pointer` (RFC 6901: `~1` is `/`, `~0` is `~`; array indices without `+` or leading
//! zeros).

use std::borrow::Cow;

use serde_json::{Map, Value};

/// Mappings with at most this many keys are scanned rather than hashed.
const SCAN_LIMIT: usize = 12;

/// Pointer and key lookups on a [`Value`].
pub trait Lookup {
    /// The value at a JSON pointer (`/spec/template/spec/containers/0`), like `Value::pointer`.
    fn at(&self, pointer: &str) -> Option<&Value>;
    /// The value of `key` when this is a mapping, like `Value::get` with a string.
    fn field(&self, key: &str) -> Option<&Value>;
}

impl Lookup for Value {
    fn at(&self, pointer: &str) -> Option<&Value> {
        if pointer.is_empty() {
            return Some(self);
        }
        pointer
            .strip_prefix('/')?
            .split('/')
            .try_fold(self, |target, token| match target {
                Value::Object(map) => key(map, &unescape(token)),
                // An escaped token holds `~` or `/` once unescaped, which is never an index.
                Value::Array(list) => index(token).and_then(|i| list.get(i)),
                _ => None,
            })
    }

    fn field(&self, key_name: &str) -> Option<&Value> {
        match self {
            Value::Object(map) => key(map, key_name),
            _ => None,
        }
    }
}

fn key<'v>(map: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
    if map.len() <= SCAN_LIMIT {
        map.iter().find(|(k, _)| k.as_str() == name).map(|(_, v)| v)
    } else {
        map.get(name)
    }
}

fn unescape(token: &str) -> Cow<'_, str> {
    if token.contains('~') {
        Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
    } else {
        Cow::Borrowed(token)
    }
}

fn index(token: &str) -> Option<usize> {
    if token.starts_with('+') || (token.starts_with('0') && token.len() != 1) {
        return None;
    }
    token.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answers_like_value_pointer() {
        let mut big = Map::new();
        for i in 0..40 {
            big.insert(format!("k{i}"), json!(i));
        }
        let v = json!({
            "a": {"b": [10, {"c": "x"}], "d/e": 1, "f~g": 2, "~1": 3, "": {"": 4}},
            "big": big,
            "n": null,
        });
        let pointers = [
            "",
            "/",
            "/a",
            "/a/b",
            "/a/b/0",
            "/a/b/1/c",
            "/a/b/01",
            "/a/b/+1",
            "/a/b/2",
            "/a/b/-",
            "/a/d~1e",
            "/a/f~0g",
            "/a/~01",
            "/a/~1",
            "/a//",
            "/big/k7",
            "/big/k39",
            "/big/k40",
            "/n",
            "/n/x",
            "a",
            "/a/b/1/c/d",
            "/zz",
        ];
        for p in pointers {
            assert_eq!(v.at(p), v.pointer(p), "{p:?}");
        }
        assert_eq!(v.field("a"), v.get("a"));
        assert_eq!(v["big"].field("k30"), Some(&json!(30)));
        assert_eq!(v["n"].field("a"), None);
        assert_eq!(json!([1]).field("0"), None);
    }
}
