//! run-step against the project's test cluster (Kubernetes 1.20, local images only). Each test works in its
//! own namespace, deleted at the end. Nothing waits by sleeping: the tests read the binary's output and poll
//! the API with deadlines.
//!
//! Run: `eval "$(scripts/test-cluster env)" && cargo test --test run_step_e2e`

#[path = "run_step_e2e/actions.rs"]
mod actions;
#[path = "run_step_e2e/failures.rs"]
mod failures;
#[path = "run_step_e2e/harness.rs"]
mod harness;
#[path = "run_step_e2e/interrupts.rs"]
mod interrupts;
mod support;

use harness::{interrupt_at, output, signal_at, Ns, NEVER_RAN_GONE};

#[tokio::test(flavor = "multi_thread")]
async fn success_streams_logs_exits_0_and_deletes_the_job() {
    let ns = Ns::new("ok").await;
    let dir = tempfile::tempdir().unwrap();
    let dag = ns.dag(&dir, "", "echo \"hello from kubernetes\"");
    let (code, out, err) = output(ns.run_step(&dag, &[])).await;
    assert_eq!(code, 0, "stderr: {err}");
    assert_eq!(out, "hello from kubernetes\n");
    ns.assert_nothing_left("cleanup_policy delete").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_log_line_arrives_once_in_order() {
    let ns = Ns::new("lines").await;
    let dir = tempfile::tempdir().unwrap();
    let dag = ns.dag(
        &dir,
        "",
        "[sh, -c, 'i=1; while [ $i -le 3000 ]; do echo line-$i; i=$((i+1)); done; echo err >&2']",
    );
    let (code, out, err) = output(ns.run_step(&dag, &[])).await;
    assert_eq!(code, 0, "stderr: {err}");
    // stdout in order, each line once; the one stderr line once (the container runtime reads stdout and
    // stderr from separate pipes, so where it lands in the merged stream is not defined).
    let want: Vec<String> = (1..=3000).map(|i| format!("line-{i}")).collect();
    let stdout: String = out
        .lines()
        .filter(|l| *l != "err")
        .map(|l| format!("{l}\n"))
        .collect();
    harness::assert_lines(&stdout, &want);
    assert_eq!(
        out.lines().filter(|l| *l == "err").count(),
        1,
        "the stderr line exactly once"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_containers_exit_code_is_propagated() {
    let ns = Ns::new("exit42").await;
    let dir = tempfile::tempdir().unwrap();
    let dag = ns.dag(&dir, "", "[sh, -c, 'echo before; exit 42']");
    let (code, out, err) = output(ns.run_step(&dag, &[])).await;
    assert_eq!(code, 42, "stderr: {err}");
    assert_eq!(out, "before\n");
    ns.assert_nothing_left("a failed step with cleanup_policy delete")
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_image_fails_fast_with_the_reason() {
    let ns = Ns::new("noimage").await;
    let dir = tempfile::tempdir().unwrap();
    // Any pull attempt stays on loopback (port 1 refuses at once).
    let path = dir.path().join("dag.yaml");
    std::fs::write(&path, "steps:\n  - {id: s, type: k8s, config: {image: 'localhost:1/nope:1', image_pull_policy: IfNotPresent}, command: 'true'}\n").unwrap();
    let (code, _, err) = output(ns.run_step(path.to_str().unwrap(), &["--timeout", "100s"])).await;
    assert_eq!(code, 1, "stderr: {err}");
    assert!(
        err.contains("ErrImagePull") || err.contains("ImagePullBackOff"),
        "{err}"
    );
    assert!(
        err.contains("localhost:1/nope:1"),
        "the pod's message is shown: {err}"
    );
    // A container that never ran is deleted with no grace period (issue 13): gone within seconds, not the
    // 55-60 s a pod in image-pull back-off stays Terminating with its default 30 s grace period.
    ns.assert_nothing_left_within("an image pull failure", NEVER_RAN_GONE)
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_secret_in_env_from_fails_fast() {
    let ns = Ns::new("nosecret").await;
    let dir = tempfile::tempdir().unwrap();
    // The default 30 s grace period: the pod must still go at once, its container never ran.
    let dag = ns.dag_default_grace(
        &dir,
        ", env_from: [{secret_ref: {name: no-such-secret}}]",
        "'true'",
    );
    let (code, _, err) = output(ns.run_step(&dag, &["--timeout", "100s"])).await;
    assert_eq!(code, 1, "stderr: {err}");
    assert!(
        err.contains("CreateContainerConfigError") && err.contains("no-such-secret"),
        "{err}"
    );
    ns.assert_nothing_left_within("a missing Secret", NEVER_RAN_GONE)
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn cleanup_policy_keep_leaves_the_job() {
    let ns = Ns::new("keep").await;
    let dir = tempfile::tempdir().unwrap();
    let dag = ns.dag(&dir, ", cleanup_policy: keep", "echo kept");
    let (code, out, err) = output(ns.run_step(&dag, &[])).await;
    assert_eq!((code, out.as_str()), (0, "kept\n"), "stderr: {err}");
    assert!(err.contains("kept job/s-"), "{err}");
    assert_eq!(ns.left().await, (1, 1));
}

#[tokio::test(flavor = "multi_thread")]
async fn unschedulable_gives_up_after_the_schedule_timeout_and_keep_keeps_the_job() {
    let ns = Ns::new("unsched").await;
    let dir = tempfile::tempdir().unwrap();
    let dag = ns.dag(
        &dir,
        ", cleanup_policy: keep, node_selector: {no-such-label: x}",
        "'true'",
    );
    let (code, _, err) =
        output(ns.run_step(&dag, &["--schedule-timeout", "2s", "--timeout", "100s"])).await;
    assert_eq!(code, 1, "stderr: {err}");
    assert!(
        err.contains("unschedulable") && err.contains("--schedule-timeout"),
        "{err}"
    );
    assert_eq!(
        ns.left().await.0,
        1,
        "cleanup_policy keep keeps the Job when scheduling fails"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn timeout_exits_124_and_leaves_nothing() {
    let ns = Ns::new("timeout").await;
    let dir = tempfile::tempdir().unwrap();
    let dag = ns.dag(
        &dir,
        ", cleanup_policy: keep",
        "[sh, -c, 'echo started; sleep 300']",
    );
    let (code, out, err) = output(ns.run_step(&dag, &["--timeout", "15s"])).await;
    assert_eq!(code, 124, "stderr: {err}");
    assert!(
        out.contains("started") || err.contains("timeout"),
        "{out}{err}"
    );
    ns.assert_nothing_left("--timeout (even with cleanup_policy keep)")
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_context_fails_fast() {
    let ns = Ns::new("badctx").await;
    let dir = tempfile::tempdir().unwrap();
    let dag = ns.dag(&dir, "", "'true'");
    let (code, _, err) = output(ns.run_step(&dag, &["--context", "no-such-context"])).await;
    assert_eq!(code, 3, "stderr: {err}");
    assert!(err.contains("no-such-context"), "{err}");
    assert_eq!(ns.left().await, (0, 0));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_documented_role_is_enough() {
    let ns = Ns::new("rbac").await;
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = support::rbac::least_privilege_kubeconfig(
        ns.client.clone(),
        &ns.name,
        "run-step.yaml",
        dir.path(),
    )
    .await;
    let dag = ns.dag(&dir, "", "[sh, -c, 'echo as the role; exit 3']");
    let (code, out, err) = output(ns.run_step_as(&dag, &kubeconfig, &[])).await;
    assert_eq!((code, out.as_str()), (3, "as the role\n"), "stderr: {err}");
    ns.assert_nothing_left("a run as the least-privilege Role")
        .await;
    // Interrupted runs clean up with the same Role.
    let dag = ns.dag(&dir, "", "[sh, -c, 'echo started; sleep 300']");
    let (code, seen) = interrupt_at(ns.run_step_as(&dag, &kubeconfig, &[]), "started").await;
    assert_eq!(code, 130, "{seen}");
    ns.assert_nothing_left("SIGINT as the least-privilege Role")
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_exits_143_and_leaves_nothing() {
    let ns = Ns::new("sigterm").await;
    let dir = tempfile::tempdir().unwrap();
    let dag = ns.dag(
        &dir,
        ", cleanup_policy: keep",
        "[sh, -c, 'echo started; sleep 300']",
    );
    let (code, seen) = signal_at(ns.run_step(&dag, &[]), "started", "-TERM", |_| {}).await;
    assert_eq!(code, 143, "{seen}");
    ns.assert_nothing_left("SIGTERM (even with cleanup_policy keep)")
        .await;
}

/// The API server restarts while the step prints a numbered line every 100 ms: the log stream and the watches
/// are re-established, every number is printed exactly once and the step's exit code is kept (issue 9, item
/// 8). It restarts the shared cluster's API server, which disturbs concurrent tests, so it runs only on
/// request: `cargo test --test run_step_e2e -- --ignored api_server_restart`.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "restarts the shared API server; run alone with --ignored"]
async fn api_server_restart_loses_and_repeats_no_line() {
    let ns = Ns::new("restart").await;
    let dir = tempfile::tempdir().unwrap();
    let dag = ns.dag(
        &dir,
        "",
        "[sh, -c, 'i=1; while [ $i -le 150 ]; do echo n-$i; i=$((i+1)); sleep 0.1; done; exit 5']",
    );
    let restart = |_| {
        let script = std::env::var("TEST_CLUSTER").unwrap_or_else(|_| {
            concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/test-cluster").into()
        });
        let ok = std::process::Command::new(script)
            .arg("restart-apiserver")
            .status()
            .unwrap();
        assert!(ok.success(), "restart-apiserver failed");
    };
    let (code, seen) = signal_at(ns.run_step(&dag, &[]), "n-20", "", restart).await;
    assert_eq!(code, 5, "{seen}");
    let numbers: String = seen
        .lines()
        .filter(|l| l.starts_with("n-"))
        .map(|l| format!("{l}\n"))
        .collect();
    let want: Vec<String> = (1..=150).map(|i| format!("n-{i}")).collect();
    harness::assert_lines(&numbers, &want);
}
