//! The pipeline on whole DAG files: golden Jobs (insta snapshots in `src/run_step/plan/snapshots/`) and
//! error reports with paths attributed to the layer that set the value.

use std::collections::BTreeMap;

use super::*;
use crate::run_step::job;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/run_step");

pub(super) fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}/{name}")).unwrap()
}

pub(super) fn inputs<'a>(text: &'a str, step: &'a str, params: &[(&str, &str)]) -> Inputs<'a> {
    Inputs {
        dag_text: text,
        dag_stem: "complete",
        bases: vec![],
        step,
        cli_params: params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        process_env: Some(BTreeMap::new()),
        keep_unresolved: false,
    }
}

pub(super) fn job_yaml(inputs: &Inputs) -> String {
    let plan = plan(inputs).unwrap_or_else(|e| panic!("{e}"));
    let ns = plan
        .config
        .get("namespace")
        .and_then(Value::as_str)
        .unwrap_or("default")
        .to_string();
    serde_saphyr::to_string(&job::build(&plan, &ns, None).unwrap()).unwrap()
}

pub(super) fn errors(inputs: &Inputs) -> Vec<String> {
    match plan(inputs) {
        Err(PlanError::Invalid { errors, .. }) => errors,
        other => panic!("expected invalid config, got {other:?}"),
    }
}

/// The executor document's complete example, and the same DAG written with `action:`/`with:`
/// (`complete-action.yaml`): one golden Job per step for both.
const COMPLETE: [&str; 2] = ["complete.yaml", "complete-action.yaml"];

#[test]
fn complete_example_migrate() {
    for file in COMPLETE {
        let text = fixture(file);
        insta::assert_snapshot!(
            "complete_example_migrate",
            job_yaml(&inputs(&text, "migrate", &[]))
        );
    }
}

#[test]
fn complete_example_report() {
    for file in COMPLETE {
        let text = fixture(file);
        insta::assert_snapshot!(
            "complete_example_report",
            job_yaml(&inputs(&text, "report", &[("DATE", "2026-03-31")]))
        );
    }
}

#[test]
fn kitchen_sink_maps_every_field() {
    let text = fixture("kitchen-sink.yaml");
    insta::assert_snapshot!(job_yaml(&inputs(&text, "load data", &[])));
}

#[test]
fn base_yaml_is_the_lowest_layer() {
    let text = "kubernetes: {namespace: dag-ns}\nsteps:\n  - {id: s, type: k8s, command: 'true'}\n";
    let mut i = inputs(text, "s", &[]);
    i.bases = vec![(
        "base.yaml".into(),
        "kubernetes: {image: 'busybox:1.36', namespace: base-ns, labels: {a: b}}\nother: 1\n"
            .into(),
    )];
    let plan = plan(&i).unwrap();
    assert_eq!(
        plan.config,
        serde_json::json!({"image": "busybox:1.36", "namespace": "dag-ns", "labels": {"a": "b"}})
    );
    assert_eq!(plan.argv, Some(vec!["true".to_string()]));
}

#[test]
fn all_errors_are_reported_with_the_layer_that_set_them() {
    let text = fixture("invalid.yaml");
    let e = errors(&inputs(&text, "migrate", &[]));
    assert_eq!(
        e,
        [
            "[schema] steps[migrate].config.imag: unknown field; did you mean `image`?",
            "[command_shape] steps[migrate].script: is not supported by Kubernetes steps; put the script in the image, or use command: [sh, -c, '...']",
        ]
    );
    let fixed = text
        .replace("imag:", "image:")
        .replace("    script: echo hi\n", "");
    let e = errors(&inputs(&fixed, "migrate", &[]));
    let pref = "steps[migrate].config.affinity.node_affinity.preferred_during_scheduling_ignored_during_execution[0]";
    assert_eq!(
        e,
        [
            "[image_pull_policy] steps[migrate].config.image_pull_policy: must be Always, IfNotPresent or Never, found \"sometimes\"".to_string(),
            "[env] steps[migrate].config.env[0].name: is required and must not be empty".into(),
            "[resources] kubernetes.resources.requests.cpu: is not a Kubernetes quantity (like 100m, 128Mi or 1Gi), found \"lots\"".into(),
            "[security_context] kubernetes.security_context.run_as_user: must be >= 0, found -1".into(),
            format!("[affinity] {pref}.weight: must be between 1 and 100, found 101"),
            format!("[affinity] {pref}.preference.match_expressions[0].values: must have at least one value for In and NotIn"),
        ]
    );
}

#[test]
fn missing_image_is_reported_on_the_step() {
    let text = "kubernetes: {namespace: x}\nsteps:\n  - {id: s, type: k8s}\n";
    assert_eq!(
        errors(&inputs(text, "s", &[])),
        ["[image_required] steps[s].config.image: is required and must not be empty"]
    );
}

#[test]
fn unresolved_parameters_are_errors_naming_them() {
    let text = fixture("complete.yaml");
    let e = errors(&inputs(&text, "report", &[]));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with("steps[report].command: ${DATE} is not set (word 3); pass -p DATE=VALUE"),
        "{e:?}"
    );
    let text = "steps:\n  - {id: s, type: k8s, config: {image: 'a:${TAG}'}}\n";
    assert_eq!(
        errors(&inputs(text, "s", &[])),
        ["steps[s].config.image: ${TAG} is not set; pass -p TAG=VALUE or define it in params/env"]
    );
}

#[test]
fn non_kubernetes_and_unknown_steps_are_refused() {
    let text = fixture("invalid.yaml");
    assert!(matches!(
        plan(&inputs(&text, "plain", &[])),
        Err(PlanError::NotKubernetes { .. })
    ));
    match plan(&inputs(&text, "nope", &[])) {
        Err(PlanError::UnknownStep(m)) => assert!(
            m.contains("migrate [type: k8s]") && m.contains("plain [type: command]"),
            "{m}"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn with_and_config_give_identical_jobs_and_both_is_an_error() {
    let text = fixture("complete.yaml");
    let with = text.replace("    config:\n", "    with:\n");
    assert_ne!(text, with);
    for step in ["migrate", "report"] {
        let p = [("DATE", "2026-03-31")];
        assert_eq!(
            job_yaml(&inputs(&with, step, &p)),
            job_yaml(&inputs(&text, step, &p)),
            "{step}"
        );
    }
    let e = errors(&inputs(
        "steps:\n  - {id: s, type: k8s, with: {imag: x}}\n",
        "s",
        &[],
    ));
    assert_eq!(
        e,
        ["[schema] steps[s].with.imag: unknown field; did you mean `image`?"]
    );
    let both = "steps:\n  - {id: s, type: k8s, with: {image: a}, config: {image: b}}\n";
    let e = errors(&inputs(both, "s", &[]));
    assert_eq!(e.len(), 1);
    assert!(e[0].contains("sets both `with:` and `config:`"), "{e:?}");
}

#[test]
fn base_yaml_errors_name_the_file() {
    let text = "steps:\n  - {id: s, type: k8s, config: {image: a}}\n";
    let mut i = inputs(text, "s", &[]);
    i.bases = vec![(
        "/etc/dagu/base.yaml".into(),
        "kubernetes: {namespce: x, backoff_limit: -1}\n".into(),
    )];
    assert_eq!(
        errors(&i),
        ["[schema] /etc/dagu/base.yaml: kubernetes.namespce: unknown field; did you mean `namespace`?"]
    );
    i.bases = vec![(
        "/etc/dagu/base.yaml".into(),
        "kubernetes: {backoff_limit: -1}\n".into(),
    )];
    assert_eq!(
        errors(&i),
        ["[job_lifecycle] /etc/dagu/base.yaml: kubernetes.backoff_limit: must be >= 0, found -1"]
    );
}
