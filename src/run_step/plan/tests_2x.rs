//! The pipeline on Dagu 2.x DAG files (issue 15): `action: k8s.run` steps, the merge at layer keys only,
//! `kubernetes: {}`, workspace base files, `fallback`. The complete example's goldens for the `action:` form
//! are in `tests.rs` (one snapshot for both forms).

use serde_json::json;

use super::tests::{errors, inputs, job_yaml};
use super::*;

fn step(with: &str) -> String {
    format!("steps:\n  - id: s\n    action: k8s.run\n    with: {with}\n")
}

#[test]
fn action_steps_take_settings_and_command_from_with() {
    assert_eq!(
        errors(&inputs(&step("x"), "s", &[])),
        ["[schema] steps[s].with: must be a map, found \"x\""]
    );
    let text = step("{image: 'busybox:1.36', namespace: jobs, command: 'sh -c \"exit 3\"'}");
    let p = plan(&inputs(&text, "s", &[])).unwrap();
    assert_eq!(
        p.config,
        json!({"image": "busybox:1.36", "namespace": "jobs"})
    );
    assert_eq!(
        p.argv,
        Some(vec!["sh".into(), "-c".into(), "exit 3".into()])
    );
    let text = step("{image: a, command: [app migrate]}");
    assert_eq!(
        plan(&inputs(&text, "s", &[])).unwrap().argv,
        Some(vec!["app".into(), "migrate".into()])
    );
    let text = step("{image: a}").replace("k8s.run", "kubernetes.run");
    assert_eq!(plan(&inputs(&text, "s", &[])).unwrap().argv, None);
}

#[test]
fn action_step_errors_name_the_keys_the_file_used() {
    let text = "steps:\n  - id: s\n    action: k8s.run\n    type: k8s\n    with: {imag: a, command: [echo one, echo two]}\n    script: echo hi\n";
    assert_eq!(
        errors(&inputs(text, "s", &[])),
        [
            "[schema] steps[s].with.imag: unknown field; did you mean `image`?",
            "[action_keys] steps[s].type: cannot be used together with `action: k8s.run`; remove it: the action already names the executor (`type: k8s` is the older form)",
            "[action_keys] steps[s].script: cannot be used together with `action: k8s.run`; Kubernetes steps run no script; put it in the image",
            "[command_shape] steps[s].with.command: is a list of 2 commands (in Dagu each item of a command list is a separate command); a Kubernetes step runs one command: write it as one string, e.g. `command: echo one`, or join them with `command: sh -c '...'`",
        ]
    );
    let text = "steps:\n  - id: s\n    action: k8s.run\n    with:\n      image: a\n      command: |\n        echo one\n";
    let e = errors(&inputs(text, "s", &[]));
    assert_eq!(e.len(), 1);
    assert!(
        e[0].starts_with("[command_shape] steps[s].with.command: is a multi-line string, which Dagu runs as a script"),
        "{e:?}"
    );
    let text = step("{image: a, command: 'app --date ${DATE}'}");
    assert_eq!(
        errors(&inputs(&text, "s", &[])),
        ["steps[s].with.command: ${DATE} is not set (word 2); pass -p DATE=VALUE or define it in params/env"]
    );
}

#[test]
fn the_refusal_names_the_action_or_the_type() {
    let text =
        "steps:\n  - {id: d, action: docker.run, with: {image: a}}\n  - {id: c, command: 'true'}\n";
    let msg = |s| plan(&inputs(text, s, &[])).unwrap_err().to_string();
    assert!(msg("d").starts_with("step d has action \"docker.run\"; run-step runs only Kubernetes steps: `action: k8s.run`"), "{}", msg("d"));
    assert!(
        msg("c").starts_with("step c has type \"command\" (the default);"),
        "{}",
        msg("c")
    );
}

#[test]
fn empty_dir_is_a_source_and_a_second_empty_source_is_refused() {
    let dag = |volume: &str| {
        format!("steps:\n  - id: s\n    type: k8s\n    config:\n      image: busybox\n      volumes: [{{name: scratch, {volume}}}]\n      volume_mounts: [{{name: scratch, mount_path: /tmp/work}}]\n    command: \"true\"\n")
    };
    let volumes = |volume: &str| {
        let job: Value =
            serde_saphyr::from_str(&job_yaml(&inputs(&dag(volume), "s", &[]))).unwrap();
        job["spec"]["template"]["spec"]["volumes"].clone()
    };
    assert_eq!(
        volumes("empty_dir: {}"),
        json!([{"name": "scratch", "emptyDir": {}}])
    );
    assert_eq!(
        volumes("empty_dir: {medium: Memory}"),
        json!([{"name": "scratch", "emptyDir": {"medium": "Memory"}}])
    );
    assert_eq!(
        errors(&inputs(&dag("empty_dir: {}, secret: {secret_name: s}"), "s", &[])),
        ["[volumes] steps[s].config.volumes[0]: must define exactly one source, found empty_dir and secret"]
    );
}

#[test]
fn dag_level_empty_kubernetes_clears_the_base() {
    let text = "kubernetes: {}\nsteps:\n  - {id: s, action: k8s.run, with: {image: 'alpine:3.20', command: echo hello}}\n";
    let mut i = inputs(text, "s", &[]);
    i.bases = vec![(
        "base.yaml".into(),
        "kubernetes: {namespace: base-ns, labels: {team: platform}}\n".into(),
    )];
    assert_eq!(plan(&i).unwrap().config, json!({"image": "alpine:3.20"}));
    i.dag_text = "steps:\n  - {id: s, action: k8s.run, with: {image: 'alpine:3.20'}}\n";
    assert_eq!(
        plan(&i).unwrap().config,
        json!({"image": "alpine:3.20", "namespace": "base-ns", "labels": {"team": "platform"}})
    );
}

#[test]
fn workspace_base_sits_between_the_global_base_and_the_dag() {
    let text = "labels: [workspace=ops]\nkubernetes: {labels: {app: etl}}\nsteps:\n  - {id: s, action: k8s.run, with: {image: a}}\n";
    let mut i = inputs(text, "s", &[]);
    i.bases = vec![
        (
            "/dagu/base.yaml".into(),
            "kubernetes: {namespace: g, service_account: g-sa, labels: {team: p}, env: [{name: G, value: '1'}]}\n".into(),
        ),
        (
            "/dagu/dags/workspaces/ops/base.yaml".into(),
            "kubernetes: {namespace: ops, labels: {}, env: [{name: W, value: '2'}]}\n".into(),
        ),
    ];
    assert_eq!(
        plan(&i).unwrap().config,
        json!({"image": "a", "namespace": "ops", "service_account": "g-sa",
            "labels": {"team": "p", "app": "etl"},
            "env": [{"name": "G", "value": "1"}, {"name": "W", "value": "2"}]})
    );
    i.bases[1].1 = "kubernetes: {backoff_limit: -1, image_pull_policy: fallback}\n".into();
    assert_eq!(
        errors(&i),
        [
            "[image_pull_policy] /dagu/dags/workspaces/ops/base.yaml: kubernetes.image_pull_policy: `fallback` is a Docker step policy and is not supported by Kubernetes steps: Kubernetes has no policy that tries the registry first and uses a local image only when the pull fails; use Always, IfNotPresent or Never",
            "[job_lifecycle] /dagu/dags/workspaces/ops/base.yaml: kubernetes.backoff_limit: must be >= 0, found -1",
        ]
    );
}

#[test]
fn scoped_references_of_dagu_2_resolve_and_runtime_ones_name_the_way_to_give_them() {
    let text = "env:\n  - DATE: 2026-12-03\nconsts:\n  BUCKET: s3://reports\nsteps:\n  - id: s\n    \
                action: kubernetes.run\n    with:\n      image: 'app:${consts.BUCKET}'\n      \
                command: 'app report --date \"${env.DATE}\" --after ${steps.migrate.outputs.version}'\n";
    assert_eq!(
        errors(&inputs(text, "s", &[])),
        ["steps[s].with.command: ${steps.migrate.outputs.version} is not set (word 5); it is known only in a \
          run of the whole DAG, and run-step runs one step alone: pass -p steps.migrate.outputs.version=VALUE"]
    );
    let p = plan(&inputs(
        text,
        "s",
        &[("steps.migrate.outputs.version", "7")],
    ))
    .unwrap();
    assert_eq!(p.config["image"], "app:s3://reports");
    assert_eq!(
        p.argv,
        Some(
            ["app", "report", "--date", "2026-12-03", "--after", "7"]
                .map(String::from)
                .to_vec()
        )
    );
}
