//! Findings: what is wrong with a DAG, where (a field path), and which rule said so.
//!
//! A [`Path`] is built while walking generic YAML values, so every error can name the exact field, e.g.
//! `steps[migrate].config.security_context.run_as_user`. All findings are collected before anything is
//! reported: the user fixes everything in one round.

use std::fmt;

/// One segment of a field path: a map key or a list index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// A field path relative to a config block (`env[0].value_from`), without the block's own prefix.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Path(pub Vec<Seg>);

impl Path {
    pub fn root() -> Self {
        Self::default()
    }

    /// This path extended by a map key.
    pub fn key(&self, key: &str) -> Self {
        let mut segs = self.0.clone();
        segs.push(Seg::Key(key.to_string()));
        Self(segs)
    }

    /// This path extended by a list index.
    pub fn index(&self, index: usize) -> Self {
        let mut segs = self.0.clone();
        segs.push(Seg::Index(index));
        Self(segs)
    }

    /// The value at this path inside `value`, if every segment exists.
    pub fn lookup<'a>(&self, value: &'a serde_json::Value) -> Option<&'a serde_json::Value> {
        self.0.iter().try_fold(value, |v, seg| match seg {
            Seg::Key(k) => v.as_object()?.get(k),
            Seg::Index(i) => v.as_array()?.get(*i),
        })
    }

    /// The first `len` segments.
    pub fn prefix(&self, len: usize) -> Self {
        Self(self.0[..len.min(self.0.len())].to_vec())
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) if i == 0 => write!(f, "{k}")?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// A problem found by rule `rule` at `path` (relative to the effective config, or already absolute when
/// `absolute` is set, e.g. `steps[migrate].script`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    pub path: Path,
    pub message: String,
}

/// Collects findings for one rule; rules push with [`Findings::at`].
#[derive(Debug, Default)]
pub struct Findings {
    pub items: Vec<Finding>,
}

impl Findings {
    pub fn at(&mut self, rule: &'static str, path: &Path, message: impl Into<String>) {
        self.items.push(Finding {
            rule,
            path: path.clone(),
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// A short description of a value's kind for "must be X, found Y" messages.
pub fn kind(value: &serde_json::Value) -> String {
    use serde_json::Value as V;
    match value {
        V::Null => "null".into(),
        V::Bool(b) => format!("{b}"),
        V::Number(n) => format!("{n}"),
        V::String(s) => format!("{s:?}"),
        V::Array(_) => "a list".into(),
        V::Object(_) => "a map".into(),
    }
}

/// "did you mean" hint: the closest candidate when it is close enough, or the snake_case form of a camelCase key.
pub fn suggest<'a>(key: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let snake = to_snake(key);
    let mut best: Option<(&str, f64)> = None;
    for cand in candidates {
        if cand == snake {
            return Some(cand);
        }
        let score = strsim::jaro_winkler(&snake, cand);
        if score >= 0.8 && best.is_none_or(|(_, s)| score > s) {
            best = Some((cand, score));
        }
    }
    best.map(|(c, _)| c)
}

/// `runAsUser` -> `run_as_user`; `run-as-user` -> `run_as_user`.
pub fn to_snake(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for (i, c) in key.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c == '-' {
            out.push('_');
        } else {
            out.push(c);
        }
    }
    out
}

/// `run_as_user` -> `runAsUser`.
pub fn to_camel(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_display_like_the_yaml() {
        let p = Path::root().key("env").index(0).key("value_from");
        assert_eq!(p.to_string(), "env[0].value_from");
        let v = serde_json::json!({"env": [{"value_from": 1}]});
        assert_eq!(p.lookup(&v), Some(&serde_json::json!(1)));
        assert_eq!(Path::root().key("nope").lookup(&v), None);
    }

    #[test]
    fn suggestions_catch_typos_and_camel_case() {
        let c = ["run_as_user", "run_as_group", "privileged"];
        assert_eq!(suggest("runAsUser", c), Some("run_as_user"));
        assert_eq!(suggest("run_as_usr", c), Some("run_as_user"));
        assert_eq!(suggest("privilegd", c), Some("privileged"));
        assert_eq!(suggest("zzz", c), None);
        assert_eq!(
            to_camel("ttl_seconds_after_finished"),
            "ttlSecondsAfterFinished"
        );
    }
}
