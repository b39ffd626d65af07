use super::super::parse_saphyr;
use super::*;

/// The fast path either declines or gives exactly serde-saphyr's value (and never accepts what serde-saphyr
/// rejects). Returns whether it took the document.
fn agrees(text: &str) -> bool {
    let Some(fast) = parse(text) else {
        return false;
    };
    assert_eq!(
        parse_saphyr(text).as_ref(),
        Ok(&fast),
        "fast path differs from serde-saphyr on:\n{text}"
    );
    true
}

#[test]
fn every_plain_scalar_spelling_resolves_as_serde_saphyr_does() {
    let spellings = [
        "",
        "~",
        "null",
        "Null",
        "NULL",
        "nULL",
        "true",
        "True",
        "TRUE",
        "tRuE",
        "yes",
        "Yes",
        "YES",
        "y",
        "Y",
        "on",
        "On",
        "ON",
        "no",
        "No",
        "n",
        "N",
        "off",
        "OFF",
        "false",
        "False",
        "0",
        "1",
        "42",
        "-1",
        "-0",
        "+1",
        "007",
        "0755",
        "-007",
        "0x1F",
        "0o17",
        "0b101",
        "1_000",
        "_1",
        "1.5",
        ".5",
        "-.5",
        "5.",
        "1e3",
        "1E-3",
        "1e999",
        ".inf",
        "-.inf",
        ".nan",
        "inf",
        "nan",
        "infinity",
        "18446744073709551615",
        "18446744073709551616",
        "-9223372036854775808",
        "-9223372036854775809",
        "100m",
        "128Mi",
        "1.0.6",
        "10:30",
        "2024-01-01",
        "--config",
        "-v",
        "/data",
        "dagu",
        "dagu-1.0.6",
        "ghcr.io/dagucloud/dagu:latest",
        "a b c",
        "yes please",
        "é",
        "0.0.0.0",
        "x_y",
        "+",
        "-",
        ".",
        "..",
        "=",
        "@",
        "`",
    ];
    let mut taken = 0;
    for s in spellings {
        for doc in [
            format!("k: {s}\n"),
            format!("- {s}\n"),
            format!("k: [{s}]\n"),
        ] {
            if serde_saphyr_accepts(&doc) {
                taken += usize::from(agrees(&doc));
            } else {
                assert_eq!(parse(&doc), None, "{doc}");
            }
        }
        for quoted in [format!("k: '{s}'\n"), format!("k: \"{s}\"\n")] {
            assert!(agrees(&quoted), "{quoted}");
        }
    }
    assert!(taken > 100, "the fast path took only {taken} documents");
}

fn serde_saphyr_accepts(text: &str) -> bool {
    parse_saphyr(text).is_ok()
}

#[test]
fn plain_keys_that_are_not_strings_are_left_to_serde_saphyr() {
    for key in ["1", "true", "on", "~", "null", "1.5", "<<", "0x1"] {
        let doc = format!("{key}: v\n");
        assert_eq!(parse(&doc), None, "{doc}");
    }
    assert!(agrees("'1': v\n\"on\": w\nname: x\n"));
}

#[test]
fn what_the_fast_path_cannot_resolve_exactly_is_declined() {
    for doc in [
        "a: 1\nb: 2\na: 3\n",
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a: !custom x\n",
        "base: &b {x: 1}\nd:\n  <<: *b\n",
        "a: 1\n---\nb: 2\n",
        "a: [1, 2\n",
        "a:\n\tb: 1\n",
        "? [a, b]\n: c\n",
        "? {a: b}\n: c\n",
    ] {
        assert_eq!(parse(doc), None, "{doc}");
    }
    let deep = format!(
        "{}1{}",
        "[".repeat(MAX_DEPTH + 1),
        "]".repeat(MAX_DEPTH + 1)
    );
    assert_eq!(parse(&deep), None);
    let shallow = format!("{}1{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    assert!(agrees(&shallow));
}

#[test]
fn block_flow_comments_and_multi_line_scalars_agree() {
    for doc in [
        "# c\nkind: A # trailing\nspec:\n  list:\n    - a\n    - {b: 1, c: [x, 'y']}\n  text: |\n    one\n    two\n",
        "folded: >\n  a\n  b\nplain: a\n  b\n  c\nempty:\nquoted: \"a\\tb\\u00e9\"\n",
        "---\nexplicit: start\n...\n",
        "[]\n",
        "{}\n",
        "just a string\n",
    ] {
        assert!(agrees(doc), "{doc}");
    }
}

#[test]
fn every_fixture_document_agrees_and_most_take_the_fast_path() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/post_render");
    let (mut docs, mut taken) = (0, 0);
    let mut dirs = vec![std::path::PathBuf::from(root)];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).expect("fixture dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            for chunk in crate::post_render::document::split(text.as_bytes()) {
                let body = std::str::from_utf8(chunk.body).expect("UTF-8");
                docs += 1;
                taken += usize::from(agrees(body));
            }
        }
    }
    assert!(
        docs > 50 && taken * 2 > docs,
        "{taken} of {docs} documents took the fast path"
    );
}
