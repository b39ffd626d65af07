//! Shared helpers for the cluster test binaries (`tests/*_e2e.rs`, `tests/cluster_smoke.rs`).
//!
//! Cluster tests run whenever the project's test cluster is up and fail, saying how to start it, when it is
//! not: there is no silent skip. The cluster is recognised by its kubeconfig context `kubectl-dagu-test`, so a
//! `KUBECONFIG` that points at any other cluster is refused rather than used.
#![allow(dead_code)]

pub mod rbac;

use std::path::PathBuf;

/// The kubeconfig context name `scripts/test-cluster` writes.
pub const TEST_CONTEXT: &str = "kubectl-dagu-test";

const HOW_TO_START: &str =
    "start the test cluster with `scripts/test-cluster up && eval \"$(scripts/test-cluster env)\"`, \
     or run everything with `scripts/test`";

/// The test cluster's kubeconfig path; panics with instructions when the cluster environment is absent.
pub fn kubeconfig() -> PathBuf {
    let path = std::env::var_os("KUBECONFIG")
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("KUBECONFIG is not set: {HOW_TO_START}"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read KUBECONFIG {}: {e}: {HOW_TO_START}",
            path.display()
        )
    });
    assert!(
        text.contains(&format!("current-context: {TEST_CONTEXT}")),
        "KUBECONFIG {} is not the project's test cluster (context {TEST_CONTEXT}): {HOW_TO_START}",
        path.display()
    );
    path
}

/// Polls `f` every 100 ms until it returns `Some`, or panics after `timeout` naming `what`.
pub fn poll<T>(what: &str, timeout: std::time::Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}
