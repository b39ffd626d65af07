//! YAML text ⇄ `serde_json::Value` with serde-saphyr, hardened for untrusted input: a budget and alias limits
//! against alias bombs and deep nesting, duplicate keys rejected, and error messages without source snippets
//! (a snippet could echo a Secret's value).

use serde_json::Value;
use serde_saphyr::{DuplicateKeyPolicy, Options};

/// Largest document accepted. Kubernetes stores objects in etcd, whose default request limit is 1.5 MiB; a
/// rendered document beyond 8 MiB cannot be a valid object and would only cost memory.
pub const MAX_DOCUMENT_BYTES: usize = 8 * 1024 * 1024;

/// A YAML error with its 1-based position inside the parsed text, when the parser knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub message: String,
    pub line: Option<u64>,
    pub column: Option<u64>,
}

/// The nesting and node limits of the budget, shared with the fast path.
const MAX_DEPTH: usize = 64;
const MAX_NODES: usize = 1_000_000;

fn options() -> Options {
    let budget = serde_saphyr::budget! {
        max_reader_input_bytes: Some(MAX_DOCUMENT_BYTES),
        max_documents: 1,
        max_depth: MAX_DEPTH,
        max_aliases: 1_000,
        max_anchors: 1_000,
        max_nodes: MAX_NODES,
        max_events: 4_000_000,
    };
    let mut options = serde_saphyr::options! {
        budget: budget,
        duplicate_keys: DuplicateKeyPolicy::Error,
        with_snippet: false,
        // YAML 1.1, as Kubernetes and helm read it (sigs.k8s.io/yaml): `0755` is octal 493 (`defaultMode`),
        // not the float 755.0 YAML 1.2 gives a leading-zero decimal.
        legacy_octal_numbers: true,
    };
    options.alias_limits.max_total_replayed_events = 100_000;
    options.alias_limits.max_replay_stack_depth = 16;
    options.alias_limits.max_alias_expansions_per_anchor = 1_000;
    options
}

mod fast;

/// Parses one YAML document (UTF-8 already checked by the caller) into a JSON value: the fast path where it
/// resolves every node exactly as serde-saphyr would, else serde-saphyr (which also gives every error).
pub fn parse(text: &str) -> Result<Value, YamlError> {
    match fast::parse(text) {
        Some(value) => Ok(value),
        None => parse_saphyr(text).map(compact),
    }
}

fn parse_saphyr(text: &str) -> Result<Value, YamlError> {
    serde_saphyr::from_str_with_options::<Value>(text, options()).map_err(|err| {
        let location = err.location();
        YamlError {
            message: clean_message(&err.to_string()),
            line: location.as_ref().map(|l| l.line()).filter(|&l| l > 0),
            column: location.as_ref().map(|l| l.column()).filter(|&c| c > 0),
        }
    })
}

/// Rebuilds a value with exact capacities: serde-saphyr grows maps and lists by doubling, and kept values
/// live until the end (the fast path builds them exact).
fn compact(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, compact(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(compact).collect()),
        Value::String(s) if s.capacity() > s.len() => Value::String(s.as_str().into()),
        other => other,
    }
}

/// The parser's message without its own `at line X column Y` suffix (we print the stream position instead),
/// its advice about its own options, and with the budget breaches said in user terms.
fn clean_message(message: &str) -> String {
    let first = message.lines().next().unwrap_or(message).trim();
    let first = first.find(" at line ").map_or(first, |at| &first[..at]);
    let first = first
        .split(", set DuplicateKeyPolicy")
        .next()
        .unwrap_or(first);
    if first.starts_with("budget breached: Depth") {
        "nesting deeper than 64 levels (a limit against malicious input)".to_string()
    } else if first.starts_with("budget breached") || first.starts_with("alias replay limit") {
        format!(
            "{first}: the document expands beyond kubectl-dagu's limits (aliases that expand exponentially, \
             an \"alias bomb\", or an oversized object)"
        )
    } else {
        first.to_string()
    }
}

/// Serialises a value as a block-style YAML document (no `---`), ending with a newline.
pub fn to_string(value: &Value) -> String {
    // Helm's own style: lists indented under their key; multi-line strings as literal blocks; long single
    // lines left on one line (never folded).
    let options = serde_saphyr::ser_options! {
        indent_step: 2,
        compact_list_indent: false,
        folded_wrap_chars: usize::MAX / 2,
    };
    let mut out = serde_saphyr::to_string_with_options(value, options)
        .expect("a serde_json::Value always serialises to YAML");
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_a_mapping_into_json() {
        let v = parse("kind: A\nspec:\n  replicas: 2\n  on: yes\n  s: \"0755\"\n").unwrap();
        assert_eq!(v["kind"], "A");
        assert_eq!(v["spec"]["replicas"], 2);
        assert_eq!(v["spec"]["s"], "0755");
    }

    #[test]
    fn leading_zero_integers_are_octal_as_kubernetes_reads_them() {
        let v = parse("a: 0755\nb: 010\nc: -010\nd: 0o17\ne: 08\nf: 0\ng: '0755'\n").unwrap();
        assert_eq!(v["a"], 493);
        assert_eq!(v["b"], 8);
        assert_eq!(v["c"], -8);
        assert_eq!(v["d"], 15);
        assert_eq!(v["e"], 8.0, "not octal: a float, as Go's YAML 1.1 reads it");
        assert_eq!(v["f"], 0);
        assert_eq!(v["g"], "0755");
    }

    #[test]
    fn duplicate_keys_are_an_error_with_a_position() {
        let err = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(err.message, "duplicate mapping key: a");
        assert_eq!(err.line, Some(3));
    }

    #[test]
    fn alias_bombs_are_stopped_by_the_budget() {
        let mut bomb = String::from("a: &a [x,x,x,x,x,x,x,x,x,x]\n");
        for (i, prev) in ["b", "c", "d", "e", "f", "g", "h", "i"]
            .iter()
            .zip(["a", "b", "c", "d", "e", "f", "g", "h"].iter())
        {
            let refs = vec![format!("*{prev}"); 10].join(",");
            bomb.push_str(&format!("{i}: &{i} [{refs}]\n"));
        }
        assert!(parse(&bomb).is_err());
    }

    #[test]
    fn tabs_in_indentation_are_an_error() {
        let err = parse("a:\n\tb: 1\n").unwrap_err();
        assert_eq!(err.line, Some(2), "{err:?}");
    }

    #[test]
    fn ambiguous_strings_round_trip_as_strings() {
        let v = json!({
            "a": "true", "b": "yes", "c": "0755", "d": "1e3", "e": "null", "f": "~", "g": "",
            "h": "on", "i": "line1\nline2\n", "j": "x: y", "k": "- z", "l": "12.0", "m": "#c",
            "n": 1, "o": 1.5, "p": true, "q": null, "r": [], "s": {}, "t": "@at", "u": "0x1F",
            "v": "NO", "w": "y", "x": " lead", "y": "*ref", "z": "2024-01-01",
            "long": "word ".repeat(50), "trail": "a  \n  b \n\n", "tab": "a\tb", "uni": "é ✓"
        });
        let text = to_string(&v);
        assert_eq!(parse(&text).unwrap(), v, "{text}");
        for unsafe_for_yaml11 in ["b: yes", "h: on", "v: NO", "w: y", "c: 0755"] {
            assert!(!text.contains(&format!("{unsafe_for_yaml11}\n")), "{text}");
        }
    }
}
