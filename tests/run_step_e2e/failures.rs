//! Failure modes the test cluster can produce (issue 9, item 5), each reported with its reason; and retries
//! with `backoff_limit`, every attempt's log in order (item 6).

use super::harness::{output, Ns, NEVER_RAN_GONE};

#[tokio::test(flavor = "multi_thread")]
async fn active_deadline_fails_with_deadline_exceeded() {
    let ns = Ns::new("deadline").await;
    let dir = tempfile::tempdir().unwrap();
    let dag = ns.dag(
        &dir,
        ", active_deadline: 3",
        "[sh, -c, 'echo started; sleep 300']",
    );
    let (code, out, err) = output(ns.run_step(&dag, &["--timeout", "120s"])).await;
    assert_eq!(code, 1, "stdout: {out}\nstderr: {err}");
    assert!(err.contains("DeadlineExceeded"), "{err}");
    ns.assert_nothing_left("DeadlineExceeded").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn backoff_limit_streams_every_attempt_and_keeps_the_last_code() {
    let ns = Ns::new("backoff").await;
    let dir = tempfile::tempdir().unwrap();
    let dag = ns.dag(
        &dir,
        ", backoff_limit: 1",
        "[sh, -c, 'echo attempt; exit 3']",
    );
    let (code, out, err) = output(ns.run_step(&dag, &["--timeout", "150s"])).await;
    assert_eq!(code, 3, "stdout: {out}\nstderr: {err}");
    assert_eq!(out, "attempt\nattempt\n", "both attempts' logs, in order");
    assert!(
        err.contains("--- attempt 2: pod s-") && err.contains("exited with 3"),
        "{err}"
    );
    assert!(err.contains("BackoffLimitExceeded"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_command_that_does_not_exist_reports_the_runtimes_message() {
    let ns = Ns::new("nocmd").await;
    let dir = tempfile::tempdir().unwrap();
    let dag = ns.dag(&dir, "", "[/no/such/binary]");
    let (code, _, err) = output(ns.run_step(&dag, &["--timeout", "100s"])).await;
    assert_ne!(code, 0, "{err}");
    assert!(
        err.contains("/no/such/binary"),
        "the runtime's message is shown: {err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_configmap_key_fails_fast() {
    let ns = Ns::new("nokey").await;
    let cm: k8s_openapi::api::core::v1::ConfigMap = serde_json::from_value(
        serde_json::json!({"metadata": {"name": "app-config"}, "data": {"other": "x"}}),
    )
    .unwrap();
    kube::Api::namespaced(ns.client.clone(), &ns.name)
        .create(&Default::default(), &cm)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env =
        ", env: [{name: CFG, value_from: {config_map_key_ref: {name: app-config, key: cfg}}}]";
    // The default 30 s grace period: the pod must still go at once, its container never ran.
    let dag = ns.dag_default_grace(&dir, env, "'true'");
    let (code, _, err) = output(ns.run_step(&dag, &["--timeout", "100s"])).await;
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("CreateContainerConfigError") && err.contains("cfg"),
        "{err}"
    );
    ns.assert_nothing_left_within("a missing ConfigMap key", NEVER_RAN_GONE)
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_drops_a_field_gets_a_warning_or_with_strict_a_refusal() {
    let ns = Ns::new("strict").await;
    let dir = tempfile::tempdir().unwrap();
    let dag = ns.dag(&dir, ", ttl_after_finished: 60", "echo ran");
    let (code, out, err) = output(ns.run_step(&dag, &[])).await;
    assert_eq!((code, out.as_str()), (0, "ran\n"), "{err}");
    assert!(
        err.contains("warning") && err.contains("ttl_after_finished"),
        "{err}"
    );
    // The first run's pod goes with its Job in the background: count from an empty namespace.
    ns.assert_nothing_left("the first run").await;
    let (code, out, err) = output(ns.run_step(&dag, &["--strict"])).await;
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    assert!(err.contains("--strict"), "{err}");
    assert_eq!(ns.left().await, (0, 0), "nothing is created with --strict");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_oom_kill_exits_137_with_the_reason() {
    let ns = Ns::new("oom").await;
    let dir = tempfile::tempdir().unwrap();
    let dag = ns.dag(
        &dir,
        ", resources: {limits: {memory: 16Mi}}",
        "[sh, -c, 'echo filling; x=$(head -c 100000000 /dev/zero | tr \"\\0\" a); echo survived']",
    );
    let (code, out, err) = output(ns.run_step(&dag, &["--timeout", "100s"])).await;
    assert_eq!((code, out.as_str()), (137, "filling\n"), "{err}");
    assert!(err.contains("OOMKilled"), "{err}");
}
