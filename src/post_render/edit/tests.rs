use serde_json::{json, Value};

use super::edit;
use crate::post_render::rules::helpers::{add, remove, replace, test};
use crate::post_render::yaml;

/// The body after `ops` as text edits, checked against what json-patch makes of the parsed body.
fn edited(body: &str, ops: &[json_patch::PatchOperation]) -> Option<String> {
    let mut expected: Value = yaml::parse(body).unwrap();
    json_patch::patch(&mut expected, ops).unwrap();
    let refs: Vec<_> = ops.iter().collect();
    edit(body, &refs, &expected)
}

const DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment # the kind
metadata:
  name: \"dagu-worker-gpu\"
  labels:
    app.kubernetes.io/name: 'dagu'
spec:
  template:
    spec:
      # pod spec
      containers:
        - name: worker
          image: \"ghcr.io/dagucloud/dagu:latest\"
          args:
            - worker # the command
            - \"--worker.labels=gpu=true\"
          env:
            - name: DAGU_HOME
              value: \"/data\"
      enableServiceLinks: true
";

#[test]
fn a_scalar_is_replaced_in_place_and_nothing_else_moves() {
    let ops = [
        test("/spec/template/spec/enableServiceLinks", json!(true)),
        replace("/spec/template/spec/enableServiceLinks", json!(false)),
    ];
    let out = edited(DEPLOYMENT, &ops).unwrap();
    assert_eq!(
        out,
        DEPLOYMENT.replace("enableServiceLinks: true", "enableServiceLinks: false")
    );
}

#[test]
fn a_quoted_scalar_gets_the_serializers_quoting_only_where_it_changed() {
    let ptr = "/spec/template/spec/containers/0/env/0/value";
    let out = edited(DEPLOYMENT, &[replace(ptr, json!("/var/dagu"))]).unwrap();
    assert_eq!(
        out,
        DEPLOYMENT.replace("value: \"/data\"", "value: /var/dagu")
    );
    let out = edited(DEPLOYMENT, &[replace(ptr, json!("on"))]).unwrap();
    assert!(
        out.contains("value: 'on'") || out.contains("value: \"on\""),
        "{out}"
    );
}

#[test]
fn keys_and_items_are_added_at_their_siblings_indentation() {
    let ops = [
        add("/metadata/labels/dagu.sh~1worker-pool", json!("gpu")),
        add(
            "/spec/template/spec/containers/0/env/-",
            json!({"name": "HTTP_PROXY", "value": "http://p:8080"}),
        ),
        add(
            "/spec/template/spec/containers/0/env/0",
            json!({"name": "FIRST", "value": "1"}),
        ),
    ];
    let out = edited(DEPLOYMENT, &ops).unwrap();
    let want = DEPLOYMENT
        .replace(
            "    app.kubernetes.io/name: 'dagu'\n",
            "    app.kubernetes.io/name: 'dagu'\n    dagu.sh/worker-pool: gpu\n",
        )
        .replace(
            "          env:\n            - name: DAGU_HOME\n              value: \"/data\"\n",
            "          env:\n            - name: FIRST\n              value: \"1\"\n            - name: DAGU_HOME\n              value: \"/data\"\n            - name: HTTP_PROXY\n              value: http://p:8080\n",
        );
    assert_eq!(out, want);
}

#[test]
fn a_list_is_rewritten_as_a_block_keeping_the_lines_around_it() {
    let ptr = "/spec/template/spec/containers/0/args";
    let out = edited(
        DEPLOYMENT,
        &[replace(
            ptr,
            json!(["worker", "--worker.labels=a=1,gpu=true"]),
        )],
    )
    .unwrap();
    // The list's first item is unchanged, so its comment stays too.
    assert!(out.contains("          args:\n            - worker # the command\n            - --worker.labels=a=1,gpu=true\n          env:\n"), "{out}");
    let out = edited(DEPLOYMENT, &[replace(ptr, json!(["server"]))]).unwrap();
    assert!(
        out.contains("          args:\n            - server # the command\n          env:\n"),
        "{out}"
    );
    let out = edited(
        DEPLOYMENT,
        &[replace(
            ptr,
            json!(["worker", "--worker.labels=gpu=true", "--x"]),
        )],
    )
    .unwrap();
    assert_eq!(
        out,
        DEPLOYMENT.replace("gpu=true\"\n", "gpu=true\"\n            - --x\n")
    );
    assert!(
        out.contains("# pod spec") && out.contains("kind: Deployment # the kind"),
        "{out}"
    );
}

#[test]
fn removing_keys_and_items_deletes_their_lines() {
    let ops = [
        remove("/spec/template/spec/containers/0/args/1"),
        remove("/spec/template/spec/enableServiceLinks"),
    ];
    let out = edited(DEPLOYMENT, &ops).unwrap();
    let want = DEPLOYMENT
        .replace("            - \"--worker.labels=gpu=true\"\n", "")
        .replace("      enableServiceLinks: true\n", "");
    assert_eq!(out, want);
}

#[test]
fn flow_collections_and_first_keys_of_items_are_rewritten_from_their_parent() {
    let body = "a:\n  args: [\"x\", q]\n  m: {k: v}\n  list:\n    - name: A\n      value: \"1\"\n  empty: {}\n";
    let out = edited(
        body,
        &[add("/a/args/-", json!("z,w")), add("/a/empty/k", json!(1))],
    )
    .unwrap();
    assert!(
        out.starts_with("a:\n  args:\n    - x\n    - q\n    - z,w\n  m: {k: v}\n"),
        "{out}"
    );
    assert!(out.ends_with("  empty:\n    k: 1\n"), "{out}");
    let out = edited(body, &[remove("/a/list/0/name")]).unwrap();
    assert!(
        out.contains("  list:\n    - value: \"1\"\n  empty: {}\n"),
        "{out}"
    );
    let out = edited(body, &[replace("/a/m/k", json!("w"))]).unwrap();
    assert!(out.contains("  m: {k: w}\n"), "{out}");
}

#[test]
fn multi_line_strings_become_literal_blocks_in_place() {
    let body = "kind: ConfigMap\ndata:\n  dagu.yaml: |\n    host: 0.0.0.0\n    # keep\n    port: 8080\n  other: x # note\n";
    let out = edited(
        body,
        &[replace(
            "/data/dagu.yaml",
            json!("host: 0.0.0.0\n# keep\nport: 9090\n"),
        )],
    )
    .unwrap();
    assert_eq!(out, body.replace("port: 8080", "port: 9090"));
}

#[test]
fn crlf_bodies_stay_crlf() {
    let body = "a: 1\r\nb:\r\n  - x\r\n";
    let out = edited(body, &[add("/b/-", json!("w")), replace("/a", json!(2))]).unwrap();
    assert_eq!(out, "a: 2\r\nb:\r\n  - x\r\n  - w\r\n");
}

#[test]
fn what_text_edits_cannot_express_is_left_to_re_serialisation() {
    assert_eq!(edited("a: &x [1]\nb: *x\n", &[add("/a/-", json!(2))]), None);
    assert_eq!(edited("a: 1\n", &[replace("", json!({"b": 2}))]), None);
    assert_eq!(edited("[1, 2]\n", &[add("/-", json!(3))]), None);
    // A wrong expectation is never written.
    let ops = [replace("/a", json!(2))];
    let refs: Vec<_> = ops.iter().collect();
    assert_eq!(edit("a: 1\n", &refs, &json!({"a": 3})), None);
}

#[test]
fn a_body_without_a_final_newline_gets_one_before_new_lines() {
    let out = edited("a:\n  b: 1", &[add("/a/c", json!(2))]).unwrap();
    assert_eq!(out, "a:\n  b: 1\n  c: 2\n");
}
