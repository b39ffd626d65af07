//! Shared helpers for the cluster test binaries (`tests/*_e2e.rs`, `tests/cluster_smoke.rs`).
//!
//! Cluster tests run whenever the project's test cluster is up and fail, saying how to start it, when it is
//! not: there is no silent skip. The cluster is recognised by its kubeconfig context `kubectl-dagu-test`, so a
//! `KUBECONFIG` that points at any other cluster is refused rather than used.
#![allow(dead_code)]

pub mod helm;
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

/// Async twin of [`poll`] for `#[tokio::test]`s: awaits `f` every 100 ms until it returns `Some`, or panics
/// after `timeout` naming `what`.
pub async fn poll_async<T, F, Fut>(what: &str, timeout: std::time::Duration, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// A kube client for the test cluster (context [`TEST_CONTEXT`] of [`kubeconfig()`]).
pub async fn client() -> kube::Client {
    kube::Client::try_from(config().await).expect("kube client for the test cluster")
}

/// The kube config of the test cluster (context [`TEST_CONTEXT`] of [`kubeconfig()`]), e.g. to swap the
/// credentials for a ServiceAccount token.
pub async fn config() -> kube::Config {
    let path = kubeconfig();
    let kc = kube::config::Kubeconfig::read_from(&path)
        .unwrap_or_else(|e| panic!("cannot parse KUBECONFIG {}: {e}", path.display()));
    let options = kube::config::KubeConfigOptions {
        context: Some(TEST_CONTEXT.into()),
        ..Default::default()
    };
    kube::Config::from_custom_kubeconfig(kc, &options)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "cannot load context {TEST_CONTEXT} from {}: {e}",
                path.display()
            )
        })
}

/// A unique, valid Kubernetes name: `prefix-<pid>-<counter>-<nanos>` (at most 63 characters).
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .subsec_nanos();
    let mut name = format!("{prefix}-{}-{n}-{nanos:x}", std::process::id());
    name.truncate(63);
    name.trim_end_matches('-').to_string()
}

/// A namespace of its own for one test. [`TestNamespace::create`] returns once the namespace's `default`
/// ServiceAccount and its token Secret exist (pods are refused before that); dropping it deletes the namespace
/// (and everything in it) without waiting, also when the test panicked.
pub struct TestNamespace {
    pub name: String,
}

impl TestNamespace {
    pub async fn create(client: &kube::Client, prefix: &str) -> TestNamespace {
        use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
        let name = unique_name(prefix);
        let ns: Namespace =
            serde_json::from_value(serde_json::json!({ "metadata": { "name": name } })).unwrap();
        kube::Api::<Namespace>::all(client.clone())
            .create(&Default::default(), &ns)
            .await
            .unwrap_or_else(|e| panic!("cannot create namespace {name}: {e}"));
        let sas = kube::Api::<ServiceAccount>::namespaced(client.clone(), &name);
        // 1.20's ServiceAccount admission refuses pods until the account has its token Secret.
        poll_async(
            &format!("ServiceAccount {name}/default and its token Secret"),
            std::time::Duration::from_secs(60),
            || async {
                let sa = sas.get_opt("default").await.ok().flatten()?;
                sa.secrets.filter(|s| !s.is_empty()).map(|_| ())
            },
        )
        .await;
        TestNamespace { name }
    }
}

impl Drop for TestNamespace {
    fn drop(&mut self) {
        use k8s_openapi::api::core::v1::Namespace;
        let name = self.name.clone();
        // Drop cannot await; a thread with its own runtime and its own client works inside and outside a tokio
        // runtime (the test's client is bound to the test's runtime, which this thread blocks).
        let deleted = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                kube::Api::<Namespace>::all(client().await)
                    .delete(&name, &Default::default())
                    .await
            })
            .ok()
        })
        .join();
        if !matches!(deleted, Ok(Some(_))) {
            eprintln!("warning: could not delete test namespace {}", self.name);
        }
    }
}
