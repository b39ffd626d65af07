//! `kubectl dagu doctor` on real Helm releases of the project's 2.x test chart (distributed), run as a service
//! account bound to docs/rbac/doctor.yaml: a healthy release passes; each way of breaking it, one at a time,
//! fails with the check id that names it; undone, it passes again.

mod support;

use std::process::Command;
use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::PersistentVolumeClaim;
use k8s_openapi::api::networking::v1::NetworkPolicy;
use kube::api::{Api, Patch, PatchParams, PostParams};
use serde_json::{json, Value};

/// How long `--wait` gives pods to (re)start: they are Ready in about 10 s idle.
const SETTLE: &str = "180s";

struct Doctor {
    kubeconfig: std::path::PathBuf,
    release: String,
}

impl Doctor {
    /// Runs `doctor RELEASE -o json` with `extra`; returns the exit code and the report.
    fn run(&self, extra: &[&str]) -> (i32, Value, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_kubectl-dagu"))
            .args(["doctor", &self.release, "-o", "json", "--kubeconfig"])
            .arg(&self.kubeconfig)
            .args(extra)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        let report: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("doctor printed no JSON ({e}): {stderr}"));
        (out.status.code().unwrap_or(-1), report, stderr)
    }

    /// Asserts that doctor (after `--wait`) exits 0.
    fn passes(&self, after: &str) {
        let (code, report, stderr) = self.run(&["--wait", SETTLE]);
        assert_eq!(
            code, 0,
            "after {after}, doctor should pass:\n{report:#}\n{stderr}"
        );
    }

    /// Asserts that doctor exits 1 with `id` failing (polling: a pod may still have to crash), and returns
    /// that check's problems as text.
    fn fails_with(&self, id: &str) -> String {
        support::poll(
            &format!("doctor to fail {id}"),
            Duration::from_secs(90),
            || {
                let (code, report, stderr) = self.run(&[]);
                assert!(code == 0 || code == 1, "doctor exited {code}: {stderr}");
                let check = report["checks"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|c| c["id"] == id)
                    .unwrap_or_else(|| panic!("no check {id} in {report:#}"))
                    .clone();
                (code == 1 && check["status"] == "fail").then(|| check["problems"].to_string())
            },
        )
    }
}

fn pod_spec(d: &Deployment) -> &k8s_openapi::api::core::v1::PodSpec {
    let spec = d.spec.as_ref().expect("a Deployment spec");
    spec.template.spec.as_ref().expect("a pod spec")
}

async fn patch_deployment(api: &Api<Deployment>, name: &str, patch: Value) {
    api.patch(
        name,
        &PatchParams::default(),
        &Patch::Json::<()>(serde_json::from_value(patch).unwrap()),
    )
    .await
    .unwrap_or_else(|e| panic!("patch deployment {name}: {e}"));
}

#[tokio::test]
async fn doctor_names_each_break_by_its_check_id_and_passes_once_it_is_undone() {
    let client = support::client().await;
    let ns = support::TestNamespace::create(&client, "doctor").await;
    let release = "doc".to_string();
    support::helm::run(&[
        "install",
        &release,
        "dagu-2",
        "-n",
        &ns.name,
        "-f",
        "values/distributed.yaml",
        "--set",
        "workerPools.general.replicas=1",
        "--wait",
        "--timeout",
        "180s",
    ]);
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = support::rbac::least_privilege_kubeconfig(
        client.clone(),
        &ns.name,
        "doctor.yaml",
        dir.path(),
    )
    .await;
    let doctor = Doctor {
        kubeconfig,
        release: release.clone(),
    };
    doctor.passes("helm install");

    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &ns.name);
    let ui = format!("{release}-dagu-ui");
    let coordinator = format!("{release}-dagu-coordinator");
    let scheduler = format!("{release}-dagu-scheduler");
    let worker = format!("{release}-dagu-worker-general");

    // 1. enableServiceLinks patched out of the UI: drift from a post-render rule.
    patch_deployment(
        &deployments,
        &ui,
        json!([{"op": "remove", "path": "/spec/template/spec/enableServiceLinks"}]),
    )
    .await;
    let problems = doctor.fails_with("post-render-rules");
    assert!(
        problems.contains("[service-links-disabled] drift"),
        "{problems}"
    );
    patch_deployment(
        &deployments,
        &ui,
        json!([{"op": "add", "path": "/spec/template/spec/enableServiceLinks", "value": false}]),
    )
    .await;
    doctor.passes("enableServiceLinks restored");

    // 2. The coordinator scaled to 0.
    let scale = |n: i32| json!([{"op": "replace", "path": "/spec/replicas", "value": n}]);
    patch_deployment(&deployments, &coordinator, scale(0)).await;
    let problems = doctor.fails_with("components-available");
    assert!(problems.contains("scaled to 0"), "{problems}");
    patch_deployment(&deployments, &coordinator, scale(1)).await;
    doctor.passes("the coordinator scaled back to 1");

    // 3. A worker without --worker.coordinators: it crash-loops saying so.
    let live = deployments.get(&worker).await.unwrap();
    let args = pod_spec(&live).containers[0].args.clone().unwrap();
    let i = args
        .iter()
        .position(|a| a == "--worker.coordinators")
        .expect("the chart renders the flag");
    let mut without = args.clone();
    without.drain(i..i + 2);
    let set_args = |a: &Vec<String>| json!([{"op": "replace", "path": "/spec/template/spec/containers/0/args", "value": a}]);
    patch_deployment(&deployments, &worker, set_args(&without)).await;
    let problems = doctor.fails_with("coordinator-service");
    assert!(
        problems.contains("runs without --worker.coordinators"),
        "{problems}"
    );
    let problems = doctor.fails_with("post-render-rules");
    assert!(
        problems.contains("[worker-coordinators] drift"),
        "{problems}"
    );
    // Once the pod has crashed, the report carries its last words.
    let problems = doctor.fails_with("pods-not-crash-looping");
    assert!(
        problems.contains("worker.coordinators is required"),
        "{problems}"
    );
    patch_deployment(&deployments, &worker, set_args(&args)).await;
    doctor.passes("the worker's --worker.coordinators restored");

    // 4. A NetworkPolicy that isolates the coordinator and admits only its health port.
    let policies: Api<NetworkPolicy> = Api::namespaced(client.clone(), &ns.name);
    let policy: NetworkPolicy = serde_json::from_value(json!({
        "metadata": {"name": "coordinator-health-only"},
        "spec": {"podSelector": {"matchLabels": {"app.kubernetes.io/component": "coordinator"}},
                 "policyTypes": ["Ingress"], "ingress": [{"ports": [{"port": "health"}]}]}}))
    .unwrap();
    policies
        .create(&PostParams::default(), &policy)
        .await
        .unwrap();
    let problems = doctor.fails_with("network-policy");
    assert!(problems.contains("coordinator-health-only"), "{problems}");
    policies
        .delete("coordinator-health-only", &Default::default())
        .await
        .unwrap();
    doctor.passes("the NetworkPolicy deleted");

    // 5. The scheduler pointed at a claim that cannot bind (no such StorageClass).
    let pvcs: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), &ns.name);
    let pending: PersistentVolumeClaim = serde_json::from_value(json!({
        "metadata": {"name": "never-bound"},
        "spec": {"accessModes": ["ReadWriteMany"], "storageClassName": "no-such-class",
                 "resources": {"requests": {"storage": "1Gi"}}}}))
    .unwrap();
    pvcs.create(&PostParams::default(), &pending).await.unwrap();
    let live = deployments.get(&scheduler).await.unwrap();
    let volumes = pod_spec(&live).volumes.clone().unwrap();
    let v = volumes
        .iter()
        .position(|v| v.persistent_volume_claim.is_some())
        .expect("a PVC volume");
    let original = volumes[v]
        .persistent_volume_claim
        .as_ref()
        .unwrap()
        .claim_name
        .clone();
    let claim = |name: &str| {
        json!([{"op": "replace", "path": format!("/spec/template/spec/volumes/{v}/persistentVolumeClaim/claimName"),
                "value": name}])
    };
    patch_deployment(&deployments, &scheduler, claim("never-bound")).await;
    let problems = doctor.fails_with("pvc-bound");
    assert!(
        problems.contains("PersistentVolumeClaim/never-bound"),
        "{problems}"
    );
    patch_deployment(&deployments, &scheduler, claim(&original)).await;
    pvcs.delete("never-bound", &Default::default())
        .await
        .unwrap();
    doctor.passes("the scheduler's claim restored");

    support::helm::run(&[
        "uninstall",
        &release,
        "-n",
        &ns.name,
        "--wait",
        "--timeout",
        "120s",
    ]);
}

#[tokio::test]
async fn an_unreachable_cluster_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    std::fs::write(
        &path,
        "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]\n\
         users: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\n\
         current-context: x\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kubectl-dagu"))
        .args(["doctor", "--kubeconfig"])
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("failed to list"), "{stderr}");
}
