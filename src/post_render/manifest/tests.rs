use super::*;

fn err(input: &str) -> String {
    parse_stream(input.as_bytes()).unwrap_err().to_string()
}

#[test]
fn objects_keep_values_only_for_kinds_rules_read() {
    let docs = parse_stream(
        b"---\n# Source: c/templates/a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: ns1}\n",
    )
    .unwrap();
    assert_eq!(docs.len(), 2);
    assert!(docs[0].value().is_some() && docs[1].value().is_none());
    assert_eq!(
        docs[1].object.as_ref().unwrap().namespace.as_deref(),
        Some("ns1")
    );
    assert_eq!(
        docs[0].reference.to_string(),
        "document 1 ConfigMap/a (c/templates/a.yaml)"
    );
}

#[test]
fn helm4_annotation_names_the_document_when_there_is_no_source_comment() {
    let docs = parse_stream(
        b"apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  annotations:\n    postrenderer.helm.sh/postrender-filename: dagu/templates/s.yaml\n",
    )
    .unwrap();
    assert_eq!(
        docs[0].reference.source.as_deref(),
        Some("dagu/templates/s.yaml")
    );
}

#[test]
fn unusable_documents_are_named_with_their_line() {
    assert!(err("---\n# Source: x.yaml\na: [\n").starts_with("document 1 (x.yaml), line"));
    assert!(err("---\n- a\n").contains("is a sequence, not a mapping"));
    assert!(err("kind: A\n").contains("no string `apiVersion`"));
    assert!(err("apiVersion: v1\nkind: List\nitems: []\n").contains("kind: List"));
    assert!(
        err("apiVersion: apps/v1beta2\nkind: Deployment\n").contains("Render apiVersion: apps/v1")
    );
    assert!(err("apiVersion: a/b/c\nkind: X\n").contains("not of the form"));
    assert!(err("").contains("empty"));
    assert!(err("# c\n---\n# d\n").contains("only comments"));
    assert!(
        err("a: 1\n\u{0}").contains("line 2"),
        "{}",
        err("a: 1\n\u{0}")
    );
}

#[test]
fn invalid_utf8_is_located() {
    let e = parse_stream(b"kind: A\nx: \xff\n").unwrap_err().to_string();
    assert!(
        e.starts_with("line 2, column 4: the input is not UTF-8"),
        "{e}"
    );
}

#[test]
fn a_large_stream_parsed_in_parallel_reports_the_first_broken_document() {
    let mut stream = String::new();
    for i in 1..=1200 {
        match i {
            700 => stream.push_str("---\nkind: [unclosed\n"),
            1100 => stream.push_str("---\napiVersion: v1\n"),
            _ => stream.push_str(&format!(
                "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\n"
            )),
        }
    }
    assert!(err(&stream).contains("document 700"), "{}", err(&stream));
    let ok: String = (1..=1200)
        .map(|i| format!("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\n"))
        .collect();
    let docs = parse_stream(ok.as_bytes()).unwrap();
    assert_eq!(docs.len(), 1200);
    assert_eq!(docs[1199].reference.index, 1200);
    assert_eq!(
        docs[1199].object.as_ref().unwrap().name.as_deref(),
        Some("c1200")
    );
}

#[test]
fn live_objects_become_documents_the_pipeline_checks() {
    let objects = vec![
        serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "dagu-ui", "namespace": "team", "labels": {"helm.sh/chart": "dagu-2.0.3"}},
        "spec": {"template": {"spec": {"containers": [{"name": "ui", "image": "x:2.11.1",
            "args": ["dagu", "start-all"]}]}}}}),
    ];
    let docs = docs_from_values(objects, "live release dagu");
    assert_eq!(
        docs[0].reference.to_string(),
        "document 1 Deployment/dagu-ui (live release dagu)"
    );
    let choice = crate::post_render::profile::choose_docs(&docs, None);
    assert_eq!(
        choice.profile.mode,
        crate::post_render::profile::Mode::Standalone
    );
    let outcome = crate::post_render::process_docs(docs, &Default::default()).unwrap();
    assert!(outcome
        .findings
        .iter()
        .any(|f| f.rule == "standalone-single-replica"));
}
