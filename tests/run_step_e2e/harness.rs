//! Harness for the run-step cluster tests: a namespace per test, the binary run to completion or interrupted
//! when a marker line appears, and API checks with deadlines (never sleeps as synchronisation).

use std::process::Stdio;
use std::time::Duration;

use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Namespace, Pod, ServiceAccount};
use kube::api::{Api, DeleteParams, ListParams, PostParams};
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, Command};

use crate::support::{self, poll_async};

pub const IMAGE: &str = "busybox:1.36";
pub const MANAGED: &str = "app.kubernetes.io/managed-by=kubectl-dagu";
/// How soon nothing may be left after a step whose container never ran (issue 13: deleted with no grace
/// period). Measured idle: about 1 s; 20 s leaves headroom for a loaded machine.
pub const NEVER_RAN_GONE: Duration = Duration::from_secs(20);

/// A namespace for one test, deleted when dropped.
pub struct Ns {
    pub name: String,
    pub client: kube::Client,
}

impl Ns {
    pub async fn new(test: &str) -> Self {
        let config = kube::Config::from_custom_kubeconfig(
            kube::config::Kubeconfig::read_from(support::kubeconfig()).unwrap(),
            &Default::default(),
        )
        .await
        .unwrap();
        let client = kube::Client::try_from(config).unwrap();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!("rs-{test}-{:x}{nanos:x}", std::process::id()).replace('_', "-");
        let ns: Namespace =
            serde_json::from_value(serde_json::json!({"metadata": {"name": name}})).unwrap();
        Api::<Namespace>::all(client.clone())
            .create(&PostParams::default(), &ns)
            .await
            .unwrap();
        // Pods cannot be created before the namespace's default service account exists.
        let sas = Api::<ServiceAccount>::namespaced(client.clone(), &name);
        poll_async(
            "the default service account",
            Duration::from_secs(30),
            || async { sas.get_opt("default").await.ok().flatten().map(|_| ()) },
        )
        .await;
        Self { name, client }
    }

    /// (Jobs, Pods) of run-step left in the namespace.
    pub async fn left(&self) -> (usize, usize) {
        let lp = ListParams::default().labels(MANAGED);
        let jobs = Api::<Job>::namespaced(self.client.clone(), &self.name)
            .list(&lp)
            .await
            .unwrap()
            .items
            .len();
        let pods = Api::<Pod>::namespaced(self.client.clone(), &self.name)
            .list(&lp)
            .await
            .unwrap()
            .items
            .len();
        (jobs, pods)
    }

    /// Polls until no Job and no pod of run-step is left. 60 s: a pod whose container ran stops within its
    /// grace period (the harness's DAGs set 1 s; measured idle: under 5 s after the Job is deleted).
    pub async fn assert_nothing_left(&self, what: &str) {
        self.assert_nothing_left_within(what, Duration::from_secs(60))
            .await;
    }

    /// Polls until nothing of run-step is left within `deadline`, and prints how long it took.
    pub async fn assert_nothing_left_within(&self, what: &str, deadline: Duration) {
        let start = std::time::Instant::now();
        poll_async(
            &format!("no Job and no pod left after {what}"),
            deadline,
            || async { (self.left().await == (0, 0)).then_some(()) },
        )
        .await;
        eprintln!(
            "nothing left after {what}: {:.1}s after run-step ended (bound {}s)",
            start.elapsed().as_secs_f64(),
            deadline.as_secs()
        );
    }

    /// Writes a DAG with one step `s` of the given config (YAML flow map) and command, with a 1 s
    /// termination grace period.
    pub fn dag(&self, dir: &tempfile::TempDir, config: &str, command: &str) -> String {
        let config = format!("termination_grace_period_seconds: 1{config}");
        self.dag_with(dir, &config, command)
    }

    /// [`Ns::dag`] without the grace period: the pod keeps Kubernetes' default of 30 s.
    pub fn dag_default_grace(
        &self,
        dir: &tempfile::TempDir,
        config: &str,
        command: &str,
    ) -> String {
        self.dag_with(dir, config.trim_start_matches([',', ' ']), command)
    }

    fn dag_with(&self, dir: &tempfile::TempDir, config: &str, command: &str) -> String {
        let path = dir.path().join("dag.yaml");
        let text = format!(
            "steps:\n  - id: s\n    type: k8s\n    config: {{image: '{IMAGE}', image_pull_policy: IfNotPresent, \
             {config}}}\n    command: {command}\n"
        );
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    }

    pub fn run_step(&self, dag: &str, extra: &[&str]) -> Command {
        self.run_step_as(dag, &support::kubeconfig(), extra)
    }

    pub fn run_step_as(&self, dag: &str, kubeconfig: &std::path::Path, extra: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_kubectl-dagu"));
        cmd.args(["run-step", dag, "s", "-n", &self.name, "--kubeconfig"])
            .arg(kubeconfig)
            .args(extra)
            .env("NO_COLOR", "1")
            .env_remove("DAGU_HOME")
            .stdin(Stdio::null())
            .kill_on_drop(true);
        cmd
    }
}

impl Drop for Ns {
    fn drop(&mut self) {
        let (client, name) = (self.client.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                Api::<Namespace>::all(client)
                    .delete(&name, &DeleteParams::background())
                    .await
                    .ok()
            });
        })
        .join();
    }
}
/// Runs to completion: (exit code, stdout, stderr).
pub async fn output(mut cmd: Command) -> (i32, String, String) {
    let out = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .await
        .unwrap();
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
    (
        out.status.code().unwrap_or(-1),
        text(out.stdout),
        text(out.stderr),
    )
}

/// Spawns `cmd` (with -vv so phases are logged), waits until a line of stdout or stderr contains `marker`,
/// sends SIGINT and returns the exit code and everything printed.
pub async fn interrupt_at(cmd: Command, marker: &str) -> (i32, String) {
    signal_at(cmd, marker, "-INT", |_| {}).await
}

/// Like [`interrupt_at`] with any signal for `kill`; `on_marker` runs before the signal is sent (an empty
/// `signal` sends none and just waits for the exit).
pub async fn signal_at(
    mut cmd: Command,
    marker: &str,
    signal: &str,
    on_marker: impl FnOnce(u32),
) -> (i32, String) {
    let mut child: Child = cmd
        .arg("-vv")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    for stream in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn tokio::io::AsyncRead + Unpin + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let tx = tx.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(stream).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let _ = tx.send(line);
            }
        });
    }
    drop(tx);
    let mut seen = String::new();
    let found = tokio::time::timeout(Duration::from_secs(90), async {
        while let Some(line) = rx.recv().await {
            seen.push_str(&line);
            seen.push('\n');
            if line.contains(marker) {
                return true;
            }
        }
        false
    })
    .await;
    assert!(
        matches!(found, Ok(true)),
        "never saw {marker:?}; output:\n{seen}"
    );
    let pid = child.id().unwrap();
    on_marker(pid);
    if !signal.is_empty() {
        let sent = std::process::Command::new("kill")
            .args([signal, &pid.to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    }
    let status = tokio::time::timeout(Duration::from_secs(180), child.wait())
        .await
        .expect("run-step did not exit")
        .unwrap();
    // The pipes close with the process: read what is left until both readers end.
    while let Ok(Some(line)) = tokio::time::timeout(Duration::from_secs(10), rx.recv()).await {
        seen.push_str(&line);
        seen.push('\n');
    }
    (status.code().unwrap_or(-1), seen)
}

/// Asserts `text` has exactly the lines `want`, in order; on failure names the first difference, the
/// missing and the repeated lines instead of printing thousands of lines.
pub fn assert_lines(text: &str, want: &[String]) {
    let got: Vec<&str> = text.lines().collect();
    if got.iter().copied().eq(want.iter().map(String::as_str)) {
        return;
    }
    let first = got
        .iter()
        .zip(want)
        .position(|(g, w)| *g != w.as_str())
        .unwrap_or(got.len().min(want.len()));
    let mut counts = std::collections::BTreeMap::new();
    for g in &got {
        *counts.entry(*g).or_insert(0) += 1;
    }
    let missing: Vec<&String> = want
        .iter()
        .filter(|w| !counts.contains_key(w.as_str()))
        .take(20)
        .collect();
    let repeated: Vec<(&&str, &i32)> = counts.iter().filter(|(_, n)| **n > 1).take(20).collect();
    panic!(
        "{} lines, expected {}; first difference at line {}: got {:?}, expected {:?}\nmissing (first 20): {missing:?}\nrepeated (first 20): {repeated:?}",
        got.len(),
        want.len(),
        first + 1,
        got.get(first),
        want.get(first)
    );
}
